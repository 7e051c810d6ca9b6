#!/bin/sh
# SPDX-License-Identifier: ISC
#
# igmpproxyd benchmarks.  A fake gateway (fakegw) holds the upstream TUN
# and injects data for a group the moment the upstream report for it
# appears.  Every figure is printed next to a floor measured in the
# same run: no proxy at all, the receiver joined directly on the TUN
# (the kernel's own report delay is in both).  Debian's igmpproxy is
# measured on the same topology with IGMPv2 hosts (it has no v3).
#  - join: host join -> first forwarded packet, p50 over JOINS joins;
#  - scale: 1000 groups joined at once over two downstreams: how many
#    forward, p50/p90/max, IGMP socket drops, RSS and CPU seconds;
#  - leave: last leave -> forwarding stops on the LAN (default timers,
#    and with fast leave / quickleave).

. "$(dirname "$0")/lib.sh"
need_root
: "${JOINS:=60}"
: "${SCALE:=1000}"

ns_add gw
ns_add h1
ns_add h2
link gw d1 10.1.0.1/24 h1 e0 10.1.0.11/24
link gw d2 10.2.0.1/24 h2 e0 10.2.0.12/24
for n in gw h1 h2; do
	nsx $n sysctl -qw net.ipv4.igmp_max_memberships=4096
done
nsx h2 sysctl -qw net.ipv4.conf.e0.force_igmp_version=2

start_fakegw() {	# RATE
	bg gw fakegw "$BIN/fakegw" -R "$1" -S 10.99.0.1
	FG=$LASTPID
	wait_log fakegw READY 5 || fail "fakegw"
}

start_ours() {		# [fast-leave on|off]
	cat >"$TMP/px.conf" <<EOC
upstream amt0
downstream d1
downstream d2
fast-leave ${1:-off}
user nobody
pidfile $TMP/px.pid
EOC
	bg gw ours "$BIN/igmpproxyd" -d -f "$TMP/px.conf"
	PXP=$LASTPID
	wait_log ours "d2: querier now" 5 || fail "igmpproxyd"
}

start_igmpproxy() {	# [quickleave]
	nsx gw ip addr add 10.99.9.1/24 dev amt0 2>/dev/null
	{
		[ -n "${1:-}" ] && echo quickleave
		echo "phyint amt0 upstream ratelimit 0 threshold 1"
		echo "  altnet 0.0.0.0/0"
		echo "phyint d1 downstream ratelimit 0 threshold 1"
		echo "phyint d2 downstream ratelimit 0 threshold 1"
	} >"$TMP/igmpproxy.conf"
	bg gw igmpproxy /usr/sbin/igmpproxy -d -v "$TMP/igmpproxy.conf"
	PXP=$LASTPID
	# It is ready once it has sent its first queries.
	nsx h2 "$BIN/pktcount" -i e0 -g 224.0.0.1 -t 2000 >/dev/null
}

# join_p50 NS IF BASEGROUP: p50 of join -> first packet over JOINS joins
join_p50() {
	: >"$TMP/j.txt"
	i=1
	while [ $i -le "$JOINS" ]; do
		nsx "$1" "$BIN/mcrecv" -i "$2" -g "$3.$i" -n 1 -t 5000 \
		    >"$TMP/jr.log" 2>&1 &&
		    awk '/FIRST/ {printf "%.3f\n", $2 / 1000}' "$TMP/jr.log" \
		    >>"$TMP/j.txt"
		i=$((i + 1))
	done
	sort -n "$TMP/j.txt" | awk '{v[NR]=$1} END {if (NR) printf "%.2f ms (n=%d)", v[int((NR+1)/2)], NR; else printf "none"}'
}

raw_drops() {		# IGMP raw socket drops in the gw namespace
	nsx gw awk '$2 ~ /:0002$/ {d += $NF} END {print d + 0}' /proc/net/raw
}

proc_stats() {		# PID: RSS and CPU seconds
	rss=$(awk '/VmRSS/ {print $2 " kB"}' /proc/$1/status)
	cpu=$(awk '{printf "%.2f", ($14 + $15) / 100}' /proc/$1/stat)
	echo "RSS $rss, CPU ${cpu} s"
}

