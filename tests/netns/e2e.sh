#!/bin/sh
# SPDX-License-Identifier: ISC
#
# End to end: source -> amtrelayd -> IP-only router -> amtgwd ->
# igmpproxyd -> hosts, all real kernels in namespaces.
#  - a v3 host gets an SSM (S,G) stream, v2 and v1 hosts ASM groups;
#  - two hosts on one LAN: one leaves, the other keeps receiving; the
#    last leave stops the stream at the relay (no more AMT data);
#  - the relay's secret rotates during a stream: the tunnel stays up;
#  - amtgwd, igmpproxyd and amtrelayd restarted in turn: the stream
#    comes back by itself; how long each took is printed;
#  - a capture of the tunnel, decoded by tshark, has all seven AMT
#    message types and nothing malformed.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
need_root
command -v tshark >/dev/null || skip "tshark missing"

RELAY_QI=1
RELAY_SECRET=2
topo_build
nsx net tcpdump -i n2 -w "$TMP/tunnel.pcap" -U -s 0 udp port 2268 \
    >"$TMP/tcpdump.log" 2>&1 &
CAP=$!
PIDS="$PIDS $CAP"
wait_log tcpdump "listening on" 5 || fail "tcpdump"

start_relay
start_gw
start_px
start_source 232.1.1.1,239.1.1.1,239.1.1.2,239.1.1.3
wait_log amtgwd "tunnel to relay $RELAY established" 5 || fail "no tunnel"

# 1. v3 SSM, v2 and v1 ASM.
bg h1 r1 "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $SRC -n 0 -t 120000
R1=$LASTPID
bg h2 r2 "$BIN/mcrecv" -i e0 -g 239.1.1.2 -n 0 -t 120000
R2=$LASTPID
bg h3 r3 "$BIN/mcrecv" -i e0 -g 239.1.1.3 -n 0 -t 120000
R3=$LASTPID
wait_log r1 FIRST 10 || fail "v3 host: no SSM stream"
wait_log r2 FIRST 10 || fail "v2 host: no ASM stream"
wait_log r3 FIRST 10 || fail "v1 host: no ASM stream"
[ "$(seen h1 e0 239.1.1.2 300)" -eq 0 ] || fail "239.1.1.2 leaked to LAN1"
ok "v3 (S,G) $(awk '/FIRST/ {print int($2/1000)}' "$TMP/r1.log") ms, v2 $(awk '/FIRST/ {print int($2/1000)}' "$TMP/r2.log") ms, v1 $(awk '/FIRST/ {print int($2/1000)}' "$TMP/r3.log") ms to first packet"

# 2. Two hosts on LAN2 (v2 h2, v3 h4) share 239.1.1.1; one leaves,
#    then the other.
bg h2 a2 "$BIN/mcrecv" -i e0 -g 239.1.1.1 -n 0 -t 120000
A2=$LASTPID
bg h4 a4 "$BIN/mcrecv" -i e0 -g 239.1.1.1 -n 0 -t 120000
A4=$LASTPID
wait_log a2 FIRST 10 || fail "239.1.1.1 on h2"
wait_log a4 FIRST 10 || fail "239.1.1.1 on h4"
stop_pid $A4
[ "$(seen h2 e0 239.1.1.1 500 800)" -gt 20 ] || fail "h2 lost the stream when h4 left"
ok "one of two hosts leaves, the other keeps receiving"
stop_pid $A2
t0=$(now_ms)
deadline=$((t0 + 8000))
while [ "$(tunnel_data 239.1.1.1 200)" -gt 0 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "relay still sends 239.1.1.1"
done
ok "last leave: no more AMT data for the group after $(($(now_ms) - t0)) ms"

# 3. Secret rotation every 2 s with a 1 s query interval: no gap.
n0=$(seen h1 e0 232.1.1.1 5000)
[ "$n0" -gt 900 ] || fail "stream interrupted across rotations ($n0 of ~1000)"
ctl "$TMP/amtrelayd.sock" relay gateways
rot=$(jget 'd["counters"]["secret-rotated"]')
[ "$rot" -ge 2 ] || fail "secret did not rotate"
[ "$(jget 'len(d["gateways"])')" = 1 ] || fail "relay: gateways"
[ "$(jget 'd["counters"]["update-bad-mac"]')" = 0 ] ||
    fail "updates refused across rotations"
ctl "$TMP/amtrelayd.sock" relay groups
[ "$(jget '[(j["group"], j["source"]) for j in d["native-joins"] if j["group"] == "232.1.1.1"]')" = "[('232.1.1.1', '10.10.0.2')]" ] ||
    fail "relay: native (S,G) join"
[ "$(jget '[g["gateways"][0]["mode"] for g in d["groups"] if g["group"] == "239.1.1.2"]')" = "['exclude']" ] ||
    fail "relay: ASM group state"
ok "secret rotated $rot times; $n0 packets in 5 s (200 pps sent)"

# 4. Restarts: each daemon in turn; the stream comes back by itself.
restart() {	# NAME PIDVAR START-FUNCTION
	eval "pid=\$$2"
	stop_pid "$pid" 5 || fail "$1 did not stop"
	t0=$(now_ms)
	$3
	ms=$(wait_flow h1 e0 232.1.1.1 30) || fail "$1 restart: stream did not come back"
	ok "$1 restarted: stream back after $(($(now_ms) - t0)) ms"
}
restart amtgwd GW start_gw
restart igmpproxyd PX start_px
restart amtrelayd RLY start_relay

# 5. Teardown at shutdown, then the capture decoded.
stop_pid $GW 5 || fail "amtgwd did not stop"
wait_log amtrelayd "teardown" 3 || fail "relay saw no teardown"
kill -TERM $CAP
wait_exit $CAP 5
# The inner UDP payload is the source's filler: decode it as data, or
# heuristic dissectors misread it.
TSHARK="tshark -d udp.port==2268,amt -d udp.port==5001,data"
$TSHARK -r "$TMP/tunnel.pcap" -T fields -e amt.type 2>/dev/null |
    sort -n | uniq -c >"$TMP/types.txt"
for t in 1 2 3 4 5 6 7; do
	grep -q " $t\$" "$TMP/types.txt" || fail "no AMT type $t in the capture"
done
bad=$($TSHARK -r "$TMP/tunnel.pcap" \
    -Y '_ws.malformed || _ws.expert.severity >= error' 2>/dev/null | wc -l)
[ "$bad" -eq 0 ] || fail "$bad malformed packets in the capture"
ok "tunnel capture: all 7 AMT message types, none malformed ($(awk '{s+=$1} END {print s}' "$TMP/types.txt") messages)"
for p in $R1 $R2 $R3; do stop_pid $p; done
echo "PASS: $TESTNAME"
