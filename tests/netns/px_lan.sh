#!/bin/sh
# SPDX-License-Identifier: ISC
#
# igmpproxyd with real Linux hosts on two downstream LANs and a fake
# gateway holding the upstream TUN (it injects data for what the
# proxy's upstream reports ask for, plus a source nobody asked for):
#  - a v3 host's (S,G) join; the unwanted source reaches nobody;
#  - a v2 host and a v1 host on ASM groups; a v2 join in the SSM range
#    is ignored;
#  - an EXCLUDE source filter;
#  - two hosts on one LAN: one leaves, the other keeps receiving; the
#    last leave stops the traffic within the last member query time;
#  - a querier with a lower address takes the LAN over, forwarding
#    stops there (RFC 4605 3), and follows forward-when-not-querier;
#  - the upstream TUN deleted and created again: reports again, data
#    flows again;
#  - SIGHUP removing a LAN leaves the other's flow alone; SIGTERM
#    leaves no VIF and no forwarding entry behind.

. "$(dirname "$0")/lib.sh"
need_root

ns_add gw
ns_add h1
ns_add sw
ns_add h2
ns_add h3
ns_add h4
ns_add q
link gw d1 10.1.0.1/24 h1 e0 10.1.0.11/24
nsx sw ip link add br0 type bridge mcast_snooping 0
nsx sw ip link set br0 up
link gw d2 10.2.0.5/24 sw p0 -
for h in h2 h3 h4 q; do
	case $h in
	h2) a=10.2.0.12 ;; h3) a=10.2.0.13 ;; h4) a=10.2.0.14 ;; q) a=10.2.0.2 ;;
	esac
	link "$h" e0 "$a/24" sw "p$h" -
	nsx sw ip link set "p$h" master br0
done
nsx sw ip link set p0 master br0
nsx h2 sysctl -qw net.ipv4.conf.e0.force_igmp_version=2
nsx h4 sysctl -qw net.ipv4.conf.e0.force_igmp_version=1

conf() {
	cat >"$TMP/px.conf" <<EOC
upstream amt0
$1
query-interval 2
query-response-interval 0.5
startup-query-interval 0.5
last-member-query-interval 0.2
unsolicited-report-interval 0.2
user nobody
pidfile $TMP/px.pid
control-socket $TMP/px.sock
${2:-}
EOC
}
conf "downstream d1
downstream d2"

S=10.99.0.1
X=10.99.0.66
bg gw fakegw "$BIN/fakegw" -R 100 -S $S,$X -X $X
FG=$LASTPID
wait_log fakegw READY 5 || fail "fakegw"
bg gw px "$BIN/igmpproxyd" -d -v -f "$TMP/px.conf"
PX=$LASTPID
wait_log px "d2: querier now" 5 || fail "proxy not querier on d2"
wait_log px "d1: querier now" 5 || fail "proxy not querier on d1"

count() {	# NS GROUP SOURCE MS [DELAY-MS]
	nsx "$1" "$BIN/pktcount" -i e0 -g "$2" -s "$3" -t "$4" -d "${5:-0}"
}

# 1. A v3 host joins (S,G): S reaches it, X does not, nor other LANs.
bg h1 r1 "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $S -n 0 -t 60000
R1=$LASTPID
wait_log r1 FIRST 5 || fail "v3 (S,G) join: nothing received"
wait_log fakegw "RECORD type=5 group=232.1.1.1 nsrcs=1 $S" 1 ||
    fail "upstream ALLOW(S) missing"
[ "$(count h1 232.1.1.1 $S 500)" -gt 20 ] || fail "S not forwarded to LAN1"
[ "$(count h1 232.1.1.1 $X 500)" -eq 0 ] || fail "unwanted source forwarded"
[ "$(count h3 232.1.1.1 $S 300)" -eq 0 ] || fail "(S,G) leaked to LAN2"
ok "v3 (S,G) join: S forwarded to LAN1 only, X nowhere"

