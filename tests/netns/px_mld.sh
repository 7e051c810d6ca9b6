#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The chain dual-stack, with real Linux hosts on the LANs: source ->
# amtrelayd -> IP-only router -> amtgwd -> igmpproxyd (MLD router on
# the LANs, MLDv2 host part on amt0, MRT6) -> hosts.
#  - the proxy is the MLD querier on both LANs (its link-local address);
#  - an MLDv2 host on LAN1 joins an IPv6 SSM channel (ff3e::), a host
#    forced to MLDv1 on LAN2 an ASM group (ff0e::): both streams arrive;
#    an IPv4 host on LAN2 keeps its IPv4 stream throughout;
#  - the leaves: each stream stops on its LAN within the last listener
#    query time (plus a little);
#  - tshark decodes every MLD message on the LANs and every AMT message
#    of the tunnel, none malformed;
#  - bad MLD from a host (no Router Alert, a global source, hop limit 2,
#    truncated records) is counted as malformed and makes no state;
#  - an IPv6 group denied in the configuration (deny ff0e::dead) is
#    neither forwarded nor asked for upstream, and counted;
#  - a forward chain dropping IPv6 to LAN1 while IPv4 reaches it too:
#    igmpproxyd says IPv6 datagrams are lost there (the IPv4 stream on
#    the same LAN does not hide it), and nothing of IPv4.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
need_root
command -v tshark >/dev/null || skip "tshark missing"
command -v tcpdump >/dev/null || skip "tcpdump missing"
command -v nft >/dev/null || skip "nft missing"

G6=ff3e::8000:1
A6=ff0e::1234
D6=ff0e::dead

topo_build
topo_ipv6

nsx net tcpdump -U -ni n2 -w "$TMP/amt.pcap" udp port 2268 \
    >"$TMP/td.log" 2>&1 &
TDS=$!
nsx site tcpdump -U -ni d1 -w "$TMP/lan1.pcap" ip6 >"$TMP/td1.log" 2>&1 &
TDS="$TDS $!"
nsx site tcpdump -U -ni d2 -w "$TMP/lan2.pcap" ip6 >"$TMP/td2.log" 2>&1 &
TDS="$TDS $!"
PIDS="$PIDS $TDS"
sleep 0.5	# tcpdump attaches

echo "deny $D6/128" >>"$TMP/igmpproxyd.conf"
start_relay
start_gw
start_px
wait_log igmpproxyd "IGMP and MLD" 5 || fail "igmpproxyd: no MLD"
wait_log igmpproxyd "d1: MLD querier now \(fe80:" 5 ||
    fail "proxy not MLD querier on d1"
wait_log igmpproxyd "d2: MLD querier now \(fe80:" 5 ||
    fail "proxy not MLD querier on d2"
wait_log amtgwd "tunnel to relay $RELAY established" 5 || fail "no tunnel"
ok "igmpproxyd is the MLD querier on both LANs (link-local sources)"

bg src s6 "$BIN/mcsend" -i s0 -g $G6,$A6,$D6 -r 200 -s 1000
S6P=$LASTPID
start_source 232.1.1.1
wait_log s6 SENDING 3 || fail "IPv6 source"

# 1. MLDv2 SSM on LAN1, MLDv1 ASM on LAN2, IPv4 beside them.
bg h4 r4 "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $SRC -n 0 -t 120000 -r 500
R4=$LASTPID
bg h1 r1 "$BIN/mcrecv" -i e0 -g $G6 -s $S6 -n 0 -t 120000
R1=$LASTPID
bg h2 r2 "$BIN/mcrecv" -i e0 -g $A6 -n 0 -t 120000
R2=$LASTPID
bg h2 rd "$BIN/mcrecv" -i e0 -g $D6 -n 0 -t 120000
RD=$LASTPID
wait_log r1 FIRST 8 || fail "MLDv2 host: no stream ($(cat "$TMP/r1.log"))"
wait_log r2 FIRST 8 || fail "MLDv1 host: no stream ($(cat "$TMP/r2.log"))"
wait_log r4 FIRST 8 || fail "IPv4 host: no stream"
f1=$(sed -n 's/^FIRST \([0-9]*\)/\1/p' "$TMP/r1.log")
f2=$(sed -n 's/^FIRST \([0-9]*\)/\1/p' "$TMP/r2.log")
ctl "$TMP/igmpproxyd.sock" proxy groups
[ "$(jget "sorted(g['group'] for g in d['mld']['database'])")" = \
    "['$A6', '$G6']" ] || fail "MLD database: $(cat "$TMP/ctl.json")"
ok "MLDv2 ($S6, $G6) on LAN1 after $((f1 / 1000)) ms, MLDv1 (*, $A6) on LAN2 after $((f2 / 1000)) ms; the database has both"
# Each stream only where it was asked for.
n12=$(seen h1 e0 $A6 500)
n21=$(seen h2 e0 $G6 500)
[ "$n12" -eq 0 ] && [ "$n21" -eq 0 ] ||
    fail "streams leak: $n12 of $A6 on LAN1, $n21 of $G6 on LAN2"
