/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The gateway site at scale, against a model: 300 sources, 40 relays
 * that die and come back, sources with records, without, and with a
 * resolver that always fails, SSM joins and leaves and ASM groups, in
 * random order with the clock running.  After every step the split
 * must hold: each source of each INCLUDE group is in exactly one
 * tunnel's share, the one its state names; ASM groups only on the
 * default tunnel; no tunnel holds a group or source the host does not
 * want; and a relay dead for 5 s serves nothing.  The same for IPv6
 * channels and groups (MLD, sources under ip6.arpa, each tunnel's own
 * IPv6 cycle), mixed with the IPv4 ones.
 */

#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "igmp_proto.h"
#include "mld_proto.h"
#include "unit.h"

#define NRELAYS		40
#define NSRC		300
#define NGRP		60
#define NASM		10
#define DEFRELAY	0x0a0000fdU
#define RELAY(j)	(0x0a010001U | (uint32_t)(j) << 8)	/* 10.1.j.1 */
#define SRC(i)		(0xc6330001U + (uint32_t)(i))	/* 198.51.x.y */
#define GRP(k)		(0xe8010000U + (uint32_t)(k))
#define ASM(k)		(0xef010000U + (uint32_t)(k))
#define MAXQ		4096

static struct gw_conf	 conf;
static struct gw_site	 site;
static uint32_t		 rseed;
static int		 dead[NRELAYS];
static uint64_t		 dead_since[NRELAYS];
static struct { uint32_t relay, nonce; int p; } reqs[MAXQ];
static unsigned		 nreqs;
static struct { unsigned id; unsigned i; } lks[MAXQ];	/* source index */
static unsigned		 nlks;
static uint8_t		 query_inner[64], query6_inner[128];
static unsigned long	 routed6;	/* IPv6 (S,G) seen on a DRIAD tunnel */
static size_t		 query_inner_len, query6_inner_len;

/* IPv6 sources 2001:db8:ff::i (i < NSRC), groups ff3e::k and ff0e::k. */
static struct mc_src6
src6(unsigned i)
{
	struct mc_src6	 k = { { 0x20, 0x01, 0x0d, 0xb8, 0, 0xff } };

	k.a[14] = (uint8_t)(i >> 8);
	k.a[15] = (uint8_t)i;
	return k;
}

static struct mc_src6
grp6(unsigned k, int asm_)
{
	struct mc_src6	 g = { { 0xff, 0x3e } };

	if (asm_)
		g.a[1] = 0x0e;
	g.a[15] = (uint8_t)k;
	return g;
}

static int
relay_index(uint32_t a)
{
	uint32_t	 j = (a >> 8) & 0xff;

	return (a & 0xffff00ffU) == 0x0a010001U && j < NRELAYS ? (int)j : -1;
}

static int
m_send(void *arg, const struct mc_src6 *dst6, uint16_t port, const uint8_t *p,
    size_t len)
{
	struct amt_msg	 m;
	uint32_t	 dst = mc_src6_to_v4(dst6);
	int		 j = relay_index(dst);

	(void)arg;
	(void)port;
	ck_assert_int_eq(amt_decode(p, len, &m), AMT_OK);
	if (m.type == AMT_REQUEST && nreqs < MAXQ &&
	    (dst == DEFRELAY || (j >= 0 && !dead[j]))) {
		reqs[nreqs].relay = dst;
		reqs[nreqs].p = (m.flags & AMT_FLAG_P) != 0;
		reqs[nreqs++].nonce = m.nonce;
	}
	return 0;
}

static int
m_tun(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	(void)p;
	(void)len;
	return 0;
}

static uint32_t
m_random(void *arg)
{
	(void)arg;
	return xorshift32(&rseed);
}

/* The source index of a reverse name: IPv4 SRC(i), or IPv6 src6(i). */
static int
m_lookup(void *arg, unsigned id, const char *name, uint16_t type)
{
	unsigned	 a, b, c, d;
	char		 want[DRIAD_REVNAME_MAX];
	struct mc_src6	 k;

	(void)arg;
	ck_assert_uint_eq(type, DRIAD_RRTYPE);
	ck_assert_uint_lt(nlks, MAXQ);
	lks[nlks].id = id;
	if (sscanf(name, "%u.%u.%u.%u.in-addr.arpa", &d, &c, &b, &a) == 4) {
		lks[nlks++].i = (a << 24 | b << 16 | c << 8 | d) - SRC(0);
		return 0;
	}
	k = src6(0);
	k.a[14] = (uint8_t)(strtoul(name + 6, NULL, 16) << 4 |
	    strtoul(name + 4, NULL, 16));
	k.a[15] = (uint8_t)(strtoul(name + 2, NULL, 16) << 4 |
	    strtoul(name, NULL, 16));
	ck_assert_int_eq(driad_revname6(k.a, want, sizeof(want)), 0);
	ck_assert_str_eq(name, want);
	lks[nlks++].i = (unsigned)k.a[14] << 8 | k.a[15];
	return 0;
}

