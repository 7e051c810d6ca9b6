/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtrelayd's control plane (amtrelayd/relay_fsm.c, mac.c) with a fake
 * clock and fake sockets: Discovery, Request and the Query it earns
 * (MAC, nonce, G fields, L at the tunnel limit, the encapsulated
 * query's fields), Updates accepted or refused by MAC across a secret
 * rotation, per-gateway state and its timeout, Teardown, native joins
 * counted once however many gateways want them, and the forwarding
 * table the data path reads.
 */

#include <sys/socket.h>

#include <string.h>

#include <sodium.h>

#include "relay.h"
#include <arpa/inet.h>

#include "igmp_proto.h"
#include "mld_proto.h"
#include "unit.h"

#define RELAY	0x0a000001U
#define GW1	0xc0000201U	/* 192.0.2.1 */
#define GW2	0xc0000202U
#define P1	40000
#define NOW	5000000

struct reply {
	int		 sock;
	uint32_t	 a;		/* an IPv4 endpoint's; 0 else */
	struct mc_src6	 a6;
	uint16_t	 p;
	size_t		 len;
	uint8_t		 b[512];
	struct amt_msg	 m;
};

static struct reply	 rep[32];
static unsigned		 nrep;
static int		 joins, leaves, refuse_joins;
static uint32_t		 last_jg, last_js;
static struct mc_src6	 last_jg6, last_js6;
static uint8_t		 keyseed;
static struct relay_conf	 C;
static struct relay	 R;

static int
f_send(void *arg, int sock, const struct mc_src6 *a, uint16_t p,
    const uint8_t *b, size_t len)
{
	(void)arg;
	ck_assert_uint_lt(nrep, 32);
	rep[nrep].sock = sock;
	rep[nrep].a6 = *a;
	rep[nrep].a = mc_src6_is_v4(a) ? mc_src6_to_v4(a) : 0;
	rep[nrep].p = p;
	rep[nrep].len = len;
	memcpy(rep[nrep].b, b, len);
	ck_assert_int_eq(amt_decode(rep[nrep].b, len, &rep[nrep].m), AMT_OK);
	nrep++;
	return 0;
}

static int
f_join(void *arg, const struct mc_src6 *g, const struct mc_src6 *s)
{
	(void)arg;
	joins++;
	last_jg6 = *g;
	memset(&last_js6, 0, sizeof(last_js6));
	if (s != NULL)
		last_js6 = *s;
	last_jg = mc_src6_is_v4(g) ? mc_src6_to_v4(g) : 0;
	last_js = s != NULL && mc_src6_is_v4(s) ? mc_src6_to_v4(s) : 0;
	return refuse_joins ? -1 : 0;
}

static void
f_leave(void *arg, const struct mc_src6 *g, const struct mc_src6 *s)
{
	(void)arg;
	(void)g;
	(void)s;
	leaves++;
}

static void
f_random(void *arg, uint8_t *p, size_t n)
{
	(void)arg;
	memset(p, ++keyseed, n);
}

static const struct relay_ops ops = { f_send, f_join, f_leave, f_random };

/* The relay's calls with IPv4 gateway endpoints. */
static void
recv4(uint64_t now, int sock, uint32_t a, uint16_t p, const uint8_t *b,
    size_t len)
{
	struct mc_src6	 k = mc_src6_v4(a);

	relay_recv(&R, now, sock, &k, p, b, len);
}

static struct relay_gw *
gw_find4(uint32_t a, uint16_t p)
{
	struct mc_src6	 k = mc_src6_v4(a);

	return relay_gw_find(&R, &k, p);
}

static void
unreach4(uint32_t a, uint16_t p)
{
	struct mc_src6	 k = mc_src6_v4(a);

	relay_unreachable(&R, &k, p);
}

/* The MAC over an IPv4 endpoint (its field form: ::a.b.c.d). */
static void
mac4(const uint8_t *key, uint32_t a, uint16_t p, uint32_t nonce,
    uint8_t *out)
{
	uint8_t	 f[16];

	memset(f, 0, 12);
	be32_store(f + 12, a);
	mac_compute(key, f, p, nonce, out);
}

/* The forwarding table and filters for IPv4 keys. */
static const struct relay_fwd *
fwd4(uint32_t g)
{
	struct mc_src6	 k = mc_src6_v4(g);

	return relay_fwd_find(&R, &k);
}

static int
wants4(const struct relay_sub *sub, uint32_t src)
{
	struct mc_src6	 k = mc_src6_v4(src);

	return relay_sub_wants(sub, &k);
}

static void
setup(void)
{
	ck_assert_int_ne(sodium_init(), -1);
	conf_defaults(&relay_conf_table, &C);
	C.relay = RELAY;
	strcpy(C.upstream, "eth0");
	C.qi_ms = 20000;
	C.secret_ms = 60000;
	nrep = 0;
	joins = leaves = refuse_joins = 0;
	keyseed = 0;
	log_setverbose(0);
	relay_init(&R, &C, &ops, NULL, NOW);
}

static void
teardown(void)
{
	relay_free(&R);
}

static void
feed(uint64_t now, uint32_t a, uint16_t p, const struct amt_msg *m,
    const uint8_t *inner)
{
	uint8_t		 b[1500];
	struct wbuf	 w;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(amt_encode(m, inner, &w), 0);
	recv4(now, 0, a, p, b, w.len);
}

/* Request from a:p; returns the Query's MAC in mac. */
static void
request(uint64_t now, uint32_t a, uint16_t p, uint32_t nonce, uint8_t *mac)
{
	struct amt_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.nonce = nonce;
	nrep = 0;
	feed(now, a, p, &m, NULL);
	ck_assert_uint_eq(nrep, 1);
	ck_assert_uint_eq(rep[0].m.type, AMT_QUERY);
	memcpy(mac, rep[0].m.mac, AMT_MAC_LEN);
}

/* An Update with one record from inner source from. */
static void
update_from(uint64_t now, uint32_t a, uint16_t p, uint32_t nonce,
    const uint8_t *mac, uint32_t from, uint8_t type, uint32_t g, uint32_t s)
{
	uint8_t		 pkt[64];
	struct wbuf	 w;
	struct amt_msg	 m;

	wbuf_init(&w, pkt, sizeof(pkt));
	ck_assert_int_eq(igmp_report_begin(&w, from), 0);
	ck_assert_int_eq(igmp_report_add(&w, type, g, &s, s ? 1 : 0), 0);
	ck_assert_int_eq(igmp_report_finish(&w), 0);
	memset(&m, 0, sizeof(m));
	m.type = AMT_UPDATE;
	memcpy(m.mac, mac, AMT_MAC_LEN);
	m.nonce = nonce;
	m.inner_len = w.len;
	feed(now, a, p, &m, pkt);
}

/* An Update with one record (type, group, one source or none). */
static void
update(uint64_t now, uint32_t a, uint16_t p, uint32_t nonce,
    const uint8_t *mac, uint8_t type, uint32_t g, uint32_t s)
{
	update_from(now, a, p, nonce, mac, 0, type, g, s);
}

START_TEST(discovery_advertisement)
{
	struct amt_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = AMT_DISCOVERY;
	m.nonce = 0x11223344;
	recv4(NOW, 2, GW1, P1, (const uint8_t *)"\x01\0\0\0\x11\x22\x33"
	    "\x44", 8);
	ck_assert_uint_eq(nrep, 1);
	ck_assert_int_eq(rep[0].sock, 2);	/* from the discovery socket */
	ck_assert_uint_eq(rep[0].a, GW1);
	ck_assert_uint_eq(rep[0].p, P1);
	ck_assert_uint_eq(rep[0].m.type, AMT_ADVERTISEMENT);
	ck_assert_uint_eq(rep[0].m.nonce, 0x11223344);
	ck_assert_int_eq(rep[0].m.relay_af, AF_INET);
	ck_assert_uint_eq(be32_load(rep[0].m.relay_addr), RELAY);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_DISCOVERY], 1);
}
END_TEST

