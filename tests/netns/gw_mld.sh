#!/bin/sh
# SPDX-License-Identifier: ISC
#
# IPv6 multicast through amtgwd and amtrelayd: receivers on the
# gateway host join on amt0 with the kernel's own MLD (no proxy), the
# gateway runs its P=1 Request / MLDv2 Query cycle beside the IPv4
# one, and the relay joins natively:
#  - an MLDv2 (S,G) join in ff3e::/16 and an IPv4 (S,G) join: both
#    streams arrive, join to first packet measured;
#  - amtctl shows the IPv6 group and the cycle;
#  - the leave stops the relay's native IPv6 join;
#  - amt0 forced to MLDv1: an any-source IPv6 join (ff0e::) arrives too;
#  - tshark decodes every AMT message, MLD inside, none malformed.

. "$(dirname "$0")/lib.sh"
need_root
command -v tshark >/dev/null || skip "tshark missing"
command -v tcpdump >/dev/null || skip "tcpdump missing"

G6=ff3e::8000:1
A6=ff0e::1234
S6=2001:db8:10::2
SRC=10.10.0.2

ns_add src
ns_add rly
ns_add site
link src s0 $SRC/24 rly u0 10.10.0.1/24
link rly d0 172.16.1.1/24 site w0 172.16.1.2/24
nsx src ip -6 addr add $S6/64 dev s0 nodad
nsx rly ip -6 addr add 2001:db8:10::1/64 dev u0 nodad
nsx src ip route add 224.0.0.0/4 dev s0

cat >"$TMP/rl.conf" <<EOC
relay-address 172.16.1.1
upstream u0
query-interval 2
query-response-interval 0.5
user nobody
pidfile $TMP/rl.pid
control-socket $TMP/rl.sock
EOC
cat >"$TMP/gw.conf" <<EOC
relay 172.16.1.1
driad off
request-timeout 0.2
retransmit-max 1
user nobody
pidfile $TMP/gw.pid
control-socket $TMP/gw.sock
EOC
nsx rly tcpdump -U -ni d0 -w "$TMP/amt.pcap" udp port 2268 \
    >"$TMP/td.log" 2>&1 &
TD=$!
PIDS="$PIDS $TD"
sleep 0.5	# tcpdump attaches
bg rly rl "$BIN/amtrelayd" -d -v -f "$TMP/rl.conf"
RL=$LASTPID
wait_log rl "receiving native multicast on u0" 5 || fail "amtrelayd"
bg site gw "$BIN/amtgwd" -d -v -f "$TMP/gw.conf"
wait_log gw "tunnel to relay .* established" 5 || fail "amtgwd"

bg src s6 "$BIN/mcsend" -i s0 -g $G6,$A6 -r 200 -s 1000
S6P=$LASTPID
bg src s4 "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 200 -s 1000
S4P=$LASTPID
wait_log s6 SENDING 3 || fail "IPv6 source"

# 1. An MLDv2 (S,G) join and an IPv4 one on amt0.
bg site r6 "$BIN/mcrecv" -i amt0 -g $G6 -s $S6 -n 400 -t 8000
R6=$LASTPID
bg site r4 "$BIN/mcrecv" -i amt0 -g 232.1.1.1 -s $SRC -n 400 -t 8000
R4=$LASTPID
wait_exit $R6 10 || fail "IPv6 receiver hangs"
wait_exit $R4 10 || fail "IPv4 receiver hangs"
grep -q "^TOTAL 400" "$TMP/r6.log" || fail "IPv6: $(cat "$TMP/r6.log")"
grep -q "^TOTAL 400" "$TMP/r4.log" || fail "IPv4: $(cat "$TMP/r4.log")"
f6=$(sed -n 's/^FIRST \([0-9]*\)/\1/p' "$TMP/r6.log")
f4=$(sed -n 's/^FIRST \([0-9]*\)/\1/p' "$TMP/r4.log")
ok "MLDv2 ($S6, $G6) on amt0: 400 datagrams, first after $((f6 / 1000)) ms; IPv4 beside it: 400, first after $((f4 / 1000)) ms"

