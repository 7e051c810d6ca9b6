#!/bin/sh
# SPDX-License-Identifier: ISC
#
# igmpproxyd's MLD side, measured as proxy.sh measures IGMP.  A fake
# gateway (fakegw) holds the upstream TUN and injects IPv6 data for a
# group the moment the upstream MLD report for it appears.  Every
# figure is printed next to a floor measured in the same run: no proxy,
# the receiver joined directly on the TUN (the kernel's own MLD report
# delay is in both).
#  - join: host join -> first forwarded packet, p50 over JOINS joins,
#    an MLDv2 host and one forced to MLDv1;
#  - scale: 1000 IPv6 groups joined at once over two LANs (MLDv2 and
#    MLDv1 hosts): how many forward, p50/p90/max, RSS and CPU seconds.

. "$(dirname "$0")/lib.sh"
need_root
: "${JOINS:=60}"
: "${SCALE:=1000}"

ns_add gw
ns_add h1
ns_add h2
link gw d1 10.1.0.1/24 h1 e0 10.1.0.11/24
link gw d2 10.2.0.1/24 h2 e0 10.2.0.12/24
nsx h2 sysctl -qw net.ipv6.conf.e0.force_mld_version=1
# Everyone speaks from a link-local address past DAD.
ll_wait "gw d1" "gw d2" "h1 e0" "h2 e0"

start_fakegw() {	# RATE
	bg gw fakegw "$BIN/fakegw" -R "$1"
	FG=$LASTPID
	wait_log fakegw READY 5 || fail "fakegw"
}

start_ours() {
	cat >"$TMP/px.conf" <<EOC
upstream amt0
downstream d1
downstream d2
user nobody
pidfile $TMP/px.pid
EOC
	bg gw ours "$BIN/igmpproxyd" -d -f "$TMP/px.conf"
	PXP=$LASTPID
	wait_log ours "d2: MLD querier now" 5 || fail "igmpproxyd: no MLD"
}

# join_p50 NS IF PREFIX: p50 of join -> first packet over JOINS joins
join_p50() {
	: >"$TMP/j.txt"
	i=1
	while [ $i -le "$JOINS" ]; do
		nsx "$1" "$BIN/mcrecv" -i "$2" -g "$3$i" -n 1 -t 5000 \
		    >"$TMP/jr.log" 2>&1 &&
		    awk '/FIRST/ {printf "%.3f\n", $2 / 1000}' "$TMP/jr.log" \
		    >>"$TMP/j.txt"
		i=$((i + 1))
	done
	sort -n "$TMP/j.txt" | awk '{v[NR]=$1} END {if (NR) printf "%.2f ms (n=%d)", v[int((NR+1)/2)], NR; else printf "none"}'
}

proc_stats() {		# PID: RSS and CPU seconds
	rss=$(awk '/VmRSS/ {print $2 " kB"}' /proc/$1/status)
	cpu=$(awk '{printf "%.2f", ($14 + $15) / 100}' /proc/$1/stat)
	echo "RSS $rss, CPU ${cpu} s"
}

start_fakegw 1000
floor=$(join_p50 gw amt0 ff0e::100:)
start_ours
ours2=$(join_p50 h1 e0 ff0e::101:)
ours1=$(join_p50 h2 e0 ff0e::102:)
stop_pid $PXP 5
stop_pid $FG

half=$((SCALE / 2))
start_fakegw 10
nsx gw "$BIN/mcscale" amt0 ff0e::2:0 "$SCALE" 5000 >"$TMP/sf.log" 2>&1
scale_floor=$(cat "$TMP/sf.log")
start_ours
nsx h1 "$BIN/mcscale" e0 ff0e::3:0 "$half" 5000 >"$TMP/s1.log" 2>&1 &
a=$!
nsx h2 "$BIN/mcscale" e0 ff0e::4:0 "$half" 5000 >"$TMP/s2.log" 2>&1 &
b=$!
wait $a
wait $b
stats=$(proc_stats $PXP)
stop_pid $PXP 5
stop_pid $FG

echo "== MLD join: host join -> first forwarded packet (p50)"
echo "floor (joined on the TUN, no proxy): $floor"
echo "igmpproxyd, MLDv2 host:              $ours2"
echo "igmpproxyd, MLDv1 host:              $ours1"
echo "== MLD scale: $SCALE IPv6 groups joined at once over two LANs"
echo "floor (joined on the TUN): $scale_floor"
echo "igmpproxyd LAN1 (MLDv2 host): $(cat "$TMP/s1.log")"
echo "igmpproxyd LAN2 (MLDv1 host): $(cat "$TMP/s2.log")"
echo "igmpproxyd: $stats"
