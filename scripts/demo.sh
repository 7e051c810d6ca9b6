#!/bin/sh
# SPDX-License-Identifier: ISC
#
# make demo: the whole system, end to end, on this machine, inside
# network namespaces it creates and removes again (on success, on
# failure and on Ctrl-C).  A multicast source sends a stream; amtrelayd
# relays it over AMT across a router that knows no multicast; amtgwd
# receives it and igmpproxyd forwards it to the LAN host that joined.

: "${O:=build}"
: "${DEMO_SECONDS:=10}"
KEEP_LOGS=1
TMPPREFIX=amtgw-demo
export KEEP_LOGS TMPPREFIX
TESTNAME=demo
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/../tests/netns/topo.sh"

[ "$(id -u)" = 0 ] || { echo "make demo must run as root (sudo make demo)"; exit 1; }
need_root

cat <<EOT
amtgw demo: a multicast stream over AMT, end to end, in namespaces

  source 10.10.0.2 --(native multicast)--> amtrelayd 172.16.1.1
     ==(AMT over UDP 2268, across an IP-only router)==> amtgwd + igmpproxyd
     --(LAN)--> host h1, an IGMPv3 receiver of (10.10.0.2, 232.1.1.1)

EOT

topo_build
nsx net tcpdump -i n2 -w "$TMP/tunnel.pcap" -U -s 0 udp port 2268 \
    >"$TMP/tcpdump.log" 2>&1 &
CAP=$!
PIDS="$PIDS $CAP"
wait_log tcpdump "listening on" 5 || fail "tcpdump did not start"

printf '  starting amtrelayd ... '; start_relay; echo ok
printf '  starting amtgwd ...... '; start_gw; echo ok
printf '  starting igmpproxyd .. '; start_px; echo ok
wait_log amtgwd "tunnel to relay $RELAY established" 10 ||
    fail "the gateway found no relay"
echo "  tunnel established: $(grep -m1 'tunnel to relay' "$TMP/amtgwd.log" | sed 's/^amtgwd: //')"
printf '  starting the source .. '; start_source 232.1.1.1 200; echo "ok (200 packets/s)"
echo

bg h1 recv "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $SRC -n 0 \
    -t $((DEMO_SECONDS * 1000 + 500)) -r 250
RECV=$LASTPID
t0=$(now_ms)
while kill -0 $RECV 2>/dev/null; do
	el=$(($(now_ms) - t0))
	n=$(grep COUNT "$TMP/recv.log" 2>/dev/null | tail -1 | awk '{print $2}')
	first=$(awk '/FIRST/ {printf "%.1f ms", $2 / 1000}' "$TMP/recv.log")
	printf '\r  [%2d.%ds] h1 received %6s packets   first packet after %s      ' \
	    $((el / 1000)) $((el % 1000 / 100)) "${n:-0}" "${first:-...}"
	sleep 0.25
done
echo
wait "$RECV" 2>/dev/null
received=$(awk '/TOTAL/ {print $2}' "$TMP/recv.log")
first=$(awk '/FIRST/ {printf "%.1f", $2 / 1000}' "$TMP/recv.log")
stop_pid $SOURCE
sent=$(awk '/SENT/ {print $2}' "$TMP/source.log")
stop_pid $GW 5			# Teardown goes out
wait_log amtrelayd teardown 3
kill -TERM $CAP
wait_exit $CAP 5
[ "${received:-0}" -gt 0 ] || fail "h1 received nothing"

echo
echo "Summary"
echo "  packets sent by the source:     $sent (it started before h1 joined)"
echo "  packets received by host h1:    $received"
echo "  join to first packet:           $first ms"
echo "  AMT messages on the tunnel:"
tshark -r "$TMP/tunnel.pcap" -d udp.port==2268,amt -d udp.port==5001,data \
    -T fields -e amt.type 2>/dev/null | sort -n | uniq -c |
    while read -r count type; do
	case $type in
	1) name="Relay Discovery" ;; 2) name="Relay Advertisement" ;;
	3) name="Request" ;; 4) name="Membership Query" ;;
	5) name="Membership Update" ;; 6) name="Multicast Data" ;;
	7) name="Teardown" ;; *) name="type $type" ;;
	esac
	printf '    %-22s %7d\n' "$name" "$count"
    done
echo "  logs and the tunnel capture:    $TMP"
echo
echo "Namespaces and processes are being removed."
