#!/bin/sh
# SPDX-License-Identifier: ISC
#
# igmpproxyd against an independent IGMP querier: FRR's pimd, with its
# default timers (query interval 125 s), on one LAN with the proxy,
# which runs with a 3 s query interval.  FRR has the lower address, so
# it is the rightful querier: the proxy must yield and stay quiet,
# taking its Other Querier Present Interval from FRR's queries (RFC
# 3376 4.1.7, 8.5: 2 x 125 s + QRI/2), not from its own 3 s timers,
# which would have it take the role back every few seconds.  A host
# joined meanwhile is still served (the proxy keeps state as a
# non-querier), once forward-when-not-querier allows it.

. "$(dirname "$0")/lib.sh"
need_root
[ -x /usr/lib/frr/pimd ] && [ -x /usr/lib/frr/zebra ] || skip "FRR missing"
id frr >/dev/null 2>&1 || skip "no frr user"

ns_add px
ns_add frr
ns_add h1
ns_add sw
nsx sw ip link add br0 type bridge mcast_snooping 0
nsx sw ip link set br0 up
link px d1 10.1.0.5/24 sw p0 -
link frr e0 10.1.0.2/24 sw p1 -
link h1 e0 10.1.0.11/24 sw p2 -
for p in p0 p1 p2; do
	nsx sw ip link set $p master br0
done

cat >"$TMP/px.conf" <<EOC
upstream amt0
downstream d1
query-interval 3
query-response-interval 0.5
startup-query-interval 0.5
forward-when-not-querier on
user nobody
pidfile $TMP/px.pid
control-socket $TMP/px.sock
EOC
bg px px "$BIN/igmpproxyd" -d -v -f "$TMP/px.conf"
wait_log px "d1: querier now" 5 || fail "proxy not querier"

F="$TMP/frr"
mkdir -p "$F"
printf 'hostname z\n' >"$F/zebra.conf"
printf 'hostname p\ninterface e0\n ip igmp\n' >"$F/pimd.conf"
chown -R frr:frr "$F"
bg frr zebra /usr/lib/frr/zebra -f "$F/zebra.conf" -i "$F/zebra.pid" \
    -z "$F/zserv.api" --vty_socket "$F" -u frr -g frr --log stdout
wait_log zebra "zebra .* starting" 10 || fail "zebra"
bg frr pimd /usr/lib/frr/pimd -f "$F/pimd.conf" -i "$F/pimd.pid" \
    -z "$F/zserv.api" --vty_socket "$F" -u frr -g frr --log stdout
t0=$(now_ms)
wait_log px "d1: 10.1.0.2 is the querier now" 40 ||
    fail "the proxy did not yield to FRR"
ok "FRR's pimd queries: the proxy yields after $(($(now_ms) - t0)) ms"

# 20 s is more than 3 times the proxy's own Other Querier Present
# Interval (2 x 3 s + 0.25 s); FRR's is 255 s.
yielded=$(count_log px "d1: querier now")
bg h1 r1 "$BIN/mcrecv" -i e0 -g 239.1.1.1 -n 0 -t 60000
R1=$LASTPID
end=$(($(now_ms) + 20000))
while [ "$(now_ms)" -lt $end ]; do
	[ "$(count_log px "d1: querier now")" = "$yielded" ] ||
	    fail "the proxy took the querier role back from FRR"
	sleep 0.2
done
ctl "$TMP/px.sock" proxy interfaces
[ "$(jget '[(i["querier"], i["querier-address"]) for i in d["downstream"]]')" = "[(False, '10.1.0.2')]" ] ||
    fail "amtctl: $(jget 'd["downstream"]')"
ctl "$TMP/px.sock" proxy groups
[ "$(jget '[g["mode"] for i in d["interfaces"] for g in i["groups"] if g["group"] == "239.1.1.1"]')" = "['exclude']" ] ||
    fail "the host's join, answered to FRR's queries, is not kept"
ok "20 s later the proxy is still quiet (FRR's 125 s adopted); a host's join is kept"
stop_pid $R1
echo "PASS: $TESTNAME"
