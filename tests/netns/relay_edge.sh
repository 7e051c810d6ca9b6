#!/bin/sh
# SPDX-License-Identifier: ISC
#
# amtrelayd at the edges of its data path, with simulated gateways:
#  - one gateway behind a path with a small MTU (a route with a locked
#    MTU on the relay): its Data fails with EMSGSIZE, and the gateways
#    after it in the same sendmmsg batch still get every packet;
#  - a source sending datagrams too big for the tunnel with DF set gets
#    ICMP fragmentation needed with the tunnel MTU, rate-limited;
#  - a gateway that refuses Queries other than 48 bytes (as VLC's does)
#    gets nowhere, until "teardown off" (on SIGHUP) drops the G fields;
#  - gateways killed without a Teardown: the ICMP port unreachable
#    their ports answer with stops the relay sending to them;
#  - a forged port unreachable for a live gateway stops its data only
#    until its next Request.

. "$(dirname "$0")/lib.sh"
need_root
command -v tcpdump >/dev/null || skip "tcpdump missing"

ns_add src
ns_add rly
ns_add sink
link src s0 10.10.0.2/24 rly u0 10.10.0.1/24
link rly d0 172.16.1.1/24 sink k0 172.16.1.2/24
nsx sink ip addr add 172.16.1.3/24 dev k0
nsx src ip route add 224.0.0.0/4 dev s0
# The path to 172.16.1.3 carries at most 1000 bytes.
nsx rly ip route add 172.16.1.3/32 dev d0 mtu lock 1000

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
bg rly rl "$BIN/amtrelayd" -d -v -f "$TMP/rl.conf"
RL=$LASTPID
wait_log rl "receiving native multicast on u0" 5 || fail "amtrelayd"

counter() {	# NAME: a relay counter
	ctl "$TMP/rl.sock" relay gateways
	jget "d[\"counters\"][\"$1\"]"
}

# 1. Three gateways; the middle one's path is too small for the Data.
bg sink g3 "$BIN/gwsim" -r 172.16.1.1 -g 232.1.1.1 -s 10.10.0.2 -n 3 \
    -a 172.16.1.2 -m 2 -p 41000 -v
G3=$LASTPID
wait_log g3 READY 5 || fail "gwsim: no tunnels"
bg src s1 "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 200 -s 1316
S1=$LASTPID
wait_log s1 SENDING 3 || fail "source"
sleep 3
stop_pid $S1
sleep 0.3
stop_pid $G3
rx0=$(sed -n 's/^GW 0 rx=\([0-9]*\).*/\1/p' "$TMP/g3.log")
rx1=$(sed -n 's/^GW 1 rx=\([0-9]*\).*/\1/p' "$TMP/g3.log")
rx2=$(sed -n 's/^GW 2 rx=\([0-9]*\).*/\1/p' "$TMP/g3.log")
sent=$(sed -n 's/^SENT \([0-9]*\).*/\1/p' "$TMP/s1.log")
[ "$rx1" -eq 0 ] || fail "the small path took $rx1 packets"
[ "$rx0" -ge $((sent * 95 / 100)) ] || fail "gateway 0: $rx0 of $sent"
[ "$rx2" -ge $((sent * 95 / 100)) ] ||
    fail "gateway 2, after the failing one in each batch: $rx2 of $sent"
big=$(counter data-send-too-big-for-path)
[ "$big" -gt 0 ] || fail "EMSGSIZE not counted"
ok "a gateway with a 1000-byte path: its $big packets counted; the others got $rx0 and $rx2 of $sent"

# 2. Too big for the tunnel, DF set: ICMP fragmentation needed, 1470.
bg sink g1 "$BIN/gwsim" -r 172.16.1.1 -g 232.1.1.2 -s 10.10.0.2 -n 1 \
    -a 172.16.1.2 -p 42000
G1=$LASTPID
wait_log g1 READY 5 || fail "gwsim for the big datagrams"
nsx src timeout 5 tcpdump -vni s0 -c 1 'icmp[0] == 3 and icmp[1] == 4' \
    >"$TMP/icmp.txt" 2>&1 &
TD=$!
PIDS="$PIDS $TD"
sleep 0.5	# tcpdump attaches
bg src s2 "$BIN/mcsend" -i s0 -g 232.1.1.2 -r 200 -s 1472 -D
S2=$LASTPID
sleep 2
stop_pid $S2
wait "$TD" 2>/dev/null
grep -q "need to frag (mtu 1470)" "$TMP/icmp.txt" ||
    fail "no ICMP fragmentation needed with mtu 1470: $(cat "$TMP/icmp.txt")"
