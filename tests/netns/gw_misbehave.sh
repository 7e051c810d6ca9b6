#!/bin/sh
# SPDX-License-Identifier: ISC
#
# amtgwd against relays that misbehave on purpose, and against one that
# behaves like the open relay most people run (no G, no L, zero inner
# checksums): wrong nonces, malformed messages, junk after the query,
# spoiled MLDv2 queries, the L flag, a gateway address that changes
# (NAT), a fixed relay with the leave-all Update at shutdown, SIGHUP to
# another relay, and configuration errors.

. "$(dirname "$0")/lib.sh"
need_root
command -v tshark >/dev/null || skip "tshark missing"

ns_add r
ns_add g
link r r0 10.0.0.1/24 g g0 10.0.0.2/24
ip -n "$(nsname r)" addr add 10.0.0.254/24 dev r0
ip -n "$(nsname r)" addr add 10.0.0.3/24 dev r0

conf() {
	cat >"$TMP/amtgwd.conf" <<EOC
$1
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
}

# start_pair LOG RELAY-OPTIONS...: a relay and a fresh gateway.
start_pair() {
	name=$1
	shift
	bg r "relay-$name" "$BIN/fakerelay" -a 10.0.0.1 -D 10.0.0.254 "$@"
	RELAY=$LASTPID
	wait_log "relay-$name" READY 5 || fail "$name: relay did not start"
	bg g "gw-$name" "$BIN/amtgwd" -d -v -f "$TMP/amtgwd.conf"
	GW=$LASTPID
}

stop_pair() {
	stop_pid $GW 5 || fail "amtgwd did not stop"
	stop_pid $RELAY 5
}

conf "discovery 10.0.0.254"

# 1. Queries with the wrong nonce are never accepted.
start_pair nonce -N -q 1
wait_log relay-nonce "QUERY sent" 5 || fail "nonce: no query"
wait_log gw-nonce "no Membership Query" 5 || fail "nonce: no give-up"
ctl "$TMP/amtgwd.sock" gateway
grep -q "established" "$TMP/gw-nonce.log" && fail "nonce: accepted"
[ "$(jget 'd["counters"]["query-bad-nonce"]')" -ge 2 ] || fail "nonce: counter"
stop_pair
ok "wrong nonce: ignored and counted, back to discovery"

# 2. Malformed messages around the query, junk between the query and
#    the G fields: the tunnel still works and the data still arrives.
start_pair junk -M -T -g -q 1 -R 200
wait_log gw-junk "established" 5 || fail "junk: no tunnel"
nsx g "$BIN/mcrecv" -i amt0 -g 232.2.2.2 -n 20 -t 5000 \
    >"$TMP/recv-junk.log" 2>&1 || fail "junk: no data"
ctl "$TMP/amtgwd.sock" gateway
[ "$(jget 'd["counters"]["amt-malformed"]')" -ge 3 ] || fail "junk: malformed counter"
[ "$(jget 'd["counters"]["amt-type-not-for-gateway"]')" -eq 0 ] ||
    fail "junk: unexpected type counter"
stop_pair
ok "malformed messages counted, trailing octets never forwarded"

# 2b. IPv6 in Data (the relay adds junk after each datagram): written
#     into amt0 as it is, to a receiver joined there, without the junk.
start_pair v6 -6 -g -q 1 -R 100
wait_log gw-v6 "established" 5 || fail "v6: no tunnel"
bg g recv-v6 "$BIN/mcrecv" -i amt0 -g 232.2.2.6 -n 0 -t 10000
nsx g /usr/bin/python3 - >"$TMP/v6.log" 2>&1 <<'EOP' || fail "v6: $(cat "$TMP/v6.log")"
import socket, struct, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 5001))
mreq = socket.inet_pton(socket.AF_INET6, "ff3e::8000:1") + \
    struct.pack("=I", socket.if_nametoindex("amt0"))
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
s.settimeout(5)
n, sizes = 0, set()
while n < 10:
    b, a = s.recvfrom(2048)
    if a[0] != "2001:db8::10":
        sys.exit("from " + a[0])
    n += 1
    sizes.add(len(b))