static const struct gw_site_ops m_ops = { m_send, m_tun, m_random,
    m_lookup };

/* The resolver answers every lookup out, as the model says. */
static void
answer_lookups(uint64_t now)
{
	struct gw_dns_answer	 a;
	uint8_t			 rd[2][6];
	const uint8_t		*rr[2] = { rd[0], rd[1] };
	size_t			 len[2] = { 6, 6 }, k;
	unsigned		 i, n = nlks;

	nlks = 0;
	for (k = 0; k < n; k++) {
		i = lks[k].i;
		memset(&a, 0, sizeof(a));
		a.ttl = 30;
		if (i % 10 == 0)
			a.status = GW_DNS_NONE;
		else if (i % 10 == 1)
			a.status = GW_DNS_FAIL;
		else {
			a.status = GW_DNS_OK;
			rd[0][0] = 10;
			rd[1][0] = 20;
			rd[0][1] = rd[1][1] = 0x81;	/* D=1, type 1 */
			be32_store(rd[0] + 2, RELAY(i % NRELAYS));
			be32_store(rd[1] + 2, RELAY((i + 7) % NRELAYS));
			a.rr = rr;
			a.len = len;
			a.n = 2;
		}
		site_dns(&site, now, lks[k].id, &a);
	}
}

/* Live relays answer every Request with a Query (QQIC 2 s). */
static void
answer_requests(uint64_t now)
{
	struct amt_msg	 m;
	uint8_t		 b[256];
	struct wbuf	 w;
	struct mc_src6	 k;
	unsigned	 i, n = nreqs;

	nreqs = 0;
	for (i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.type = AMT_QUERY;
		m.nonce = reqs[i].nonce;
		m.inner_len = reqs[i].p ? query6_inner_len : query_inner_len;
		wbuf_init(&w, b, sizeof(b));
		ck_assert_int_eq(amt_encode(&m, reqs[i].p ? query6_inner :
		    query_inner, &w), 0);
		k = mc_src6_v4(reqs[i].relay);
		site_recv_amt(&site, now, &k, AMT_PORT, b, w.len);
	}
}

static void
report(uint64_t now, uint8_t type, uint32_t g, const uint32_t *s, unsigned n)
{
	uint8_t		 b[256];
	struct wbuf	 w;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_report_begin(&w, 0x0a636301), 0);
	ck_assert_int_eq(igmp_report_add(&w, type, g, s, (uint16_t)n), 0);
	ck_assert_int_eq(igmp_report_finish(&w), 0);
	site_tun_packet(&site, now, b, w.len);
}

/* The host side's MLDv2 report (from ::) with one record. */
static void
report6(uint64_t now, uint8_t type, const struct mc_src6 *g,
    const struct mc_src6 *s)
{
	static const uint8_t	 any[16];
	uint8_t			 b[256];
	struct wbuf		 w;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_report_begin(&w, any), 0);
	ck_assert_int_eq(mld_report_add(&w, type, g->a, s != NULL ? s->a :
	    NULL, s != NULL), 0);
	ck_assert_int_eq(mld_report_finish(&w), 0);
	site_tun_packet(&site, now, b, w.len);
}

static const struct gw_tnl *
expected6(const struct mc_src6 *k)
{
	const struct gw_src	*e = site_source(&site, k);

	ck_assert_ptr_nonnull(e);
	if (e->st == GW_SRC_RELAY)
		return e->t;
	if (e->st == GW_SRC_DEFAULT)
		return &site.def;
	return NULL;
}

static const struct gw_tnl *
expected(uint32_t s)
{
	struct mc_src6		 k = mc_src6_v4(s);
	const struct gw_src	*e = site_source(&site, &k);

	ck_assert_ptr_nonnull(e);
	if (e->st == GW_SRC_RELAY)
		return e->t;
	if (e->st == GW_SRC_DEFAULT)
		return &site.def;
	return NULL;
}

static int
holds(const struct gw_tnl *t, uint32_t g, uint32_t s)
{
	const struct gw_sub	*x = subs_find(&t->fsm.subs, g);

	return x != NULL && x->st.mode == MC_INCLUDE &&
	    srclist_has(&x->st.srcs, s);
}

static int
live(const struct gw_tnl *t)
{
	return t->fsm.state != GW_STA_STOPPING && t->fsm.state != GW_STA_DONE;
}