# 2. A v2 host and a v1 host, ASM groups; v2 in the SSM range ignored.
bg h2 r2 "$BIN/mcrecv" -i e0 -g 239.2.2.2 -n 0 -t 60000
R2=$LASTPID
bg h4 r4 "$BIN/mcrecv" -i e0 -g 239.4.4.4 -n 0 -t 60000
R4=$LASTPID
wait_log r2 FIRST 5 || fail "v2 host got nothing"
wait_log r4 FIRST 5 || fail "v1 host got nothing"
bg h2 r2s "$BIN/mcrecv" -i e0 -g 232.9.9.9 -n 0 -t 60000
R2S=$LASTPID
[ "$(count h1 239.2.2.2 $S 300)" -eq 0 ] || fail "239.2.2.2 leaked to LAN1"
grep -q "group=232.9.9.9" "$TMP/fakegw.log" && fail "v2 SSM join proxied"
ctl "$TMP/px.sock" proxy groups
grp() {		# INTERFACE GROUP FIELD
	jget "[g[\"$3\"] for i in d[\"interfaces\"] if i[\"name\"] == \"$1\" for g in i[\"groups\"] if g[\"group\"] == \"$2\"]"
}
[ "$(grp d2 239.4.4.4 compat)" = "[1]" ] || fail "v1 compatibility mode"
[ "$(grp d2 239.2.2.2 compat)" = "[2]" ] || fail "v2 compatibility mode"
[ "$(grp d2 239.2.2.2 mode)" = "['exclude']" ] || fail "v2 join mode"
[ "$(grp d2 232.9.9.9 mode)" = "[]" ] || fail "v2 SSM join kept"
[ "$(grp d1 232.1.1.1 mode)" = "['include']" ] || fail "v3 (S,G) mode"
[ "$(jget 'sorted((f["source"], f["oif-vifs"]) for f in d["forwarding"] if f["group"] == "232.1.1.1")')" = "[('10.99.0.1', [1]), ('10.99.0.66', [])]" ] ||
    fail "forwarding entries of 232.1.1.1: $(jget 'd["forwarding"]')"
[ "$(jget '[r["mode"] for r in d["database"] if r["group"] == "239.4.4.4"]')" = "['exclude']" ] ||
    fail "database"
ctl "$TMP/px.sock" proxy interfaces
[ "$(jget '[(i["name"], i["querier"], i["igmp-version"]) for i in d["downstream"]]')" = "[('d1', True, 3), ('d2', True, 3)]" ] ||
    fail "interfaces"
[ "$(jget 'd["upstream"]["up"]')" = True ] || fail "upstream"
ok "v2 and v1 hosts receive ASM groups (compat v2/v1); v2 SSM join ignored; amtctl proxy agrees"

# 3. EXCLUDE filter: h3 wants 239.3.3.3 from everyone but X.
bg h3 r3 "$BIN/mcrecv" -i e0 -g 239.3.3.3 -x $X -n 0 -t 60000
R3=$LASTPID
wait_log r3 FIRST 5 || fail "exclude join: nothing received"
wait_log fakegw "RECORD type=4 group=239.3.3.3 nsrcs=1 $X" 2 ||
    fail "upstream TO_EX({X}) missing"
[ "$(count h3 239.3.3.3 $S 500)" -gt 20 ] || fail "S not forwarded"
[ "$(count h3 239.3.3.3 $X 500)" -eq 0 ] || fail "excluded source forwarded"
ok "EXCLUDE({X}): S forwarded, X not, TO_EX({X}) upstream"

# 4. Two hosts on LAN2 for one group; one leaves, the other keeps it.
bg h2 a2 "$BIN/mcrecv" -i e0 -g 239.5.5.5 -n 0 -t 60000
A2=$LASTPID
bg h3 a3 "$BIN/mcrecv" -i e0 -g 239.5.5.5 -n 0 -t 60000
A3=$LASTPID
wait_log a2 FIRST 5 || fail "239.5.5.5 h2"
wait_log a3 FIRST 5 || fail "239.5.5.5 h3"
stop_pid $A3
# Counted from after the last member query time (0.4 s) on.
[ "$(count h2 239.5.5.5 $S 500 800)" -gt 20 ] ||
    fail "the other host lost the group after one leave"