ok "each IPv6 stream only on its LAN"
# The denied group: reported by the host, not asked for, not forwarded.
nd=$(seen h2 e0 $D6 500)
ctl "$TMP/igmpproxyd.sock" proxy interfaces
den=$(jget "d['mld']['counters']['denied-by-acl']")
ctl "$TMP/amtrelayd.sock" relay groups
[ "$nd" -eq 0 ] && [ "$den" -gt 0 ] &&
    [ "$(jget "[g['group'] for g in d['groups'] if g['group'] == '$D6']")" = \
    "[]" ] || fail "deny $D6: $nd datagrams on LAN2, denied-by-acl $den, \
relay: $(cat "$TMP/ctl.json")"
grep -q "d2: $D6 wanted but denied by the configuration" \
    "$TMP/igmpproxyd.log" || fail "the denied group is not logged"
stop_pid $RD
ok "deny $D6: joined by the host, not forwarded (0 datagrams), not at the relay, denied-by-acl $den, logged"

# 2. The leaves, within the last listener query time (LMQT 0.4 s).
stop_pid $R1
t0=$(now_ms)
deadline=$((t0 + 3000))
while [ "$(seen h1 e0 $G6 100)" -gt 0 ]; do
	[ "$(now_ms)" -ge $deadline ] &&
	    fail "LAN1: $G6 goes on after the leave"
done
l1=$(($(now_ms) - t0))
stop_pid $R2
t0=$(now_ms)
deadline=$((t0 + 3000))
while [ "$(seen h2 e0 $A6 100)" -gt 0 ]; do
	[ "$(now_ms)" -ge $deadline ] &&
	    fail "LAN2: $A6 goes on after the leave"
done
l2=$(($(now_ms) - t0))
ok "leaves: $G6 seen stopped on LAN1 after $l1 ms (MLDv2), $A6 on LAN2 after $l2 ms (MLDv1 Done; LMQT 400 ms)"
# The IPv4 host never lost its stream.
sleep 0.6
c=$(grep -c "^COUNT" "$TMP/r4.log")
stuck=$(awk '/^COUNT/ { if (n != "" && $2 == n) s++; n = $2 }
    END { print s + 0 }' "$TMP/r4.log")
[ "$c" -ge 4 ] && [ "$stuck" -eq 0 ] ||
    fail "IPv4 host stalled ($stuck of $c half-seconds): $(cat "$TMP/r4.log")"
ok "the IPv4 host on LAN2 received throughout ($c half-second counts, none flat)"
stop_pid $R4
stop_pid $S6P

# 3. tshark: MLD on the LANs and AMT in the tunnel, none malformed.
sleep 0.3
for p in $TDS; do
	stop_pid $p
done
bad=0
for f in lan1 lan2; do
	b=$(tshark -r "$TMP/$f.pcap" -d udp.port==5001,data \
	    -Y '_ws.malformed || _ws.expert.severity >= 6291456' \
	    2>/dev/null | wc -l)
	bad=$((bad + b))
done
lan() {	# FILE FILTER [FIELD]: the lines (or a field) tshark selects
	if [ -n "${3:-}" ]; then
		tshark -r "$TMP/$1.pcap" -d udp.port==5001,data -Y "$2" \
		    -T fields -e "$3" 2>/dev/null
	else
		tshark -r "$TMP/$1.pcap" -d udp.port==5001,data -Y "$2" \
		    2>/dev/null
	fi
}
# leave_gap FILE GROUP LEAVE-FILTER: ms from the host's leave message to
# the last datagram of GROUP forwarded onto the LAN, from the capture.
leave_gap() {
	tl=$(lan "$1" "$3" frame.time_epoch | head -1)
	td=$(lan "$1" "udp && ipv6.dst == $2" frame.time_epoch | tail -1)
	[ -n "$tl" ] && [ -n "$td" ] || fail "$1: no leave or no data"
	python3 -c "import sys; print(int((float(sys.argv[2]) -
	    float(sys.argv[1])) * 1000))" "$tl" "$td"
}
q=$(lan lan1 'icmpv6.type == 130 && icmpv6.mld.nb_sources' | wc -l)
r2=$(lan lan1 'icmpv6.type == 143' | wc -l)
r1=$(lan lan2 'icmpv6.type == 131 || icmpv6.type == 132' | wc -l)
ab=$(tshark -r "$TMP/amt.pcap" -d udp.port==2268,amt -d udp.port==5001,data \
    -Y '_ws.malformed || _ws.expert.severity >= 6291456' 2>/dev/null | wc -l)
am=$(tshark -r "$TMP/amt.pcap" -d udp.port==2268,amt -d udp.port==5001,data \
    -Y 'icmpv6.type == 143' 2>/dev/null | wc -l)
[ "$bad" -eq 0 ] && [ "$ab" -eq 0 ] ||
    fail "tshark: $bad malformed on the LANs, $ab in the tunnel"
[ "$q" -gt 0 ] && [ "$r2" -gt 0 ] && [ "$r1" -gt 0 ] && [ "$am" -gt 0 ] ||
    fail "tshark: $q MLDv2 queries, $r2 MLDv2 reports on LAN1, $r1 MLDv1" \
    "messages on LAN2, $am MLDv2 reports in AMT"
