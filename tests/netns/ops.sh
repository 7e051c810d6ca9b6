#!/bin/sh
# SPDX-License-Identifier: ISC
#
# What an operator gets: make install into a DESTDIR checked file by
# file (configs never overwritten, uninstall leaves them); the systemd
# units pass systemd-analyze verify; the daemons started through the
# installed init scripts on the full topology carry a stream, answer
# amtctl while misbehaving clients hold their control sockets, reload,
# and stop cleanly; pcap-file captures read back with libpcap and
# decoded by tshark.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
need_root
command -v systemd-analyze >/dev/null || skip "systemd-analyze missing"

# The same build settings as the suite's, so nothing is rebuilt.
MK="env -u MAKEFLAGS -u MFLAGS make -s -C $TOP O=$O SANITIZE=${SANITIZE:-} COVERAGE=${COVERAGE:-} CC=${CC:-cc}"

# 1. make install into a DESTDIR, file by file.
D=$TMP/dest
$MK install DESTDIR=$D >"$TMP/install.log" 2>&1 || fail "make install"
(cd "$D" && find . -type f -printf '%m %p\n' | sort) >"$TMP/files.txt"
cat >"$TMP/want.txt" <<EOW
644 ./etc/amt/amtgwd.conf
644 ./etc/amt/amtrelayd.conf
644 ./etc/amt/igmpproxyd.conf
644 ./etc/default/amtgwd
644 ./etc/default/amtrelayd
644 ./etc/default/igmpproxyd
644 ./lib/systemd/system/amtgwd.service
644 ./lib/systemd/system/amtrelayd.service
644 ./lib/systemd/system/igmpproxyd.service
644 ./usr/local/share/man/man5/amtgwd.conf.5
644 ./usr/local/share/man/man5/amtrelayd.conf.5
644 ./usr/local/share/man/man5/igmpproxyd.conf.5
644 ./usr/local/share/man/man8/amtctl.8
644 ./usr/local/share/man/man8/amtgwd.8
644 ./usr/local/share/man/man8/amtrelayd.8
644 ./usr/local/share/man/man8/igmpproxyd.8
755 ./etc/init.d/amtgwd
755 ./etc/init.d/amtrelayd
755 ./etc/init.d/igmpproxyd
755 ./usr/local/sbin/amtctl
755 ./usr/local/sbin/amtgwd
755 ./usr/local/sbin/amtrelayd
755 ./usr/local/sbin/igmpproxyd
EOW
sort "$TMP/want.txt" | diff -u - "$TMP/files.txt" >"$TMP/diff.txt" ||
    fail "installed files differ: $(cat "$TMP/diff.txt")"
grep -rl '@[A-Z]*DIR@' "$D" && fail "unsubstituted paths"
grep -q '^DAEMON=/usr/local/sbin/amtgwd$' "$D/etc/init.d/amtgwd" ||
    fail "init script path"
grep -q '^ExecStart=/usr/local/sbin/igmpproxyd -f /etc/amt/igmpproxyd.conf' \
    "$D/lib/systemd/system/igmpproxyd.service" || fail "unit path"
for d in amtgwd igmpproxyd amtrelayd; do
	"$D/usr/local/sbin/$d" -n -f "$D/etc/amt/$d.conf" >/dev/null 2>&1 ||
	    fail "installed $d.conf does not parse"
done
echo "# edited by the operator" >>"$D/etc/amt/amtgwd.conf"
$MK install DESTDIR=$D >"$TMP/install2.log" 2>&1 || fail "second install"
grep -q "edited by the operator" "$D/etc/amt/amtgwd.conf" ||
    fail "install overwrote an existing config"
grep -q "keeping the existing $D/etc/amt/amtgwd.conf" "$TMP/install2.log" ||
    fail "no notice about the kept config"
