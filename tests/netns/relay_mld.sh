#!/bin/sh
# SPDX-License-Identifier: ISC
#
# amtrelayd carries IPv6 multicast (RFC 7450 5.3.1): simulated gateways
# ask with P=1 and get an MLDv2 General Query, send MLDv2 Reports in
# their Updates, and the relay joins the IPv6 channel natively on its
# upstream (an MLDv2 report the source's side sees) and sends the IPv6
# datagrams down the tunnels, beside an IPv4 gateway's stream; the
# leave ends it; with "mld off" P=1 Requests are refused and counted.
# tshark decodes every AMT and MLD message with no malformed field.
# Then the relay gets an IPv6 address too: gateways reach it over IPv6
# for an IPv6 and an IPv4 channel, beside an IPv4 gateway.  Bad MLD in
# Updates (checksum, Router Alert, hop limit, a record past the end, a
# Query) is counted and makes no state.

. "$(dirname "$0")/lib.sh"
need_root
command -v tshark >/dev/null || skip "tshark missing"
command -v tcpdump >/dev/null || skip "tcpdump missing"

G6=ff3e::8000:1
S6=2001:db8:10::2

ns_add src
ns_add rly
ns_add sink
link src s0 10.10.0.2/24 rly u0 10.10.0.1/24
link rly d0 172.16.1.1/24 sink k0 172.16.1.2/24
nsx src ip -6 addr add $S6/64 dev s0 nodad
nsx rly ip -6 addr add 2001:db8:10::1/64 dev u0 nodad
nsx src ip route add 224.0.0.0/4 dev s0

relay_conf() {
	cat >"$TMP/rl.conf" <<EOC
relay-address 172.16.1.1
upstream u0
query-interval 2
query-response-interval 0.5
user nobody
pidfile $TMP/rl.pid
control-socket $TMP/rl.sock
${1:-}
EOC
}
relay_conf
nsx rly tcpdump -U -ni d0 -w "$TMP/amt.pcap" udp port 2268 \
    >"$TMP/td.log" 2>&1 &
TD=$!
PIDS="$PIDS $TD"
nsx src tcpdump -U -ni s0 -w "$TMP/mld.pcap" "ip6 and not udp" >"$TMP/td2.log" 2>&1 &
TD2=$!
PIDS="$PIDS $TD2"
sleep 0.5	# tcpdump attaches
bg rly rl "$BIN/amtrelayd" -d -v -f "$TMP/rl.conf"
RL=$LASTPID
wait_log rl "receiving native multicast on u0" 5 || fail "amtrelayd"

counter() {	# NAME: a relay counter
	ctl "$TMP/rl.sock" relay gateways
	jget "d[\"counters\"][\"$1\"]"
}

# 1. Two IPv6 gateways and an IPv4 one; both streams flow.
bg sink g6 "$BIN/gwsim" -r 172.16.1.1 -G $G6 -S $S6 -n 2 -a 172.16.1.2 \
    -p 41000 -v -L
G6P=$LASTPID
bg sink g4 "$BIN/gwsim" -r 172.16.1.1 -g 232.1.1.1 -s 10.10.0.2 -n 1 \
    -a 172.16.1.2 -p 42000 -v
G4P=$LASTPID
wait_log g6 READY 5 || fail "IPv6 gateways: no tunnels"
wait_log g4 READY 5 || fail "IPv4 gateway: no tunnel"
ctl "$TMP/rl.sock" relay groups
[ "$(jget "[g['group'] for g in d['groups'] if ':' in g['group']]")" = \
    "['$G6']" ] || fail "relay groups: $(cat "$TMP/ctl.json")"
[ "$(jget "[(j['group'], j['source'], j['gateways']) for j in \
    d['native-joins'] if j['group'] == '$G6']")" = "[('$G6', '$S6', 2)]" ] ||
    fail "native joins: $(cat "$TMP/ctl.json")"
ok "two gateways asked with P=1 and reported MLDv2: ($S6, $G6) joined once for both"

