#!/bin/sh
# SPDX-License-Identifier: ISC
#
# DRIAD (RFC 8777) with a real authoritative server (BIND, which serves
# AMTRELAY records from a zone file).  Sources S1 and S2 publish their
# relays under their reverse names: S1 relay A by address (precedence
# 10) and relay C (precedence 20); S2 relay B by name, discovery first
# (D=0).  S3 has no records and goes to the configured relay D.  The
# IPv6 source S6 publishes relay C under its ip6.arpa name.  A host
# joins a channel from each (IGMPv3, MLDv2 for S6): four streams
# through four tunnels, S6's over relay C's own IPv6 cycle.
# Relay A dies: S1's channel moves to C within a bound (the relay's
# query interval, then 3 Requests at most 0.3 s apart, then the new
# tunnel: 6 s).  named stops: the tunnels keep working past the TTL,
# a new source's lookup fails and is retried with back-off, nothing
# crashes.  Relay C turns MLD off: the IPv6 source moves to the default
# relay, C keeps the IPv4 one.  Last, with a trust anchor the unsigned
# zone does not validate: its records are not used.
#
# The topology is tests/netns/dtopo.sh.

. "$(dirname "$0")/lib.sh"
need_root
command -v named >/dev/null || skip "named (bind9) is not installed"

. "$(dirname "$0")/dtopo.sh"
dtopo_build
RA=$(cat "$TMP/rA.pid")

cat >"$TMP/amtgwd.conf" <<EOC
relay relay-d.amt.example
driad on
request-timeout 0.3
request-retries 2
retransmit-max 1
discovery-timeout 0.3
teardown-interval 0.1
tunnel-hold 3
user nobody
pidfile $TMP/amtgwd.pid
control-socket $TMP/amtgwd.sock
EOC
cat >"$TMP/igmpproxyd.conf" <<EOC
upstream amt0
downstream d1
query-interval 3
query-response-interval 0.5
startup-query-interval 0.3
last-member-query-interval 0.2
unsolicited-report-interval 0.2
user nobody
pidfile $TMP/igmpproxyd.pid
control-socket $TMP/igmpproxyd.sock
EOC
bg site amtgwd "$BIN/amtgwd" -d -v -f "$TMP/amtgwd.conf"
GW=$LASTPID
wait_log amtgwd "DRIAD on" 5 || fail "amtgwd did not start"
wait_log amtgwd "relay relay-d.amt.example is 172.16.4.1" 5 ||
    fail "the configured relay's name was not resolved"
bg site igmpproxyd "$BIN/igmpproxyd" -d -f "$TMP/igmpproxyd.conf"
wait_log igmpproxyd "started" 5 || fail "igmpproxyd did not start"

bg srcA sourceA "$BIN/mcsend" -i s0 -g 232.1.1.1 -r 100 -s 500
bg srcB sourceB "$BIN/mcsend" -i s0 -g 232.1.1.2 -r 100 -s 500
bg srcC sourceC "$BIN/mcsend" -i s0 -g 232.1.1.3 -r 100 -s 500
bg srcA source6 "$BIN/mcsend" -i s0 -g ff3e::8000:5 -r 100 -s 500
for s in A B C 6; do
	wait_log source$s SENDING 5 || fail "source $s"
done

# flowing GROUP SECONDS: until the host sees the group; prints ms.
flowing() {
	t0=$(now_ms)
	while [ "$(nsx h1 "$BIN/pktcount" -i e0 -g "$1" -t 100)" -eq 0 ]; do
		[ "$(now_ms)" -ge $((t0 + $2 * 1000)) ] && return 1
	done
	echo $(($(now_ms) - t0))
}

bg h1 recv1 "$BIN/mcrecv" -i e0 -g 232.1.1.1 -s $S1 -n 0 -t 120000
bg h1 recv2 "$BIN/mcrecv" -i e0 -g 232.1.1.2 -s $S2 -n 0 -t 120000
bg h1 recv3 "$BIN/mcrecv" -i e0 -g 232.1.1.3 -s $S3 -n 0 -t 120000
bg h1 recv6 "$BIN/mcrecv" -i e0 -g ff3e::8000:5 -s $S6 -n 0 -t 120000
t1=$(flowing 232.1.1.1 10) || fail "no stream from S1"
t2=$(flowing 232.1.1.2 10) || fail "no stream from S2"
t3=$(flowing 232.1.1.3 10) || fail "no stream from S3"
t6=$(flowing ff3e::8000:5 10) || fail "no stream from S6"

