#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The whole chain over an IPv6-only underlay: source -> amtrelayd
# (relay address IPv6) -> an IPv6-only router -> amtgwd (relay given
# by its IPv6 address; no IPv4 address on its uplink) -> igmpproxyd ->
# a LAN host with an IPv6 (MLDv2) and an IPv4 (IGMPv3) channel.
#  - both streams arrive; not one IPv4 datagram crosses the underlay;
#  - Data with a zero UDP checksum over IPv6 (RFC 7450 4.2.2.3, which
#    Linux drops unless the socket says otherwise) still arrives;
#  - tshark decodes every AMT message of the underlay, none malformed;
#  - a gateway finds the relay by discovery at 2001:3::1.

. "$(dirname "$0")/lib.sh"
need_root
command -v tshark >/dev/null || skip "tshark missing"
command -v tcpdump >/dev/null || skip "tcpdump missing"

G6=ff3e::8000:1
Z6=ff3e::8000:9
S6=2001:db8:10::2
SRC=10.10.0.2
RELAY6=2001:db8:1::1
GW6=2001:db8:2::1

for n in src rly net site h1; do
	ns_add $n
done
link src s0 $SRC/24 rly u0 10.10.0.1/24
link rly d0 - net n1 -
link net n2 - site w0 -
link site d1 10.1.0.1/24 h1 e0 10.1.0.11/24
nsx src ip -6 addr add $S6/64 dev s0 nodad
nsx rly ip -6 addr add 2001:db8:10::1/64 dev u0 nodad
nsx rly ip -6 addr add $RELAY6/64 dev d0 nodad
nsx net ip -6 addr add 2001:db8:1::254/64 dev n1 nodad
nsx net ip -6 addr add 2001:db8:2::254/64 dev n2 nodad
nsx site ip -6 addr add $GW6/64 dev w0 nodad
nsx rly ip -6 route add default via 2001:db8:1::254
nsx site ip -6 route add default via 2001:db8:2::254
nsx net sysctl -qw net.ipv6.conf.all.forwarding=1
# The IPv6 AMT anycast prefix (RFC 7450 7), on the relay's loopback.
nsx rly ip -6 addr add 2001:3::1/128 dev lo
nsx net ip -6 route add 2001:3::1/128 via 2001:db8:1::1
nsx src ip route add 224.0.0.0/4 dev s0
ll_wait "h1 e0" "site d1"
[ -z "$(nsx site ip -4 addr show dev w0)" ] ||
    fail "the gateway's uplink has IPv4"

cat >"$TMP/rl.conf" <<EOC
relay-address $RELAY6
discovery-address 2001:3::1
upstream u0
query-interval 2
query-response-interval 0.5
pcap-file $TMP/rl-cap.pcap
pcap-data on
user nobody
pidfile $TMP/rl.pid
control-socket $TMP/rl.sock
EOC
cat >"$TMP/gw.conf" <<EOC
relay $RELAY6
driad off
request-timeout 0.2
retransmit-max 1
pcap-file $TMP/gw-cap.pcap
pcap-data on
user nobody
pidfile $TMP/gw.pid
control-socket $TMP/gw.sock
EOC
cat >"$TMP/px.conf" <<EOC
upstream amt0
downstream d1
query-interval 3
query-response-interval 0.5
last-member-query-interval 0.2
unsolicited-report-interval 0.2
user nobody
pidfile $TMP/px.pid
control-socket $TMP/px.sock
EOC
nsx net tcpdump -U -ni n2 -w "$TMP/u.pcap" >"$TMP/td.log" 2>&1 &
TD=$!
PIDS="$PIDS $TD"
sleep 0.5	# tcpdump attaches
bg rly rl "$BIN/amtrelayd" -d -v -f "$TMP/rl.conf"
wait_log rl "receiving native multicast on u0" 5 || fail "amtrelayd"
bg site gw "$BIN/amtgwd" -d -v -f "$TMP/gw.conf"
wait_log gw "tunnel to relay $RELAY6 established" 5 ||
    fail "amtgwd: no tunnel over IPv6"
bg site px "$BIN/igmpproxyd" -d -v -f "$TMP/px.conf"
wait_log px "d1: MLD querier now" 5 || fail "igmpproxyd"
ok "tunnel to relay $RELAY6 over an IPv6-only underlay"

# 1. Both channels through the IPv6-only underlay.
bg src s6 "$BIN/mcsend" -i s0 -g $G6 -r 200 -s 1000
S6P=$LASTPID
bg src s4 "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 200 -s 1000
S4P=$LASTPID
wait_log s6 SENDING 3 || fail "IPv6 source"
bg h1 r6 "$BIN/mcrecv" -i e0 -g $G6 -s $S6 -n 400 -t 8000
R6=$LASTPID
bg h1 r4 "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $SRC -n 400 -t 8000
R4=$LASTPID
wait_exit $R6 10 || fail "IPv6 receiver hangs"
wait_exit $R4 10 || fail "IPv4 receiver hangs"
grep -q "^TOTAL 400" "$TMP/r6.log" || fail "IPv6: $(cat "$TMP/r6.log")"
grep -q "^TOTAL 400" "$TMP/r4.log" || fail "IPv4: $(cat "$TMP/r4.log")"
f6=$(sed -n 's/^FIRST \([0-9]*\)/\1/p' "$TMP/r6.log")
f4=$(sed -n 's/^FIRST \([0-9]*\)/\1/p' "$TMP/r4.log")
stop_pid $S6P
stop_pid $S4P
ok "LAN host: ($S6, $G6) first after $((f6 / 1000)) ms, (10.10.0.2, 232.1.1.1) after $((f4 / 1000)) ms, 400 each"

