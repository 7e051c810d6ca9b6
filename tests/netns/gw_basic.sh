#!/bin/sh
# SPDX-License-Identifier: ISC
#
# amtgwd against the scripted relay, with the real kernel as the host:
# discovery, Request/Query, a receiver joined on amt0 gets the data
# (zero inner UDP checksums, as the open relay sends them), its leave
# becomes an Update, relay silence leads back to discovery, and a
# Teardown goes out at shutdown, after which amt0 is gone.

. "$(dirname "$0")/lib.sh"
need_root

ns_add r
ns_add g
link r r0 10.0.0.1/24 g g0 10.0.0.2/24
ip -n "$(nsname r)" addr add 10.0.0.254/24 dev r0

cat >"$TMP/amtgwd.conf" <<EOC
# discovery to the test relay's anycast address, short timers
discovery 10.0.0.254
driad off
discovery-timeout 0.1
request-timeout 0.1
request-retries 2
retransmit-max 0.4
teardown-interval 0.05
user nobody
pidfile $TMP/amtgwd.pid
control-socket $TMP/amtgwd.sock
EOC

bg r relay "$BIN/fakerelay" -a 10.0.0.1 -D 10.0.0.254 -g -q 1 -R 200
RELAY=$LASTPID
wait_log relay READY 5 || fail "relay did not start"

bg g amtgwd "$BIN/amtgwd" -d -v -f "$TMP/amtgwd.conf"
GW=$LASTPID
wait_log amtgwd "tunnel to relay 10.0.0.1 established" 5 ||
    fail "no tunnel"
ok "discovery, advertisement, request, query"
grep -q "DISCOVERY from 10.0.0.2" "$TMP/relay.log" || fail "no discovery"
nsx g ip link show amt0 | grep -q "UP" || fail "amt0 not up"
[ "$(nsx g cat /proc/sys/net/ipv4/conf/amt0/rp_filter)" = 0 ] ||
    fail "rp_filter on amt0"
[ -s "$TMP/amtgwd.pid" ] || fail "no pidfile"
grep -q "dropped privileges to user nobody" "$TMP/amtgwd.log" ||
    fail "no privilege drop"
ok "amt0 up, rp_filter 0, pidfile, privileges dropped"

# A host application joins (S,G) on amt0: the kernel's report goes out
# of amt0, amtgwd sends it as an Update, the relay streams.
nsx g "$BIN/mcrecv" -i amt0 -g 232.1.1.1 -s 10.99.0.1 -n 50 -t 5000 \
    >"$TMP/recv.log" 2>&1 || fail "receiver got no data"
wait_log relay "UPDATE from 10.0.0.2:[0-9]+ nonce=[0-9a-f]+ mac=ok" 1 ||
    fail "no valid Update"
grep -q "RECORD type=5 group=232.1.1.1 nsrcs=1" "$TMP/relay.log" ||
    fail "no ALLOW record for 232.1.1.1"
ok "join -> Update -> $(awk '/FIRST/ {print $2}' "$TMP/recv.log") us to first packet"

# The receiver has exited: the kernel leaves, amtgwd forwards it.
wait_log relay "LEAVE 232.1.1.1" 5 || fail "leave not forwarded"
ok "leave -> Update"

# Refresh cycles keep going with new nonces (QQIC 1 s).
n1=$(count_log relay "^REQUEST")
wait_log relay "^REQUEST.*" 1
deadline=$(($(now_ms) + 4000))
while [ "$(count_log relay '^REQUEST')" -lt $((n1 + 2)) ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "no periodic requests"
	sleep 0.05
done
nonces=$(grep '^REQUEST' "$TMP/relay.log" | awk '{print $4}' | sort -u | wc -l)
[ "$nonces" -ge 3 ] || fail "request nonces not fresh per cycle"
ok "periodic Requests, $nonces distinct nonces"

# Relay silence: retries, then discovery again; back when it answers.
kill -USR1 $RELAY
wait_log amtgwd "tunnel down: relay 10.0.0.1: no Membership Query" 10 ||
    fail "no request give-up"
wait_log amtgwd "requesting -> discovering" 2 || fail "no rediscovery"
ok "relay silence -> discovery"
kill -USR1 $RELAY
n=$(count_log amtgwd "-> established")
deadline=$(($(now_ms) + 5000))
while [ "$(count_log amtgwd '-> established')" -le "$n" ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "did not come back"
	sleep 0.02
done
ok "relay answers again -> established"

# Join again, then shut down: Teardown (the relay sets G), amt0 gone.
bg g recv2 "$BIN/mcrecv" -i amt0 -g 232.1.1.2 -n 0 -t 10000
RECV2=$LASTPID
wait_log relay "JOIN 232.1.1.2" 5 || fail "second join"
wait_log recv2 FIRST 5 || fail "second receiver got nothing"
dump_state $GW amtgwd || fail "no SIGUSR1 dump"
grep -q "^amtgwd: state established$" "$TMP/amtgwd.log" || fail "dump state"
grep -q "^amtgwd:   - group 232.1.1.2$" "$TMP/amtgwd.log" || fail "dump groups"
ok "SIGUSR1 dump"
ctl "$TMP/amtgwd.sock" gateway
[ "$(jget 'd["state"]')" = established ] || fail "amtctl state"
[ "$(jget 'd["relay"]')" = 10.0.0.1 ] || fail "amtctl relay"
[ "$(jget 'd["relay-from"]')" = discovery ] || fail "amtctl relay-from"
[ "$(jget 'd["last-query"]["qqic"]')" = 1 ] || fail "amtctl qqic"
[ "$(jget 'd["last-query"]["g-flag"]')" = True ] || fail "amtctl G"
[ "$(jget 'd["last-query"]["gateway-address"]')" = 10.0.0.2 ] ||
    fail "amtctl gateway address"
[ "$(jget '[g["group"] for g in d["groups"]]')" = "['232.1.1.2']" ] ||
    fail "amtctl groups"
[ "$(jget 'd["counters"]["data-packets"]')" -gt 0 ] || fail "data counter"
[ "$(jget 'd["query-interval-ms"]')" = 1000 ] || fail "amtctl interval"
"$BIN/amtctl" -s "$TMP/amtgwd.sock" gateway >"$TMP/ctl.txt" ||
    fail "amtctl text"
grep -q "^state established$" "$TMP/ctl.txt" || fail "amtctl text state"
grep -q "^  - group 232.1.1.2$" "$TMP/ctl.txt" || fail "amtctl text group"
grep -q "^  data-packets [1-9]" "$TMP/ctl.txt" || fail "amtctl text counter"
ok "amtctl gateway (text and JSON) agrees with the state"
stop_pid $GW 5 || fail "amtgwd did not exit on SIGTERM"
wait_log relay "TEARDOWN from 10.0.0.2" 2 || fail "no Teardown"
[ "$(count_log relay TEARDOWN)" -eq 2 ] || fail "Teardown not sent QRV (2) times"
nsx g ip link show amt0 >/dev/null 2>&1 && fail "amt0 still there"
[ -e "$TMP/amtgwd.pid" ] && fail "pidfile left behind"
[ -e "$TMP/amtgwd.sock" ] && fail "control socket left behind"
ok "SIGTERM -> Teardown x2, amt0 removed, pidfile and socket removed"
stop_pid $RECV2
echo "PASS: $TESTNAME"