# source_field SOURCE KEY: from amtctl's last answer.
sf() {
	jget "[s.get('$2', '') for s in d['sources'] if s['source'] == '$1'][0]"
}
ctl "$TMP/amtgwd.sock" gateway
[ "$(sf $S1 relay)" = 172.16.1.1 ] || fail "S1 not on relay A: $(sf $S1 relay)"
[ "$(sf $S2 relay)" = 172.16.2.1 ] || fail "S2 not on relay B: $(sf $S2 relay)"
[ "$(sf $S3 state)" = default ] || fail "S3 is $(sf $S3 state)"
[ "$(sf $S6 relay)" = 172.16.3.1 ] || fail "S6 not on relay C: $(sf $S6 relay)"
[ "$(jget 'len(d["tunnels"])')" = 4 ] ||
    fail "$(jget 'len(d["tunnels"])') tunnels, not 4"
[ "$(jget '[t["mld"]["state"] for t in d["tunnels"] if t["relay"] == "172.16.3.1"][0]')" = established ] ||
    fail "relay C's tunnel has no IPv6 cycle"
[ "$(jget '[t["mld"]["groups"] for t in d["tunnels"] if t["relay"] == "172.16.4.1"][0]')" = "[]" ] ||
    fail "the default tunnel holds the IPv6 channel"
[ "$(jget '[t["relay"] for t in d["tunnels"] if t["found-by"] == "driad" and " 3 relay-b.amt.example. (172.16.2.1)" in t["record"]][0]')" = 172.16.2.2 ] ||
    fail "relay B not found through discovery"
[ "$(jget '[t["sources"] for t in d["tunnels"] if t["relay"] == "172.16.4.1"][0]')" = "[]" ] ||
    fail "the default tunnel names DRIAD sources"
ctl "$TMP/rA.sock" relay groups
jget '[g["group"] for g in d["groups"]]' | grep -q "232.1.1.1" ||
    fail "relay A does not hold S1's group"
jget '[g["group"] for g in d["groups"]]' | grep -q "232.1.1.[23]" &&
    fail "relay A holds another source's group"
ctl "$TMP/rC.sock" relay groups
[ "$(jget '[g["group"] for g in d["groups"]]')" = "['ff3e::8000:5']" ] ||
    fail "relay C holds $(jget '[g["group"] for g in d["groups"]]')"
ctl "$TMP/rD.sock" relay groups
jget '[g["group"] for g in d["groups"]]' | grep -q ff3e && fail "relay D holds the IPv6 channel"
ok "the configured relay by name; 4 channels, 4 tunnels: S1 by address ($t1 ms), S2 by name after discovery ($t2 ms), S3 without records by the configured relay ($t3 ms), IPv6 S6 by its ip6.arpa record through relay C's IPv6 cycle ($t6 ms)"

# The TTL (5 s) runs out: the records are looked up again.
ctl "$TMP/amtgwd.sock" gateway
l0=$(jget 'd["counters"]["driad-lookups"]')
deadline=$(($(now_ms) + 8000))
while :; do
	ctl "$TMP/amtgwd.sock" gateway
	[ "$(jget 'd["counters"]["driad-lookups"]')" -gt "$l0" ] && break
	[ "$(now_ms)" -ge $deadline ] && fail "no lookup again after the TTL"
	sleep 0.2
done
ok "records looked up again when their TTL ran out"

# Relay A dies: S1 moves to relay C (precedence 20).
t0=$(now_ms)
kill -KILL "$RA"
wait "$RA" 2>/dev/null
wait_log amtgwd "its sources move to their next relay" 8 ||
    fail "relay A's silence not noticed"
ms=$(flowing 232.1.1.1 8) || fail "S1 did not come back through relay C"
back=$(($(now_ms) - t0))
[ $back -le 6000 ] || fail "S1 back after $back ms (bound 6000)"
ctl "$TMP/amtgwd.sock" gateway
[ "$(sf $S1 relay)" = 172.16.3.1 ] || fail "S1 on $(sf $S1 relay), not C"
[ "$(nsx h1 "$BIN/pktcount" -i e0 -g 232.1.1.2 -t 500)" -gt 0 ] ||
    fail "S2 suffered from relay A's death"
ok "relay A killed: S1 back through relay C (precedence 20) after $back ms (bound 6000 ms); S2 unaffected"

# named stops: the tunnels keep working past the TTL; a new source's
# lookup fails, is retried with back-off, and it uses the default relay.
kill -TERM "$NAMED"
wait_exit "$NAMED" 10 || fail "named does not stop"
bg h1 recv4 "$BIN/mcrecv" -i e0 -g 232.1.1.4 -s 10.10.0.5 -n 0 -t 120000
deadline=$(($(now_ms) + 15000))
while :; do
	ctl "$TMP/amtgwd.sock" gateway
	[ "$(jget "len([s for s in d['sources'] if s['source'] == '10.10.0.5' and s['state'] == 'default'])")" = 1 ] &&
	    [ "$(jget 'd["counters"]["driad-lookup-failed"]')" -ge 2 ] && break
	[ "$(now_ms)" -ge $deadline ] &&
	    fail "a lookup without a server: $(jget "d['sources']")"
	sleep 0.3
