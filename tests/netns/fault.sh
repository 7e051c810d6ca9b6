#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Faults injected into the whole chain, the gateway on its default
# timers behind a NAT, the relay with a 10 s query interval.  nftables
# in the test's own router namespace drops and rewrites; each case
# prints what it measured and fails above its bound:
#
#   10% and 30% loss on UDP 2268 both ways (30 s, 60 s): the relay
#     never drops the membership, and the host gets within 5 points of
#     the share of data the link lets through;
#   the relay unreachable for 60 s: the stream is back within 15 s of
#     the path's return (amtgwd(8): retransmissions wait at most 10 s
#     for the first 10 minutes);
#   a NAT rebinding (new mapping, old one forgotten): back within one
#     query interval and 5 s;
#   the relay killed and restarted: back within 15 s;
#   the gateway killed: the relay stops sending within 2 s (ICMP port
#     unreachable); restarted: back within 5 s;
#   igmpproxyd stopped cleanly: the tunnel stops carrying the group
#     within 2 s; killed: within one query interval and 2 s (the
#     gateway ages what nobody reports); restarted: back within 5 s.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
need_root
command -v nft >/dev/null || skip "nft missing"
command -v conntrack >/dev/null || skip "conntrack missing"

RELAY_QI=10
G=232.1.1.1
RATE=200
topo_build
# The gateway on its defaults (timers, nat-keepalive, path-mtu).
cat >"$TMP/amtgwd.conf" <<EOC
discovery $ANYCAST
driad off
user nobody
pidfile $TMP/amtgwd.pid
control-socket $TMP/amtgwd.sock
EOC

# The router: a NAT for the site, and a chain for the faults.
nsx net nft -f - <<'EON' || fail "nft"
table ip nat {
	chain post {
		type nat hook postrouting priority 100; policy accept;
		oifname "n1" ip saddr 172.16.2.1 meta l4proto udp snat to 172.16.1.254:20000-20999
	}
}
table inet fault {
	counter down_offered { }
	counter down_dropped { }
	chain through {
		type filter hook forward priority 0; policy accept;
	}
}
EON
# What the source sends, counted where the relay receives it.
nsx rly nft -f - <<EON || fail "nft"
table inet count {
	counter source { }
	chain pre {
		type filter hook prerouting priority 0; policy accept;
		iifname "u0" ip daddr $G udp dport 5001 counter name "source"
	}
}
EON

packets() {	# NS FAMILY TABLE COUNTER
	nsx "$1" nft list counter "$2" "$3" "$4" |
	    awk '/packets/ { print $2 }'
}

reset_counters() {
	nsx net nft reset counters table inet fault >/dev/null
	nsx rly nft reset counters table inet count >/dev/null
}

relay_counter() {	# NAME
	ctl "$TMP/amtrelayd.sock" relay gateways
	jget "d[\"counters\"][\"$1\"]"
}

# until_quiet SECONDS: until the tunnel carries no data for G; ms.
until_quiet() {
	t0=$(now_ms)
	deadline=$((t0 + $1 * 1000))
	while [ "$(tunnel_data $G 200)" -gt 0 ]; do
		[ "$(now_ms)" -ge $deadline ] && return 1
	done
	echo $(($(now_ms) - t0 - 200))
}

# bound NAME MS LIMIT-MS: print the measurement, fail above the bound.
bound() {
	[ "$2" -le "$3" ] || fail "$1: $2 ms, above the bound of $3 ms"
	ok "$1: $2 ms (bound $3 ms)"
}

start_relay
start_gw
start_px
start_source $G $RATE
bg h1 r1 "$BIN/mcrecv" -i e0 -g $G -s $SRC -n 0 -t 1000000
wait_log r1 FIRST 15 || fail "no stream"
ok "stream flowing through the NAT"