stop_px() {
	stop_pid $PXP 5
	nsx gw ip addr flush dev amt0 2>/dev/null
}

# igmpproxyd is measured first: igmpproxy's IGMPv2 queries put the
# hosts into IGMPv2 compatibility mode for 400 s, which would change
# what our proxy sees.
start_fakegw 1000
floor=$(join_p50 gw amt0 239.100.0)
start_ours
ours3=$(join_p50 h1 e0 239.101.0)
ours2=$(join_p50 h2 e0 239.102.0)
stop_px
l_def=$(start_ours off; nsx h1 "$BIN/leavelat" e0 239.110.0.1 1500; stop_px)
l_fast=$(start_ours on; nsx h1 "$BIN/leavelat" e0 239.110.0.2 1500; stop_px)
l_v2=$(start_ours off; nsx h2 "$BIN/leavelat" e0 239.110.0.3 1500; stop_px)
stop_pid $FG

half=$((SCALE / 2))
scale_run() {		# LABEL HOST-BASE1 HOST-BASE2
	d0=$(raw_drops)
	nsx h1 "$BIN/mcscale" e0 "$2" "$half" 5000 >"$TMP/s1.log" 2>&1 &
	a=$!
	nsx h2 "$BIN/mcscale" e0 "$3" "$half" 5000 >"$TMP/s2.log" 2>&1 &
	b=$!
	wait $a
	wait $b
	echo "$1 LAN1 (v3 host): $(cat "$TMP/s1.log")"
	echo "$1 LAN2 (v2 host): $(cat "$TMP/s2.log")"
	echo "$1 IGMP socket drops: $(($(raw_drops) - d0)); $(proc_stats $PXP)"
}
start_fakegw 10
nsx gw "$BIN/mcscale" amt0 239.200.0.0 "$SCALE" 5000 >"$TMP/sf.log" 2>&1
scale_floor=$(cat "$TMP/sf.log")
start_ours
scale_ours=$(scale_run "igmpproxyd" 239.201.0.0 239.202.0.0)
stop_px
stop_pid $FG

# Then Debian's igmpproxy, with the v2 host.
start_fakegw 1000
start_igmpproxy
theirs2=$(join_p50 h2 e0 239.103.0)
stop_px
l_ig=$(start_igmpproxy; nsx h2 "$BIN/leavelat" e0 239.110.0.4 3000; stop_px)
l_igq=$(start_igmpproxy quickleave; nsx h2 "$BIN/leavelat" e0 239.110.0.5 3000; stop_px)
stop_pid $FG
start_fakegw 10
start_igmpproxy
scale_theirs=$(scale_run "igmpproxy 0.3" 239.203.0.0 239.204.0.0)
stop_px
stop_pid $FG

echo "== join: host join -> first forwarded packet (p50)"
echo "floor (joined on the TUN, no proxy): $floor"
echo "igmpproxyd, IGMPv3 host:             $ours3"
echo "igmpproxyd, IGMPv2 host:             $ours2"
echo "igmpproxy 0.3 (Debian), IGMPv2 host: $theirs2"
echo "== leave: last leave -> forwarding stops on the LAN"
echo "igmpproxyd, v3 host, default (LMQT 2 s): $(echo "$l_def" | sed 's/LEAVELAT //')"
echo "igmpproxyd, v3 host, fast-leave on:      $(echo "$l_fast" | sed 's/LEAVELAT //')"
echo "igmpproxyd, v2 host, default (LMQT 2 s): $(echo "$l_v2" | sed 's/LEAVELAT //')"
echo "igmpproxy 0.3, v2 host, default:          $(echo "$l_ig" | sed 's/LEAVELAT //')"
echo "igmpproxy 0.3, v2 host, quickleave:       $(echo "$l_igq" | sed 's/LEAVELAT //')"
echo "== scale: $SCALE groups joined at once over two LANs"
echo "floor (joined on the TUN): $scale_floor"
echo "$scale_ours"
echo "$scale_theirs"
