#!/bin/sh
# SPDX-License-Identifier: ISC
#
# amtgwd benchmarks.
#  1. Data plane: Multicast Data blasted at the gateway (one core,
#     sendmmsg + UDP GSO), counted as packets written into the TUN, for
#     amtgwd and for gwbase (recvmmsg + write only) in the same run,
#     alternating, 64- and 1316-byte payloads.
#  2. Join latency: report on the TUN -> Membership Update on the wire,
#     kernel timestamps on both, with the tunnel established.

. "$(dirname "$0")/lib.sh"
need_root
: "${BLAST_SECONDS:=3}"
: "${ROUNDS:=2}"

ns_add s
ns_add g
link s s0 10.0.0.1/24 g g0 10.0.0.2/24
cat >"$TMP/gw.conf" <<EOC
relay 10.0.0.1
driad off
local-port 40000
user nobody
pidfile $TMP/gw.pid
EOC

# run_one KIND SIZE: prints "pps offered_pps"
run_one() {
	kind=$1 size=$2
	if [ "$kind" = base ]; then
		bg g rx taskset -c 1 "$BIN/gwbase" amt0 40000
		RX=$LASTPID
		wait_log rx READY 5 || fail "gwbase"
	else
		bg g rx taskset -c 1 "$BIN/amtgwd" -d -f "$TMP/gw.conf"
		RX=$LASTPID
		wait_log rx "started" 5 || fail "amtgwd"
	fi
	r0=$(rx_packets g amt0)
	bg s tx taskset -c 0 "$BIN/fakerelay" -a 10.0.0.1 \
	    -B 10.0.0.2:40000 -b "$BLAST_SECONDS" -P "$size"
	TX=$LASTPID
	wait_exit $TX $((BLAST_SECONDS + 10)) || fail "blast hung"
	r1=$(settle g amt0)
	line=$(grep BLAST "$TMP/tx.log")
	ms=$(echo "$line" | sed 's/.*ms=\([0-9]*\).*/\1/')
	offered=$(echo "$line" | sed 's/.*pps=\([0-9]*\).*/\1/')
	stop_pid $RX 5
	echo "$(((r1 - r0) * 1000 / ms)) $offered"
}

echo "== amtgwd data plane (packets/s into the TUN; $BLAST_SECONDS s blasts, $ROUNDS rounds, best of each)"
for size in 64 1316; do
	bb=0 gb=0 bo=0 go=0
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		set -- $(run_one base "$size")
		[ "$1" -gt "$bb" ] && bb=$1 && bo=$2
		set -- $(run_one gw "$size")
		[ "$1" -gt "$gb" ] && gb=$1 && go=$2
		r=$((r + 1))
	done
	ratio=$(awk -v a="$gb" -v b="$bb" 'BEGIN { printf "%.1f", 100 * a / b }')
	printf "payload %4d B: baseline %8d pps (offered %8d) | amtgwd %8d pps (offered %8d) | amtgwd/baseline %s%%\n" \
	    "$size" "$bb" "$bo" "$gb" "$go" "$ratio"
done

echo "== amtgwd join latency (report on the TUN -> Update on the wire)"
bg s relay "$BIN/fakerelay" -a 10.0.0.1 -R 0
RELAY=$LASTPID
wait_log relay READY 5 || fail "relay"
bg g gwl "$BIN/amtgwd" -d -f "$TMP/gw.conf"
GWL=$LASTPID
wait_log gwl established 5 || fail "no tunnel"
nsx g "$BIN/joinlat" amt0 g0 "${JOINS:-200}" || fail "joinlat"
stop_pid $GWL 5
stop_pid $RELAY