bg src s6 "$BIN/mcsend" -i s0 -g $G6 -r 200 -s 1200
S6P=$LASTPID
bg src s4 "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 200 -s 1200
S4P=$LASTPID
wait_log s6 SENDING 3 || fail "IPv6 source"
sleep 3
stop_pid $S6P
stop_pid $S4P
sleep 0.3
kill -USR1 $G6P $G4P
wait_log g6 "^STATS" 2 || fail "gwsim stats"
wait_log g4 "^STATS" 2 || fail "gwsim stats"
sent6=$(sed -n 's/^SENT \([0-9]*\).*/\1/p' "$TMP/s6.log")
sent4=$(sed -n 's/^SENT \([0-9]*\).*/\1/p' "$TMP/s4.log")
rx60=$(sed -n 's/^GW 0 rx=\([0-9]*\).*/\1/p' "$TMP/g6.log")
rx61=$(sed -n 's/^GW 1 rx=\([0-9]*\).*/\1/p' "$TMP/g6.log")
rx4=$(sed -n 's/^GW 0 rx=\([0-9]*\).*/\1/p' "$TMP/g4.log")
for v in "$rx60" "$rx61"; do
	[ "$v" -ge $((sent6 * 95 / 100)) ] && [ "$v" -le "$sent6" ] ||
	    fail "IPv6 gateway: $v of $sent6"
done
[ "$rx4" -ge $((sent4 * 95 / 100)) ] && [ "$rx4" -le "$sent4" ] ||
    fail "IPv4 gateway: $rx4 of $sent4 (IPv6 leaking into it?)"
ok "IPv6 stream: $rx60 and $rx61 of $sent6 datagrams in the tunnels; the IPv4 gateway $rx4 of $sent4"