START_TEST(request_query)
{
	struct ip4_info	 ip;
	struct igmp_msg	 g;
	uint8_t		 mac[6], want[6];
	struct amt_msg	 m;

	request(NOW, GW1, P1, 0xabcdef01, mac);
	ck_assert_uint_eq(rep[0].m.nonce, 0xabcdef01);
	ck_assert_uint_eq(rep[0].m.flags, AMT_FLAG_G);
	ck_assert_uint_eq(rep[0].m.gw_port, P1);
	ck_assert_uint_eq(be32_load(rep[0].m.gw_addr + 12), GW1);
	mac4(R.mac.cur, GW1, P1, 0xabcdef01, want);
	ck_assert_mem_eq(mac, want, 6);
	/* The query: IGMPv3 general, QQIC 20, QRV 2, MRC 1 (0.1 s), RA. */
	ck_assert_int_eq(igmp_decode_packet(rep[0].b + rep[0].m.inner_off,
	    rep[0].m.inner_len, &ip, &g), IGMP_OK);
	ck_assert_int_eq(ip.router_alert, 1);
	ck_assert_uint_eq(g.version, 3);
	ck_assert_uint_eq(g.group, 0);
	ck_assert_uint_eq(g.qqic, 20);
	ck_assert_uint_eq(g.qrv, 2);
	ck_assert_uint_eq(g.code, 1);
	/* Another nonce, another MAC. */
	request(NOW, GW1, P1, 0xabcdef02, want);
	ck_assert_int_ne(memcmp(mac, want, 6), 0);
	/* P=1 with mld off is not answered, and counted. */
	C.mld = 0;
	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.flags = AMT_FLAG_P;
	nrep = 0;
	feed(NOW, GW1, P1, &m, NULL);
	ck_assert_uint_eq(nrep, 0);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_REQUEST_MLD], 1);
}
END_TEST

