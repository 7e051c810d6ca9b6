# SPDX-License-Identifier: ISC
#
# The DRIAD topology (sourced after lib.sh; tests/netns/driad.sh and
# tests/bench/driad.sh): three sources on one LAN, four relays reading
# it natively, BIND serving the sources' AMTRELAY records, and a site
# whose resolver is that server.
#
#   srcA, srcB, srcC --- lan (bridge) --- rA, rB, rC, rD (amtrelayd)
#   10.10.0.2 .3 .4                        |   |   |   |
#   dns (named) ---------------------------+-- net (router) -- site -- h1
#   172.16.5.53                                          172.16.9.1
#
# Records (TTL 5 s): S1 -> relay A (precedence 10, D=1), relay C (20);
# S2 -> relay-b.amt.example (10, D=0: discovery at 172.16.2.1, which
# advertises 172.16.2.2); S3: none; the IPv6 source S6 (2001:db8:10::2,
# srcA's second address) -> relay C, under its ip6.arpa name.  Relay D (172.16.4.1) is for the
# gateway's configuration, also named relay-d.amt.example.  Relays:
# query interval 2 s.

dtopo_build() {
	S1=10.10.0.2 S2=10.10.0.3 S3=10.10.0.4 S6=2001:db8:10::2
	DNS=172.16.5.53
	for n in srcA srcB srcC lan rA rB rC rD net dns site h1; do
		ns_add $n
	done
	nsx lan ip link add br0 type bridge mcast_snooping 0
	nsx lan ip link set br0 up
	i=2
	for s in srcA srcB srcC; do
		link $s s0 10.10.0.$i/24 lan p$i -
		nsx lan ip link set p$i master br0
		nsx $s ip route add 224.0.0.0/4 dev s0
		i=$((i + 1))
	done
	i=1
	for r in rA rB rC rD; do
		link $r u0 10.10.0.1$i/24 lan q$i -
		nsx $r ip -6 addr add 2001:db8:10::1$i/64 dev u0 nodad
		nsx lan ip link set q$i master br0
		link $r d0 172.16.$i.2/24 net n$i 172.16.$i.254/24
		nsx $r ip addr add 172.16.$i.1/32 dev lo
		nsx $r ip route add default via 172.16.$i.254
		nsx net ip route add 172.16.$i.1/32 via 172.16.$i.2
		i=$((i + 1))
	done
	link dns e0 $DNS/24 net n5 172.16.5.254/24
	nsx dns ip route add default via 172.16.5.254
	link site w0 172.16.9.1/24 net n9 172.16.9.254/24
	nsx site ip route add default via 172.16.9.254
	link site d1 10.1.0.1/24 h1 e0 10.1.0.11/24
	nsx net sysctl -qw net.ipv4.ip_forward=1
	nsx srcA ip -6 addr add $S6/64 dev s0 nodad

	# The zones a content provider publishes, and named to serve them.
	mkdir -p "$TMP/named"
	cat >"$TMP/named/rev.zone" <<-'EOZ'
	$TTL 5
	@	SOA	ns.amt.example. hostmaster.amt.example. 1 60 60 600 5
	@	NS	ns.amt.example.
	2	AMTRELAY	10 1 1 172.16.1.1
	2	AMTRELAY	20 1 1 172.16.3.1
	3	AMTRELAY	10 0 3 relay-b.amt.example.
	EOZ
	# 2001:db8:10::/48, and S6's 20 nibbles under it.
	cat >"$TMP/named/rev6.zone" <<-'EOZ'
	$TTL 5
	@	SOA	ns.amt.example. hostmaster.amt.example. 1 60 60 600 5
	@	NS	ns.amt.example.
	2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0	AMTRELAY	10 1 1 172.16.3.1
	EOZ
	cat >"$TMP/named/amt.zone" <<-'EOZ'
	$TTL 300
	@	SOA	ns.amt.example. hostmaster.amt.example. 1 60 60 600 5
	@	NS	ns
	ns	A	172.16.5.53
	relay-b	A	172.16.2.1
	relay-d	A	172.16.4.1
	EOZ
	cat >"$TMP/named/named.conf" <<-EOC
	options {
		directory "$TMP/named";
		pid-file "$TMP/named.pid";
		session-keyfile "$TMP/named/session.key";
		listen-on { $DNS; };
		listen-on-v6 { none; };
		recursion no;
		dnssec-validation no;
	};
	zone "0.10.10.in-addr.arpa" { type primary; file "$TMP/named/rev.zone"; };
	zone "0.1.0.0.8.b.d.0.1.0.0.2.ip6.arpa" {
		type primary; file "$TMP/named/rev6.zone"; };
	zone "amt.example" { type primary; file "$TMP/named/amt.zone"; };
	EOC
	named-checkzone -q 0.10.10.in-addr.arpa "$TMP/named/rev.zone" ||
	    fail "named-checkzone refuses the AMTRELAY zone"
	named-checkzone -q 0.1.0.0.8.b.d.0.1.0.0.2.ip6.arpa \
	    "$TMP/named/rev6.zone" || fail "named-checkzone: the ip6.arpa zone"
	bg dns named named -g -c "$TMP/named/named.conf"
	NAMED=$LASTPID
	wait_log named "all zones loaded" 10 || fail "named did not start"

	# The site's resolver: its own resolv.conf, as ip netns exec mounts it.
	mkdir -p "/etc/netns/$(nsname site)"
	echo "nameserver $DNS" >"/etc/netns/$(nsname site)/resolv.conf"

	# Relays: A, C, D answer at 172.16.N.1; B discovers at 172.16.2.1 and
	# advertises 172.16.2.2.
	for i in 1 2 3 4; do
		r=$(echo ABCD | cut -c$i)
		ra=172.16.$i.1
		[ $i = 2 ] && ra=172.16.2.2
		cat >"$TMP/r$r.conf" <<-EOC
	relay-address $ra
	discovery-address 172.16.$i.1
	upstream u0
	query-interval 2
	query-response-interval 0.5
	user nobody
	pidfile $TMP/r$r.pid
	control-socket $TMP/r$r.sock
	EOC
		bg r$r relay$r "$BIN/amtrelayd" -d -v -f "$TMP/r$r.conf"
		wait_log relay$r "receiving native multicast" 5 || fail "relay $r"
	done
	# MLD from the LAN host and the proxy: link-local addresses first.
	ll_wait "h1 e0" "site d1"
}
