#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Soak at a site's scale, dual-stack: one IGMPv3 host (h1) holds 400 ASM
# groups and another (h4) 200 SSM channels, and beside them h1 holds
# 200 IPv6 SSM channels (MLDv2) and h2 200 IPv6 ASM groups (MLDv1),
# through the whole chain for at least six query cycles of the relay
# (4 s here).  Every group gets traffic in every window from the first
# full one to the end, the delivered rate at the end is within 5% of
# the rate at the start, the proxy, the gateway and the relay agree on
# the 1,000 groups, nothing is aged out, and in a capture of the
# underlay no Membership Update (IGMP or MLD) is fragmented.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
need_root
command -v tshark >/dev/null || skip "tshark missing"

RELAY_QI=4
NASM=400
NSSM=200
N6SSM=200
N6ASM=200
G6SSM=ff3e::9000:0
G6ASM=ff0e::2:0
PPS=5			# a second, per group
WIN=2000		# ms
RUN=44000		# ms of receiving: 11 relay query cycles
topo_build
topo_ipv6
for h in h1 h4; do
	nsx $h sysctl -qw net.ipv4.igmp_max_memberships=1024
done

# Every Update, and any IP fragment at all, on the underlay.
nsx net tcpdump -i n2 -w "$TMP/updates.pcap" -U -s 0 \
    '(udp port 2268 and udp[8] = 5) or (ip[6:2] & 0x3fff != 0)' \
    >"$TMP/tcpdump.log" 2>&1 &
CAP=$!
PIDS="$PIDS $CAP"
wait_log tcpdump "listening on" 5 || fail "tcpdump"

start_relay
start_gw
start_px
wait_log amtgwd "tunnel to relay $RELAY established" 5 || fail "no tunnel"
bg src sasm "$BIN/mcsend" -i s0 -g 239.2.0.0 -N $NASM -r $PPS -s 200
bg src sssm "$BIN/mcsend" -i s0 -g 232.2.0.0 -N $NSSM -r $PPS -s 200
bg src s6ssm "$BIN/mcsend" -i s0 -g $G6SSM -N $N6SSM -r $PPS -s 200
bg src s6asm "$BIN/mcsend" -i s0 -g $G6ASM -N $N6ASM -r $PPS -s 200
for s in sasm sssm s6ssm s6asm; do
	wait_log $s SENDING 5 || fail "source $s"
done

bg h1 asm "$BIN/mcsoak" -i e0 -g 239.2.0.0 -n $NASM -w $WIN -t $RUN
A=$LASTPID
bg h4 ssm "$BIN/mcsoak" -i e0 -g 232.2.0.0 -n $NSSM -s $SRC -w $WIN -t $RUN
S=$LASTPID
bg h1 ssm6 "$BIN/mcsoak" -i e0 -g $G6SSM -n $N6SSM -s $S6 -w $WIN -t $RUN
S6P=$LASTPID
bg h2 asm6 "$BIN/mcsoak" -i e0 -g $G6ASM -n $N6ASM -w $WIN -t $RUN
A6P=$LASTPID
wait_log asm "^WIN [0-9]+ [0-9]+ $NASM\$" 20 ||
    fail "ASM: not all $NASM groups flowing: $(tail -1 "$TMP/asm.log")"
wait_log ssm "^WIN [0-9]+ [0-9]+ $NSSM\$" 20 ||
    fail "SSM: not all $NSSM channels flowing: $(tail -1 "$TMP/ssm.log")"
wait_log ssm6 "^WIN [0-9]+ [0-9]+ $N6SSM\$" 20 ||
    fail "IPv6 SSM: not all $N6SSM flowing: $(tail -1 "$TMP/ssm6.log")"
wait_log asm6 "^WIN [0-9]+ [0-9]+ $N6ASM\$" 20 ||
    fail "IPv6 ASM: not all $N6ASM flowing: $(tail -1 "$TMP/asm6.log")"
ok "all $NASM ASM groups and $NSSM SSM channels flowing, and $N6SSM IPv6 SSM (MLDv2) and $N6ASM IPv6 ASM (MLDv1)"