/* P=1: an MLDv2 General Query (5.1.3.4), the same MAC rules. */
START_TEST(request_query_mld)
{
	static const uint8_t	 src[16] = { 0xfe, 0x80, [12] = 0x0a, 0, 0,
	    1 };
	struct ip6_info		 ip;
	struct mld_msg		 q;
	uint8_t			 want[6];
	struct amt_msg		 m;
	static const uint8_t	 zero[16];

	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.flags = AMT_FLAG_P;
	m.nonce = 0x5151;
	nrep = 0;
	feed(NOW, GW1, P1, &m, NULL);
	ck_assert_uint_eq(nrep, 1);
	ck_assert_uint_eq(rep[0].m.type, AMT_QUERY);
	ck_assert_uint_eq(rep[0].m.flags, AMT_FLAG_G);
	ck_assert_uint_eq(rep[0].m.inner_ver, 6);
	mac4(R.mac.cur, GW1, P1, 0x5151, want);
	ck_assert_mem_eq(rep[0].m.mac, want, 6);
	/* Every check of RFC 3810 passes: link-local source, hop limit 1,
	 * Router Alert, checksum; general, QQIC 20, QRV 2, 100 ms. */
	ck_assert_int_eq(mld_decode_packet(rep[0].b + rep[0].m.inner_off,
	    rep[0].m.inner_len, &ip, &q), MLD_OK);
	ck_assert_mem_eq(ip.src, src, 16);
	ck_assert_mem_eq(ip.dst, mld_all_nodes, 16);
	ck_assert_uint_eq(q.type, MLD_QUERY);
	ck_assert_uint_eq(q.version, 2);
	ck_assert_mem_eq(q.group, zero, 16);
	ck_assert_uint_eq(q.qqic, 20);
	ck_assert_uint_eq(q.qrv, 2);
	ck_assert_uint_eq(mld_code_to_value(q.mrc), 100);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_REQUEST_MLD], 0);
}
END_TEST

static void
a6(uint8_t *a, const char *s)
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, a), 1);
}

/* An Update carrying MLD: a v2 record, or a v1 Report or Done. */
static void
update6(uint32_t nonce, const uint8_t *mac, const char *from, int v1,
    uint8_t type, const char *g, const char *s)
{
	uint8_t		 pkt[128], f[16], ga[16], sa[16];
	struct wbuf	 w;
	struct amt_msg	 m;

	a6(f, from);
	a6(ga, g);
	if (s != NULL)
		a6(sa, s);
	wbuf_init(&w, pkt, sizeof(pkt));
	if (v1)
		ck_assert_int_eq(mld_build_v1(&w, f, ga, type, ga), 0);
	else {
		ck_assert_int_eq(mld_report_begin(&w, f), 0);
		ck_assert_int_eq(mld_report_add(&w, type, ga, sa,
		    s != NULL ? 1 : 0), 0);
		ck_assert_int_eq(mld_report_finish(&w), 0);
	}
	memset(&m, 0, sizeof(m));
	m.type = AMT_UPDATE;
	memcpy(m.mac, mac, AMT_MAC_LEN);
	m.nonce = nonce;
	m.inner_len = w.len;
	feed(NOW, GW1, P1, &m, pkt);
}

static int
wants6(const struct relay_fwd *f, const char *s)
{
	struct mc_src6	 k;

	a6(k.a, s);
	return relay_sub_wants(f->e[0].sub, &k);
}

static const struct relay_fwd *
fwd6(const char *g)
{
	struct mc_src6	 k;

	a6(k.a, g);
	return relay_fwd_find(&R, &k);
}

/*
 * MLD through the tunnel (RFC 7450 5.3.1, RFC 3810 7.4): IPv6 (S,G)
 * and (*,G) state and native joins beside IPv4's in the same tunnel,
 * MLDv1 as IGMPv2, EXCLUDE refused in ff3x::/32, link-scope groups
 * ignored, a report from :: accepted, malformed MLD counted.
 */
START_TEST(update_mld)
{
	uint8_t			 mac[6], pkt[128], f[16], g[16];
	const struct relay_fwd	*fw;
	struct mc_src6		 k;
	struct amt_msg		 m;
	struct wbuf		 w;

	request(NOW, GW1, P1, 9, mac);
	update6(9, mac, "fe80::2", 0, MC_ALLOW, "ff3e::8000:1",
	    "2001:db8::5");
	ck_assert_uint_eq(R.ngws, 1);
	ck_assert_int_eq(joins, 1);
	a6(k.a, "ff3e::8000:1");
	ck_assert(mc_src6_eq(&last_jg6, &k));
	a6(k.a, "2001:db8::5");
	ck_assert(mc_src6_eq(&last_js6, &k));
	ck_assert_ptr_nonnull(fw = fwd6("ff3e::8000:1"));
	ck_assert(wants6(fw, "2001:db8::5"));
	ck_assert(!wants6(fw, "2001:db8::6"));
	/* An IPv4 record in the same tunnel: its own state. */
	update(NOW, GW1, P1, 9, mac, MC_ALLOW, 0xe8010101, 0x0a630001);
	ck_assert_ptr_nonnull(fwd4(0xe8010101));
	ck_assert_uint_eq(gw_find4(GW1, P1)->nsubs, 2);
	/* MLDv1 in the SSM range is an EXCLUDE: refused (RFC 4604). */
	update6(9, mac, "fe80::2", 1, MLD_V1_REPORT, "ff3e::8000:2", NULL);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_SSM_EXCLUDE], 1);
	ck_assert_ptr_null(fwd6("ff3e::8000:2"));
	/* MLDv1 for an ASM group: (*,G), from :: too (5.3.1). */
	update6(9, mac, "::", 1, MLD_V1_REPORT, "ff0e::1234", NULL);
	ck_assert_ptr_nonnull(fw = fwd6("ff0e::1234"));
	ck_assert(wants6(fw, "2001:db8::77"));
	ck_assert_int_eq(joins, 3);
	ck_assert(mc_src6_is_any(&last_js6));
	/* Link-local and interface-local groups are never joined. */
	update6(9, mac, "fe80::2", 1, MLD_V1_REPORT, "ff02::1:3", NULL);
	update6(9, mac, "fe80::2", 0, MC_ALLOW, "ff31::1", "2001:db8::5");
	ck_assert_ptr_null(fwd6("ff02::1:3"));
	ck_assert_ptr_null(fwd6("ff31::1"));
	ck_assert_int_eq(joins, 3);
	/* Done from the reporter: the group and its join go. */
	update6(9, mac, "::", 1, MLD_V1_DONE, "ff0e::1234", NULL);
	ck_assert_ptr_null(fwd6("ff0e::1234"));
	ck_assert_int_eq(leaves, 1);
	/* BLOCK the IPv6 source; the IPv4 group stays. */
	update6(9, mac, "fe80::2", 0, MC_BLOCK, "ff3e::8000:1",
	    "2001:db8::5");
	ck_assert_ptr_null(fwd6("ff3e::8000:1"));
	ck_assert_ptr_nonnull(fwd4(0xe8010101));
	ck_assert_int_eq(leaves, 2);
	/* No Router Alert: not MLD, counted, nothing changes. */
	a6(f, "fe80::2");
	a6(g, "ff0e::99");
	wbuf_init(&w, pkt, sizeof(pkt));
	ck_assert_int_eq(mld_build_v1(&w, f, g, MLD_V1_REPORT, g), 0);
	pkt[42] = IP6_OPT_PADN;		/* the Router Alert made padding */
	memset(&m, 0, sizeof(m));
	m.type = AMT_UPDATE;
	memcpy(m.mac, mac, AMT_MAC_LEN);
	m.nonce = 9;
	m.inner_len = w.len;
	feed(NOW, GW1, P1, &m, pkt);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_BAD_MLD], 1);
	ck_assert_ptr_null(fwd6("ff0e::99"));
}
END_TEST

