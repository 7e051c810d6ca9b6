#!/bin/sh
# SPDX-License-Identifier: ISC
#
# amtrelayd on its hard day.  A source, the relay (pinned to one core),
# and a sink namespace holding a crowd of simulated gateways (gwsim) and
# one real gateway: amtgwd with a receiver on amt0 that counts the gaps
# in the source's sequence numbers.
#  1. Flash crowd: 10,000 gateways, 20 addresses x 500 ports, arrive at
#     500 a second and each runs Discovery, Request, Query and Update,
#     then refreshes every ~10 s, while the real gateway streams.
#  2. Churn: 1,000 gateways move among 20 groups, each every ~3 s, for
#     60 s, then leave: state and native joins left behind, RSS growth.
#  3. Abuse: Requests from forged sources of a /16 at 50,000 a second for
#     5 s: what is answered, the amplification, the real stream.
# Benchmarks print numbers; they do not pass or fail on timing.

. "$(dirname "$0")/lib.sh"
need_root
: "${CROWD:=10000}"
: "${CROWD_RATE:=500}"
: "${CHURN_S:=60}"
NADDR=20

ns_add src
ns_add rly
ns_add sink
link src s0 10.10.0.2/24 rly u0 10.10.0.1/24
link rly d0 172.16.1.1/24 sink k0 172.16.1.2/24
i=3
while [ $i -le $((NADDR + 2)) ]; do
	nsx sink ip addr add 172.16.1.$i/24 dev k0
	i=$((i + 1))
done
nsx rly ip addr add 198.51.100.1/32 dev lo
nsx sink ip route add 198.51.100.1/32 via 172.16.1.1
nsx rly ip route add default via 172.16.1.2	# answers to forged sources
nsx src ip route add 224.0.0.0/4 dev s0
nsx sink sysctl -qw net.core.somaxconn=4096

relay_start() {
	cat >"$TMP/rl.conf" <<EOC
relay-address 172.16.1.1
discovery-address 198.51.100.1
upstream u0
query-interval 10
user nobody
pidfile $TMP/rl.pid
control-socket $TMP/rl.sock
EOC
	bg rly rl taskset -c 1 "$BIN/amtrelayd" -d -f "$TMP/rl.conf"
	RL=$LASTPID
	wait_log rl "receiving native multicast" 5 || fail "amtrelayd"
}

