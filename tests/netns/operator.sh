#!/bin/sh
# SPDX-License-Identifier: ISC
#
# What an operator meets, checked on the whole chain:
#  - -V/--version and -h/--help on every program; a bad option fails;
#  - start-up errors on standard error, before and after detaching, and
#    a second instance refused without harming the first;
#  - -n: a missing user is an error, a missing downstream interface and a
#    relay address on no interface are warnings, with file:line;
#  - a reload with a relative -f; a restart-only setting says so;
#  - quiet logs for a healthy tunnel, joins and leaves logged, a join
#    that cannot be served said, -v and -vv different, the SIGUSR1 dump
#    framed, no false "no IPv4 address" at start;
#  - a pcap-file readable while the daemon runs;
#  - amtctl: "is it running?", the wrong daemon's socket named, about,
#    the Prometheus format, no negative numbers;
#  - a relay of a family the host has no route for: the refused sends
#    are a warning naming the fix, rate-limited, and counted.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
need_root

# 1. Conventions.
for p in amtgwd igmpproxyd amtrelayd amtctl; do
	[ "$("$BIN/$p" -V)" = "$p $(cat "$TOP/VERSION")" ] || fail "$p -V"
	[ "$("$BIN/$p" --version)" = "$p $(cat "$TOP/VERSION")" ] ||
	    fail "$p --version"
	"$BIN/$p" -h | grep -q "^usage: $p" || fail "$p -h"
	"$BIN/$p" --help >/dev/null || fail "$p --help exit status"
	"$BIN/$p" -Q >/dev/null 2>&1 && fail "$p accepts a bad option"
done
ok "-V, --version, -h, --help on every program; a bad option fails"

RELAY_QI=1
topo_build

# 2. -n checks against the system.
cat >"$TMP/bad-user.conf" <<EOC
discovery $ANYCAST
driad off
user no-such-user-amt
EOC
"$BIN/amtgwd" -n -f "$TMP/bad-user.conf" >/dev/null 2>"$TMP/n1.err" &&
    fail "-n accepted a missing user"
grep -q "bad-user.conf:3: user: no user \"no-such-user-amt\"" "$TMP/n1.err" ||
    fail "-n user: $(cat "$TMP/n1.err")"
sed 's/^downstream d2$/downstream d9/' "$TMP/igmpproxyd.conf" >"$TMP/px-d9.conf"
nsx site "$BIN/igmpproxyd" -n -f "$TMP/px-d9.conf" >/dev/null 2>"$TMP/n2.err" ||
    fail "-n refused a missing downstream: $(cat "$TMP/n2.err")"
grep -q "px-d9.conf:3: warning: downstream d9: no such interface (yet)" \
    "$TMP/n2.err" || fail "-n downstream: $(cat "$TMP/n2.err")"
sed "s/^relay-address .*/relay-address 172.16.1.9/" "$TMP/amtrelayd.conf" \
    >"$TMP/rl-addr.conf"
nsx rly "$BIN/amtrelayd" -n -f "$TMP/rl-addr.conf" >/dev/null 2>"$TMP/n3.err" ||
    fail "-n refused a relay address: $(cat "$TMP/n3.err")"
grep -q "rl-addr.conf:2: warning: relay-address 172.16.1.9 is on no interface" \
    "$TMP/n3.err" || fail "-n relay address: $(cat "$TMP/n3.err")"
ok "-n: a missing user is an error; a missing interface and a foreign relay address are warnings, at file:line"

# 3. Start-up errors on standard error, detached; a second instance.
sed "s|^pidfile .*|pidfile $TMP/no/such/dir/amtrelayd.pid|" \
    "$TMP/amtrelayd.conf" >"$TMP/rl-pid.conf"
nsx rly "$BIN/amtrelayd" -f "$TMP/rl-pid.conf" 2>"$TMP/s1.err" &&
    fail "started without its pidfile"
grep -q "pidfile $TMP/no/such/dir/amtrelayd.pid: No such file" "$TMP/s1.err" ||
    fail "pidfile error not on stderr: $(cat "$TMP/s1.err")"
[ -e "$TMP/amtrelayd.sock" ] && fail "a failed start left a socket"
sed "s|^control-socket .*|control-socket $TMP/no/such/dir/r.sock|" \
    "$TMP/amtrelayd.conf" >"$TMP/rl-sock.conf"