START_TEST(update_joins_and_mac)
{
	uint8_t			 mac[6], bad[6];
	const struct relay_fwd	*f;

	request(NOW, GW1, P1, 7, mac);
	/* Wrong MAC, wrong nonce, wrong endpoint: nothing happens. */
	memcpy(bad, mac, 6);
	bad[0] ^= 1;
	update(NOW, GW1, P1, 7, bad, MC_ALLOW, 0xe8010101,
	    0x0a630001);
	update(NOW, GW1, P1, 8, mac, MC_ALLOW, 0xe8010101,
	    0x0a630001);
	update(NOW, GW1, P1 + 1, 7, mac, MC_ALLOW, 0xe8010101,
	    0x0a630001);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_BAD_MAC], 3);
	ck_assert_uint_eq(R.ngws, 0);
	ck_assert_int_eq(joins, 0);
	/* Good: (S,G) joined natively, the forwarding table has it. */
	update(NOW, GW1, P1, 7, mac, MC_ALLOW, 0xe8010101,
	    0x0a630001);
	ck_assert_uint_eq(R.ngws, 1);
	ck_assert_int_eq(joins, 1);
	ck_assert_uint_eq(last_jg, 0xe8010101);
	ck_assert_uint_eq(last_js, 0x0a630001);
	ck_assert_ptr_nonnull(f = fwd4(0xe8010101));
	ck_assert_uint_eq(f->n, 1);
	ck_assert(wants4(f->e[0].sub, 0x0a630001));
	ck_assert(!wants4(f->e[0].sub, 0x0a630002));
	/* An ASM join for another group: (*,G), any source but excluded. */
	update(NOW, GW1, P1, 7, mac, MC_TO_EX, 0xef010101,
	    0x0a630066);
	ck_assert_int_eq(joins, 2);
	ck_assert_uint_eq(last_js, 0);
	f = fwd4(0xef010101);
	ck_assert(wants4(f->e[0].sub, 0x0a630001));
	ck_assert(!wants4(f->e[0].sub, 0x0a630066));
	/* BLOCK the only source: the group goes, and its join. */
	update(NOW, GW1, P1, 7, mac, MC_BLOCK, 0xe8010101,
	    0x0a630001);
	ck_assert_int_eq(leaves, 1);
	ck_assert_ptr_null(fwd4(0xe8010101));
	/* A leave from an unknown endpoint changes nothing: it is not
	 * even authenticated (5.3.3.4), and creates no state. */
	update(NOW, GW2, P1, 1, bad, MC_TO_IN, 0xef020202, 0);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_BAD_MAC], 3 + 1);
	{
		uint8_t		 pkt[64];
		struct wbuf	 w;
		struct amt_msg	 m;

		wbuf_init(&w, pkt, sizeof(pkt));
		ck_assert_int_eq(igmp_report_begin(&w, 0), 0);
		ck_assert_int_eq(igmp_report_finish(&w), 0);
		memset(&m, 0, sizeof(m));
		m.type = AMT_UPDATE;
		memcpy(m.mac, bad, 6);
		m.nonce = 1;
		m.inner_len = w.len;
		feed(NOW, GW2, P1, &m, pkt);	/* no records, no MAC check */
		ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_BAD_MAC], 3 + 1);
		ck_assert_ptr_null(gw_find4(GW2, P1));
	}
}
END_TEST