ok "one of two hosts leaves: the other keeps receiving"
t0=$(now_ms)
stop_pid $A2
# Forwarding must stop within LMQT (2 x 0.2 s) plus a little.
deadline=$((t0 + 3000))
while [ "$(count h2 239.5.5.5 $S 100)" -gt 0 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "last leave did not stop the traffic"
done
ok "last leave: traffic stopped $(($(now_ms) - t0)) ms after the leave (LMQT 400 ms, v2 host)"
wait_log fakegw "LEAVE 239.5.5.5" 2 || fail "upstream leave missing"

# 5. A querier with a lower address (10.2.0.2) takes LAN2 over.
bg h3 r6 "$BIN/mcrecv" -i e0 -g 239.6.6.6 -n 0 -t 60000
R6=$LASTPID
wait_log r6 FIRST 5 || fail "239.6.6.6"
bg q rival "$BIN/igmpq" -i e0 -s 10.2.0.2 -t 1000 -v 3
RIVAL=$LASTPID
wait_log px "d2: 10.2.0.2 is the querier now" 3 || fail "election not lost"
sleep_until_quiet=$(($(now_ms) + 2000))
while [ "$(count h3 239.6.6.6 $S 200)" -gt 0 ]; do
	[ "$(now_ms)" -ge $sleep_until_quiet ] && fail "still forwarding as non-querier"
done
[ "$(count h1 232.1.1.1 $S 300)" -gt 10 ] || fail "LAN1 disturbed"
ok "lower-address querier on LAN2: forwarding there stops (LAN1 unaffected)"
conf "downstream d1
downstream d2" "forward-when-not-querier on"
kill -HUP $PX
wait_log px "reloading" 2 || fail "no reload"
deadline=$(($(now_ms) + 3000))
while [ "$(count h3 239.6.6.6 $S 200)" -eq 0 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "forward-when-not-querier ignored"
done
ok "forward-when-not-querier on: forwarding as non-querier"
stop_pid $RIVAL
conf "downstream d1
downstream d2"
kill -HUP $PX
wait_log px "d2: querier now \(10.2.0.5\)" 8 || fail "querier not regained"
ok "the other querier went quiet: querier again"

# 6. The upstream TUN goes and comes back with a new ifindex.
kill -USR2 $FG
wait_log fakegw "TUN reopened" 3 || fail "fakegw restart"
wait_log px "amt0: upstream up" 3 || fail "proxy did not see the new TUN"
n=$(count_log r1 "")
deadline=$(($(now_ms) + 3000))
until awk '/TUN reopened/ {f=1} f && /RECORD type=5 group=232.1.1.1/ {ok=1} END {exit !ok}' "$TMP/fakegw.log"; do
	[ "$(now_ms)" -ge $deadline ] && fail "not re-reported after the TUN came back"
	sleep 0.02
done
[ "$(count h1 232.1.1.1 $S 500)" -gt 20 ] || fail "data did not resume"
ok "upstream TUN recreated: VIF re-added, membership re-reported, data flows"

# 7. SIGHUP without LAN2: LAN1 keeps flowing throughout.
conf "downstream d1"
kill -HUP $PX
wait_log px "d2: downstream removed from the configuration" 3 ||
    fail "LAN2 not removed"
[ "$(count h1 232.1.1.1 $S 500)" -gt 20 ] || fail "LAN1 flow disturbed by reload"
[ "$(count h3 239.3.3.3 $S 300)" -eq 0 ] || fail "removed LAN still fed"
ok "SIGHUP: LAN2 removed, LAN1 flow undisturbed"

# 8. SIGTERM: no VIF and no forwarding entry left.
stop_pid $PX 5 || fail "igmpproxyd did not exit"
[ "$(nsx gw awk 'NR>1' /proc/net/ip_mr_vif | wc -l)" -eq 0 ] || fail "VIFs left"
[ "$(nsx gw awk 'NR>1' /proc/net/ip_mr_cache | wc -l)" -eq 0 ] || fail "MFC left"
[ -e "$TMP/px.pid" ] && fail "pidfile left"
[ -e "$TMP/px.sock" ] && fail "control socket left"
ok "SIGTERM: VIFs and forwarding entries flushed"
for p in $R1 $R2 $R2S $R3 $R4 $R6; do stop_pid "$p"; done
echo "PASS: $TESTNAME"