nsx rly "$BIN/amtrelayd" -f "$TMP/rl-sock.conf" 2>"$TMP/s2.err" ||
    fail "detached start failed: $(cat "$TMP/s2.err")"
PIDS="$PIDS $(cat "$TMP/amtrelayd.pid")"
grep -q "no control socket: amtctl will not reach amtrelayd" "$TMP/s2.err" ||
    fail "a warning after detaching not on stderr: $(cat "$TMP/s2.err")"
kill "$(cat "$TMP/amtrelayd.pid")"
wait_exit "$(cat "$TMP/amtrelayd.pid" 2>/dev/null || echo 0)" 5
nsx rly "$BIN/amtrelayd" -f "$TMP/amtrelayd.conf" 2>"$TMP/s3.err" ||
    fail "relay start: $(cat "$TMP/s3.err")"
RLY=$(cat "$TMP/amtrelayd.pid")
PIDS="$PIDS $RLY"
nsx rly "$BIN/amtrelayd" -f "$TMP/amtrelayd.conf" 2>"$TMP/s4.err" &&
    fail "a second instance started"
grep -q "is locked: already running?" "$TMP/s4.err" ||
    fail "second instance: $(cat "$TMP/s4.err")"
"$BIN/amtctl" -s "$TMP/amtrelayd.sock" relay about >/dev/null ||
    fail "the second instance broke the first's socket"
[ "$(cat "$TMP/amtrelayd.pid")" = "$RLY" ] || fail "pidfile overwritten"
ok "start-up errors and warnings on stderr (before and after detaching); a second instance refused, the first intact"

# 4. Quiet logs; joins and leaves; a join not served; the dump.
cd "$TMP" || fail "cd"
cp igmpproxyd.conf px-rel.conf
sed -i 's/^downstream d2$//' px-rel.conf
bg site px "$BIN/igmpproxyd" -d -f px-rel.conf
PX=$LASTPID
cd / || fail "cd /"
bg site amtgwd "$BIN/amtgwd" -d -f "$TMP/amtgwd.conf"
GW=$LASTPID
wait_log amtgwd "tunnel to relay $RELAY established" 5 || fail "no tunnel"
wait_log px "started \(version $(cat "$TOP/VERSION")\)" 5 || fail "no version"
start_source 232.1.1.1
bg h1 r1 "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $SRC -n 0 -t 600000
R1=$LASTPID
wait_log r1 FIRST 10 || fail "no stream"
wait_log px "d1: 232.1.1.1 joined by 10.1.0.11 \(IGMPv3\)" 3 || fail "join not logged"
n0=$(wc -l <"$TMP/amtgwd.log")
sleep 5		# five query cycles of the relay, on purpose
n1=$(wc -l <"$TMP/amtgwd.log")
[ $((n1 - n0)) -eq 0 ] || fail "a healthy tunnel logged $((n1 - n0)) lines in 5 cycles: $(tail -$((n1 - n0)) "$TMP/amtgwd.log")"
count_log px "no IPv4 address" | grep -qx 0 || fail "false no-address warning"
stop_pid $R1
wait_log px "d1: 232.1.1.1 left" 10 || fail "leave not logged"
ok "a healthy tunnel logs nothing in 5 query cycles; joins and leaves logged; no false warning at start"

# Reload with the relative -f: d2 comes back.
echo "downstream d2" >>"$TMP/px-rel.conf"
kill -HUP $PX
wait_log px "reloading $TMP/px-rel.conf" 3 || fail "reload of a relative -f"
wait_log px "d2: downstream added" 3 || fail "reload did not apply"
ok "SIGHUP with a relative -f reads the same file"
# An IGMPv2 join in the SSM range is not served, and says why.
nsx h2 "$BIN/mcrecv" -i e0 -g 232.2.2.2 -n 1 -t 1500 >/dev/null 2>&1
wait_log px "d2: IGMPv2 join of 232.2.2.2 by 10.2.0.12 not served" 3 ||
    fail "SSM v2 join not said"
ok "a v2 join in the SSM range: said why it is not served"
dump_state $PX px || fail "no dump"
grep -q "state dump begins (version" "$TMP/px.log" || fail "dump header"