/* 5.3.3.4, 5.3.6: the previous secret works for 2 x QI after rotation. */
START_TEST(mac_rotation)
{
	uint8_t		 mac1[6], mac2[6];
	uint64_t	 t;

	request(NOW, GW1, P1, 1, mac1);
	t = NOW + C.secret_ms;
	relay_timer(&R, t);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_SECRET_ROTATED], 1);
	request(t, GW1, P1, 1, mac2);
	ck_assert_int_ne(memcmp(mac1, mac2, 6), 0);
	/* The old MAC is still good within two query intervals. */
	update(t + 2 * C.qi_ms, GW1, P1, 1, mac1, MC_ALLOW,
	    0xe8010101, 0x0a630001);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE], 1);
	/* After that, only the new one. */
	update(t + 2 * C.qi_ms + 1, GW1, P1, 1, mac1,
	    MC_ALLOW, 0xe8010102, 0x0a630001);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_BAD_MAC], 1);
	update(t + 2 * C.qi_ms + 1, GW1, P1, 1, mac2,
	    MC_ALLOW, 0xe8010102, 0x0a630001);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE], 2);
	/* Two rotations later the first secret is gone for good. */
	relay_timer(&R, t + C.secret_ms);
	update(t + C.secret_ms, GW1, P1, 1, mac1, MC_ALLOW,
	    0xe8010103, 0x0a630001);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_BAD_MAC], 2);
}
END_TEST

/* 5.3.3.8: L once the tunnel limit is reached; new endpoints refused. */
START_TEST(tunnel_limit)
{
	uint8_t		 mac[6], mac2[6];

	C.tunnel_limit = 1;
	request(NOW, GW1, P1, 1, mac);
	ck_assert_uint_eq(rep[0].m.flags & AMT_FLAG_L, 0);
	update(NOW, GW1, P1, 1, mac, MC_ALLOW, 0xe8010101,
	    0x0a630001);
	request(NOW, GW2, P1, 2, mac2);
	ck_assert_uint_eq(rep[0].m.flags & AMT_FLAG_L, AMT_FLAG_L);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_QUERY_LIMIT], 1);
	update(NOW, GW2, P1, 2, mac2, MC_ALLOW, 0xe8010101,
	    0x0a630001);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_LIMIT], 1);
	ck_assert_uint_eq(R.ngws, 1);
	/* The existing gateway is not limited. */
	request(NOW, GW1, P1, 3, mac);
	ck_assert_uint_eq(rep[0].m.flags & AMT_FLAG_L, 0);
}
END_TEST

/* 5.3.3.7: state not refreshed for (RV x QI) + QRI goes. */
START_TEST(state_timeout)
{
	uint8_t		 mac[6];
	uint64_t	 gmi = 2 * C.qi_ms + C.qri_ms;

	request(NOW, GW1, P1, 1, mac);
	update(NOW, GW1, P1, 1, mac, MC_IS_EX, 0xef010101, 0);
	ck_assert_uint_eq(relay_next_deadline(&R), NOW + gmi);
	ck_assert_uint_gt(gmi, C.qi_ms);	/* longer than announced */
	/* Refreshed by the current-state report of the next cycle. */
	update(NOW + C.qi_ms, GW1, P1, 1, mac, MC_IS_EX,
	    0xef010101, 0);
	relay_timer(&R, NOW + gmi);
	ck_assert_uint_eq(R.ngws, 1);
	relay_timer(&R, NOW + C.qi_ms + gmi);
	ck_assert_uint_eq(R.ngws, 0);
	ck_assert_int_eq(leaves, 1);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_GW_EXPIRED], 1);
}
END_TEST

START_TEST(teardown_msg)
{
	uint8_t		 mac[6];
	struct amt_msg	 m;

	request(NOW, GW1, P1, 9, mac);
	update(NOW, GW1, P1, 9, mac, MC_IS_EX, 0xef010101, 0);
	memset(&m, 0, sizeof(m));
	m.type = AMT_TEARDOWN;
	memcpy(m.mac, mac, 6);
	m.nonce = 9;
	m.gw_port = P1;
	be32_store(m.gw_addr + 12, GW1);
	/* From anywhere (the gateway may have moved), but the MAC must
	 * match the fields. */
	m.gw_port = P1 + 1;
	feed(NOW, GW2, 1234, &m, NULL);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_TEARDOWN_BAD_MAC], 1);
	ck_assert_uint_eq(R.ngws, 1);
	m.gw_port = P1;
	feed(NOW, GW2, 1234, &m, NULL);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_TEARDOWN], 1);
	ck_assert_uint_eq(R.ngws, 0);
	ck_assert_int_eq(leaves, 1);
}
END_TEST

/* Native joins: one per (S,G) however many gateways; refusals counted. */
START_TEST(join_refcount)
{
	uint8_t		 m1[6], m2[6];

	request(NOW, GW1, P1, 1, m1);
	request(NOW, GW2, P1, 2, m2);
	update(NOW, GW1, P1, 1, m1, MC_ALLOW, 0xe8010101,
	    0x0a630001);
	update(NOW, GW2, P1, 2, m2, MC_ALLOW, 0xe8010101,
	    0x0a630001);
	ck_assert_int_eq(joins, 1);
	ck_assert_ptr_nonnull(fwd4(0xe8010101));
	ck_assert_uint_eq(fwd4(0xe8010101)->n, 2);
	/* Current-state refresh with the same state: no leave, no join. */
	update(NOW + 1, GW1, P1, 1, m1, MC_IS_IN, 0xe8010101,
	    0x0a630001);
	ck_assert_int_eq(joins, 1);
	ck_assert_int_eq(leaves, 0);
	update(NOW, GW1, P1, 1, m1, MC_TO_IN, 0xe8010101, 0);
	ck_assert_int_eq(leaves, 0);
	update(NOW, GW2, P1, 2, m2, MC_BLOCK, 0xe8010101,
	    0x0a630001);
	ck_assert_int_eq(leaves, 1);
	/* A refused join is counted and the relay goes on. */
	refuse_joins = 1;
	update(NOW, GW1, P1, 1, m1, MC_ALLOW, 0xe8010102,
	    0x0a630001);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_JOIN_FAILED], 1);
	ck_assert_uint_eq(R.ngws, 1);
}
END_TEST

