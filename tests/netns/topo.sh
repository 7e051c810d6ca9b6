# SPDX-License-Identifier: ISC
#
# The whole chain in network namespaces (sourced after lib.sh):
#
#   src --------- rly ============ net ============ site ---- h1   (LAN1)
#   10.10.0.2     amtrelayd        IP-only router   amtgwd      \
#   multicast     172.16.1.1       (no multicast    igmpproxyd   sw -- h2, h3, h4
#   source        anycast          routing)         172.16.2.1       (LAN2)
#                 198.51.100.1
#
# h1 and h4 are IGMPv3 hosts, h2 an IGMPv2 host, h3 an IGMPv1 host.  Every
# daemon gets short protocol timers so the tests stay fast.

SRC=10.10.0.2
RELAY=172.16.1.1
ANYCAST=198.51.100.1
: "${RELAY_QI:=2}"
: "${RELAY_SECRET:=3600}"

topo_build() {
	for n in src rly net site h1 sw h2 h3 h4; do
		ns_add $n
	done
	link src s0 $SRC/24 rly u0 10.10.0.1/24
	link rly d0 $RELAY/24 net n1 172.16.1.254/24
	link net n2 172.16.2.254/24 site w0 172.16.2.1/24
	link site d1 10.1.0.1/24 h1 e0 10.1.0.11/24
	nsx sw ip link add br0 type bridge mcast_snooping 0
	nsx sw ip link set br0 up
	link site d2 10.2.0.1/24 sw p0 -
	link h2 e0 10.2.0.12/24 sw p2 -
	link h3 e0 10.2.0.13/24 sw p3 -
	link h4 e0 10.2.0.14/24 sw p4 -
	for p in p0 p2 p3 p4; do
		nsx sw ip link set $p master br0
	done
	nsx rly ip addr add $ANYCAST/32 dev lo
	nsx rly ip route add default via 172.16.1.254
	nsx site ip route add default via 172.16.2.254
	nsx net ip route add $ANYCAST/32 via $RELAY
	nsx net sysctl -qw net.ipv4.ip_forward=1
	nsx src ip route add 224.0.0.0/4 dev s0
	nsx h2 sysctl -qw net.ipv4.conf.e0.force_igmp_version=2
	nsx h3 sysctl -qw net.ipv4.conf.e0.force_igmp_version=1

	cat >"$TMP/amtrelayd.conf" <<EOC
discovery-address $ANYCAST
relay-address $RELAY
upstream u0
query-interval $RELAY_QI
query-response-interval 0.5
secret-lifetime $RELAY_SECRET
user nobody
pidfile $TMP/amtrelayd.pid
control-socket $TMP/amtrelayd.sock
EOC
	cat >"$TMP/amtgwd.conf" <<EOC
discovery $ANYCAST
driad off
discovery-timeout 0.2
request-timeout 0.2
retransmit-max 1
teardown-interval 0.1
user nobody
pidfile $TMP/amtgwd.pid
control-socket $TMP/amtgwd.sock
EOC
	cat >"$TMP/igmpproxyd.conf" <<EOC
upstream amt0
downstream d1
downstream d2
query-interval 3
query-response-interval 0.5
startup-query-interval 0.3
last-member-query-interval 0.2
unsolicited-report-interval 0.2
user nobody
pidfile $TMP/igmpproxyd.pid
control-socket $TMP/igmpproxyd.sock
EOC
}

# topo_ipv6: dual-stack on top of topo_build: the source and the relay's
# upstream get IPv6 ($S6 sends), h2 is forced to MLDv1 (h1 and h4 stay
# MLDv2), and the LAN hosts and the site have link-local addresses past
# DAD before anyone reports.
S6=2001:db8:10::2
topo_ipv6() {
	nsx src ip -6 addr add $S6/64 dev s0 nodad
	nsx rly ip -6 addr add 2001:db8:10::1/64 dev u0 nodad
	nsx h2 sysctl -qw net.ipv6.conf.e0.force_mld_version=1
	ll_wait "h1 e0" "h2 e0" "site d1" "site d2"
}

start_relay() {
	bg rly amtrelayd "$BIN/amtrelayd" -d -v -f "$TMP/amtrelayd.conf"
	RLY=$LASTPID
	wait_log amtrelayd "receiving native multicast on u0" 5 ||
	    fail "amtrelayd did not start"
}

start_gw() {
	bg site amtgwd "$BIN/amtgwd" -d -v -f "$TMP/amtgwd.conf"
	GW=$LASTPID
	wait_log amtgwd "started" 5 || fail "amtgwd did not start"
}

start_px() {
	bg site igmpproxyd "$BIN/igmpproxyd" -d -v -f "$TMP/igmpproxyd.conf"
	PX=$LASTPID
	wait_log igmpproxyd "started" 5 || fail "igmpproxyd did not start"
}

# start_source GROUPS [RATE]
start_source() {
	bg src source "$BIN/mcsend" -i s0 -g "$1" -r "${2:-200}" -s 1316
	SOURCE=$LASTPID
	wait_log source SENDING 5 || fail "source did not start"
}

# seen NS IF GROUP MS [DELAY]: datagrams to GROUP seen on IF.
seen() {
	nsx "$1" "$BIN/pktcount" -i "$2" -g "$3" -t "$4" -d "${5:-0}"
}

# tunnel_data GROUP MS: AMT Data messages for GROUP reaching the site.
tunnel_data() {
	nsx site "$BIN/pktcount" -a -i w0 -g "$1" -t "$2"
}

# wait_flow NS IF GROUP SECONDS: until datagrams show up; prints ms.
wait_flow() {
	t0=$(now_ms)
	deadline=$((t0 + $4 * 1000))
	while [ "$(seen "$1" "$2" "$3" 100)" -eq 0 ]; do
		[ "$(now_ms)" -ge $deadline ] && return 1
	done
	echo $(($(now_ms) - t0))
}
