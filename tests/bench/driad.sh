#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Join to first packet with DRIAD (tests/netns/dtopo.sh: BIND serves
# the AMTRELAY records, S1's relay is A), against the same join through
# a configured relay, in the same run:
#  - configured: amtgwd with "relay" A and DRIAD off, tunnel up;
#  - DRIAD, cold cache: amtgwd just started with DRIAD on (its default
#    tunnel to relay D up); the join needs the lookup and a new tunnel
#    to relay A (Request, Query) before the Update;
#  - DRIAD, warm: the records cached and A's tunnel up: the Update only.
# ROUNDS rounds, each on fresh groups; the host joins (S1, G) with an
# IGMPv3 report through igmpproxyd, and (S6, G6) with an MLDv2 one: S6's
# record (under ip6.arpa) names relay C, and a DRIAD tunnel runs its
# IPv6 cycle (P=1) after its IPv4 one, so a cold IPv6 join costs one
# more round trip.

. "$(dirname "$0")/lib.sh"
need_root
command -v named >/dev/null || skip "named (bind9) is not installed"
. "$(dirname "$0")/../netns/dtopo.sh"
: "${ROUNDS:=7}"

dtopo_build
groups=""
i=1
while [ $i -le $((ROUNDS * 3)) ]; do
	groups="$groups${groups:+,}232.3.0.$i"
	i=$((i + 1))
done
bg srcA source "$BIN/mcsend" -i s0 -g "$groups" -r 500 -s 200
wait_log source SENDING 5 || fail "source"
groups6=$(echo "$groups" | sed 's/232\.3\.0\./ff3e::3:/g')
bg srcA source6 "$BIN/mcsend" -i s0 -g "$groups6" -r 500 -s 200
wait_log source6 SENDING 5 || fail "IPv6 source"

cat >"$TMP/igmpproxyd.conf" <<EOC
upstream amt0
downstream d1
query-interval 3
query-response-interval 0.5
user nobody
pidfile $TMP/igmpproxyd.pid
control-socket $TMP/igmpproxyd.sock
EOC

# gw_start MODE: amtgwd configured (relay A, no DRIAD) or with DRIAD
# (default relay D); returns once the proxy reports on its amt0.
gw_start() {
	if [ "$1" = configured ]; then
		echo "relay 172.16.1.1" >"$TMP/amtgwd.conf"
		echo "driad off" >>"$TMP/amtgwd.conf"
	else
		echo "relay 172.16.4.1" >"$TMP/amtgwd.conf"
		echo "driad on" >>"$TMP/amtgwd.conf"
	fi
	cat >>"$TMP/amtgwd.conf" <<EOC
user nobody
pidfile $TMP/amtgwd.pid
control-socket $TMP/amtgwd.sock
EOC
	n=$(count_log igmpproxyd "upstream up")
	bg site amtgwd "$BIN/amtgwd" -d -f "$TMP/amtgwd.conf"
	GW=$LASTPID
	wait_log amtgwd "established" 10 || fail "amtgwd ($1): no tunnel"
	i=0
	while [ "$(count_log igmpproxyd "upstream up")" = "$n" ]; do
		i=$((i + 1))
		[ $i -gt 500 ] && fail "igmpproxyd does not see amt0"
		sleep 0.01
	done
}

# join GROUP FILE [SOURCE]: one join (S1's, or SOURCE's), its latency in
# ms appended to FILE.
join() {
	nsx h1 "$BIN/mcrecv" -i e0 -g "$1" -s "${3:-10.10.0.2}" -n 1 -t 8000 \
	    >"$TMP/j.log" 2>&1 || fail "join $1: nothing"
	awk '/FIRST/ {printf "%.3f\n", $2 / 1000}' "$TMP/j.log" >>"$2"
}

bg site igmpproxyd "$BIN/igmpproxyd" -d -f "$TMP/igmpproxyd.conf"
wait_log igmpproxyd "started" 5 || fail "igmpproxyd"
: >"$TMP/cfg.txt"
: >"$TMP/cold.txt"
: >"$TMP/warm.txt"
: >"$TMP/cfg6.txt"
: >"$TMP/cold6.txt"
: >"$TMP/warm6.txt"
g=1
r=1
while [ $r -le "$ROUNDS" ]; do
	gw_start configured
	join 232.3.0.$g "$TMP/cfg.txt"
	join ff3e::3:$g "$TMP/cfg6.txt" $S6
	stop_pid $GW 5
	gw_start driad
	join 232.3.0.$((g + 1)) "$TMP/cold.txt"
	join ff3e::3:$((g + 1)) "$TMP/cold6.txt" $S6
	join 232.3.0.$((g + 2)) "$TMP/warm.txt"
	join ff3e::3:$((g + 2)) "$TMP/warm6.txt" $S6
	ctl "$TMP/amtgwd.sock" gateway
	[ "$(jget "[s['relay'] for s in d['sources'] if s['source'] == '10.10.0.2'][0]")" = 172.16.1.1 ] ||
	    fail "the join did not go through relay A"
	[ "$(jget "[s['relay'] for s in d['sources'] if s['source'] == '$S6'][0]")" = 172.16.3.1 ] ||
	    fail "the IPv6 join did not go through relay C"
	stop_pid $GW 5
	g=$((g + 3))
	r=$((r + 1))
done

stat() {	# FILE: p50 and max
	sort -n "$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)], v[NR]}'
}
report() {	# WHAT CFG COLD WARM
	set -- "$1" $(stat "$2") $(stat "$3") $(stat "$4")
	awk -v f="$1" -v c="$2" -v cm="$3" -v k="$4" -v km="$5" -v w="$6" \
	    -v wm="$7" 'BEGIN {
	printf "%s configured relay:   p50 %6.1f ms, max %6.1f ms\n", f, c, cm
	printf "%s DRIAD, cold cache:  p50 %6.1f ms, max %6.1f ms  " \
	    "(p50 %+.1f ms: the lookup and a new tunnel)\n", f, k, km, k - c
	printf "%s DRIAD, warm cache:  p50 %6.1f ms, max %6.1f ms  " \
	    "(p50 %+.1f ms)\n", f, w, wm, w - c
	}'
}
echo "== DRIAD: host join -> first packet, $ROUNDS joins each (same run)"
report IPv4 "$TMP/cfg.txt" "$TMP/cold.txt" "$TMP/warm.txt"
report IPv6 "$TMP/cfg6.txt" "$TMP/cold6.txt" "$TMP/warm6.txt"