done
r1=$(sf 10.10.0.5 retry-in-ms)
"$BIN/amtctl" doctor -g "$TMP/amtgwd.sock" -p "$TMP/igmpproxyd.sock" -t 1 \
    >"$TMP/doctor.txt" 2>&1
grep -q "DRIAD: " "$TMP/doctor.txt" || fail "doctor: $(cat "$TMP/doctor.txt")"

[ -n "$r1" ] || fail "no retry pending for the new source"
sleep 6		# past the TTL of every answer
for g in 232.1.1.1 232.1.1.2 232.1.1.3 ff3e::8000:5; do
	[ "$(nsx h1 "$BIN/pktcount" -i e0 -g $g -t 500)" -gt 0 ] ||
	    fail "$g stopped while DNS is down"
done
ctl "$TMP/amtgwd.sock" gateway
f=$(jget 'd["counters"]["driad-lookup-failed"]')
kill -0 "$GW" || fail "amtgwd died"
ok "DNS down: 4 streams keep flowing past the TTL; $f failed lookups, retried with back-off (next in ${r1} ms), the new source on the default relay"

# Relay C turns MLD off: S6 (whose only record names C) moves to the
# default relay D; S1 stays on C.
echo "mld off" >>"$TMP/rC.conf"
kill -HUP "$(cat "$TMP/rC.pid")"
t0=$(now_ms)
wait_log amtgwd "relay 172.16.3.1 does not answer Requests for IPv6.*its IPv6 sources move" 15 ||
    fail "relay C's silence to IPv6 Requests not noticed"
ms=$(flowing ff3e::8000:5 10) || fail "S6 did not come back through relay D"
back=$(($(now_ms) - t0))
ctl "$TMP/amtgwd.sock" gateway
[ "$(sf $S6 state)" = default ] || fail "S6 is $(sf $S6 state)"
[ "$(sf $S1 relay)" = 172.16.3.1 ] || fail "S1 left relay C: $(sf $S1 relay)"
ctl "$TMP/rD.sock" relay groups
jget '[g["group"] for g in d["groups"]]' | grep -q "ff3e::8000:5" ||
    fail "relay D does not hold S6's channel"
ok "relay C with mld off: S6 moved to the default relay D after $back ms (its IPv4 sources stay on C)"

# Shutdown: every tunnel torn down.
stop_pid "$GW" 10 || fail "amtgwd does not stop"
grep -q "exiting" "$TMP/amtgwd.log" || fail "amtgwd did not exit cleanly"
ok "SIGTERM: every tunnel left"

# DNSSEC: with the root's trust anchor, this unsigned zone does not
# validate; its records are not used and S1 takes the default relay
# (given by address here: its name would not validate either).
bg dns named2 named -g -c "$TMP/named/named.conf"
NAMED=$LASTPID
wait_log named2 "all zones loaded" 10 || fail "named did not start again"
echo ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D" \
    >"$TMP/root.key"
sed -i "s/^relay .*/relay 172.16.4.1/" "$TMP/amtgwd.conf"
echo "dnssec-trust-anchor $TMP/root.key" >>"$TMP/amtgwd.conf"
bg site amtgwd2 "$BIN/amtgwd" -d -v -f "$TMP/amtgwd.conf"
GW=$LASTPID
deadline=$(($(now_ms) + 20000))
while :; do
	if "$BIN/amtctl" -j -s "$TMP/amtgwd.sock" gateway >"$TMP/ctl.json" \
	    2>/dev/null && [ "$(jget "len([s for s in d['sources'] if s['source'] == '$S1' and s['state'] == 'default'])")" = 1 ] &&
	    [ "$(jget 'd["counters"]["driad-dnssec-bogus"] + d["counters"]["driad-lookup-failed"]')" -ge 1 ]; then
		break
	fi
	[ "$(now_ms)" -ge $deadline ] && fail "DNSSEC: $(cat "$TMP/ctl.json")"
	sleep 0.2
done
b=$(jget 'd["counters"]["driad-dnssec-bogus"]')
"$BIN/amtctl" doctor -g "$TMP/amtgwd.sock" -p "$TMP/igmpproxyd.sock" -t 1 \
    >"$TMP/doctor.txt" 2>&1 && fail "doctor found no problem"
grep -q "DRIAD: every answer failed DNSSEC validation" "$TMP/doctor.txt" ||
    fail "doctor: $(cat "$TMP/doctor.txt")"
grep -q "fix: check the dnssec-trust-anchor file" "$TMP/doctor.txt" ||
    fail "doctor names no fix: $(cat "$TMP/doctor.txt")"
[ "$b" -ge 1 ] || fail "validation failures not counted as bogus"
flowing 232.1.1.1 10 >/dev/null || fail "S1 not through the default relay"
ok "dnssec-trust-anchor: the unsigned answers fail validation ($b bogus), not used; S1 through the default relay; the doctor names it"
stop_pid "$GW" 10 || fail "amtgwd does not stop"
echo "PASS: $TESTNAME"
