#!/bin/sh
# SPDX-License-Identifier: ISC
#
# End-to-end join latency on the full topology (tests/netns/topo.sh):
# an IGMPv3 host joins (S,G) and waits for the first packet.
#  - warm: relay, gateway and proxy running, tunnel up;
#  - cold: all three daemons started at the moment of the join.
# The source sends 500 packets/s per group (2 ms resolution).

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../netns/topo.sh"
need_root
: "${JOINS:=10}"

topo_build
groups=""
i=1
while [ $i -le "$JOINS" ]; do
	groups="$groups${groups:+,}232.2.0.$i"
	i=$((i + 1))
done
start_source "$groups" 500

pct() {		# FILE: p50 and max of a column of numbers
	sort -n "$1" | awk '{v[NR]=$1} END {printf "p50 %.1f ms, max %.1f ms (n=%d)", v[int((NR+1)/2)], v[NR], NR}'
}

start_relay
start_gw
start_px
wait_log amtgwd "established" 10 || fail "no tunnel"
: >"$TMP/warm.txt"
i=1
while [ $i -le "$JOINS" ]; do
	nsx h1 "$BIN/mcrecv" -i e0 -g 232.2.0.$i -s $SRC -n 1 -t 5000 \
	    >"$TMP/w.log" 2>&1 || fail "warm join $i: nothing"
	awk '/FIRST/ {printf "%.3f\n", $2 / 1000}' "$TMP/w.log" >>"$TMP/warm.txt"
	i=$((i + 1))
done
echo "== end to end, host join -> first packet"
echo "warm (tunnel up):       $(pct "$TMP/warm.txt")"

: >"$TMP/cold.txt"
for k in 1 2 3; do
	stop_pid $PX 5
	stop_pid $GW 5
	stop_pid $RLY 5
	# All three start now, the host joins at once.
	bg rly amtrelayd "$BIN/amtrelayd" -d -f "$TMP/amtrelayd.conf"
	RLY=$LASTPID
	bg site amtgwd "$BIN/amtgwd" -d -f "$TMP/amtgwd.conf"
	GW=$LASTPID
	bg site igmpproxyd "$BIN/igmpproxyd" -d -f "$TMP/igmpproxyd.conf"
	PX=$LASTPID
	nsx h1 "$BIN/mcrecv" -i e0 -g 232.2.0.$k -s $SRC -n 1 -t 10000 \
	    >"$TMP/c.log" 2>&1 || fail "cold join $k: nothing"
	awk '/FIRST/ {printf "%.3f\n", $2 / 1000}' "$TMP/c.log" >>"$TMP/cold.txt"
done
echo "cold (daemons starting): $(pct "$TMP/cold.txt")"
