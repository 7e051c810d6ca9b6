#!/bin/sh
# SPDX-License-Identifier: ISC
#
# An anycast pool of two relays: both announce the discovery address
# 198.51.100.1, a router spreads it over them with an ECMP route (layer 4
# hash), and each relay's Advertisement sends a gateway to its own
# unicast address.  100 gateways (gwsim) are spread over both; each
# relay holds only its own.  Then relay A dies and its route is
# withdrawn (what a health check or BGP does): its gateways find B
# through the anycast address and their streams come back within 15 s
# (a gateway notices at its next refresh, 5 s at most here, then gives
# the silent relay 3 Requests, a second apart).
#
#   src --- lan (bridge) --- r1 (amtrelayd A, 172.16.1.1)  \
#                       \--- r2 (amtrelayd B, 172.16.2.1)  --- rt --- gws

. "$(dirname "$0")/lib.sh"
need_root

ANY=198.51.100.1
for n in src lan r1 r2 rt gws; do
	ns_add $n
done
nsx lan ip link add br0 type bridge mcast_snooping 0
nsx lan ip link set br0 up
link src s0 10.10.0.2/24 lan p0 -
link r1 u0 10.10.0.11/24 lan p1 -
link r2 u0 10.10.0.12/24 lan p2 -
for p in p0 p1 p2; do
	nsx lan ip link set $p master br0
done
nsx src ip route add 224.0.0.0/4 dev s0
link r1 d0 172.16.1.1/24 rt a0 172.16.1.254/24
link r2 d0 172.16.2.1/24 rt b0 172.16.2.254/24
link gws g0 172.16.9.1/24 rt c0 172.16.9.254/24
for r in r1 r2; do
	nsx $r ip addr add $ANY/32 dev lo
	nsx $r ip route add 172.16.9.0/24 via 172.16.${r#r}.254
done
nsx gws ip route add default via 172.16.9.254
nsx rt sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
nsx rt ip route add $ANY/32 nexthop via 172.16.1.1 nexthop via 172.16.2.1

for r in 1 2; do
	cat >"$TMP/r$r.conf" <<EOC
relay-address 172.16.$r.1
discovery-address $ANY
upstream u0
query-interval 5
query-response-interval 0.5
user nobody
pidfile $TMP/r$r.pid
control-socket $TMP/r$r.sock
EOC
	bg r$r relay$r "$BIN/amtrelayd" -d -f "$TMP/r$r.conf"
	wait_log relay$r "receiving native multicast" 5 || fail "relay $r"
done
RA=$(cat "$TMP/r1.pid")
bg src source "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 50 -s 200
wait_log source SENDING 5 || fail "source"

bg gws crowd "$BIN/gwsim" -D $ANY -g 232.1.1.1 -s 10.10.0.2 -n 100 -q 5 \
    -F 3 -t 120000
CR=$LASTPID
wait_log crowd READY 20 || fail "the gateways did not all get a tunnel"
wait_log crowd FIRSTDATA 10 || fail "not every gateway gets data"

held() {	# N: the gateway endpoints relay N holds, one per line
	ctl "$TMP/r$1.sock" relay gateways
	jget '"\n".join("%s:%d" % (g["address"], g["port"]) for g in d["gateways"])'
}
held 1 >"$TMP/held1"
held 2 >"$TMP/held2"
n1=$(grep -c . "$TMP/held1")
n2=$(grep -c . "$TMP/held2")
[ $((n1 + n2)) -eq 100 ] || fail "the relays hold $n1 + $n2 gateways"
[ -z "$(sort "$TMP/held1" "$TMP/held2" | uniq -d)" ] ||
    fail "a gateway is held by both relays"
[ "$n1" -ge 10 ] && [ "$n2" -ge 10 ] || fail "not spread: $n1 and $n2"
ok "100 gateways spread over the pool by ECMP: $n1 on relay A, $n2 on relay B, none on both"

# Relay A dies; its route goes.
kill -KILL "$RA"
wait_exit "$RA" 5
nsx rt ip route replace $ANY/32 via 172.16.2.1
t0=$(now_ms)
while :; do
	kill -USR1 $CR
	sleep 0.25
	r=$(grep '^STATS' "$TMP/crowd.log" | tail -1 |
	    sed 's/.*receiving=\([0-9]*\).*/\1/')
	[ "${r:-0}" -eq 100 ] && [ $(($(now_ms) - t0)) -gt 1500 ] && break
	[ $(($(now_ms) - t0)) -gt 30000 ] && fail "only ${r:-0} of 100 receive 30 s after"
done
ms=$(($(now_ms) - t0))
held 2 >"$TMP/held2b"
[ "$(grep -c . "$TMP/held2b")" -eq 100 ] || fail "relay B holds $(grep -c . "$TMP/held2b")"
[ $ms -le 15000 ] || fail "streams back after $ms ms, above the bound of 15000 ms"
ok "relay A killed and withdrawn: its $n1 gateways found relay B through $ANY; all 100 receive again after $ms ms (bound 15000 ms)"
echo "PASS: $TESTNAME"