/* v2 reports and leaves inside Updates; garbage counted. */
START_TEST(update_v2_and_garbage)
{
	uint8_t		 mac[6], pkt[64];
	struct wbuf	 w;
	struct amt_msg	 m;

	request(NOW, GW1, P1, 1, mac);
	wbuf_init(&w, pkt, sizeof(pkt));
	ck_assert_int_eq(igmp_build_v12(&w, 0, 0xef050505, IGMP_V2_REPORT, 0,
	    0xef050505), 0);
	memset(&m, 0, sizeof(m));
	m.type = AMT_UPDATE;
	memcpy(m.mac, mac, 6);
	m.nonce = 1;
	m.inner_len = w.len;
	feed(NOW, GW1, P1, &m, pkt);
	ck_assert_ptr_nonnull(fwd4(0xef050505));
	wbuf_init(&w, pkt, sizeof(pkt));
	ck_assert_int_eq(igmp_build_v12(&w, 0, IN4_ALLROUTERS, IGMP_V2_LEAVE,
	    0, 0xef050505), 0);
	feed(NOW, GW1, P1, &m, pkt);
	ck_assert_ptr_null(fwd4(0xef050505));
	/* A query is not a report; a corrupt checksum is not IGMP. */
	pkt[24 + 2] ^= 0xff;
	feed(NOW, GW1, P1, &m, pkt);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_BAD_IGMP], 1);
	recv4(NOW, 0, GW1, P1, (const uint8_t *)"\x15", 1);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_MALFORMED], 1);
	recv4(NOW, 0, GW1, P1, (const uint8_t *)"\x06\x00", 2);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_MALFORMED], 2);
}
END_TEST

/*
 * RFC 7450 5.3.1: a relay handles reports as a router does.  Two hosts
 * behind one gateway (two inner sources, as a kernel gateway sends
 * them): one leaving costs the other nothing; nothing flaps.
 */
START_TEST(router_semantics_per_tunnel)
{
	uint8_t			 mac[6];
	const struct relay_fwd	*f;
	const uint32_t		 h1 = 0x0a000101, h2 = 0x0a000102;
	const uint32_t		 g = 0xef020202, s1 = 0x0a630001;

	request(NOW, GW1, P1, 9, mac);
	update_from(NOW, GW1, P1, 9, mac, h1, MC_TO_EX, g, 0);
	update_from(NOW, GW1, P1, 9, mac, h2, MC_ALLOW, g, s1);
	ck_assert_ptr_nonnull(f = fwd4(g));
	ck_assert(wants4(f->e[0].sub, 0x0a630077));
	/* h2's current state does not replace h1's. */
	update_from(NOW + 1, GW1, P1, 9, mac, h2, MC_IS_IN, g, s1);
	ck_assert(wants4(f->e[0].sub, 0x0a630077));
	/* h1 leaves: h2 still gets s1, and only s1. */
	update_from(NOW + 2, GW1, P1, 9, mac, h1, MC_TO_IN, g, 0);
	ck_assert_ptr_nonnull(f = fwd4(g));
	ck_assert(wants4(f->e[0].sub, s1));
	ck_assert(!wants4(f->e[0].sub, 0x0a630077));
	ck_assert_int_eq(joins, 2);		/* (*,G), then (S,G) */
	ck_assert_uint_eq(last_js, s1);
	ck_assert_int_eq(leaves, 1);		/* (*,G) */
	/* h2's state times out on its own timer, then the group goes. */
	relay_timer(&R, NOW + 2 + 2 * 20000 + 10000);
	ck_assert_ptr_null(fwd4(g));
	ck_assert_int_eq(leaves, 2);
	ck_assert_uint_eq(R.ngws, 0);
}
END_TEST

/* RFC 4604 3.1: EXCLUDE records in the SSM range are ignored; no (*,G). */
START_TEST(ssm_no_exclude)
{
	uint8_t		 mac[6];
	const uint32_t	 g = 0xe8020202, s1 = 0x0a630001;

	request(NOW, GW1, P1, 11, mac);
	update(NOW, GW1, P1, 11, mac, MC_TO_EX, g, 0);
	update(NOW, GW1, P1, 11, mac, MC_IS_EX, g, s1);
	ck_assert_ptr_null(fwd4(g));
	ck_assert_int_eq(joins, 0);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_SSM_EXCLUDE], 2);
	/* An IGMPv2 report (IS_EX({})) for an SSM group: the same. */
	update(NOW, GW1, P1, 11, mac, MC_ALLOW, g, s1);
	ck_assert_int_eq(joins, 1);
	ck_assert_uint_eq(last_js, s1);
}
END_TEST