print("V6", n, sorted(sizes))
sys.exit(0 if sizes == {64} else 1)
EOP
ctl "$TMP/amtgwd.sock" gateway
[ "$(jget 'd["counters"]["data-not-ip"]')" -eq 0 ] || fail "v6: counted as not IP"
stop_pair
ok "IPv6 Data: into amt0 for a receiver there, $(cut -d' ' -f2 "$TMP/v6.log") datagrams of 64 bytes, the junk after them left out"

# 2c. The relay's MLDv2 queries (P=1): five spoiled ones (checksum, a
#     global source, hop limit 2, no Router Alert, a length of neither
#     version) rejected and counted, none written into amt0; the good
#     ones after them taken and answered.
start_pair mldq -Q -g -q 1
wait_log gw-mldq "established" 5 || fail "mldq: no tunnel"
nsx g tcpdump --immediate-mode -U -ni amt0 -w "$TMP/amt0q.pcap" ip6 >"$TMP/tdq.log" 2>&1 &
TDQ=$!
PIDS="$PIDS $TDQ"
wait_log tdq "listening on" 5 || fail "mldq: tcpdump"
bg g recv-mldq "$BIN/mcrecv" -i amt0 -g ff3e::8000:1 -s 2001:db8::10 -n 0 \
    -t 10000
