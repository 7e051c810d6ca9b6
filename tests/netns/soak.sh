#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Soak at a site's scale: one IGMPv3 host (h1) holds 400 ASM groups and
# another (h4) 200 SSM channels through the whole chain for at least
# six query cycles of the relay (4 s here).  Every group gets traffic
# in every window from the first full one to the end, the delivered
# rate at the end is within 5% of the rate at the start, the gateway
# and the relay agree on the 600 groups, and in a capture of the
# underlay no Membership Update is fragmented.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topo.sh"
need_root
command -v tshark >/dev/null || skip "tshark missing"

RELAY_QI=4
NASM=400
NSSM=200
PPS=5			# a second, per group
WIN=2000		# ms
RUN=44000		# ms of receiving: 11 relay query cycles
topo_build
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
wait_log sasm SENDING 5 && wait_log sssm SENDING 5 || fail "sources"

bg h1 asm "$BIN/mcsoak" -i e0 -g 239.2.0.0 -n $NASM -w $WIN -t $RUN
A=$LASTPID
bg h4 ssm "$BIN/mcsoak" -i e0 -g 232.2.0.0 -n $NSSM -s $SRC -w $WIN -t $RUN
S=$LASTPID
wait_log asm "^WIN [0-9]+ [0-9]+ $NASM\$" 20 ||
    fail "ASM: not all $NASM groups flowing: $(tail -1 "$TMP/asm.log")"
wait_log ssm "^WIN [0-9]+ [0-9]+ $NSSM\$" 20 ||
    fail "SSM: not all $NSSM channels flowing: $(tail -1 "$TMP/ssm.log")"
ok "all $NASM ASM groups and $NSSM SSM channels flowing"

# Mid-run: the gateway's mirror and the relay's state hold all of them.
ctl "$TMP/amtgwd.sock" gateway
[ "$(jget 'len(d["groups"])')" = $((NASM + NSSM)) ] ||
    fail "gateway lists $(jget 'len(d["groups"])') groups"
ctl "$TMP/amtrelayd.sock" relay groups
[ "$(jget 'len(d["groups"])')" = $((NASM + NSSM)) ] ||
    fail "relay holds $(jget 'len(d["groups"])') groups"
ok "gateway and relay agree on $((NASM + NSSM)) groups"

wait_exit $A $((RUN / 1000 + 10)) || fail "mcsoak (ASM) did not end"
wait_exit $S 10 || fail "mcsoak (SSM) did not end"

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

ctl "$TMP/amtgwd.sock" gateway
[ "$(jget 'd["counters"]["groups-aged"]')" = 0 ] ||
    fail "groups aged out while the hosts held them"
q=$(jget 'd["counters"]["query-accepted"]')
[ "$q" -ge 7 ] || fail "only $q relay queries"

kill -TERM $CAP
wait_exit $CAP 5
TSHARK="tshark -d udp.port==2268,amt"
nupd=$($TSHARK -r "$TMP/updates.pcap" -Y 'amt.type == 5' 2>/dev/null |
    wc -l)
nfrag=$($TSHARK -r "$TMP/updates.pcap" \
    -Y 'ip.flags.mf == 1 || ip.frag_offset > 0' 2>/dev/null | wc -l)
maxlen=$($TSHARK -r "$TMP/updates.pcap" -Y 'amt.type == 5' -T fields \
    -e ip.len -E occurrence=f 2>/dev/null | sort -n | tail -1)
[ "$nupd" -gt 0 ] || fail "no Membership Update captured"
[ "$nfrag" -eq 0 ] || fail "$nfrag IP fragments on the underlay"
[ "${maxlen:-9999}" -le 1500 ] || fail "an Update of $maxlen bytes"
ok "$nupd Membership Updates over $q relay queries, none fragmented (largest $maxlen bytes)"
echo "PASS: $TESTNAME"