sentn=$(counter icmp-frag-needed-sent)
limited=$(counter icmp-frag-needed-rate-limited)
[ "$sentn" -le 40 ] && [ "$limited" -gt 0 ] ||
    fail "ICMP not rate-limited: $sentn sent, $limited held back"
ok "DF datagrams too big for the tunnel: ICMP fragmentation needed (mtu 1470), $sentn sent, $limited rate-limited"
stop_pid $G1

# 3. A gateway that takes only 48-byte Queries.
bg sink gv "$BIN/gwsim" -r 172.16.1.1 -g 232.1.1.1 -s 10.10.0.2 -n 2 \
    -a 172.16.1.2 -p 43000 -V
GV=$LASTPID
sleep 2.5
kill -USR1 $GV
wait_log gv "^STATS" 2 || fail "gwsim stats"
grep -q "^STATS .* tunnels=0 .*refused=[1-9]" "$TMP/gv.log" ||
    fail "strict gateways: $(grep STATS "$TMP/gv.log")"
relay_conf "teardown off"
kill -HUP $RL
wait_log gv READY 5 || fail "strict gateways still refused with teardown off"
ok "gateways that take only 48-byte Queries: refused with G fields, served with teardown off"
stop_pid $GV
relay_conf
kill -HUP $RL

# 4. Two gateways die without a Teardown; the relay stops sending.
bg sink gk "$BIN/gwsim" -r 172.16.1.1 -g 232.1.1.1 -s 10.10.0.2 -n 2 \
    -a 172.16.1.2 -p 44000
GK=$LASTPID
bg sink gl "$BIN/gwsim" -r 172.16.1.1 -g 232.1.1.1 -s 10.10.0.2 -n 1 \
    -a 172.16.1.2 -p 45000 -q 2 -v
GL=$LASTPID
wait_log gk READY 5 || fail "gwsim to kill"
wait_log gl READY 5 || fail "gwsim to live"
bg src s3 "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 200 -s 1316
S3=$LASTPID
sleep 1
kill -KILL $GK
t0=$(now_ms)
deadline=$((t0 + 3000))
until [ "$(counter gateway-paused-unreachable)" -ge 2 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "dead gateways not paused"
	sleep 0.05
done
ok "two gateways killed: paused on their port unreachable after $(($(now_ms) - t0)) ms"
a=$(counter data-out)
sleep 1
b=$(counter data-out)
[ $((b - a)) -le 260 ] ||
    fail "still sending to the dead: $((b - a)) Data messages in 1 s"

# 5. A forged port unreachable for the live gateway: paused until its
#    next Request (it refreshes every 2 s).
/usr/bin/python3 -c 'import scapy' 2>/dev/null || fail "python3-scapy missing"
nsx sink /usr/bin/python3 - <<EOP
from scapy.all import IP, UDP, ICMP, send
q = IP(src="172.16.1.1", dst="172.16.1.2") / UDP(sport=2268, dport=45000)
send(IP(src="172.16.1.2", dst="172.16.1.1") / ICMP(type=3, code=3) /
    bytes(q)[:28], verbose=False)
EOP
deadline=$(($(now_ms) + 2000))
until [ "$(counter gateway-paused-unreachable)" -ge 3 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "forged ICMP not seen"
	sleep 0.05
done
t0=$(now_ms)
kill -USR1 $GL
wait_log gl "^STATS" 2 || fail "stats"
r0=$(sed -n 's/^GW 0 rx=\([0-9]*\).*/\1/p' "$TMP/gl.log" | tail -1)
sleep 3.5
kill -USR1 $GL
deadline=$(($(now_ms) + 2000))
while [ "$(grep -c '^STATS' "$TMP/gl.log")" -lt 2 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "stats"
	sleep 0.05
done
r1=$(sed -n 's/^GW 0 rx=\([0-9]*\).*/\1/p' "$TMP/gl.log" | tail -1)
[ $((r1 - r0)) -gt 100 ] ||
    fail "the live gateway did not get its data back ($((r1 - r0)) in 3.5 s)"
ok "a forged port unreachable paused a live gateway only until its next Request ($((r1 - r0)) packets in the next 3.5 s)"
stop_pid $S3
stop_pid $GL
echo "PASS: $TESTNAME"
