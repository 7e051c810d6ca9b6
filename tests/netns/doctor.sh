#!/bin/sh
# SPDX-License-Identifier: ISC
#
# amtctl doctor on the site router of the whole chain: with a stream
# flowing it finds nothing; then each fault that stops multicast from
# reaching the LANs is set up in turn (in the test's own namespaces),
# and the doctor must name it (and exit 1):
#   rp_filter strict on all interfaces; nftables input dropping IGMP
#   and AMT; a forward chain dropping what comes in on amt0 (IPv4 only,
#   while an IPv6 stream to the same LAN gets through: it must not hide
#   the loss); another
#   program holding the multicast routing table; the relay gone; a
#   receiver at the IGMP membership limit.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
need_root
command -v nft >/dev/null || skip "nft missing"

topo_build
topo_ipv6
start_relay
start_gw
start_px
start_source 232.1.1.1
bg h1 r1 "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $SRC -n 0 -t 600000
wait_log r1 FIRST 10 || fail "no stream"
bg src s6 "$BIN/mcsend" -i s0 -g ff3e::8000:1 -r 200 -s 1316
bg h1 r6 "$BIN/mcrecv" -i e0 -g ff3e::8000:1 -s $S6 -n 0 -t 600000
wait_log r6 FIRST 10 || fail "no IPv6 stream"

doctor() {	# LOGNAME: run it in the site router, output in the log
	nsx site "$BIN/amtctl" doctor -g "$TMP/amtgwd.sock" \
	    -p "$TMP/igmpproxyd.sock" -t 1 >"$TMP/$1.log" 2>&1
}

# expect LOGNAME REGEX WHAT: the doctor failed and said REGEX.
expect() {
	doctor "$1" && fail "$3: the doctor found nothing: $(cat "$TMP/$1.log")"
	grep -Eq -- "$2" "$TMP/$1.log" ||
	    fail "$3: not named: $(cat "$TMP/$1.log")"
	ok "$3: $(grep -E -m1 -- "$2" "$TMP/$1.log" | sed 's/^ *FAIL *//')"
}

doctor healthy || fail "healthy chain: $(cat "$TMP/healthy.log")"
grep -q "no problem found" "$TMP/healthy.log" || fail "healthy: summary"
grep -Eq "ok +traffic: [0-9]+ datagrams in through amt0" "$TMP/healthy.log" ||
    fail "healthy: traffic not followed: $(cat "$TMP/healthy.log")"
ok "a healthy chain: no problem found, the traffic followed to the LANs"

# 1. rp_filter strict everywhere (amtgwd's own 0 on amt0 does not win).
nsx site sysctl -qw net.ipv4.conf.all.rp_filter=1
expect rpf "rp_filter is 1 \(strict\) on amt0" "rp_filter"
grep -q "multicast routing saw" "$TMP/rpf.log" ||
    fail "rp_filter: the traffic check did not see the drop"
nsx site sysctl -qw net.ipv4.conf.all.rp_filter=0

# 2. Input chain dropping IGMP and AMT.
nsx site nft -f - <<'EON' || fail "nft"
table inet filter {
	chain input {
		type filter hook input priority 0; policy accept;
		ip protocol igmp drop
		udp sport 2268 drop
	}
}
EON
expect input "input chain input drops IGMP" "firewall input, IGMP"
grep -q "drops AMT (UDP 2268)" "$TMP/input.log" ||
    fail "firewall input: AMT not named"
nsx site nft delete table inet filter
wait_flow h1 e0 232.1.1.1 20 >/dev/null || fail "stream did not come back"

# 3. Forward chain dropping all IPv4 (policy drop, an exception for
#    IPv6 only): the IPv6 stream to the same LAN goes on.
nsx site nft -f - <<'EON' || fail "nft"
table inet filter {
	chain forward {
		type filter hook forward priority 0; policy drop;
		meta nfproto ipv6 accept
	}
}
EON
expect fwd "forward chain forward drops what comes in on amt0" \
    "firewall forward"
grep -Eq "routed to d[12] in 1 s, [0-9] left it" "$TMP/fwd.log" ||
    fail "firewall forward: the traffic check did not see the drop: $(cat "$TMP/fwd.log")"
# igmpproxyd says it too, on its own (a check every 10 s).
wait_log igmpproxyd "d1: multicast routing sent [0-9]+ IPv4 datagrams to it in 10 s, but it transmitted [0-9]+: something after the routing" 25 ||
    fail "igmpproxyd did not say that forwarded datagrams are dropped"
[ "$(seen h1 e0 ff3e::8000:1 500)" -gt 0 ] || fail "the IPv6 stream stopped"
ok "igmpproxyd logs it too, an IPv6 stream on the LAN beside it: $(grep -m1 -o "d1: multicast routing sent.*transmitted [0-9]*" "$TMP/igmpproxyd.log")"
nsx site nft delete table inet filter

# 4. Another program holds the multicast routing table.
stop_pid $PX 5 || fail "igmpproxyd did not stop"
bg site holder /usr/bin/python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
s.setsockopt(socket.IPPROTO_IP, 200, b"\x01\x00\x00\x00")   # MRT_INIT
print("HOLDING", flush=True)
time.sleep(60)'
HOLDER=$LASTPID
wait_log holder HOLDING 5 || fail "holder"
expect mrt "another program holds the kernel.s table.*python3 \(pid $HOLDER\)" \
    "multicast routing table taken"
grep -q "igmpproxyd does not answer" "$TMP/mrt.log" ||
    fail "mroute: igmpproxyd's absence not said"
stop_pid $HOLDER 5
start_px

# 5. The relay gone.
kill -KILL $RLY
wait_exit $RLY 5
t0=$(now_ms)
while ctl "$TMP/amtgwd.sock" gateway && [ "$(jget 'd["state"]')" = established ]; do
	[ $(($(now_ms) - t0)) -gt 10000 ] && fail "amtgwd did not notice"
	sleep 0.2
done
expect relay "relay 172.16.1.1 does not answer" "relay gone"
start_relay
wait_flow h1 e0 232.1.1.1 20 >/dev/null || fail "stream did not come back"

# 6. A receiver on the router itself at the membership limit.
nsx site sysctl -qw net.ipv4.igmp_max_memberships=2
bg site many "$BIN/mcsoak" -i amt0 -g 239.9.0.1 -n 2 -t 60000
MANY=$LASTPID
wait_log many JOINED 5 || fail "receiver on amt0"
expect limit "IGMP memberships: 2 groups joined on amt0 and net.ipv4.igmp_max_memberships is 2" \
    "membership limit"
stop_pid $MANY
nsx site sysctl -qw net.ipv4.igmp_max_memberships=20

doctor healed || fail "after every fault was undone: $(cat "$TMP/healed.log")"
ok "every fault undone: no problem found again"
echo "PASS: $TESTNAME"