relay_stop() {
	stop_pid $RL 10
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
counter() {	# NAME: a relay counter
	ctl "$TMP/rl.sock" relay gateways
	jget "d[\"counters\"][\"$1\"]"
}

# The real gateway: amtgwd and a receiver on amt0 counting gaps.
real_start() {
	cat >"$TMP/gw.conf" <<EOC
relay 172.16.1.1
driad off
tunnel-address 100.64.0.1/32
user nobody
pidfile $TMP/gw.pid
control-socket $TMP/gw.sock
EOC
	bg sink gw "$BIN/amtgwd" -d -f "$TMP/gw.conf"
	GW=$LASTPID
	wait_log gw "established" 5 || fail "amtgwd"
	nsx sink ip route replace 232.0.0.0/8 dev amt0
}

real_watch() {	# LOG: a receiver counting from now
	bg sink "$1" "$BIN/mcsoak" -i amt0 -g 232.1.1.1 -s 10.10.0.2 -n 1 \
	    -w 1000 -t 600000
	WATCH=$LASTPID
	wait_log "$1" "^WIN [0-9]+ [1-9]" 10 || fail "the real gateway gets nothing"
}

real_lost() {	# LOG: stop the receiver; "lost received"
	stop_pid $WATCH 5
	awk '$1 == "TOTAL" { sub("lost=", "", $4); print $4, $2 }' \
	    "$TMP/$1.log"
}

# 1. Flash crowd.
relay_start
bg src srcl "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 10 -s 200
SRCP=$LASTPID
real_start
real_watch real1
rss0=$(rss_kb $RL)
cpu0=$(cpu_ticks $RL)
bg sink crowd "$BIN/gwsim" -D 198.51.100.1 -g 232.1.1.1 -s 10.10.0.2 \
    -n $CROWD -a 172.16.1.3 -m $NADDR -R $CROWD_RATE -q 10 \
    -t $((CROWD * 1000 / CROWD_RATE + 25000))
CR=$LASTPID
wait_log crowd "READY" $((CROWD / CROWD_RATE + 60)) ||
    echo "   the crowd was not all served: $(tail -1 "$TMP/crowd.log")"
wait_log crowd "FIRSTDATA" 30 || echo "   not every gateway got data"
rss1=$(rss_kb $RL)
wait_exit $CR 120
cpu1=$(cpu_ticks $RL)
set -- $(real_lost real1)
lost=$1 got=$2
ready=$(sed -n 's/^READY [0-9]* ms=//p' "$TMP/crowd.log")
first=$(sed -n 's/^FIRSTDATA [0-9]* ms=//p' "$TMP/crowd.log")
hsmax=$(sed -n 's/.*handshake-max-ms=\([0-9]*\).*/\1/p' "$TMP/crowd.log")
echo "== flash crowd: $CROWD gateways arriving at $CROWD_RATE/s (Discovery, Request, Query, Update; refresh ~10 s)"
echo "   all $CROWD served: ${ready:-never} ms after the first arrived ($(awk -v n=$CROWD -v ms="${ready:-0}" 'BEGIN { printf "%.0f", ms ? n * 1000 / ms : 0 }') handshakes/s, each within ${hsmax:-?} ms)"
echo "   the last gateway's first data: ${first:-never} ms"
echo "   the streaming gateway: $lost lost of $((lost + got)) ($(awk -v l="$lost" -v g="$got" 'BEGIN { printf "%.3f", (l + g) ? 100 * l / (l + g) : 0 }')%)"
echo "   relay RSS $rss0 KB -> $rss1 KB: $(( (rss1 - rss0) * 1024 / CROWD )) bytes per gateway; CPU $(( (cpu1 - cpu0) / 100 )).$(( (cpu1 - cpu0) % 100 )) s over the crowd"
ctl "$TMP/rl.sock" relay gateways
echo "   relay counters: gateway-expired $(jget 'd["counters"]["gateway-expired"]'), request-rate-limited $(jget 'd["counters"]["request-rate-limited"]'), data-dropped-overload $(jget 'd["counters"]["data-dropped-overload"]'), data-send-buffer-full $(jget 'd["counters"]["data-send-buffer-full"]')"
stop_pid $GW 5
stop_pid $SRCP
relay_stop

# 2. Churn.
relay_start
bg src srcc "$BIN/mcsend" -i s0 -g 239.3.0.0 -N 20 -r 5 -s 200
SRCP=$LASTPID
bg sink churn "$BIN/gwsim" -r 172.16.1.1 -g 239.3.0.0 -n 1000 \
    -a 172.16.1.3 -m $NADDR -C 20:3000 -q 10 -L -t $((CHURN_S * 1000))
CH=$LASTPID
wait_log churn READY 30 || fail "churn: gateways not up"
sleep $((CHURN_S / 3))
rss_a=$(rss_kb $RL)
wait_exit $CH $((CHURN_S + 30)) || fail "churn: gwsim did not end"
rss_b=$(rss_kb $RL)
t0=$(now_ms)
while :; do
	ctl "$TMP/rl.sock" relay groups
	g=$(jget 'len(d["groups"])')
	j=$(jget 'len(d["native-joins"])')
	[ "$g" = 0 ] && [ "$j" = 0 ] && break
	[ $(($(now_ms) - t0)) -gt 5000 ] && break
	sleep 0.1
done
updates=$(sed -n 's/.*updates=\([0-9]*\).*/\1/p' "$TMP/churn.log")
echo "== churn: 1000 gateways moving among 20 groups every ~3 s for $CHURN_S s, then leaving"
echo "   $updates Updates; afterwards $g groups and $j native joins left (after $(($(now_ms) - t0)) ms); RSS $rss_a KB at $((CHURN_S / 3)) s, $rss_b KB at the end"
stop_pid $SRCP
relay_stop

# 3. Abuse: forged Requests.
relay_start
bg src srcl "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 100 -s 200
SRCP=$LASTPID
real_start
real_watch real3
q0=$(counter query-sent)
r0=$(counter request)
l0=$(counter request-rate-limited)
nsx sink "$BIN/reqflood" -r 172.16.1.1 -s 198.18.0.0/16 -p 50000 -t 5000 \
    >"$TMP/flood.log" 2>&1
q1=$(counter query-sent)
r1=$(counter request)
l1=$(counter request-rate-limited)
set -- $(real_lost real3)
echo "== abuse: Requests from forged sources of a /16 ($(sed -n 's/.*pps=//p' "$TMP/flood.log") a second for 5 s)"
echo "   $((r1 - r0)) taken, $((q1 - q0)) answered, $((l1 - l0)) not (limits: 20000/s in all, 2000/s per /24)"
echo "   amplification: a Request is 36 bytes on the wire, a Query 94: $(awk 'BEGIN { printf "%.1f", 94 / 36 }')x per answer; $(awk -v a=$((q1 - q0)) -v r=$((r1 - r0)) 'BEGIN { printf "%.2f", r ? a * 94 / (r * 36) : 0 }')x over the flood"
echo "   the streaming gateway: $1 lost of $(($1 + $2))"
stop_pid $GW 5
stop_pid $SRCP
relay_stop