ok "tshark: $q MLDv2 queries and $r2 MLDv2 reports on LAN1, $r1 MLDv1 reports and dones on LAN2, $am MLDv2 reports in AMT Updates, none malformed"
g1=$(leave_gap lan1 $G6 "icmpv6.type == 143 && \
    icmpv6.mldr.mar.multicast_address == $G6 && \
    (icmpv6.mldr.mar.record_type == 3 || icmpv6.mldr.mar.record_type == 6)")
g2=$(leave_gap lan2 $A6 "icmpv6.type == 132 && \
    icmpv6.mld.multicast_address == $A6")
[ "$g1" -le 450 ] && [ "$g2" -le 450 ] ||
    fail "leave to last datagram: $g1 ms (MLDv2), $g2 ms (MLDv1); LMQT 400"
ok "from the captures: the last datagram $g1 ms after the MLDv2 leave report, $g2 ms after the MLDv1 Done (LMQT 400 ms)"

# 4. Bad MLD from a LAN host (RFC 3810 5, 6.2): no Router Alert, a
#    global source, hop limit 2, records beyond the end.  Each is
#    counted as malformed and changes nothing.
ctl "$TMP/igmpproxyd.sock" proxy interfaces
bad0=$(jget "d['mld']['counters']['malformed']")
LL1=$(nsx h1 ip -6 addr show dev e0 scope link |
    sed -n 's/.*inet6 \([^/]*\).*/\1/p')
nsx h1 /usr/bin/python3 - "$LL1" <<'EOP' || fail "scapy"
import sys
from scapy.all import Ether, sendp, conf
from scapy.layers.inet6 import (IPv6, IPv6ExtHdrHopByHop, RouterAlert,
    ICMPv6MLReport2, ICMPv6MLDMultAddrRec)
conf.verb = 0
ll = sys.argv[1]
rec = ICMPv6MLDMultAddrRec(rtype=4, dst="ff0e::bad1")
def out(ip, ext, rep):
    p = ip / ext / rep if ext is not None else ip / rep
    sendp(Ether(dst="33:33:00:00:00:16") / p, iface="e0")
hbh = IPv6ExtHdrHopByHop(options=[RouterAlert()])
out(IPv6(src=ll, dst="ff02::16", hlim=1), None,
    ICMPv6MLReport2(records=[rec]))
out(IPv6(src="2001:db8::11", dst="ff02::16", hlim=1), hbh,
    ICMPv6MLReport2(records=[rec]))
out(IPv6(src=ll, dst="ff02::16", hlim=2), hbh,
    ICMPv6MLReport2(records=[rec]))
out(IPv6(src=ll, dst="ff02::16", hlim=1), hbh,
    ICMPv6MLReport2(records_number=2, records=[rec]))
EOP
deadline=$(($(now_ms) + 2000))
until ctl "$TMP/igmpproxyd.sock" proxy interfaces &&
    [ "$(jget "d['mld']['counters']['malformed']")" -ge $((bad0 + 4)) ]; do
	[ "$(now_ms)" -ge $deadline ] &&
	    fail "bad MLD: $(jget "d['mld']['counters']") (was $bad0)"
	sleep 0.05
done
ctl "$TMP/igmpproxyd.sock" proxy groups
[ "$(jget "[g for g in d['mld']['database'] if g['group'] == \
    'ff0e::bad1']")" = "[]" ] || fail "bad MLD made state"
ok "bad MLD (no Router Alert, global source, hop limit 2, truncated records): 4 counted malformed, no state"

# A forward chain drops IPv6 to LAN1, where an IPv4 stream flows too.
bg src s6b "$BIN/mcsend" -i s0 -g $G6 -r 200 -s 1000
bg h1 rb6 "$BIN/mcrecv" -i e0 -g $G6 -s $S6 -n 0 -t 60000
bg h1 rb4 "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $SRC -n 0 -t 60000
wait_log rb6 FIRST 8 || fail "LAN1: no IPv6 stream"
wait_log rb4 FIRST 8 || fail "LAN1: no IPv4 stream"
nsx site nft -f - <<'EON' || fail "nft"
table inet pxmld {
	chain forward {
		type filter hook forward priority 0; policy accept;
		meta nfproto ipv6 oifname "d1" drop
	}
}
EON
wait_log igmpproxyd "d1: multicast routing sent [0-9]+ IPv6 datagrams to it in 10 s, but it transmitted [0-9]+" 25 ||
    fail "IPv6 forward drops on d1 not said"
grep -q "d1: multicast routing sent [0-9]* IPv4" "$TMP/igmpproxyd.log" &&
    fail "an IPv4 loss said where there is none"
[ "$(seen h1 e0 232.1.1.1 500)" -gt 0 ] || fail "LAN1 lost its IPv4 stream"
nsx site nft delete table inet pxmld
ok "IPv6 dropped in the forward chain to LAN1, IPv4 flowing there: $(grep -m1 -o "d1: multicast routing sent [0-9]* IPv6.*transmitted [0-9]*" "$TMP/igmpproxyd.log")"