# 1, 2. Loss on the underlay, both ways.
loss() {	# PERCENT SECONDS
	reset_counters
	leave0=$(relay_counter native-leave)
	nsx net nft add rule inet fault through udp sport 2268 \
	    ip daddr 172.16.2.1 counter name down_offered
	nsx net nft add rule inet fault through udp sport 2268 \
	    ip daddr 172.16.2.1 numgen random mod 100 \< "$1" \
	    counter name down_dropped drop
	nsx net nft add rule inet fault through udp dport 2268 \
	    numgen random mod 100 \< "$1" drop
	got=$(seen h1 e0 $G $(($2 * 1000)))
	nsx net nft flush chain inet fault through
	sent=$(packets rly inet count source)
	offered=$(packets net inet fault down_offered)
	dropped=$(packets net inet fault down_dropped)
	leave1=$(relay_counter native-leave)
	out=$(awk -v g="$got" -v s="$sent" -v o="$offered" -v d="$dropped" \
	    -v p="$1" -v t="$2" 'BEGIN {
		pass = (o - d) / o * 100; del = g / s * 100
		printf "%d%% loss for %d s: the link passed %.1f%% of the " \
		    "tunnel, the host got %.1f%% of the source", p, t, pass, del
		exit (del < pass - 5)
	}') || fail "$out"
	[ "$leave1" = "$leave0" ] ||
	    fail "$1% loss: the relay dropped the membership ($out)"
	ok "$out; the relay kept the membership"
}
loss 10 30
loss 30 60

# 3. The relay unreachable for 60 s.
nsx net nft add rule inet fault through udp dport 2268 drop
nsx net nft add rule inet fault through udp sport 2268 drop
t0=$(now_ms)
until_quiet 5 >/dev/null || fail "data still arrives through the block"
while [ $(($(now_ms) - t0)) -lt 60000 ]; do
	sleep 1
done
nsx net nft flush chain inet fault through
ms=$(wait_flow h1 e0 $G 30) || fail "unreachable relay: no stream 30 s after"
bound "relay unreachable for 60 s, stream back after the path returned" \
    "$ms" 15000

# 4. NAT rebinding: a new mapping, the old one forgotten.
nsx net nft flush chain ip nat post
nsx net nft add rule ip nat post oifname n1 ip saddr 172.16.2.1 meta l4proto udp \
    snat to 172.16.1.254:30000-30999
nsx net conntrack -D -p udp -s 172.16.2.1 >/dev/null 2>&1
t0=$(now_ms)
until_quiet 3 >/dev/null || true	# the old mapping is gone
ms=$(wait_flow h1 e0 $G 30) || fail "NAT rebinding: no stream 30 s after"
bound "NAT rebinding, stream back" $(($(now_ms) - t0)) $((RELAY_QI * 1000 + 5000))

# 5. The relay killed and started again.
kill -KILL $RLY
wait_exit $RLY 5
t0=$(now_ms)
start_relay
ms=$(wait_flow h1 e0 $G 30) || fail "relay restart: no stream 30 s after"
bound "relay killed and restarted, stream back" $(($(now_ms) - t0)) 15000

# 6. The gateway killed: the relay stops at its port unreachable.
kill -KILL $GW
wait_exit $GW 5
ms=$(until_quiet 5) || fail "the relay still sends to the dead gateway"
bound "amtgwd killed, the relay stopped sending after" "$ms" 2000
t0=$(now_ms)
start_gw
ms=$(wait_flow h1 e0 $G 30) || fail "amtgwd restart: no stream"
bound "amtgwd restarted, stream back" $(($(now_ms) - t0)) 5000

# 7. igmpproxyd stopped cleanly, then killed: the group leaves the
#    tunnel; started again: it comes back.
stop_pid $PX 5 || fail "igmpproxyd did not stop"
ms=$(until_quiet 5) || fail "the group still crosses the tunnel after a clean stop"
bound "igmpproxyd stopped, the group left the tunnel after" "$ms" 2000
t0=$(now_ms)
start_px
ms=$(wait_flow h1 e0 $G 30) || fail "igmpproxyd restart: no stream"
bound "igmpproxyd restarted, stream back" $(($(now_ms) - t0)) 5000
kill -KILL $PX
wait_exit $PX 5
ms=$(until_quiet $((RELAY_QI + 10))) ||
    fail "the group still crosses the tunnel after igmpproxyd died"
bound "igmpproxyd killed, the group left the tunnel after" "$ms" \
    $((RELAY_QI * 1000 + 2000))
t0=$(now_ms)
start_px
ms=$(wait_flow h1 e0 $G 30) || fail "igmpproxyd restart: no stream"
bound "igmpproxyd restarted after a crash, stream back" \
    $(($(now_ms) - t0)) 5000
echo "PASS: $TESTNAME"