# 2. Data with a zero UDP checksum over IPv6, for a channel that has
#    no source: written by hand from the relay's address and port.
bg h1 rz "$BIN/mcrecv" -i e0 -g $Z6 -s $S6 -n 3 -t 8000
RZ=$LASTPID
wait_log rz JOINED 3 || fail "receiver"
deadline=$(($(now_ms) + 3000))
until ctl "$TMP/rl.sock" relay groups &&
    [ "$(jget "len([g for g in d['groups'] if \
    g['group'] == '$Z6'])")" = 1 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "$Z6 not asked of the relay"
	sleep 0.05
done
ctl "$TMP/rl.sock" relay gateways
GWPORT=$(jget "d['gateways'][0]['port']")
nsx rly /usr/bin/python3 - "$RELAY6" "$GW6" "$GWPORT" "$S6" "$Z6" \
    <<'EOP' || fail "scapy"
import sys
from scapy.all import send, conf, raw
from scapy.layers.inet import UDP
from scapy.layers.inet6 import IPv6
conf.verb = 0
relay, gw, port, s, g = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    sys.argv[4], sys.argv[5]
inner = raw(IPv6(src=s, dst=g, hlim=64) / UDP(sport=5000, dport=5001) /
    (b"z" * 32))
for i in range(3):
    send(IPv6(src=relay, dst=gw) / UDP(sport=2268, dport=port, chksum=0) /
        (b"\x06\x00" + inner))
EOP
wait_exit $RZ 5 || fail "zero-checksum Data did not arrive: $(cat \
    "$TMP/rz.log")"
grep -q "^TOTAL 3" "$TMP/rz.log" ||
    fail "zero checksum: $(cat "$TMP/rz.log")"
ok "Data over IPv6 with a zero UDP checksum: 3 of 3 to the LAN host"

# 3. The underlay carried IPv6 only, and AMT decodes.
sleep 0.3
stop_pid $TD
n4=$(tshark -r "$TMP/u.pcap" -Y 'eth.type == 0x0800' 2>/dev/null | wc -l)
na=$(tshark -r "$TMP/u.pcap" -d udp.port==2268,amt -d udp.port==5001,data \
    -Y 'ipv6 && amt' 2>/dev/null | wc -l)
# (the hand-made Data's zero checksum is one tshark flags over IPv6)
nb=$(tshark -r "$TMP/u.pcap" -d udp.port==2268,amt -d udp.port==5001,data \
    -Y '(_ws.malformed || _ws.expert.severity >= 6291456) &&
    !(udp.checksum == 0)' 2>/dev/null | wc -l)
[ "$n4" -eq 0 ] || fail "$n4 IPv4 datagrams on the underlay"
[ "$na" -gt 800 ] && [ "$nb" -eq 0 ] ||
    fail "tshark: $na AMT messages over IPv6, $nb malformed"
ok "underlay: $na AMT messages, all IPv6, none malformed; no IPv4 at all"

# 3b. pcap-file of both daemons: IPv6 frames, read back by libpcap (UDP
#     checksums verified) and by tshark, Data included.
for c in gw rl; do
	deadline=$(($(now_ms) + 3000))
	until "$BIN/pcapread" "$TMP/$c-cap.pcap" >"$TMP/$c-cap.txt" 2>&1 &&
	    grep -q "^TYPE 6 [1-9]" "$TMP/$c-cap.txt"; do
		[ "$(now_ms)" -ge $deadline ] &&
		    fail "$c pcap-file: $(cat "$TMP/$c-cap.txt")"
		sleep 0.1
	done
	tot=$(awk '$1 == "TYPE" {s += $3} END {print s}' "$TMP/$c-cap.txt")
	[ "$(sed -n 's/^IPV6 //p' "$TMP/$c-cap.txt")" = "$tot" ] &&
	    grep -q "^BAD 0$" "$TMP/$c-cap.txt" &&
	    grep -q "^TYPE 4 [1-9]" "$TMP/$c-cap.txt" ||
	    fail "$c pcap-file: $(cat "$TMP/$c-cap.txt")"
	nb=$(tshark -r "$TMP/$c-cap.pcap" -o udp.check_checksum:TRUE \
	    -d udp.port==2268,amt -d udp.port==5001,data \
	    -Y '_ws.malformed || _ws.expert.severity >= 6291456 || !ipv6' \
	    2>/dev/null | wc -l)
	[ "$nb" -eq 0 ] || fail "$c pcap-file: $nb frames tshark flags"
	eval "cap_$c=$tot"
done
ok "pcap-file over IPv6: amtgwd $cap_gw and amtrelayd $cap_rl AMT messages (Data included), all IPv6 frames, checksums good, none flagged by tshark"

# 4. Relay discovery over IPv6, at the anycast prefix's address.
stop_pid $(cat "$TMP/gw.pid")
sed -i "s/^relay $RELAY6/discovery 2001:3::1/" "$TMP/gw.conf"
bg site gw2 "$BIN/amtgwd" -d -v -f "$TMP/gw.conf"
wait_log gw2 "tunnel to relay $RELAY6 established" 5 ||
    fail "no tunnel by discovery over IPv6: $(tail -5 "$TMP/gw2.log")"
ctl "$TMP/gw.sock" gateway
[ "$(jget "d['discovery-address']")" = 2001:3::1 ] ||
    fail "amtctl: $(jget "d['discovery-address']")"
ok "discovery at 2001:3::1 over IPv6: advertised relay $RELAY6, tunnel up"