/* teardown off: 48-byte Queries without G fields; Teardown ignored. */
START_TEST(teardown_off)
{
	uint8_t		 mac[6];
	struct amt_msg	 m;

	C.teardown = 0;
	request(NOW, GW1, P1, 21, mac);
	ck_assert_uint_eq(rep[0].m.flags, 0);
	ck_assert_uint_eq(rep[0].len, 48);
	update(NOW, GW1, P1, 21, mac, MC_ALLOW, 0xe8010101, 0x0a630001);
	ck_assert_uint_eq(R.ngws, 1);
	memset(&m, 0, sizeof(m));
	m.type = AMT_TEARDOWN;
	memcpy(m.mac, mac, 6);
	m.nonce = 21;
	m.gw_port = P1;
	be32_store(m.gw_addr + 12, GW1);
	feed(NOW, GW1, P1, &m, NULL);
	ck_assert_uint_eq(R.ngws, 1);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_TEARDOWN_OFF], 1);
}
END_TEST

/* Port unreachable pauses a gateway's data until it asks again. */
START_TEST(unreachable_pauses)
{
	uint8_t			 mac[6];
	const struct relay_fwd	*f;

	request(NOW, GW1, P1, 31, mac);
	update(NOW, GW1, P1, 31, mac, MC_ALLOW, 0xe8010101, 0x0a630001);
	ck_assert_ptr_nonnull(f = fwd4(0xe8010101));
	unreach4(GW1, P1 + 1);	/* another endpoint */
	ck_assert_int_eq(f->e[0].gw->paused, 0);
	unreach4(GW1, P1);
	ck_assert_int_eq(f->e[0].gw->paused, 1);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_GW_PAUSED], 1);
	ck_assert_uint_eq(R.ngws, 1);		/* state kept */
	request(NOW + 1, GW1, P1, 32, mac);
	ck_assert_int_eq(f->e[0].gw->paused, 0);
}
END_TEST

/* Count the Queries a flood of Requests from srcs..srcs+n gets. */
static unsigned
flood(uint64_t now, uint32_t base, unsigned n, unsigned step)
{
	struct amt_msg	 m;
	unsigned	 i, answered = 0;

	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	for (i = 0; i < n; i++) {
		m.nonce = i + 1;
		nrep = 0;
		feed(now + i / step, base + i, 2268, &m, NULL);
		answered += nrep;
	}
	return answered;
}

/*
 * Answers to unproven sources are limited per prefix and in all; a
 * gateway the relay serves is answered through any flood.
 */
START_TEST(request_rate_limits)
{
	uint8_t		 mac[6];
	unsigned	 got;

	C.prefix_rate = 100;
	C.request_rate = 1000;
	request(NOW, GW1, P1, 1, mac);
	update(NOW, GW1, P1, 1, mac, MC_ALLOW, 0xe8010101, 0x0a630001);
	/* 5000 Requests in 1 s from one /24 (forged): 100/s, burst 2 s. */
	got = flood(NOW, 0xc6336400U, 250, 250);
	got += flood(NOW + 1, 0xc6336400U, 250, 250);
	ck_assert_uint_le(got, 2 * 100 + 2);
	ck_assert_uint_ge(got, 2 * 100);
	/* The served gateway is answered all the same. */
	request(NOW + 2, GW1, P1, 2, mac);
	/* Across many prefixes: the total (1000/s, burst 2000). */
	got = flood(NOW + 10000, 0x0b000000U, 3000, 3000 / 1);
	ck_assert_uint_le(got, 2000 + 2);
	ck_assert_uint_gt(R.ctr[RELAY_CTR_RATE_LIMITED], 0);
	/* Refilled a second later. */
	got = flood(NOW + 11000, 0x0c000000U, 100, 100);
	ck_assert_uint_ge(got, 90);
}
END_TEST

/*
 * Expiry costs no scan per message: next_exp is a lower bound that
 * events lower, and sweeps are at least RELAY_SWEEP_MIN_MS apart.
 */
START_TEST(expiry_sweeps)
{
	static uint8_t	 mac[200][6];
	unsigned	 i;
	uint64_t	 gmi = 2 * C.qi_ms + C.qri_ms;

	C.secret_ms = 3600000;		/* no rotation in the way */
	for (i = 0; i < 200; i++) {
		request(NOW, GW1 + i, P1, i + 1, mac[i]);
		update(NOW, GW1 + i, P1, i + 1, mac[i], MC_ALLOW, 0xe8010101,
		    0x0a630001);
	}
	ck_assert_uint_eq(R.ngws, 200);
	ck_assert_uint_eq(relay_next_deadline(&R), NOW + gmi);
	/* Half of them refresh; the rest expire at their time. */
	for (i = 0; i < 100; i++)
		update(NOW + C.qi_ms, GW1 + i, P1, i + 1, mac[i], MC_ALLOW,
		    0xe8010101, 0x0a630001);
	relay_timer(&R, NOW + gmi - 1);
	ck_assert_uint_eq(R.ngws, 200);
	relay_timer(&R, NOW + gmi);
	ck_assert_uint_eq(R.ngws, 100);
	/* The next deadline is now exact, and no sweep comes sooner
	 * than RELAY_SWEEP_MIN_MS after the last. */
	ck_assert_uint_eq(relay_next_deadline(&R), NOW + C.qi_ms + gmi);
	relay_timer(&R, NOW + C.qi_ms + gmi);
	ck_assert_uint_eq(R.ngws, 0);
	ck_assert_uint_eq(relay_next_deadline(&R), NOW + C.secret_ms);
}
END_TEST


