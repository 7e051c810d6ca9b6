#!/bin/sh
# SPDX-License-Identifier: ISC
#
# amtrelayd benchmarks.
#  1. Throughput: a source on one core sends 1316-byte multicast as
#     fast as it can; amtrelayd (on the other core) relays it to 1 and
#     to 50 gateways (gwsim); what reaches the gateways' side is counted
#     on the interface.  The floor, measured in the same run: sendblast,
#     a bare sendmmsg loop sending the same-size datagrams to the same
#     endpoints.
#  2. End to end (the full topology): host join -> first packet, with
#     the tunnel already up, and from a cold start of every daemon.

. "$(dirname "$0")/lib.sh"
need_root
: "${SECONDS_RUN:=3}"

ns_add src
ns_add rly
ns_add sink
link src s0 10.10.0.2/24 rly u0 10.10.0.1/24
link rly d0 172.16.1.1/24 sink k0 172.16.1.2/24
nsx src ip route add 224.0.0.0/4 dev s0
cat >"$TMP/rl.conf" <<EOC
relay-address 172.16.1.1
upstream u0
user nobody
pidfile $TMP/rl.pid
EOC
DATA=1346	# AMT header + IPv4 + UDP + 1316

pps_sink() {	# SECONDS: packets/s arriving at the gateways' side
	a=$(rx_packets sink k0)
	t0=$(now_ms)
	sleep "$1"
	b=$(rx_packets sink k0)
	echo $(((b - a) * 1000 / ($(now_ms) - t0)))
}

baseline() {	# GATEWAYS
	a=$(rx_packets sink k0)
	nsx rly taskset -c 1 "$BIN/sendblast" 172.16.1.1 172.16.1.2 40000 \
	    "$1" $DATA "$SECONDS_RUN" >"$TMP/blast.log"
	b=$(settle sink k0)
	ms=$(sed 's/.*ms=//' "$TMP/blast.log")
	echo $(((b - a) * 1000 / ms))
}

relay_run() {	# GATEWAYS
	bg rly rl taskset -c 1 "$BIN/amtrelayd" -d -f "$TMP/rl.conf"
	RL=$LASTPID
	wait_log rl "receiving native multicast" 5 || fail "amtrelayd"
	bg sink gws "$BIN/gwsim" -r 172.16.1.1 -g 232.1.1.1 -s 10.10.0.2 \
	    -n "$1" -x
	GWS=$LASTPID
	wait_log gws READY 10 || fail "gwsim"
	bg src srcl taskset -c 0 "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 0 \
	    -s 1316
	SRCP=$LASTPID
	sleep 0.5	# let the stream settle before counting
	out=$(pps_sink "$SECONDS_RUN")
	stop_pid $SRCP
	offered=$(sed -n 's/.*pps=\([0-9]*\).*/\1/p' "$TMP/srcl.log")
	stop_pid $GWS
	stop_pid $RL 5
	echo "$out $offered"
}

echo "== amtrelayd throughput, 1316-byte payloads ($SECONDS_RUN s each)"
for n in 1 50 1000; do
	base=$(baseline $n)
	set -- $(relay_run $n)
	ratio=$(awk -v a="$1" -v b="$base" 'BEGIN { printf "%.1f", 100 * a / b }')
	printf "%2d gateway(s): sendmmsg floor %8d pps | amtrelayd %8d pps out (%d pps in per gateway; source offered %s pps) | %s%%\n" \
	    "$n" "$base" "$1" $(($1 / n)) "$2" "$ratio"
done