/* The host's wants, group by group, against every tunnel's share. */
static void
check_split(void)
{
	const struct gw_sub	*g, *x;
	size_t			 i, k, n;
	uint16_t		 j;

	for (i = 0; i < site.subs.n; i++) {
		g = &site.subs.v[i];
		if (g->st.mode == MC_EXCLUDE) {
			x = subs_find(&site.def.fsm.subs, g->group);
			ck_assert(x != NULL && x->st.mode == MC_EXCLUDE);
			for (k = 0; k < site.nt; k++)
				ck_assert_ptr_null(subs_find(
				    &site.t[k]->fsm.subs, g->group));
			continue;
		}
		for (j = 0; j < g->st.srcs.n; j++) {
			uint32_t	 s = g->st.srcs.v[j];
			const struct gw_tnl *want = expected(s);

			ck_assert_int_eq(holds(&site.def, g->group, s),
			    want == &site.def);
			for (k = 0; k < site.nt; k++)
				if (live(site.t[k]))
					ck_assert_int_eq(holds(site.t[k],
					    g->group, s), want == site.t[k]);
		}
	}
	/* Nothing held that the host does not want. */
	for (k = 0; k <= site.nt; k++) {
		const struct gw_tnl *t = k == site.nt ? &site.def : site.t[k];

		if (!live(t))
			continue;
		for (n = 0; n < t->fsm.subs.n; n++) {
			x = &t->fsm.subs.v[n];
			g = subs_find(&site.subs, x->group);
			ck_assert_ptr_nonnull(g);
			for (j = 0; j < x->st.srcs.n && x->st.mode ==
			    MC_INCLUDE; j++)
				ck_assert_ptr_eq(expected(x->st.srcs.v[j]), t);
		}
	}
}

static int
holds6(const struct gw_tnl *t, const struct mc_src6 *g,
    const struct mc_src6 *s)
{
	const struct gw_sub6	*x = subs6_find(&t->fsm.mld.subs, g);

	return x != NULL && x->st.mode == MC_INCLUDE &&
	    srclist_has6(&x->st.srcs, *s);
}

/* The same for the IPv6 groups and the tunnels' IPv6 shares. */
static void
check_split6(void)
{
	const struct gw_sub6	*g, *x;
	size_t			 i, k, n;
	uint16_t		 j;

	for (i = 0; i < site.subs6.n; i++) {
		g = &site.subs6.v[i];
		if (g->st.mode == MC_EXCLUDE) {
			x = subs6_find(&site.def.fsm.mld.subs, &g->group);
			ck_assert(x != NULL && x->st.mode == MC_EXCLUDE);
			for (k = 0; k < site.nt; k++)
				ck_assert_ptr_null(subs6_find(
				    &site.t[k]->fsm.mld.subs, &g->group));
			continue;
		}
		for (j = 0; j < g->st.srcs.n; j++) {
			const struct mc_src6 *s = &g->st.srcs.v[j];
			const struct gw_tnl *want = expected6(s);

			routed6 += want != NULL && want != &site.def;
			ck_assert_int_eq(holds6(&site.def, &g->group, s),
			    want == &site.def);
			for (k = 0; k < site.nt; k++)
				if (live(site.t[k]))
					ck_assert_int_eq(holds6(site.t[k],
					    &g->group, s), want == site.t[k]);
		}
	}
	for (k = 0; k <= site.nt; k++) {
		const struct gw_tnl *t = k == site.nt ? &site.def : site.t[k];

		if (!live(t))
			continue;
		for (n = 0; n < t->fsm.mld.subs.n; n++) {
			x = &t->fsm.mld.subs.v[n];
			ck_assert_ptr_nonnull(subs6_find(&site.subs6,
			    &x->group));
			for (j = 0; j < x->st.srcs.n && x->st.mode ==
			    MC_INCLUDE; j++)
				ck_assert_ptr_eq(expected6(&x->st.srcs.v[j]),
				    t);
		}
	}
}

/*
 * A tunnel to a dead relay gives it up within 5 s of the death or of
 * its own start, whichever is later (a query interval of 2 s, then the
 * Request retransmissions).
 */
static void
check_dead(uint64_t now)
{
	uint64_t	 since;
	size_t		 i;
	int		 j;

	for (i = 0; i < site.nsrc; i++) {
		const struct gw_src *e = &site.src[i];

		if (e->st != GW_SRC_RELAY || !live(e->t))
			continue;
		if ((j = relay_index(mc_src6_to_v4(&e->t->key))) < 0 ||
		    !dead[j])
			continue;
		since = dead_since[j] > e->t->fsm.t_alive ? dead_since[j] :
		    e->t->fsm.t_alive;
		ck_assert_msg(now - since < 5000, "source %s still on "
		    "relay %d, %llu ms after it died or the tunnel started",
		    addr6_ntoa(e->addr.a), j,
		    (unsigned long long)(now - since));
	}
}