# A restart-only setting changed on SIGHUP says so.
echo "pcap-file $TMP/gw.pcap" >>"$TMP/amtgwd.conf"
kill -HUP $GW
wait_log amtgwd "pcap-file changed: it takes effect when amtgwd restarts" 3 ||
    fail "restart-only setting not said"
ok "SIGHUP: a setting that needs a restart says so (pcap-file)"

# 5. -v and -vv; pcap-file read while running.
stop_pid $GW 5
bg site amtgwd "$BIN/amtgwd" -d -v -f "$TMP/amtgwd.conf"
GW=$LASTPID
wait_log amtgwd "tunnel to relay $RELAY established" 5 || fail "no tunnel (-v)"
port=$(sed -n 's/.*UDP port \([0-9]*\),.*/\1/p' "$TMP/amtgwd.log" | tail -1)
garbage() {
	nsx net /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('172.16.2.254', 2268))
for i in range(3): s.sendto(b'\x09garbage', ('172.16.2.1', $port))"
}
garbage
sleep 0.3
count_log amtgwd "from 172.16.2.254:2268: " | grep -qx 0 ||
    fail "-v logged single packets"
wait_log amtgwd "state established -> requesting" 3 ||
    fail "-v did not log the query cycle"
stop_pid $GW 5
bg site amtgwd "$BIN/amtgwd" -d -vv -f "$TMP/amtgwd.conf"
GW=$LASTPID
wait_log amtgwd "tunnel to relay $RELAY established" 5 || fail "no tunnel (-vv)"
port=$(sed -n 's/.*UDP port \([0-9]*\),.*/\1/p' "$TMP/amtgwd.log" | tail -1)
garbage
wait_log amtgwd "from 172.16.2.254:2268: " 2 || fail "-vv: no per-packet line"
ok "-v logs protocol events, -vv single packets too"
sleep 1.5
"$BIN/pcapread" "$TMP/gw.pcap" >"$TMP/live.txt" 2>&1 ||
    fail "pcap-file unreadable while running: $(cat "$TMP/live.txt")"
grep -q "^TYPE 4 [1-9]" "$TMP/live.txt" || fail "pcap-file not flushed: $(cat "$TMP/live.txt")"
ok "pcap-file read while amtgwd runs: $(awk '$1 == "TYPE" {s += $3} END {print s}' "$TMP/live.txt") messages"

# 6. amtctl.
"$BIN/amtctl" -s "$TMP/none.sock" gateway 2>"$TMP/c1.err" && fail "no socket"
grep -q "(is amtgwd running?)" "$TMP/c1.err" || fail "amtctl hint: $(cat "$TMP/c1.err")"
"$BIN/amtctl" -s "$TMP/amtgwd.sock" proxy groups 2>"$TMP/c2.err" &&
    fail "wrong socket accepted"
grep -q "is the control socket of amtgwd, not of igmpproxyd" "$TMP/c2.err" ||
    fail "wrong socket: $(cat "$TMP/c2.err")"
"$BIN/amtctl" -s "$TMP/amtgwd.sock" gateway about | grep -q "^version $(cat "$TOP/VERSION")$" ||
    fail "about"
"$BIN/amtctl" -s "$TMP/amtgwd.sock" -o prometheus gateway >"$TMP/prom.txt" ||
    fail "prometheus"
grep -q '^# TYPE amtgwd_counters_query_accepted_total counter$' "$TMP/prom.txt" &&
    grep -q '^amtgwd_state_info{state="established"} 1$' "$TMP/prom.txt" ||
    fail "prometheus output: $(head -20 "$TMP/prom.txt")"
bad=$(grep -vcE '^# TYPE [a-z0-9_]+ (counter|gauge)$|^[a-z0-9_]+(\{[a-z0-9_]+="[^"]*"(,[a-z0-9_]+="[^"]*")*\})? [0-9]+$' "$TMP/prom.txt")
[ "$bad" -eq 0 ] || fail "$bad malformed exposition lines"
"$BIN/amtctl" -s "$TMP/igmpproxyd.sock" -o prometheus proxy interfaces \
    >"$TMP/prom2.txt" || fail "prometheus proxy"