# 2. The IPv6 cycle as amtctl shows it, with a receiver that stays.
bg site r6b "$BIN/mcrecv" -i amt0 -g $G6 -s $S6 -t 60000
R6B=$LASTPID
deadline=$(($(now_ms) + 3000))
until ctl "$TMP/gw.sock" gateway &&
    [ "$(jget "[g['group'] for g in d['mld']['groups']]")" = "['$G6']" ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "amtctl: $(cat "$TMP/ctl.json")"
	sleep 0.05
done
[ "$(jget "d['mld']['state']")" = established ] ||
    fail "MLD cycle: $(jget "d['mld']")"
[ "$(jget "d['counters']['mld-query-received'] > 0 and \
    d['counters']['mld-update-sent'] > 0")" = True ] ||
    fail "MLD counters: $(jget "d['counters']")"
ok "amtctl gateway: mld established, group $G6 ($(jget \
    "d['counters']['mld-query-received']") MLDv2 queries, $(jget \
    "d['counters']['mld-update-sent']") MLD updates)"

# 3. The leave: the relay's native IPv6 join goes.
ctl "$TMP/rl.sock" relay groups
[ "$(jget "len([j for j in d['native-joins'] if j['group'] == '$G6'])")" \
    = 1 ] || fail "relay joins: $(cat "$TMP/ctl.json")"
t0=$(now_ms)
stop_pid $R6B
deadline=$((t0 + 3000))
while ctl "$TMP/rl.sock" relay groups &&
    [ "$(jget "len([j for j in d['native-joins'] if \
    j['group'] == '$G6'])")" != 0 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "IPv6 leave not followed"
	sleep 0.05
done
ok "receiver gone: the relay left ($S6, $G6) after $(($(now_ms) - t0)) ms"

# 4. amt0 forced to MLDv1: an any-source join.
nsx site sysctl -qw net.ipv6.conf.amt0.force_mld_version=1
bg site r1 "$BIN/mcrecv" -i amt0 -g $A6 -n 200 -t 8000
R1=$LASTPID
wait_exit $R1 10 || fail "MLDv1 receiver hangs"
grep -q "^TOTAL 200" "$TMP/r1.log" || fail "MLDv1: $(cat "$TMP/r1.log")"
f1=$(sed -n 's/^FIRST \([0-9]*\)/\1/p' "$TMP/r1.log")
ok "MLDv1 (*, $A6) on amt0: 200 datagrams, first after $((f1 / 1000)) ms"
stop_pid $S6P
stop_pid $S4P

# 5. Every AMT message decodes, MLD inside.
sleep 0.3
stop_pid $TD
amt() {	# FILTER: the lines of the AMT capture tshark selects
	tshark -r "$TMP/amt.pcap" -d udp.port==2268,amt \
	    -d udp.port==5001,data -Y "$1" 2>/dev/null
}
bad=$(amt '_ws.malformed || _ws.expert.severity >= 6291456' | wc -l)
[ "$bad" -eq 0 ] || fail "tshark: $bad malformed: $(amt _ws.malformed |
    head -3)"
nr=$(amt "icmpv6.type == 143 && icmpv6.mldr.mar.multicast_address == $G6" |
    wc -l)
nq=$(amt 'amt.type == 4 && icmpv6.type == 130' | wc -l)
[ "$nr" -ge 2 ] && [ "$nq" -ge 1 ] ||
    fail "tshark: $nr MLDv2 reports for $G6, $nq MLD queries"
ok "tshark: $nq MLDv2 Queries, $nr MLDv2 Reports for $G6 in Updates, none malformed"

# 6. The relay turns MLD off (SIGHUP): the gateway's IPv6 Requests go
#    unanswered while its IPv4 ones are, and it says so, once.
echo "mld off" >>"$TMP/rl.conf"
kill -HUP $RL
bg site r2 "$BIN/mcrecv" -i amt0 -g ff3e::8000:9 -s $S6 -n 0 -t 30000
wait_log gw "relay 172.16.1.1 does not answer Requests for IPv6" 15 ||
    fail "unanswered IPv6 Requests not said"
[ "$(count_log gw "does not answer Requests for IPv6")" -eq 1 ] ||
    fail "said more than once"
deadline=$(($(now_ms) + 10000))
until nsx site "$BIN/amtctl" doctor -g "$TMP/gw.sock" -p "$TMP/none.sock" \
    -t 1 >"$TMP/doctor.txt" 2>&1;
    grep -q "leaves this gateway's IPv6 Requests (the P flag) unanswered" \
    "$TMP/doctor.txt"; do
	[ "$(now_ms)" -ge $deadline ] && fail "doctor: $(cat "$TMP/doctor.txt")"
done
ok "a relay with mld off: the IPv6 Requests it leaves unanswered are said, once, with the likely cause; the doctor names it"