$MK uninstall DESTDIR=$D >/dev/null 2>&1 || fail "make uninstall"
(cd "$D" && find . -type f | sort) >"$TMP/left.txt"
[ "$(cat "$TMP/left.txt")" = "./etc/amt/amtgwd.conf
./etc/amt/amtrelayd.conf
./etc/amt/igmpproxyd.conf
./etc/default/amtgwd
./etc/default/amtrelayd
./etc/default/igmpproxyd" ] || fail "uninstall left: $(cat "$TMP/left.txt")"
ok "install into DESTDIR: $(wc -l <"$TMP/want.txt") files, modes and paths right; configs kept; uninstall leaves only them"

# 2. An installation under $TMP/inst for the rest (no rebuild: only
# the scripts' paths differ).
I=$TMP/inst
$MK install-bin DESTDIR=$I >/dev/null || fail "install-bin"
$MK install-man MANDIR=$I/man >/dev/null || fail "install-man"
$MK install-scripts SBINDIR=$I/usr/local/sbin SYSCONFDIR=$I/etc \
    INITDIR=$I/init.d SYSTEMDDIR=$I/systemd DEFAULTDIR=$I/default \
    >/dev/null || fail "install-scripts"
MANPATH=$I/man systemd-analyze verify $I/systemd/*.service \
    >"$TMP/verify.log" 2>&1 || fail "systemd-analyze verify: $(cat "$TMP/verify.log")"
ok "systemd units pass systemd-analyze verify"

# 3. The daemons through the init scripts, on the full topology.
topo_build
mkdir -p "$I/etc" "$I/default"
cp "$TMP/amtrelayd.conf" "$TMP/amtgwd.conf" "$TMP/igmpproxyd.conf" "$I/etc/"
echo "pcap-file $TMP/relay.pcap" >>"$I/etc/amtrelayd.conf"
printf 'pcap-file %s/gw.pcap\npcap-data on\n' "$TMP" >>"$I/etc/amtgwd.conf"
for d in amtgwd igmpproxyd amtrelayd; do
	echo "PIDFILE=$TMP/$d.pid" >"$I/default/$d"
done
initd() {	# NS DAEMON ACTION
	nsx "$1" "$I/init.d/$2" "$3" >"$TMP/initd.log" 2>&1
}
initd rly amtrelayd start || fail "init.d amtrelayd start: $(cat "$TMP/initd.log")"
initd site igmpproxyd start || fail "init.d igmpproxyd start"
initd site amtgwd start || fail "init.d amtgwd start"
# Started again: --oknodo, a success, the status line alone.
initd site amtgwd start || fail "init.d start on a running daemon failed"
[ "$(cat "$TMP/initd.log")" = "Starting AMT gateway: amtgwd." ] ||
    fail "status line: $(cat "$TMP/initd.log")"
# A configuration error: the status line, then the error, file:line.
cp "$I/etc/igmpproxyd.conf" "$TMP/px.keep"
echo "robustness 0" >>"$I/etc/igmpproxyd.conf"
initd site igmpproxyd restart && fail "restart with a bad config succeeded"
head -1 "$TMP/initd.log" | grep -q "^Restarting IGMP proxy: igmpproxyd.* failed" ||
    fail "failed status line: $(cat "$TMP/initd.log")"
grep -q "igmpproxyd.conf:[0-9]*: robustness: 0 is out of range" "$TMP/initd.log" ||
    fail "the error is not shown: $(cat "$TMP/initd.log")"
cp "$TMP/px.keep" "$I/etc/igmpproxyd.conf"
initd site igmpproxyd start || fail "init.d igmpproxyd start again"
for d in amtgwd igmpproxyd amtrelayd; do
	[ -s "$TMP/$d.pid" ] || fail "$d: no pidfile"
	PIDS="$PIDS $(cat "$TMP/$d.pid")"	# ours, for the cleanup
	initd site $d status || fail "$d: status says not running"
done
start_source 232.1.1.1
bg h1 r1 "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $SRC -n 0 -t 60000
wait_log r1 FIRST 10 || fail "no stream through the init-script daemons"
ok "started by the init scripts (igmpproxyd before amtgwd): the stream flows"

# 4. amtctl while misbehaving clients hold the control sockets.
/usr/bin/python3 - "$TMP/amtgwd.sock" >"$TMP/abuse.log" 2>&1 <<'EOP' &
import socket, sys, time
path = sys.argv[1]
socks = []
for i in range(40):			# idle, more than the daemon keeps
    s = socket.socket(socket.AF_UNIX); s.connect(path); socks.append(s)
s = socket.socket(socket.AF_UNIX); s.connect(path)
s.send(b"x" * 5000)			# an endless line
socks.append(s)
s = socket.socket(socket.AF_UNIX); s.connect(path)
s.send(b"gateway json\n")		# asks, never reads
socks.append(s)
print("HOLDING", flush=True)
time.sleep(8)
EOP
ABUSE=$!
PIDS="$PIDS $ABUSE"
wait_log abuse HOLDING 5 || fail "abuse script"
ctl "$TMP/amtgwd.sock" gateway
[ "$(jget 'd["state"]')" = established ] || fail "amtctl gateway under abuse"
ctl "$TMP/igmpproxyd.sock" proxy interfaces
[ "$(jget '[i["querier"] for i in d["downstream"]]')" = "[True, True]" ] ||
    fail "amtctl proxy interfaces"
ctl "$TMP/amtrelayd.sock" relay gateways
[ "$(jget 'len(d["gateways"])')" = 1 ] || fail "amtctl relay gateways"
[ "$(seen h1 e0 232.1.1.1 500)" -gt 50 ] || fail "stream hurt by the clients"
"$BIN/amtctl" -s "$TMP/amtgwd.sock" proxy groups >/dev/null 2>&1 &&
    fail "unknown command accepted"
kill $ABUSE
ok "amtctl answers (text and JSON) while 42 clients misbehave; the stream goes on"

# 5. reload and stop through the init scripts.
initd site igmpproxyd reload || fail "init.d reload"
[ "$(seen h1 e0 232.1.1.1 500)" -gt 50 ] || fail "stream lost on reload"
for d in igmpproxyd amtgwd; do
	initd site $d stop || fail "init.d $d stop"
	initd site $d status && fail "$d still running after stop"
	[ -e "$TMP/$d.pid" ] && fail "$d left its pidfile"
done
initd rly amtrelayd stop || fail "init.d amtrelayd stop"
ok "reload and stop through the init scripts; pidfiles removed"

# 6. The captures, read back with libpcap and decoded by tshark.
"$BIN/pcapread" "$TMP/gw.pcap" >"$TMP/gwpcap.txt" || fail "pcapread gw.pcap"
for t in 1 2 3 4 5 6 7; do
	n=$(awk -v t=$t '$1 == "TYPE" && $2 == t {print $3}' "$TMP/gwpcap.txt")
	[ "${n:-0}" -gt 0 ] || fail "gateway capture: no type $t: $(cat "$TMP/gwpcap.txt")"
done
grep -q "^BAD 0$" "$TMP/gwpcap.txt" || fail "gateway capture: bad records"
"$BIN/pcapread" "$TMP/relay.pcap" >"$TMP/rlpcap.txt" || fail "pcapread relay.pcap"
grep -q "^TYPE 6 0$" "$TMP/rlpcap.txt" || fail "relay captured data without pcap-data"
grep -q "^TYPE 4 [1-9]" "$TMP/rlpcap.txt" || fail "relay capture: no queries"
TSHARK="tshark -d udp.port==2268,amt -d udp.port==5001,data"
$TSHARK -r "$TMP/gw.pcap" -T fields -e amt.type 2>/dev/null | sort -u |
    tr '\n' ' ' >"$TMP/tshark.txt"
[ "$(cat "$TMP/tshark.txt")" = "1 2 3 4 5 6 7 " ] ||
    fail "tshark decodes: $(cat "$TMP/tshark.txt")"
[ "$($TSHARK -r "$TMP/gw.pcap" -Y '_ws.malformed || _ws.expert.severity >= error' 2>/dev/null | wc -l)" -eq 0 ] ||
    fail "tshark finds malformed records"
ok "pcap-file: $(awk '$1 == "TYPE" {s += $3} END {print s}' "$TMP/gwpcap.txt") messages read back by libpcap, all 7 types decoded by tshark"
echo "PASS: $TESTNAME"