# 2. The leave: the native join goes.
leaves=$(counter native-leave)
stop_pid $G6P
deadline=$(($(now_ms) + 3000))
until [ "$(counter native-leave)" -gt "$leaves" ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "IPv6 leave not followed"
	sleep 0.05
done
ctl "$TMP/rl.sock" relay groups
[ "$(jget "[g for g in d['groups'] if ':' in g['group']]")" = "[]" ] ||
    fail "IPv6 state left: $(cat "$TMP/ctl.json")"
ok "the gateways' TO_IN({}) ended the IPv6 channel and its native join"
stop_pid $G4P

# 3. mld off: P=1 is refused and counted.
relay_conf "mld off"
kill -HUP $RL
sleep 0.3
bg sink gx "$BIN/gwsim" -r 172.16.1.1 -G $G6 -S $S6 -n 1 -a 172.16.1.2 \
    -p 43000
GX=$LASTPID
deadline=$(($(now_ms) + 3000))
until [ "$(counter request-mld-unsupported)" -gt 0 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "mld off: not counted"
	sleep 0.05
done
stop_pid $GX
grep -q READY "$TMP/gx.log" && fail "mld off: a tunnel was made"
ok "mld off: P=1 Requests unanswered, request-mld-unsupported $(counter request-mld-unsupported)"

# 4. Every AMT message and the relay's MLD decode cleanly.
sleep 0.3
stop_pid $TD
stop_pid $TD2
amt() {	# FILTER: the lines of the AMT capture tshark selects
	tshark -r "$TMP/amt.pcap" -d udp.port==2268,amt \
	    -d udp.port==5001,data -Y "$1" 2>/dev/null
}
bad=$(amt '_ws.malformed || _ws.expert.severity >= 6291456' | wc -l)
[ "$bad" -eq 0 ] || fail "tshark: $bad malformed: $(amt _ws.malformed |
    head -3)"
nq=$(amt 'icmpv6.type == 130 && icmpv6.mld.nb_sources == 0' | wc -l)
nr=$(amt 'icmpv6.type == 143' | wc -l)
[ "$nq" -ge 2 ] && [ "$nr" -ge 2 ] ||
    fail "tshark: $nq MLDv2 queries, $nr reports in AMT"
nj=$(tshark -r "$TMP/mld.pcap" -Y "icmpv6.type == 143 && \
    icmpv6.mldr.mar.multicast_address == $G6" 2>/dev/null | wc -l)
[ "$nj" -ge 1 ] || fail "no MLDv2 report for $G6 on the upstream"
ok "tshark: $nq MLDv2 Queries and $nr MLDv2 Reports in AMT, none malformed; $nj native MLDv2 reports for $G6 upstream"

# 5. An IPv6 underlay: the relay on an IPv6 address as well; gateways
#    reach it over IPv6 for an IPv6 and an IPv4 channel; IPv4 gateways
#    still reach it over IPv4.
stop_pid $RL
nsx rly ip -6 addr add 2001:db8:20::1/64 dev d0 nodad
nsx sink ip -6 addr add 2001:db8:20::2/64 dev k0 nodad
relay_conf "relay-address 2001:db8:20::1"
nsx rly tcpdump -U -ni d0 -w "$TMP/amt6.pcap" ip6 and udp port 2268 \
    >"$TMP/td6.log" 2>&1 &
TD6=$!
PIDS="$PIDS $TD6"
sleep 0.5
bg rly rl2 "$BIN/amtrelayd" -d -v -f "$TMP/rl.conf"
RL=$LASTPID
wait_log rl2 "receiving native multicast on u0" 5 || fail "amtrelayd 2"
grep -q "relay 172.16.1.1 and 2001:db8:20::1" "$TMP/rl2.log" ||
    fail "relay addresses: $(grep started "$TMP/rl2.log")"
bg sink u6a "$BIN/gwsim" -r 2001:db8:20::1 -a 2001:db8:20::2 -G $G6 \
    -S $S6 -n 2 -p 46000 -v
U6A=$LASTPID
bg sink u6b "$BIN/gwsim" -r 2001:db8:20::1 -a 2001:db8:20::2 \
    -g 232.1.1.1 -s 10.10.0.2 -n 1 -p 47000 -v
U6B=$LASTPID
bg sink u4 "$BIN/gwsim" -r 172.16.1.1 -g 232.1.1.1 -s 10.10.0.2 -n 1 \
    -a 172.16.1.2 -p 48000 -v
U4=$LASTPID
wait_log u6a READY 5 || fail "IPv6-underlay gateways (IPv6 channel)"
wait_log u6b READY 5 || fail "IPv6-underlay gateway (IPv4 channel)"
wait_log u4 READY 5 || fail "IPv4-underlay gateway"
bg src s6b "$BIN/mcsend" -i s0 -g $G6 -r 200 -s 1200
S6P=$LASTPID
bg src s4b "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 200 -s 1200
S4P=$LASTPID
wait_log s6b SENDING 3 || fail "IPv6 source"
sleep 3
stop_pid $S6P
stop_pid $S4P
sleep 0.3
kill -USR1 $U6A $U6B $U4
for l in u6a u6b u4; do
	wait_log $l "^STATS" 2 || fail "$l stats"
done
sent6=$(sed -n 's/^SENT \([0-9]*\).*/\1/p' "$TMP/s6b.log")
sent4=$(sed -n 's/^SENT \([0-9]*\).*/\1/p' "$TMP/s4b.log")
for v in $(sed -n 's/^GW [0-9] rx=\([0-9]*\).*/\1/p' "$TMP/u6a.log"); do
	[ "$v" -ge $((sent6 * 95 / 100)) ] && [ "$v" -le "$sent6" ] ||
	    fail "IPv6 channel over IPv6: $v of $sent6"
done
r6b=$(sed -n 's/^GW 0 rx=\([0-9]*\).*/\1/p' "$TMP/u6b.log")
r4=$(sed -n 's/^GW 0 rx=\([0-9]*\).*/\1/p' "$TMP/u4.log")
[ "$r6b" -ge $((sent4 * 95 / 100)) ] && [ "$r6b" -le "$sent4" ] ||
    fail "IPv4 channel over IPv6: $r6b of $sent4"
[ "$r4" -ge $((sent4 * 95 / 100)) ] && [ "$r4" -le "$sent4" ] ||
    fail "IPv4 channel over IPv4: $r4 of $sent4"
ctl "$TMP/rl.sock" relay gateways
[ "$(jget "sorted(set(g['address'] for g in d['gateways']))")" = \
    "['172.16.1.2', '2001:db8:20::2']" ] ||
    fail "relay gateways: $(cat "$TMP/ctl.json")"
ok "IPv6 underlay: the IPv6 channel to 2 gateways ($sent6 sent) and the IPv4 one ($r6b of $sent4) over IPv6, an IPv4 gateway beside them ($r4)"
stop_pid $U6A
stop_pid $U6B
stop_pid $U4
sleep 0.3
stop_pid $TD6
n6=$(tshark -r "$TMP/amt6.pcap" -d udp.port==2268,amt \
    -d udp.port==5001,data -Y 'ipv6 && amt' 2>/dev/null | wc -l)
b6=$(tshark -r "$TMP/amt6.pcap" -d udp.port==2268,amt \
    -d udp.port==5001,data \
    -Y '_ws.malformed || _ws.expert.severity >= 6291456' 2>/dev/null |
    wc -l)
[ "$n6" -gt 100 ] && [ "$b6" -eq 0 ] ||
    fail "tshark over IPv6: $n6 AMT messages, $b6 malformed"
ok "tshark: $n6 AMT messages over IPv6, none malformed"

# 6. IPv6 too big for the tunnel (1500 - 50 with the relay on IPv6):
#    dropped, and the source gets Packet Too Big with the tunnel MTU;
#    it then fragments to fit (RFC 8201), and the fragments go through.
bg sink u6c "$BIN/gwsim" -r 2001:db8:20::1 -a 2001:db8:20::2 -G $G6 \
    -S $S6 -n 1 -p 49000 -v
U6C=$LASTPID
wait_log u6c READY 5 || fail "IPv6-underlay gateway for the big datagrams"
nsx src timeout 5 tcpdump -vni s0 -c 1 'icmp6 and ip6[40] == 2' \
    >"$TMP/ptb.txt" 2>&1 &
TP=$!
PIDS="$PIDS $TP"
sleep 0.5	# tcpdump attaches
bg src s6c "$BIN/mcsend" -i s0 -g $G6 -r 100 -s 1460
S6P=$LASTPID
sleep 1.5
stop_pid $S6P
wait "$TP" 2>/dev/null
grep -q "packet too big, mtu 1450" "$TMP/ptb.txt" ||
    fail "no ICMPv6 packet too big, mtu 1450: $(cat "$TMP/ptb.txt")"
ctl "$TMP/rl.sock" relay gateways
[ "$(jget "d['counters']['data-too-big-df'] > 0")" = True ] ||
    fail "too big not counted"
ptb=$(jget "d['counters']['icmp-frag-needed-sent']")
kill -USR1 $U6C
wait_log u6c "^STATS" 2 || fail "gwsim stats"
rx=$(sed -n 's/^GW 0 rx=\([0-9]*\).*/\1/p' "$TMP/u6c.log")
[ "$rx" -ge 100 ] || fail "the source's fragments did not arrive: $rx"
ok "IPv6 too big for the tunnel: dropped, Packet Too Big (mtu 1450) to the source ($ptb sent), whose fragments then arrive ($rx Data messages)"
stop_pid $U6C

# 7. Bad MLD in Updates, from gateways with good MACs: each counted as
#    update-bad-mld, none joined (each is for a group of its own).
before=$(counter update-bad-mld)
bg sink u6d "$BIN/gwsim" -r 2001:db8:20::1 -a 2001:db8:20::2 \
    -G ff3e::8000:10 -S $S6 -n 2 -B -p 50000
U6D=$LASTPID
wait_log u6d READY 5 || fail "gateways with bad MLD first"
deadline=$(($(now_ms) + 3000))
until [ "$(counter update-bad-mld)" -ge $((before + 10)) ]; do
	[ "$(now_ms)" -ge $deadline ] &&
	    fail "bad MLD: $(($(counter update-bad-mld) - before)) of 10 counted"
	sleep 0.05
done
ctl "$TMP/rl.sock" relay groups
[ "$(jget "sorted(g['group'] for g in d['groups'] if g['group'] in \
    ['ff3e::8000:1%d' % i for i in range(6)])")" = "['ff3e::8000:10']" ] ||
    fail "bad MLD made state: $(cat "$TMP/ctl.json")"
kill -0 $RL || fail "amtrelayd died"
stop_pid $U6D
ok "bad MLD in Updates (checksum, no Router Alert, hop limit 2, a record past its end, a Query): $(($(counter update-bad-mld) - before)) counted, none joined, the good report after them taken"
echo "PASS: $TESTNAME"