/*
 * A gateway over IPv6 (RFC 7450 with an IPv6 underlay): Discovery gets
 * the IPv6 relay address (an IPv4 gateway the IPv4 one), the Query the
 * gateway's 16-byte address in its G fields and a MAC over it, an
 * Update under that MAC makes a tunnel keyed by the IPv6 endpoint, and
 * a Teardown naming it ends it.
 */
START_TEST(ipv6_gateway)
{
	struct mc_src6	 g6;
	struct amt_msg	 m;
	uint8_t		 b[256], mac[6], pkt[64], want[6];
	struct wbuf	 w;
	uint32_t	 s1 = 0x0a630001;

	C.has_relay6 = 1;
	a6(C.relay6, "2001:db8:1::1");
	a6(g6.a, "2001:db8:2::7");
	memset(&m, 0, sizeof(m));
	m.type = AMT_DISCOVERY;
	m.nonce = 0x77;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(amt_encode(&m, NULL, &w), 0);
	nrep = 0;
	relay_recv(&R, NOW, 1, &g6, P1, b, w.len);
	ck_assert_uint_eq(nrep, 1);
	ck_assert(mc_src6_eq(&rep[0].a6, &g6));
	ck_assert_int_eq(rep[0].m.relay_af, AF_INET6);
	ck_assert_mem_eq(rep[0].m.relay_addr, C.relay6, 16);
	recv4(NOW, 0, GW1, P1, b, w.len);	/* an IPv4 gateway */
	ck_assert_int_eq(rep[1].m.relay_af, AF_INET);
	/* Request: the G fields name the IPv6 endpoint; the MAC is over it. */
	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.nonce = 0x99;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(amt_encode(&m, NULL, &w), 0);
	nrep = 0;
	relay_recv(&R, NOW, 1, &g6, P1, b, w.len);
	ck_assert_uint_eq(nrep, 1);
	ck_assert_mem_eq(rep[0].m.gw_addr, g6.a, 16);
	mac_compute(R.mac.cur, g6.a, P1, 0x99, want);
	ck_assert_mem_eq(rep[0].m.mac, want, 6);
	memcpy(mac, rep[0].m.mac, 6);
	/* Update: a tunnel to the IPv6 endpoint. */
	wbuf_init(&w, pkt, sizeof(pkt));
	ck_assert_int_eq(igmp_report_begin(&w, 0), 0);
	ck_assert_int_eq(igmp_report_add(&w, MC_ALLOW, 0xe8010101, &s1, 1), 0);
	ck_assert_int_eq(igmp_report_finish(&w), 0);
	memset(&m, 0, sizeof(m));
	m.type = AMT_UPDATE;
	memcpy(m.mac, mac, 6);
	m.nonce = 0x99;
	m.inner_len = w.len;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(amt_encode(&m, pkt, &w), 0);
	relay_recv(&R, NOW, 1, &g6, P1, b, w.len);
	ck_assert_ptr_nonnull(relay_gw_find(&R, &g6, P1));
	ck_assert_ptr_nonnull(fwd4(0xe8010101));
	/* The same MAC from the IPv4 side is refused. */
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_BAD_MAC], 0);
	recv4(NOW, 0, 0x20010db8, P1, b, w.len);
	ck_assert_uint_eq(R.ctr[RELAY_CTR_UPDATE_BAD_MAC], 1);
	/* Teardown naming the IPv6 endpoint. */
	memset(&m, 0, sizeof(m));
	m.type = AMT_TEARDOWN;
	memcpy(m.mac, mac, 6);
	m.nonce = 0x99;
	m.gw_port = P1;
	memcpy(m.gw_addr, g6.a, 16);
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(amt_encode(&m, NULL, &w), 0);
	relay_recv(&R, NOW, 1, &g6, P1 + 5, b, w.len);
	ck_assert_ptr_null(relay_gw_find(&R, &g6, P1));
	ck_assert_uint_eq(R.ctr[RELAY_CTR_TEARDOWN], 1);
}
END_TEST

Suite *
relay_suite(void)
{
	Suite	*s = suite_create("amtrelayd");
	TCase	*tc = tcase_create("control");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, discovery_advertisement);
	tcase_add_test(tc, request_query);
	tcase_add_test(tc, request_query_mld);
	tcase_add_test(tc, update_mld);
	tcase_add_test(tc, ipv6_gateway);
	tcase_add_test(tc, update_joins_and_mac);
	tcase_add_test(tc, router_semantics_per_tunnel);
	tcase_add_test(tc, ssm_no_exclude);
	tcase_add_test(tc, teardown_off);
	tcase_add_test(tc, unreachable_pauses);
	tcase_add_test(tc, mac_rotation);
	tcase_add_test(tc, tunnel_limit);
	tcase_add_test(tc, state_timeout);
	tcase_add_test(tc, request_rate_limits);
	tcase_add_test(tc, expiry_sweeps);
	tcase_add_test(tc, teardown_msg);
	tcase_add_test(tc, join_refcount);
	tcase_add_test(tc, update_v2_and_garbage);
	suite_add_tcase(s, tc);
	return s;
}