wait_log relay-mldq "MLDQUERY 0" 8 || fail "mldq: no good query asked for"
deadline=$(($(now_ms) + 3000))
until ctl "$TMP/amtgwd.sock" gateway &&
    [ "$(jget "d['mld']['state']")" = established ] &&
    [ "$(jget "d['counters']['mld-update-sent']")" -gt 0 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "mldq: $(jget "d['mld']")"
	sleep 0.05
done
nq() {
	tshark -r "$TMP/amt0q.pcap" -Y 'icmpv6.type == 130' 2>/dev/null |
	    wc -l
}
deadline=$(($(now_ms) + 3000))
until [ "$(nq)" -ge 1 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "mldq: no query in amt0"
	sleep 0.1
done
stop_pid $RELAY 5
sleep 0.3	# an answer still in flight is taken, or not
ctl "$TMP/amtgwd.sock" gateway
rej=$(jget "d['counters']['mld-query-rejected']")
acc=$(jget "d['counters']['mld-query-received']")
nq=$(nq)
stop_pid $GW 5 || fail "amtgwd did not stop"
stop_pid $TDQ
# Spoiled ones carry QQIC 77 (the byte at 40 + 8 + 25 of the datagram).
nbad=$(tshark -r "$TMP/amt0q.pcap" -Y 'icmpv6.type == 130 && frame[73] == 4d' \
    2>/dev/null | wc -l)
# (an answer to a retransmitted Request is rejected too: not awaited)
[ "$rej" -ge 5 ] && [ "$acc" -ge 1 ] && [ "$nq" -eq "$acc" ] &&
    [ "$nbad" -eq 0 ] ||
    fail "mldq: $rej rejected, $acc taken, $nq written into amt0 ($nbad spoiled)"
ok "MLDv2 queries from the relay: the 5 spoiled ones rejected ($rej in all), none into amt0; $acc good one(s) taken, $nq written into amt0, the group reported"

# 3. A relay at its tunnel limit (L) with nothing subscribed there:
#    look for another relay, paced by back-off.
start_pair limit -l -q 1
wait_log gw-limit "not accepting new tunnels" 5 || fail "limit: L ignored"
wait_log relay-limit "DISCOVERY.*" 2 || fail "limit: no rediscovery"
deadline=$(($(now_ms) + 1500))
while [ "$(count_log relay-limit '^DISCOVERY')" -lt 3 ]; do
	[ "$(now_ms)" -ge $deadline ] && fail "limit: discovery not repeated"
	sleep 0.02
done
grep -q "state requesting -> established" "$TMP/gw-limit.log" &&
    fail "limit: used the full relay"
stop_pair
ok "L flag: rediscovery"

# 4. The relay sees us at a new port (NAT rebinding): Teardown for the
#    old endpoint, with the old Query's fields.
start_pair nat -g -q 1 -R 100
wait_log gw-nat "established" 5 || fail "nat: no tunnel"
bg g recv-nat "$BIN/mcrecv" -i amt0 -g 232.3.3.3 -n 0 -t 20000
RECV=$LASTPID
wait_log relay-nat "JOIN 232.3.3.3" 5 || fail "nat: no join"
port=$(grep -m1 '^QUERY sent' "$TMP/relay-nat.log" | sed 's/.*:\([0-9]*\) .*/\1/')
kill -USR2 $RELAY
wait_log relay-nat "TEARDOWN from 10.0.0.2:$port nonce=[0-9a-f]+ port=$port" 5 ||
    fail "nat: no Teardown for port $port"
wait_log gw-nat "new address" 1 || fail "nat: not logged"
stop_pid $RECV
stop_pair
ok "gateway address change -> Teardown of the old endpoint"

# 5. The open relay's habits with a fixed relay: no G, no L, zero
#    checksums; at shutdown an Update that leaves every group.
conf "relay 10.0.0.1"
start_pair open -q 1 -R 200
wait_log gw-open "established" 5 || fail "open: no tunnel"
grep -q "DISCOVERY" "$TMP/relay-open.log" && fail "open: discovered"
bg g recv-open "$BIN/mcrecv" -i amt0 -g 239.1.2.3 -n 0 -t 20000
RECV=$LASTPID
wait_log recv-open FIRST 5 || fail "open: no data with zero checksums"
stop_pid $GW 5 || fail "open: amtgwd did not stop"
wait_log relay-open "RECORD type=3 group=239.1.2.3 nsrcs=0" 2 ||
    fail "open: no leave-all Update at shutdown"
grep -q TEARDOWN "$TMP/relay-open.log" && fail "open: Teardown without G"
stop_pid $RECV
stop_pid $RELAY
ok "open-relay habits: data with zero checksums, leave-all Update at shutdown"

# 6. SIGHUP: a broken file is refused, a new relay is taken with a
#    Teardown to the old one.
conf "discovery 10.0.0.254"
start_pair hup1 -g -q 1 -R 100
RELAY1=$RELAY
bg r relay-hup2 "$BIN/fakerelay" -a 10.0.0.3 -g -q 1
RELAY2=$LASTPID
wait_log gw-hup1 "established" 5 || fail "hup: no tunnel"
bg g recv-hup "$BIN/mcrecv" -i amt0 -g 232.4.4.4 -n 0 -t 20000
RECV=$LASTPID
wait_log relay-hup1 "JOIN 232.4.4.4" 5 || fail "hup: no join"
echo "tunnel-mtu 12" >>"$TMP/amtgwd.conf"
kill -HUP $GW
wait_log gw-hup1 "amtgwd.conf:11: tunnel-mtu: 12 is out of range" 2 ||
    fail "hup: error not reported with file:line"
wait_log gw-hup1 "keeping the running configuration" 2 || fail "hup: kept?"
conf "relay 10.0.0.3"
kill -HUP $GW
wait_log relay-hup1 "TEARDOWN from 10.0.0.2" 3 || fail "hup: no Teardown to old relay"
wait_log relay-hup2 "UPDATE from 10.0.0.2.*mac=ok" 5 || fail "hup: new relay not used"
wait_log relay-hup2 "JOIN 232.4.4.4" 5 || fail "hup: membership not re-reported"
stop_pid $RECV
stop_pid $GW 5
stop_pid $RELAY1
stop_pid $RELAY2
ok "SIGHUP: errors refused; relay change with Teardown and re-report"

# 7. Configuration check: -n prints the normalized file, errors name
#    the line, exit status says which.
printf 'relay 10.0.0.1\nbogus yes\nrequest-retries x\n' >"$TMP/bad.conf"
if "$BIN/amtgwd" -n -f "$TMP/bad.conf" 2>"$TMP/n.err"; then
	fail "-n accepted a bad file"
fi
grep -q "bad.conf:2: unknown keyword \"bogus\"" "$TMP/n.err" || fail "-n line 2"
grep -q "bad.conf:3: request-retries: \"x\" is not a number" "$TMP/n.err" ||
    fail "-n line 3"
"$BIN/amtgwd" -n -f "$TMP/amtgwd.conf" >"$TMP/n.out" 2>/dev/null ||
    fail "-n refused a good file"
"$BIN/amtgwd" -n -f "$TMP/n.out" >"$TMP/n2.out" 2>/dev/null ||
    fail "-n output does not parse"
cmp -s "$TMP/n.out" "$TMP/n2.out" || fail "-n output not stable"
ok "-n: errors as file:line, normalized output parses again"
echo "PASS: $TESTNAME"