grep -q 'igmpproxyd_downstream_querier{name="d1"' "$TMP/prom2.txt" ||
    fail "prometheus labels: $(cat "$TMP/prom2.txt")"
for v in "gateway" "proxy interfaces" "proxy groups"; do
	case $v in gateway) s=amtgwd ;; *) s=igmpproxyd ;; esac
	# shellcheck disable=SC2086
	"$BIN/amtctl" -s "$TMP/$s.sock" $v | grep -E ' -[0-9]' &&
	    fail "a negative number in amtctl $v"
done
grep -q "^amtgwd_discovery_address_info{discovery_address=\"$ANYCAST\"} 1$" "$TMP/prom.txt" ||
    fail "discovery address hidden while used"
ok "amtctl: 'is amtgwd running?', the wrong daemon named, about, Prometheus ($(grep -c '^# TYPE' "$TMP/prom.txt") metrics), no negative numbers"
# An IPv6 relay on a host without IPv6 routes (a common slip: an AAAA
# name or an address pasted from elsewhere).
ns_add lone
cat >"$TMP/lone.conf" <<EOC
relay 2001:db8:99::1
driad off
request-timeout 0.1
retransmit-max 1
user nobody
pidfile $TMP/lone.pid
control-socket $TMP/lone.sock
EOC
bg lone lone "$BIN/amtgwd" -d -f "$TMP/lone.conf"
LONE=$LASTPID
wait_log lone "cannot send to 2001:db8:99::1 port 2268: Network is \
unreachable; this host has no IPv6 route to it: give it one, or configure \
an IPv4 relay or discovery address" 5 || fail "no warning for the refused send"
# Requests go on failing (and are counted); the warning stays
# rate-limited.
deadline=$(($(now_ms) + 10000))
until ctl "$TMP/lone.sock" gateway &&
    [ "$(jget 'd["counters"]["send-error"]')" -ge 6 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "send errors not counted"
	sleep 0.1
done
nerr=$(jget 'd["counters"]["send-error"]')
nwarn=$(count_log lone "cannot send to")
[ "$nwarn" -le 2 ] || fail "$nerr send errors, $nwarn warnings"
nsx lone "$BIN/amtctl" doctor -g "$TMP/lone.sock" -p "$TMP/none.sock" \
    -t 1 >"$TMP/lone-doctor.txt" 2>&1
grep -q "relay 2001:db8:99::1 is IPv6 and this host refused" \
    "$TMP/lone-doctor.txt" && grep -q "give this host an IPv6 route" \
    "$TMP/lone-doctor.txt" || fail "doctor: $(cat "$TMP/lone-doctor.txt")"
stop_pid $LONE
ok "an IPv6 relay without an IPv6 route: $nerr refused sends counted, $nwarn warning(s) naming the fix; the doctor names it"

# Every counter explained in amtctl(8).
"$BIN/amtctl" -j -s "$TMP/amtgwd.sock" gateway >"$TMP/j1.json"
"$BIN/amtctl" -j -s "$TMP/igmpproxyd.sock" proxy interfaces >"$TMP/j2.json"
"$BIN/amtctl" -j -s "$TMP/amtrelayd.sock" relay gateways >"$TMP/j3.json"
missing=$(/usr/bin/python3 - "$TOP/man/amtctl.8" "$TMP"/j1.json \
    "$TMP"/j2.json "$TMP"/j3.json <<'EOP'
import json, re, sys
man = open(sys.argv[1]).read()
sec = man[man.index(".Sh COUNTERS"):man.index(".Sh DOCTOR")]
documented = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+|[a-z]+", sec))
keys = set()
for f in sys.argv[2:]:
    d = json.load(open(f))
    keys |= set(d.get("counters", {}))
    for i in d.get("downstream", []) + [d.get("upstream", {})]:
        keys |= {k for k, v in i.items() if isinstance(v, int) and
                 not isinstance(v, bool)} - {"ifindex", "vif", "mtu",
                 "igmp-version", "groups", "records", "other-querier-ms"}
print(" ".join(sorted(k for k in keys if k not in documented)))
EOP
)
[ -z "$missing" ] || fail "counters not in amtctl(8): $missing"
ok "every counter of the three daemons is explained in amtctl(8)"
echo "PASS: $TESTNAME"