/* Half the joins and leaves are IPv6 ones. */
static int
one_op6(uint64_t now, uint32_t r)
{
	struct mc_src6	 s = src6(xorshift32(&rseed) % NSRC),
			 g = grp6(xorshift32(&rseed) % NGRP, 0),
			 a = grp6(r % NASM, 1);

	if (xorshift32(&rseed) % 2 != 0 || r >= 85)
		return 0;
	if (r < 45)
		report6(now, MC_ALLOW, &g, &s);
	else if (r < 75)
		report6(now, MC_BLOCK, &g, &s);
	else if (r < 80)
		report6(now, MC_TO_EX, &a, NULL);
	else
		report6(now, MC_TO_IN, &a, NULL);
	return 1;
}

static void
one_op(uint64_t now)
{
	uint32_t	 r = xorshift32(&rseed) % 100, s, g;
	int		 j;

	if (one_op6(now, r))
		return;
	s = SRC(xorshift32(&rseed) % NSRC);
	g = GRP(xorshift32(&rseed) % NGRP);
	if (r < 45)
		report(now, MC_ALLOW, g, &s, 1);
	else if (r < 75)
		report(now, MC_BLOCK, g, &s, 1);
	else if (r < 80)
		report(now, MC_TO_EX, ASM(r % NASM), NULL, 0);
	else if (r < 85)
		report(now, MC_TO_IN, ASM(r % NASM), NULL, 0);
	else if (r < 92) {
		j = (int)(xorshift32(&rseed) % NRELAYS);
		if (!dead[j]) {
			dead[j] = 1;
			dead_since[j] = now;
		}
	} else if (r < 99)
		dead[xorshift32(&rseed) % NRELAYS] = 0;
}

START_TEST(test_model)
{
	struct wbuf		 w;
	struct igmp_query	 q;
	uint64_t		 now = 1, d;
	unsigned		 step;

	conf_defaults(&gw_conf_table, &conf);
	conf.relay = mc_src6_v4(DEFRELAY);
	conf.fixed_relay = 1;
	conf.req_timeout_ms = 100;
	conf.req_retries = 1;
	conf.max_timeout_ms = 400;
	conf.lookups_max = 8;
	conf.tunnel_hold_ms = 3000;
	rseed = UNIT_SEED + (uint32_t)_i;
	memset(dead, 0, sizeof(dead));
	nreqs = nlks = 0;
	routed6 = 0;
	log_setverbose(0);
	memset(&q, 0, sizeof(q));
	q.version = 3;
	q.src = 0x0a0000fd;
	q.dst = 0xe0000001;
	q.code = 10;
	q.qrv = 2;
	q.qqic = 2;
	wbuf_init(&w, query_inner, sizeof(query_inner));
	ck_assert_int_eq(igmp_build_query(&w, &q), 0);
	query_inner_len = w.len;
	{
		static const uint8_t	 ll[16] = { 0xfe, 0x80, [15] = 1 },
					 any[16];
		struct mld_query	 q6 = { .version = 2, .src = ll,
		    .dst = mld_all_nodes, .group = any, .mrc = 1000,
		    .qrv = 2, .qqic = 2 };

		wbuf_init(&w, query6_inner, sizeof(query6_inner));
		ck_assert_int_eq(mld_build_query(&w, &q6), 0);
		query6_inner_len = w.len;
	}
	ck_assert_int_eq(site_init(&site, &conf, &m_ops, NULL), 0);
	site_start(&site, now);
	for (step = 0; step < 3000; step++) {
		one_op(now);
		answer_lookups(now);
		answer_requests(now);
		for (d = now + 100; now < d;) {
			uint64_t t = site_next_deadline(&site);

			now = t < d ? (t > now ? t : now) : d;
			site_timer(&site, now);
			answer_lookups(now);
			answer_requests(now);
		}
		check_split();
		check_split6();
		check_dead(now);
	}
	ck_assert_uint_gt(site.ctr[GW_SITE_FAILOVERS], 10);
	ck_assert_uint_gt(site.ctr[GW_SITE_MLD_REPORT_RCVD], 500);
	ck_assert_uint_gt(routed6, 1000);
	ck_assert_uint_gt(site.ctr[GW_SITE_TUNNELS_OPENED], NRELAYS);
	ck_assert_uint_gt(site.ctr[GW_SITE_TUNNELS_CLOSED], 0);
	ck_assert_uint_le(site.nt, NRELAYS);
	site_free(&site);
}
END_TEST

Suite *
gw_model_suite(void)
{
	Suite	*s = suite_create("gw_model");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_model, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