# Mid-run: the proxy's database, the gateway's mirror and the relay's
# state hold all of them, each family on its side.
N4=$((NASM + NSSM))
N6=$((N6SSM + N6ASM))
ctl "$TMP/igmpproxyd.sock" proxy groups
[ "$(jget 'len(d["database"])'):$(jget 'len(d["mld"]["database"])')" = \
    "$N4:$N6" ] || fail "proxy database: $(jget 'len(d["database"])') \
IPv4, $(jget 'len(d["mld"]["database"])') IPv6"
ctl "$TMP/amtgwd.sock" gateway
[ "$(jget 'len(d["groups"])'):$(jget 'len(d["mld"]["groups"])')" = \
    "$N4:$N6" ] || fail "gateway lists $(jget 'len(d["groups"])') \
IPv4 and $(jget 'len(d["mld"]["groups"])') IPv6 groups"
ctl "$TMP/amtrelayd.sock" relay groups
n6=$(jget 'len([g for g in d["groups"] if ":" in g["group"]])')
[ "$(jget 'len(d["groups"])'):$n6" = "$((N4 + N6)):$N6" ] ||
    fail "relay holds $(jget 'len(d["groups"])') groups, $n6 IPv6"
ok "proxy, gateway and relay agree on $N4 IPv4 and $N6 IPv6 groups"

for p in $A $S $S6P $A6P; do
	wait_exit $p $((RUN / 1000 + 10)) || fail "mcsoak $p did not end"
done

# From the first window with every group to the end: every group in
# every window, and the rate over the last eight windows within 5% of the
# rate over the first eight (16 s spans: the source sends each group
# a datagram per tick, so a tick on either side of a window's edge is
# 10% of one window but 1.25% of eight).
check() {	# LOG GROUPS NAME
	awk -v n="$2" -v name="$3" -v qi=$((RELAY_QI * 1000)) -v span=8 '
	$1 == "WIN" && !started && $4 == n { started = 1; t0 = $2 }
	$1 == "WIN" && started {
		if ($4 != n) { printf "%s: %d of %d groups at %d ms\n",
		    name, $4, n, $2; bad = 1 }
		c[wins++] = $3; t1 = $2
	}
	END {
		if (!started) { print name ": never all groups"; exit 1 }
		if (wins < 2 * span) { print name ": too few windows"; exit 1 }
		for (i = 0; i < span; i++) {
			first += c[i]; last += c[wins - 1 - i]
		}
		d = (last - first) / first * 100
		printf "%s: all %d groups in each of %d windows over %.0f s " \
		    "(%.1f query cycles); %d datagrams in the first 16 s, " \
		    "%d in the last (%+.1f%%)\n", name, n, wins, (t1 - t0) / 1000,
		    (t1 - t0) / qi, first, last, d
		if ((t1 - t0) < 6 * qi) { print name ": shorter than six " \
		    "query cycles"; exit 1 }
		if (bad || d > 5 || d < -5) exit 1
	}' "$TMP/$1.log"
}
out=$(check asm $NASM ASM) || fail "$out"
ok "$out"
out=$(check ssm $NSSM SSM) || fail "$out"
ok "$out"
out=$(check ssm6 $N6SSM "IPv6 SSM") || fail "$out"
ok "$out"
out=$(check asm6 $N6ASM "IPv6 ASM") || fail "$out"
ok "$out"

ctl "$TMP/amtgwd.sock" gateway
[ "$(jget 'd["counters"]["groups-aged"]'):$(jget \
    'd["counters"]["mld-groups-aged"]')" = 0:0 ] ||
    fail "groups aged out while the hosts held them"
q=$(jget 'd["counters"]["query-accepted"]')
q6=$(jget 'd["counters"]["mld-query-received"]')
[ "$q" -ge 7 ] && [ "$q6" -ge 7 ] ||
    fail "only $q relay queries, $q6 MLD queries"

kill -TERM $CAP
wait_exit $CAP 5
TSHARK="tshark -d udp.port==2268,amt"
nupd=$($TSHARK -r "$TMP/updates.pcap" -Y 'amt.type == 5' 2>/dev/null |
    wc -l)
nfrag=$($TSHARK -r "$TMP/updates.pcap" \
    -Y 'ip.flags.mf == 1 || ip.frag_offset > 0' 2>/dev/null | wc -l)
nupd6=$($TSHARK -r "$TMP/updates.pcap" \
    -Y 'amt.type == 5 && icmpv6.type == 143' 2>/dev/null | wc -l)
maxlen=$($TSHARK -r "$TMP/updates.pcap" -Y 'amt.type == 5' -T fields \
    -e ip.len -E occurrence=f 2>/dev/null | sort -n | tail -1)
[ "$nupd" -gt 0 ] || fail "no Membership Update captured"
[ "$nupd6" -gt 0 ] || fail "no MLDv2 Report in a Membership Update"
[ "$nfrag" -eq 0 ] || fail "$nfrag IP fragments on the underlay"
[ "${maxlen:-9999}" -le 1500 ] || fail "an Update of $maxlen bytes"
ok "$nupd Membership Updates ($nupd6 with MLDv2 Reports) over $q IGMP and $q6 MLD relay queries, none fragmented (largest $maxlen bytes)"
echo "PASS: $TESTNAME"
