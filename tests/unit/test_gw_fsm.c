/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The gateway state machine (amtgwd/gw_fsm.c) driven with a fake clock
 * and fake I/O: retransmission schedules and their random bounds, the
 * nonce rules, each Query check of RFC 7450 5.2.3.5.4, the QQIC timer,
 * reports, the membership mirror and its ageing, G changes and
 * Teardown, the L flag, shutdown and the data acceptance rules of
 * 5.2.3.3.
 */

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "cksum.h"
#include "emit.h"
#include "igmp_proto.h"
#include "mld_proto.h"
#include "unit.h"
#include "vectors.h"

#define RELAY	0x0a000001U	/* 10.0.0.1 */
#define DISC	0x0a0000feU	/* 10.0.0.254 */
#define MAXSENT	64

struct sent {
	uint32_t	 dst;		/* an IPv4 one; 0 else */
	struct mc_src6	 dst6;
	uint16_t	 port;
	size_t		 len;
	uint8_t		 b[1600];
	struct amt_msg	 m;
};

static struct sent	 sent[MAXSENT];
static unsigned		 nsent;
static uint8_t		 tunw[16][1600];
static size_t		 tunw_len[16];
static unsigned		 ntun;
static uint32_t		 rseed;
static int		 rmode;		/* 0 prng, 1 always min, 2 max */

static struct gw_conf	 conf;
static struct gw_site	 site;
#define gw		 (site.def.fsm)	/* the default tunnel */

/* The relay addresses these tests use are IPv4: as the gateway keys them. */
static struct mc_src6
K(uint32_t a)
{
	return mc_src6_v4(a);
}

static int
fake_send(void *arg, const struct mc_src6 *dst, uint16_t port,
    const uint8_t *p, size_t len)
{
	struct sent	*s;

	(void)arg;
	ck_assert_uint_lt(nsent, MAXSENT);
	s = &sent[nsent++];
	s->dst = mc_src6_is_v4(dst) ? mc_src6_to_v4(dst) : 0;
	s->dst6 = *dst;
	s->port = port;
	s->len = len;
	memcpy(s->b, p, len);
	ck_assert_int_eq(amt_decode(s->b, len, &s->m), AMT_OK);
	return 0;
}

static int
fake_tun(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	ck_assert_uint_lt(ntun, 16);
	memcpy(tunw[ntun], p, len);
	tunw_len[ntun++] = len;
	return 0;
}

static uint32_t
fake_random(void *arg)
{
	(void)arg;
	if (rmode == 1)
		return rseed++ & 1;	/* the low end: lo or lo + 1 */
	if (rmode == 2)
		return 0xffffffffU;
	return xorshift32(&rseed);
}

static int
fake_lookup(void *arg, unsigned id, const char *name, uint16_t type)
{
	(void)arg;
	(void)id;
	(void)name;
	(void)type;
	return -1;
}

static const struct gw_site_ops fake_ops = { fake_send, fake_tun,
    fake_random, fake_lookup };

static void
setup(void)
{
	conf_defaults(&gw_conf_table, &conf);
	conf.discovery = K(DISC);
	conf.driad = 0;
	nsent = ntun = 0;
	rseed = UNIT_SEED;
	rmode = 0;
	log_setverbose(0);
	ck_assert_int_eq(site_init(&site, &conf, &fake_ops, NULL), 0);
}

static void
teardown(void)
{
	site_free(&site);
}

static struct sent *
last(void)
{
	ck_assert_uint_gt(nsent, 0);
	return &sent[nsent - 1];
}

/* Feed an AMT message built from m (and inner) as if from src:sport. */
static void
feed(uint64_t now, uint32_t src, uint16_t sport, const struct amt_msg *m,
    const uint8_t *inner)
{
	uint8_t		 b[1600];
	struct wbuf	 w;
	struct mc_src6	 k = K(src);

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(amt_encode(m, inner, &w), 0);
	site_recv_amt(&site, now, &k, sport, b, w.len);
}

/* Bytes as they came, from an IPv4 relay. */
static void
feed_raw(uint64_t now, uint32_t src, const uint8_t *b, size_t n)
{
	struct mc_src6	 k = K(src);

	site_recv_amt(&site, now, &k, AMT_PORT, b, n);
}

/* The relay the tunnel takes Data from, as IPv4 (0 if none). */
static uint32_t
relay4(void)
{
	struct mc_src6	 a;

	if (!gw_relay(&gw, &a))
		return 0;
	return mc_src6_to_v4(&a);
}

static void
feed_adv(uint64_t now, uint32_t nonce, uint32_t relay)
{
	struct amt_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = AMT_ADVERTISEMENT;
	m.nonce = nonce;
	m.relay_af = AF_INET;
	be32_store(m.relay_addr, relay);
	feed(now, DISC, AMT_PORT, &m, NULL);
}

/* A Query with the shared general-query vector (QQIC 125, QRV 2). */
static void
query_msg(struct amt_msg *m, uint32_t nonce, uint8_t flags, uint16_t port)
{
	memset(m, 0, sizeof(*m));
	m->type = AMT_QUERY;
	m->flags = flags;
	m->nonce = nonce;
	memcpy(m->mac, "\x01\x02\x03\x04\x05\x06", 6);
	m->inner_len = sizeof(v_query);
	m->gw_port = port;
	m->gw_addr[12] = 192;
	m->gw_addr[13] = 0;
	m->gw_addr[14] = 2;
	m->gw_addr[15] = 99;
}

/* Run the timers to the next cycle's Request; returns its time. */
static uint64_t
next_cycle(void)
{
	uint64_t	 now = 0;

	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	while (gw.state == GW_STA_ESTABLISHED) {
		now = site_next_deadline(&site);
		site_timer(&site, now);
	}
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	return now;
}

/* Run discovery and the first Request/Query; returns the time. */
static uint64_t
establish(uint8_t flags)
{
	struct amt_msg	 m;
	uint64_t	 now = 1000;

	site_start(&site, now);
	feed_adv(now, last()->m.nonce, RELAY);
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
	query_msg(&m, last()->m.nonce, flags, 40000);
	feed(now, RELAY, AMT_PORT, &m, v_query);
	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	return now;
}

START_TEST(test_start_discovery_at_once)
{
	site_start(&site, 5000);
	ck_assert_int_eq(gw.state, GW_STA_DISCOVERING);
	ck_assert_uint_eq(nsent, 1);		/* no start-up delay */
	ck_assert_uint_eq(last()->m.type, AMT_DISCOVERY);
	ck_assert_uint_eq(last()->dst, DISC);
	ck_assert_uint_eq(last()->port, AMT_PORT);
	ck_assert_uint_ne(last()->m.nonce, 0);
}
END_TEST

/* A random source that gives 0 first: the nonce is drawn again. */
static unsigned	 zero_left;
static uint32_t
zero_then_prng(void *arg)
{
	(void)arg;
	if (zero_left > 0) {
		zero_left--;
		return 0;
	}
	return xorshift32(&rseed);
}

START_TEST(test_discovery_nonce_nonzero)
{
	static const struct gw_site_ops ops = { fake_send, fake_tun,
	    zero_then_prng, fake_lookup };

	site_free(&site);
	ck_assert_int_eq(site_init(&site, &conf, &ops, NULL), 0);
	zero_left = 3;
	site_start(&site, 0);
	ck_assert_uint_ne(last()->m.nonce, 0);
	ck_assert_uint_eq(zero_left, 0);
}
END_TEST

/*
 * Retransmissions: the same nonce, each timeout random within
 * [initial, min(initial*2^n, max)]; with the extremes of the random
 * source the bounds themselves are reached.
 */
static void
check_schedule(int is_disc, int mode)
{
	uint64_t	 now = 0, t;
	uint32_t	 nonce, hi, to;
	unsigned	 n;

	rmode = mode;
	conf.disc_retries = conf.req_retries = 12;
	if (is_disc)
		site_start(&site, now);
	else {
		site_start(&site, now);
		feed_adv(now, last()->m.nonce, RELAY);
	}
	nonce = last()->m.nonce;
	for (n = 0; n <= 12; n++) {
		t = site_next_deadline(&site);
		to = (uint32_t)(t - now);
		hi = 1000U << (n > 7 ? 7 : n);
		if (hi > GW_RECOVER_MAX_MS)	/* the first minutes */
			hi = GW_RECOVER_MAX_MS;
		ck_assert_msg(to >= 1000 && to <= hi, "try %u: %u not in "
		    "[1000, %u]", n, to, hi);
		if (mode == 1)
			ck_assert_uint_le(to, 1001);
		if (mode == 2 && n == 0)
			ck_assert_uint_eq(to, 1000);
		now = t;
		site_timer(&site, now);
		if (n < 12) {
			ck_assert_uint_eq(last()->m.type, is_disc ?
			    AMT_DISCOVERY : AMT_REQUEST);
			ck_assert_uint_eq(last()->m.nonce, nonce);
		}
	}
}

START_TEST(test_discovery_schedule)
{
	check_schedule(1, (int)_i);
}
END_TEST

START_TEST(test_request_schedule)
{
	check_schedule(0, (int)_i);
}
END_TEST

/*
 * Upper bound reached: with random = span - 1, min(initial*2^n, max),
 * where max is GW_RECOVER_MAX_MS for the first GW_RECOVER_PERIOD_MS,
 * retransmit-max after.
 */
static uint32_t	 want_span;
static uint32_t
top_of_span(void *arg)
{
	(void)arg;
	return want_span - 1;
}

START_TEST(test_backoff_upper_bound)
{
	static const struct gw_site_ops ops = { fake_send, fake_tun,
	    top_of_span, fake_lookup };
	uint64_t			 now = 0, t;
	unsigned			 n;
	uint32_t			 hi;

	site_free(&site);
	conf.disc_retries = 200;
	ck_assert_int_eq(site_init(&site, &conf, &ops, NULL), 0);
	want_span = 2;		/* the nonce: 1 */
	site_start(&site, now);
	for (n = 1; n <= 100; n++) {
		nsent = 1;	/* only the timings matter here */
		hi = 1000U << (n > 8 ? 8 : n);
		if (now < GW_RECOVER_PERIOD_MS && hi > GW_RECOVER_MAX_MS)
			hi = GW_RECOVER_MAX_MS;
		if (hi > 120000)
			hi = 120000;
		want_span = hi - 1000 + 1;
		now = site_next_deadline(&site);
		site_timer(&site, now);
		t = site_next_deadline(&site);
		ck_assert_uint_eq(t - now, hi);
	}
}
END_TEST

START_TEST(test_discovery_gives_up_and_restarts)
{
	uint64_t	 now = 0;
	uint32_t	 first;
	unsigned	 i;

	conf.disc_retries = 2;
	site_start(&site, now);
	first = last()->m.nonce;
	for (i = 0; i < 2; i++) {
		now = site_next_deadline(&site);
		site_timer(&site, now);
		ck_assert_uint_eq(last()->m.nonce, first);
	}
	now = site_next_deadline(&site);
	site_timer(&site, now);
	ck_assert_uint_eq(last()->m.type, AMT_DISCOVERY);
	ck_assert_uint_ne(last()->m.nonce, first);	/* new attempt */
	ck_assert_uint_eq(gw.ctr[GW_CTR_DISC_TIMEOUT], 1);
}
END_TEST

START_TEST(test_advertisement_checks)
{
	uint32_t	 nonce;
	struct amt_msg	 m;

	/* Not waiting: ignored. */
	feed_adv(0, 1, RELAY);
	ck_assert_uint_eq(gw.ctr[GW_CTR_ADV_UNEXPECTED], 1);
	site_start(&site, 0);
	nonce = last()->m.nonce;
	feed_adv(0, nonce ^ 1, RELAY);
	ck_assert_uint_eq(gw.ctr[GW_CTR_ADV_NONCE], 1);
	memset(&m, 0, sizeof(m));
	m.type = AMT_ADVERTISEMENT;
	m.nonce = nonce;
	m.relay_af = AF_INET;
	be32_store(m.relay_addr, RELAY);
	feed(0, DISC + 1, AMT_PORT, &m, NULL);		/* wrong address */
	feed(0, DISC, AMT_PORT + 1, &m, NULL);		/* wrong port */
	ck_assert_uint_eq(gw.ctr[GW_CTR_ADV_SOURCE], 2);
	/* A relay address no host has: multicast, loopback. */
	m.relay_af = AF_INET6;
	memset(m.relay_addr, 0, 16);
	m.relay_addr[0] = 0xff;
	m.relay_addr[1] = 0x02;
	feed(0, DISC, AMT_PORT, &m, NULL);
	m.relay_af = AF_INET;
	be32_store(m.relay_addr, 0x7f000001);
	feed(0, DISC, AMT_PORT, &m, NULL);
	ck_assert_uint_eq(gw.ctr[GW_CTR_ADV_FAMILY], 2);
	ck_assert_int_eq(gw.state, GW_STA_DISCOVERING);
	ck_assert_uint_eq(nsent, 1);
	feed_adv(0, nonce, RELAY);
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_eq(last()->dst, RELAY);
	ck_assert_uint_eq(last()->m.flags & AMT_FLAG_P, 0);
	/* A second Advertisement is ignored. */
	feed_adv(0, nonce, RELAY + 5);
	ck_assert_uint_eq(gw.ctr[GW_CTR_ADV_UNEXPECTED], 2);
	ck_assert_uint_eq(mc_src6_to_v4(&gw.relay), RELAY);
}
END_TEST

START_TEST(test_fixed_relay_no_discovery)
{
	conf.fixed_relay = 1;
	conf.relay = K(RELAY);
	site_start(&site, 0);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_eq(last()->dst, RELAY);
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
}
END_TEST

/* Request failures: discovery again, or (fixed) a new cycle. */
START_TEST(test_request_gives_up)
{
	uint64_t	 now = 0;
	uint32_t	 nonce;
	unsigned	 i;

	conf.req_retries = 3;
	site_start(&site, now);
	feed_adv(now, last()->m.nonce, RELAY);
	nonce = last()->m.nonce;
	for (i = 0; i < 3; i++) {
		now = site_next_deadline(&site);
		site_timer(&site, now);
		ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
		ck_assert_uint_eq(last()->m.nonce, nonce);
	}
	now = site_next_deadline(&site);
	site_timer(&site, now);
	ck_assert_int_eq(gw.state, GW_STA_DISCOVERING);
	ck_assert_uint_eq(last()->m.type, AMT_DISCOVERY);
	ck_assert_uint_eq(gw.ctr[GW_CTR_REQ_TIMEOUT], 1);
}
END_TEST

START_TEST(test_request_gives_up_fixed)
{
	uint64_t	 now = 0;
	uint32_t	 nonce;
	unsigned	 i;

	conf.fixed_relay = 1;
	conf.relay = K(RELAY);
	conf.req_retries = 1;
	site_start(&site, now);
	nonce = last()->m.nonce;
	for (i = 0; i < 2; i++) {
		now = site_next_deadline(&site);
		site_timer(&site, now);
	}
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_ne(last()->m.nonce, nonce);	/* a new cycle */
}
END_TEST

/* Each check of 5.2.3.5.4, then a good Query. */
START_TEST(test_query_checks)
{
	struct amt_msg	 m;
	uint32_t	 nonce;
	uint8_t		 bad[64];
	struct wbuf	 w;

	query_msg(&m, 0, 0, 0);
	feed(0, RELAY, AMT_PORT, &m, v_query);		/* not waiting */
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_UNEXPECTED], 1);
	site_start(&site, 0);
	feed_adv(0, last()->m.nonce, RELAY);
	nonce = last()->m.nonce;
	query_msg(&m, nonce ^ 0x100, 0, 0);
	feed(0, RELAY, AMT_PORT, &m, v_query);
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_NONCE], 1);
	query_msg(&m, nonce, 0, 0);
	feed(0, RELAY + 1, AMT_PORT, &m, v_query);
	feed(0, RELAY, 9999, &m, v_query);
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_SOURCE], 2);
	/* A group-specific query is not a General Query. */
	{
		struct igmp_query	 q = { .src = 1, .dst = 0xef010101,
		    .version = 3, .code = 10, .group = 0xef010101, .qrv = 2,
		    .qqic = 125 };

		wbuf_init(&w, bad, sizeof(bad));
		ck_assert_int_eq(igmp_build_query(&w, &q), 0);
		m.inner_len = w.len;
		feed(0, RELAY, AMT_PORT, &m, bad);
		/* An IGMPv2 general query is not IGMPv3. */
		q.version = 2;
		q.group = 0;
		wbuf_init(&w, bad, sizeof(bad));
		ck_assert_int_eq(igmp_build_query(&w, &q), 0);
		m.inner_len = w.len;
		feed(0, RELAY, AMT_PORT, &m, bad);
	}
	/* A corrupt IGMP checksum. */
	memcpy(bad, v_query, sizeof(v_query));
	bad[24 + 2] ^= 0xff;
	m.inner_len = sizeof(v_query);
	feed(0, RELAY, AMT_PORT, &m, bad);
	/* An IPv6 datagram where P=0 asked for IGMPv3: the MLD side's,
	 * which asked for nothing. */
	memset(bad, 0, sizeof(bad));
	bad[0] = 0x60;
	bad[5] = 8;
	m.inner_len = 48;
	feed(0, RELAY, AMT_PORT, &m, bad);
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_NOT_GENERAL], 3);
	ck_assert_uint_eq(gw.mld.ctr[GW_MLD_QUERY_REJECTED], 1);
	ck_assert_uint_eq(ntun, 0);
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);

	query_msg(&m, nonce, 0, 0);
	feed(7, RELAY, AMT_PORT, &m, v_query);
	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_RCVD], 1);
	ck_assert_uint_eq(ntun, 1);
	ck_assert_uint_eq(tunw_len[0], sizeof(v_query));
	ck_assert_mem_eq(tunw[0], v_query, sizeof(v_query));
	ck_assert_mem_eq(gw.cur.mac, "\x01\x02\x03\x04\x05\x06", 6);
	ck_assert_uint_eq(gw.cur.nonce, nonce);
	/* Later Queries are ignored until the next Request. */
	feed(8, RELAY, AMT_PORT, &m, v_query);
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_UNEXPECTED], 2);
	ck_assert_uint_eq(ntun, 1);
}
END_TEST

/* Octets between the datagram and the G fields never reach the TUN. */
START_TEST(test_query_trailing_octets)
{
	uint8_t		 b[200];
	size_t		 n;
	uint32_t	 nonce;

	site_start(&site, 0);
	feed_adv(0, last()->m.nonce, RELAY);
	nonce = last()->m.nonce;
	b[0] = AMT_QUERY;
	b[1] = AMT_FLAG_G;
	memset(b + 2, 0xab, 6);
	be32_store(b + 8, nonce);
	memcpy(b + 12, v_query, sizeof(v_query));
	n = 12 + sizeof(v_query);
	memset(b + n, 0xee, 10);		/* junk */
	n += 10;
	be16_store(b + n, 1234);
	memset(b + n + 2, 0, 16);
	n += 18;
	feed_raw(0, RELAY, b, n);
	ck_assert_uint_eq(ntun, 1);
	ck_assert_uint_eq(tunw_len[0], sizeof(v_query));
	ck_assert_uint_eq(gw.cur.gw_port, 1234);
}
END_TEST

/* QQIC to the query timer: literal, floating point, 0, NAT keep-alive. */
START_TEST(test_qqic_timer)
{
	static const struct { uint8_t qqic; uint32_t nat; uint32_t want; }
	    v[] = {
		{ 20, 0, 20000 },
		{ 125, 0, 125000 },
		{ 0x8c, 0, 224000 },	/* (0xc|0x10) << 3 = 224 s */
		{ 0xff, 0, 31744000 },
		{ 0, 0, 125000 },	/* no value: the default */
		{ 125, 25000, 25000 },	/* NAT keep-alive shortens */
		{ 20, 25000, 20000 },
	};
	struct amt_msg	 m;
	uint8_t		 qb[64];
	uint64_t	 now = 100;

	conf.nat_keepalive_ms = v[_i].nat;
	site_start(&site, now);
	feed_adv(now, last()->m.nonce, RELAY);
	memcpy(qb, v_query, sizeof(v_query));
	qb[24 + 9] = v[_i].qqic;
	qb[24 + 2] = qb[24 + 3] = 0;
	be16_store(qb + 26, in_cksum(qb + 24, 12));
	query_msg(&m, last()->m.nonce, 0, 0);
	feed(now, RELAY, AMT_PORT, &m, qb);
	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	/* Up to a tenth early, at random (crowds spread). */
	ck_assert_uint_le(gw.t_state - now, v[_i].want);
	ck_assert_uint_ge(gw.t_state - now, v[_i].want - v[_i].want / 10);
	/* The timer starts a new cycle with a new nonce. */
	now = next_cycle();
	ck_assert_uint_le(now - 100, v[_i].want);
	ck_assert_uint_ge(now - 100, v[_i].want - v[_i].want / 10);
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_ne(last()->m.nonce, m.nonce);
}
END_TEST

/*
 * Gateways that got their Query at the same moment do not start their
 * next cycle together: up to a tenth of the interval early, at random.
 */
START_TEST(test_cycle_jitter)
{
	uint64_t	 lo = UINT64_MAX, hi = 0, t;
	unsigned	 i;

	for (i = 0; i < 50; i++) {
		site_free(&site);
		ck_assert_int_eq(site_init(&site, &conf, &fake_ops, NULL), 0);
		nsent = ntun = 0;
		(void)establish(0);
		t = gw.t_state;
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	/* qi 100 s (nat-keepalive): spread over most of 10 s. */
	ck_assert_uint_le(hi - lo, 10000);
	ck_assert_uint_ge(hi - lo, 5000);
}
END_TEST

/* Every cycle a fresh nonce; retransmissions keep it. */
START_TEST(test_nonce_per_cycle)
{
	struct amt_msg	 m;
	uint64_t	 now = establish(0);
	uint32_t	 seen[5];
	unsigned	 i, j;

	for (i = 0; i < 5; i++) {
		now = next_cycle();
		seen[i] = last()->m.nonce;
		for (j = 0; j < i; j++)
			ck_assert_uint_ne(seen[i], seen[j]);
		now = site_next_deadline(&site);	/* retransmit */
		site_timer(&site, now);
		ck_assert_uint_eq(last()->m.nonce, seen[i]);
		query_msg(&m, seen[i], 0, 0);
		feed(now, RELAY, AMT_PORT, &m, v_query);
		ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	}
}
END_TEST

/* The inner report of Update s, decoded; its records follow with recs(). */
static void
upd_inner(const struct sent *s, struct ip4_info *ip, struct igmp_msg *g)
{
	ck_assert_uint_eq(s->m.type, AMT_UPDATE);
	ck_assert_int_eq(igmp_decode_packet(s->b + s->m.inner_off,
	    s->m.inner_len, ip, g), IGMP_OK);
	ck_assert_uint_eq(g->type, IGMP_V3_REPORT);
	ck_assert_int_eq(ip->router_alert, 1);
}

/* What the Updates sent[from..] say, per record type and in total. */
struct upd_sum {
	unsigned	 updates;
	unsigned	 recs;
	unsigned	 type[8];
	unsigned	 srcs;
	uint32_t	 inner_src;
	int		 one_src;	/* every report from inner_src */
	size_t		 max_len;	/* largest UDP payload */
	uint32_t	 groups[1024];	/* in order */
};

static void
upd_sum(unsigned from, struct upd_sum *u)
{
	struct ip4_info		 ip;
	struct igmp_msg		 g;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;
	unsigned		 i;

	memset(u, 0, sizeof(*u));
	u->one_src = 1;
	for (i = from; i < nsent; i++) {
		if (sent[i].m.type != AMT_UPDATE)
			continue;
		upd_inner(&sent[i], &ip, &g);
		if (u->updates++ == 0)
			u->inner_src = ip.src;
		else if (ip.src != u->inner_src)
			u->one_src = 0;
		if (sent[i].len > u->max_len)
			u->max_len = sent[i].len;
		igmp_rec_iter_init(&it, &g);
		while (igmp_rec_next(&it, &r) == 1) {
			if (u->recs < 1024)
				u->groups[u->recs] = r.group;
			u->recs++;
			u->type[r.type & 7]++;
			u->srcs += r.nsrcs;
		}
	}
}

/* An IGMPv3 report from src with n records of type t, groups g0 + i. */
static size_t
big_report(uint8_t *b, size_t cap, uint32_t src, uint8_t t, uint32_t g0,
    unsigned n, unsigned nsrc)
{
	static uint32_t	 srcs[64];
	struct wbuf	 w;
	unsigned	 i;

	for (i = 0; i < nsrc && i < 64; i++)
		srcs[i] = 0x0a000100U + i;
	wbuf_init(&w, b, cap);
	ck_assert_int_eq(igmp_report_begin(&w, src), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(igmp_report_add(&w, t, g0 + i, srcs,
		    (uint16_t)nsrc), 0);
	ck_assert_int_eq(igmp_report_finish(&w), 0);
	return w.len;
}

/*
 * Reports before the first Query are kept as membership; the Query
 * sends it (current state, its MAC and nonce); after it, every report
 * goes at once, in reports of the gateway's own.
 */
START_TEST(test_reports_held_then_immediate)
{
	struct amt_msg	 m;
	struct upd_sum	 u;
	uint32_t	 nonce;
	unsigned	 mark;

	site_start(&site, 0);
	site_tun_packet(&site, 0, v_report, sizeof(v_report));
	ck_assert_uint_eq(gw.ctr[GW_CTR_REPORT_HELD], 1);
	ck_assert_uint_eq(gw.subs.n, 1);
	ck_assert_uint_eq(nsent, 1);	/* just the Discovery */
	feed_adv(0, last()->m.nonce, RELAY);
	nonce = last()->m.nonce;
	mark = nsent;
	query_msg(&m, nonce, 0, 0);
	feed(0, RELAY, AMT_PORT, &m, v_query);
	/* The membership went out with the new MAC and nonce. */
	ck_assert_uint_eq(last()->m.nonce, nonce);
	ck_assert_mem_eq(last()->m.mac, "\x01\x02\x03\x04\x05\x06", 6);
	ck_assert_uint_eq(last()->dst, RELAY);
	upd_sum(mark, &u);
	ck_assert_uint_eq(u.updates, 1);
	ck_assert_uint_eq(u.recs, 1);
	ck_assert_uint_eq(u.type[MC_IS_IN], 1);
	ck_assert_uint_eq(u.srcs, 1);
	/* With the Query held: an Update per report, the record as is. */
	mark = nsent;
	site_tun_packet(&site, 1, v_report, sizeof(v_report));
	upd_sum(mark, &u);
	ck_assert_uint_eq(u.updates, 1);
	ck_assert_uint_eq(u.type[MC_ALLOW], 1);
	/* Still during the next cycle's Request, with the old Query. */
	(void)next_cycle();
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
	site_tun_packet(&site, 1, v_report, sizeof(v_report));
	ck_assert_uint_eq(last()->m.type, AMT_UPDATE);
	ck_assert_uint_eq(last()->m.nonce, nonce);
	ck_assert_uint_eq(gw.subs.n, 1);
}
END_TEST

/*
 * Whatever source the host's reports carry (one from another interface
 * of the site, 0.0.0.0, a v2 report), every report of the gateway
 * carries the one configured inner source, the leave at shutdown too.
 */
START_TEST(test_inner_source_stable)
{
	uint8_t		 b[2048];
	struct wbuf	 w;
	struct upd_sum	 u;
	uint64_t	 now;
	size_t		 n;

	conf.report_src = 0x64400001;	/* 100.64.0.1 */
	now = establish(0);
	n = big_report(b, sizeof(b), 0xc0a80105, MC_TO_EX, 0xef000001, 3, 0);
	site_tun_packet(&site, now, b, n);
	site_tun_packet(&site, now, v_report, sizeof(v_report));
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_v12(&w, 0x0a0a0a0a, 0xef0000aa,
	    IGMP_V2_REPORT, 0, 0xef0000aa), 0);
	site_tun_packet(&site, now, b, w.len);
	site_stop(&site, now);
	upd_sum(0, &u);
	ck_assert_uint_eq(u.updates, 4);
	ck_assert(u.one_src);
	ck_assert_uint_eq(u.inner_src, 0x64400001);
	ck_assert_uint_eq(u.type[MC_TO_IN], 5);	/* the leave */
	ck_assert_uint_eq(u.type[MC_IS_EX], 1);	/* the v2 report */
}
END_TEST

/*
 * Many groups: however big the host's reports, every Update fits the
 * path (path-mtu - 28 of UDP payload: no IP fragmentation) and every
 * group is in one.
 */
START_TEST(test_updates_fit_path)
{
	static uint8_t	 b[16384];
	static const unsigned mtu[] = { 1500, 1280, 616 };
	struct upd_sum	 u;
	uint64_t	 now;
	unsigned	 mark;
	size_t		 n;

	conf.path_mtu = mtu[_i];
	now = establish(0);
	/* 400 ASM joins in one datagram of 3232 bytes. */
	n = big_report(b, sizeof(b), 0, MC_TO_EX, 0xef000001, 400, 0);
	ck_assert_uint_gt(n, 3000);
	mark = nsent;
	site_tun_packet(&site, now, b, n);
	upd_sum(mark, &u);
	ck_assert_uint_eq(u.recs, 400);
	ck_assert_uint_eq(u.type[MC_TO_EX], 400);
	ck_assert_uint_le(u.max_len, mtu[_i] - 28);
	ck_assert_uint_eq(u.groups[0], 0xef000001);
	ck_assert_uint_eq(u.groups[399], 0xef000190);
	/* 200 SSM channels, 2 sources each. */
	n = big_report(b, sizeof(b), 0, MC_ALLOW, 0xe8000001, 200, 2);
	mark = nsent;
	site_tun_packet(&site, now, b, n);
	upd_sum(mark, &u);
	ck_assert_uint_eq(u.recs, 200);
	ck_assert_uint_eq(u.srcs, 400);
	ck_assert_uint_le(u.max_len, mtu[_i] - 28);
	ck_assert_uint_eq(gw.subs.n, 600);
	/* The state repeated within the cycle fits too. */
	mark = nsent;
	while (gw.ctr[GW_CTR_STATE_SENT] == 0)
		site_timer(&site, site_next_deadline(&site));
	upd_sum(mark, &u);
	ck_assert_uint_eq(u.recs, 600);
	ck_assert_uint_le(u.max_len, mtu[_i] - 28);
}
END_TEST

/*
 * The current state goes to the relay QRV more times within each query
 * cycle, qi / (QRV + 1) apart, so a lost Update costs no state: here
 * QRV 2, interval 100 s (nat-keepalive), at 33.3 s and 66.6 s.  While
 * the next cycle's Query is late, the repeats go on on the same grid
 * (not just after the Request, whose Query brings the state anyway)
 * for as long as the relay holds the state: QRV intervals.
 */
START_TEST(test_state_repeated_in_cycle)
{
	uint64_t	 start, now, t[16];
	unsigned	 k = 0;

	rmode = 1;		/* the cycle's own jitter at its least */
	start = establish(0);

	site_tun_packet(&site, start, v_report, sizeof(v_report));
	ck_assert_uint_eq(gw.qi_ms, 100000);
	/* The relay answers no Request from here on. */
	while (k < 16 && (now = site_next_deadline(&site)) < start + 400000) {
		unsigned before = nsent, i;

		site_timer(&site, now);
		for (i = before; i < nsent; i++)
			if (sent[i].m.type == AMT_UPDATE)
				t[k++] = now - start;
		if (nsent > 48)
			nsent = 1;	/* only the times matter */
	}
	ck_assert_uint_eq(k, 4);
	ck_assert_uint_eq(t[0], 33333);
	ck_assert_uint_eq(t[1], 66666);
	ck_assert_uint_eq(t[2], 133333);	/* 100000: the Request's */
	ck_assert_uint_eq(t[3], 166666);
	ck_assert_uint_eq(gw.ctr[GW_CTR_STATE_SENT], 4);
	ck_assert_uint_eq(gw.t_refresh, 0);
}
END_TEST

/* With every Query answered, exactly QRV repeats per cycle. */
START_TEST(test_state_repeats_per_cycle)
{
	struct amt_msg	 m;
	uint64_t	 now = establish(0);
	unsigned	 cycle;

	site_tun_packet(&site, now, v_report, sizeof(v_report));
	for (cycle = 0; cycle < 5; cycle++) {
		now = next_cycle();
		query_msg(&m, last()->m.nonce, 0, 0);
		feed(now + 20, RELAY, AMT_PORT, &m, v_query);
		/* The host side answers the Query. */
		site_tun_packet(&site, now + 21, v_report, sizeof(v_report));
	}
	ck_assert_uint_eq(site.ctr[GW_SITE_GROUPS_AGED], 0);
	ck_assert_uint_eq(gw.ctr[GW_CTR_STATE_SENT], 10);
}
END_TEST

/*
 * Soft state: after a Query is written into the pseudo-interface, a
 * group the host side does not report within the Max Resp Time (and
 * half a second) is left at the relay and forgotten.
 */
START_TEST(test_groups_age)
{
	uint8_t		 b[2048];
	struct upd_sum	 u;
	uint64_t	 now, asked;
	unsigned	 mark;
	size_t		 n;

	now = establish(0);
	n = big_report(b, sizeof(b), 0, MC_TO_EX, 0xef000001, 3, 0);
	site_tun_packet(&site, now, b, n);
	ck_assert_uint_eq(gw.subs.n, 3);
	/* The next cycle's Query goes to the host. */
	(void)next_cycle();
	asked = site_next_deadline(&site) - 1;
	{
		struct amt_msg	 m;

		query_msg(&m, last()->m.nonce, 0, 0);
		feed(asked, RELAY, AMT_PORT, &m, v_query);
	}
	/* v_query: Max Resp Code 100, 10 s: the sweep 10.5 s later. */
	ck_assert_uint_eq(site.subs.sweep_at, asked + 10500);
	/* The host answers for two of the three groups, late. */
	n = big_report(b, sizeof(b), 0, MC_IS_EX, 0xef000001, 2, 0);
	site_tun_packet(&site, asked + 9000, b, n);
	mark = nsent;
	site_timer(&site, asked + 10499);
	ck_assert_uint_eq(gw.subs.n, 3);
	site_timer(&site, asked + 10500);
	ck_assert_uint_eq(gw.subs.n, 2);
	ck_assert_uint_eq(site.ctr[GW_SITE_GROUPS_AGED], 1);
	upd_sum(mark, &u);
	ck_assert_uint_eq(u.recs, 1);
	ck_assert_uint_eq(u.type[MC_TO_IN], 1);
	ck_assert_uint_eq(u.groups[0], 0xef000003);
	/* Nobody answers the next Query (the proxy crashed): all go. */
	(void)next_cycle();
	{
		struct amt_msg	 m;

		now = site_next_deadline(&site) - 1;
		query_msg(&m, last()->m.nonce, 0, 0);
		feed(now, RELAY, AMT_PORT, &m, v_query);
	}
	site_timer(&site, now + 10500);
	ck_assert_uint_eq(gw.subs.n, 0);
	ck_assert_uint_eq(site.ctr[GW_SITE_GROUPS_AGED], 3);
}
END_TEST

/*
 * A relay that went away: for GW_RECOVER_PERIOD_MS after the last
 * Query, no Request waits more than GW_RECOVER_MAX_MS, so the tunnel is
 * back within that of the relay's return; later, up to
 * retransmit-max: a trickle.
 */
START_TEST(test_recover_bound)
{
	struct amt_msg	 m;
	uint64_t	 now = 0, prev = 0, gap, max_early = 0, max_late = 0;
	unsigned	 i, late = 0;

	conf.fixed_relay = 1;
	conf.relay = K(RELAY);
	site_start(&site, 0);
	query_msg(&m, last()->m.nonce, 0, 0);
	feed(0, RELAY, AMT_PORT, &m, v_query);
	/* From here on the relay is silent for an hour. */
	while (now < 3600000) {
		now = site_next_deadline(&site);
		nsent = 0;
		site_timer(&site, now);
		for (i = 0; i < nsent; i++) {
			if (sent[i].m.type != AMT_REQUEST)
				continue;
			gap = now - prev;
			if (prev == 0)
				;	/* the query timer's Request */
			else if (prev < GW_RECOVER_PERIOD_MS)
				max_early = gap > max_early ? gap : max_early;
			else {
				max_late = gap > max_late ? gap : max_late;
				late++;
			}
			prev = now;
		}
	}
	ck_assert_uint_le(max_early, GW_RECOVER_MAX_MS);
	ck_assert_uint_gt(max_late, GW_RECOVER_MAX_MS);
	ck_assert_uint_le(max_late, conf.max_timeout_ms);
	/* A trickle: on average more than 30 s apart. */
	ck_assert_uint_le(late, 3000000 / 30000);
}
END_TEST

/* Only the datagrams of 5.2.3.6.1 are forwarded. */
START_TEST(test_tun_filter)
{
	uint8_t		 b[64];
	struct wbuf	 w;
	struct igmp_query q = { .src = 1, .dst = IN4_ALLHOSTS, .version = 3,
	    .qrv = 2, .qqic = 125 };
	uint64_t	 before;

	establish(0);
	before = gw.ctr[GW_CTR_UPDATE_SENT];
	/* A query written by someone on the TUN. */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_query(&w, &q), 0);
	site_tun_packet(&site, 0, b, w.len);
	/* An IGMPv1 report. */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_v12(&w, 0, 0xef010101, IGMP_V1_REPORT, 0,
	    0xef010101), 0);
	site_tun_packet(&site, 0, b, w.len);
	/* UDP, IPv6, truncated, bad checksum. */
	site_tun_packet(&site, 0, v_data, sizeof(v_data));
	memset(b, 0, sizeof(b));
	b[0] = 0x60;
	site_tun_packet(&site, 0, b, 48);
	site_tun_packet(&site, 0, v_report, 30);
	memcpy(b, v_report, sizeof(v_report));
	b[30] ^= 1;
	site_tun_packet(&site, 0, b, sizeof(v_report));
	ck_assert_uint_eq(site.ctr[GW_SITE_TUN_IGNORED], 5);
	ck_assert_uint_eq(site.ctr[GW_SITE_MLD_TUN_IGNORED], 1);	/* IPv6 */
	ck_assert_uint_eq(gw.ctr[GW_CTR_UPDATE_SENT], before);
	/* IGMPv2 report and leave pass. */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_v12(&w, 0, 0xef010101, IGMP_V2_REPORT, 0,
	    0xef010101), 0);
	site_tun_packet(&site, 0, b, w.len);
	ck_assert_uint_eq(gw.subs.n, 1);
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_v12(&w, 0, IN4_ALLROUTERS, IGMP_V2_LEAVE,
	    0, 0xef010101), 0);
	site_tun_packet(&site, 0, b, w.len);
	ck_assert_uint_eq(gw.ctr[GW_CTR_UPDATE_SENT], before + 2);
	ck_assert_uint_eq(gw.subs.n, 0);
}
END_TEST

/* G fields change: Teardown with the previous Query's fields, QRV times. */
START_TEST(test_g_change_teardown)
{
	struct amt_msg	 m;
	uint64_t	 now = establish(AMT_FLAG_G);
	uint32_t	 old_nonce = gw.cur.nonce, n2;
	unsigned	 before, i, tds = 0;

	conf.teardown_interval_ms = 1000;
	site_tun_packet(&site, now, v_report, sizeof(v_report));	/* Update */
	now = next_cycle();					/* Request */
	n2 = last()->m.nonce;
	before = nsent;
	query_msg(&m, n2, AMT_FLAG_G, 40001);		/* port changed */
	feed(now, RELAY, AMT_PORT, &m, v_query);
	ck_assert_uint_eq(gw.ctr[GW_CTR_GW_ADDR_CHANGED], 1);
	/* The old endpoint torn down, the new one given the state. */
	ck_assert_uint_eq(nsent, before + 2);
	ck_assert_uint_eq(sent[before].m.type, AMT_TEARDOWN);
	ck_assert_uint_eq(sent[before].dst, RELAY);
	ck_assert_uint_eq(sent[before].m.nonce, old_nonce);
	ck_assert_uint_eq(sent[before].m.gw_port, 40000);
	ck_assert_uint_eq(sent[before].m.gw_addr[15], 99);
	ck_assert_uint_eq(last()->m.type, AMT_UPDATE);
	ck_assert_uint_eq(last()->m.nonce, n2);
	/* QRV (2) copies in all, a teardown interval apart. */
	for (i = 0; i < 4; i++) {
		uint64_t d = site_next_deadline(&site);

		if (d > now + 1000)
			break;
		ck_assert_uint_eq(d, now + 1000);
		now = d;
		site_timer(&site, now);
	}
	for (i = before; i < nsent; i++)
		tds += sent[i].m.type == AMT_TEARDOWN;
	ck_assert_uint_eq(tds, 2);
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 2);
	/* Unchanged fields next time: no Teardown. */
	now = next_cycle();
	query_msg(&m, last()->m.nonce, AMT_FLAG_G, 40001);
	feed(now, RELAY, AMT_PORT, &m, v_query);
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 2);
}
END_TEST

/* L flag without subscriptions: find another relay, after a pause. */
START_TEST(test_l_flag_rediscover)
{
	struct amt_msg	 m;
	uint64_t	 now = 0;
	unsigned	 before;

	site_start(&site, now);
	feed_adv(now, last()->m.nonce, RELAY);
	before = nsent;
	query_msg(&m, last()->m.nonce, AMT_FLAG_L, 0);
	feed(now, RELAY, AMT_PORT, &m, v_query);
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_LIMIT], 1);
	ck_assert_int_eq(gw.state, GW_STA_DISCOVERING);
	ck_assert_uint_eq(ntun, 0);		/* not used */
	ck_assert_uint_eq(nsent, before);	/* not at network speed */
	now = site_next_deadline(&site);
	site_timer(&site, now);
	ck_assert_uint_eq(last()->m.type, AMT_DISCOVERY);
	feed_adv(now, last()->m.nonce, RELAY + 1);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_eq(last()->dst, RELAY + 1);
}
END_TEST

/* L flag with subscriptions reported and an unchanged endpoint: stay. */
START_TEST(test_l_flag_stay)
{
	struct amt_msg	 m;
	uint64_t	 now = establish(0);

	site_tun_packet(&site, now, v_report, sizeof(v_report));
	now = site_next_deadline(&site);
	site_timer(&site, now);
	query_msg(&m, last()->m.nonce, AMT_FLAG_L, 0);
	feed(now, RELAY, AMT_PORT, &m, v_query);
	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_LIMIT], 0);
}
END_TEST

/* Shutdown with G fields: Teardown QRV times, then done. */
START_TEST(test_shutdown_teardown)
{
	uint64_t	 now = establish(AMT_FLAG_G);

	site_tun_packet(&site, now, v_report, sizeof(v_report));
	site_stop(&site, now);
	ck_assert_int_eq(gw.state, GW_STA_STOPPING);
	ck_assert_uint_eq(last()->m.type, AMT_TEARDOWN);
	ck_assert_uint_eq(last()->m.gw_port, 40000);
	ck_assert(!site_done(&site));
	now = site_next_deadline(&site);
	site_timer(&site, now);
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 2);
	site_timer(&site, now);
	ck_assert(site_done(&site));
	/* Nothing more is sent or accepted. */
	site_tun_packet(&site, now, v_report, sizeof(v_report));
	ck_assert_uint_eq(gw.ctr[GW_CTR_UPDATE_SENT], 1);
}
END_TEST

/* Without G fields (as the open relay): an Update leaving all groups. */
START_TEST(test_shutdown_leave_update)
{
	struct ip4_info		 ip;
	struct igmp_msg		 g;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;
	uint64_t		 now = establish(0);

	site_tun_packet(&site, now, v_report, sizeof(v_report));
	site_stop(&site, now);
	ck_assert_uint_eq(last()->m.type, AMT_UPDATE);
	ck_assert_mem_eq(last()->m.mac, "\x01\x02\x03\x04\x05\x06", 6);
	ck_assert_int_eq(igmp_decode_packet(last()->b + last()->m.inner_off,
	    last()->m.inner_len, &ip, &g), IGMP_OK);
	ck_assert_uint_eq(g.type, IGMP_V3_REPORT);
	ck_assert_uint_eq(g.nrecs, 1);
	igmp_rec_iter_init(&it, &g);
	ck_assert_int_eq(igmp_rec_next(&it, &r), 1);
	ck_assert_uint_eq(r.type, MC_TO_IN);
	ck_assert_uint_eq(r.group, 0xe8010101);
	ck_assert_uint_eq(r.nsrcs, 0);
	ck_assert_int_eq(ip.router_alert, 1);
	site_timer(&site, site_next_deadline(&site));
	site_timer(&site, site_next_deadline(&site));
	ck_assert(site_done(&site));
}
END_TEST

START_TEST(test_shutdown_nothing_to_say)
{
	establish(0);
	site_stop(&site, 5);
	ck_assert(site_done(&site));
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 0);
}
END_TEST

/* A new relay from rediscovery: Teardown to the old one (figure 18). */
START_TEST(test_relay_change_teardown)
{
	uint64_t	 now = establish(AMT_FLAG_G);
	unsigned	 i;

	conf.req_retries = 0;
	site_tun_packet(&site, now, v_report, sizeof(v_report));
	now = next_cycle();			/* Request, no answer */
	now = site_next_deadline(&site);
	site_timer(&site, now);			/* give up: discovery */
	ck_assert_int_eq(gw.state, GW_STA_DISCOVERING);
	feed_adv(now, last()->m.nonce, RELAY + 7);
	ck_assert_uint_eq(gw.ctr[GW_CTR_RELAY_CHANGE], 1);
	for (i = 0; i < nsent; i++)
		if (sent[i].m.type == AMT_TEARDOWN)
			break;
	ck_assert_uint_lt(i, nsent);
	ck_assert_uint_eq(sent[i].dst, RELAY);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_eq(last()->dst, RELAY + 7);
	/* Data is accepted from the new relay only (gw_relay()). */
	ck_assert_uint_eq(relay4(), RELAY + 7);
}
END_TEST

/*
 * An IPv6 underlay: a relay of the IPv6 family, from an Advertisement
 * or the configuration, gets the Requests and Updates, its Query is
 * taken, Data from it accepted and from its IPv4 look-alike not.
 */
START_TEST(test_ipv6_relay)
{
	struct amt_msg	 m;
	struct mc_src6	 r6, a;
	uint8_t		 b[256];
	struct wbuf	 w;
	uint32_t	 nonce;

	memset(&r6, 0, sizeof(r6));
	r6.a[0] = 0x20;
	r6.a[1] = 0x01;
	r6.a[2] = 0x0d;
	r6.a[3] = 0xb8;
	r6.a[15] = 0x44;
	site_start(&site, 0);
	nonce = last()->m.nonce;
	memset(&m, 0, sizeof(m));
	m.type = AMT_ADVERTISEMENT;
	m.nonce = nonce;
	m.relay_af = AF_INET6;
	memcpy(m.relay_addr, r6.a, 16);
	feed(0, DISC, AMT_PORT, &m, NULL);
	ck_assert_uint_eq(gw.ctr[GW_CTR_ADV_RCVD], 1);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert(mc_src6_eq(&last()->dst6, &r6));
	ck_assert_uint_eq(last()->dst, 0);
	/* Its Query, from the IPv6 address: the tunnel is up. */
	query_msg(&m, last()->m.nonce, AMT_FLAG_G, 40000);
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(amt_encode(&m, v_query, &w), 0);
	feed_raw(0, RELAY, b, w.len);			/* not from it */
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
	site_recv_amt(&site, 0, &r6, AMT_PORT, b, w.len);
	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	/* Updates go to it; Data is taken from it only. */
	nsent = 0;
	site_tun_packet(&site, 0, v_report, sizeof(v_report));
	ck_assert_uint_eq(last()->m.type, AMT_UPDATE);
	ck_assert(mc_src6_eq(&last()->dst6, &r6));
	ck_assert_int_eq(gw_relay(&gw, &a), 1);
	ck_assert(mc_src6_eq(&a, &r6));
}
END_TEST

START_TEST(test_reconfigure_relay)
{
	static struct gw_conf	 nc;
	uint64_t		 now = establish(AMT_FLAG_G);

	site_tun_packet(&site, now, v_report, sizeof(v_report));
	nc = conf;
	nc.fixed_relay = 1;
	nc.relay = K(RELAY + 9);
	site_reconfigure(&site, &nc, now);
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 1);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_eq(last()->dst, RELAY + 9);
	/* Timers only: no restart. */
	nsent = 0;
	nc.req_timeout_ms = 500;
	site_reconfigure(&site, &nc, now);
	ck_assert_uint_eq(nsent, 0);
	ck_assert(!gw_relay_changed(&nc, &nc));
}
END_TEST

/*
 * 5.2.3.3: Data comes only from the relay the state machine names, and
 * the codec refuses every malformed datagram; zero checksums pass.
 */
START_TEST(test_data_check)
{
	uint8_t		 d[128];
	size_t		 off, len, n = 2 + sizeof(v_data);

	d[0] = AMT_DATA;
	d[1] = 0xff;			/* reserved: ignored */
	memcpy(d + 2, v_data, sizeof(v_data));
	ck_assert_uint_eq(relay4(), 0);		/* no relay yet */
	establish(0);
	ck_assert_uint_eq(relay4(), RELAY);
	ck_assert_int_eq(amt_data_view(d, n, &off, &len), AMT_DATA_OK);
	ck_assert_uint_eq(off, 2);
	ck_assert_uint_eq(len, sizeof(v_data));
	/* v_data's UDP checksum is zero, as the open relay sends it. */
	ck_assert_uint_eq(be16_load(d + 2 + 20 + 6), 0);
	/* Trailing octets past the IP length are not written. */
	ck_assert_int_eq(amt_data_view(d, n + 5, &off, &len), AMT_DATA_OK);
	ck_assert_uint_eq(len, sizeof(v_data));
	ck_assert_int_eq(amt_data_view(d, 21, &off, &len), AMT_DATA_SHORT);
	d[2] = 0x55;
	ck_assert_int_eq(amt_data_view(d, n, &off, &len), AMT_DATA_NOT_IP);
	ck_assert_int_eq(amt_data_view(d, 2, &off, &len), AMT_DATA_SHORT);
	d[2] = 0x44;
	ck_assert_int_eq(amt_data_view(d, n, &off, &len), AMT_DATA_BAD_LEN);
	d[2] = 0x45;
	ck_assert_int_eq(amt_data_view(d, n - 1, &off, &len),
	    AMT_DATA_BAD_LEN);			/* datagram cut */
	d[2 + 16] = 10;				/* unicast destination */
	ck_assert_int_eq(amt_data_view(d, n, &off, &len), AMT_DATA_NOT_MCAST);
	d[2 + 16] = 239;
	ck_assert_int_eq(amt_data_view(d, n, &off, &len), AMT_DATA_OK);
}
END_TEST

/*
 * IPv6 in a Data message: to a group, its payload length within the
 * message, trailing octets not part of it; anything else dropped.
 */
START_TEST(test_data_view_ipv6)
{
	uint8_t		 d[2 + 40 + 12 + 7];
	size_t		 off, len;

	memset(d, 0, sizeof(d));
	d[0] = AMT_DATA;
	d[2] = 0x60;
	be16_store(d + 2 + 4, 12);		/* payload length */
	d[2 + 6] = 17;				/* UDP */
	d[2 + 7] = 64;
	d[2 + 8] = 0x20;			/* 2001:db8::1 */
	d[2 + 9] = 0x01;
	d[2 + 10] = 0x0d;
	d[2 + 11] = 0xb8;
	d[2 + 23] = 1;
	d[2 + 24] = 0xff;			/* ff3e::1 */
	d[2 + 25] = 0x3e;
	d[2 + 39] = 1;
	ck_assert_int_eq(amt_data_view(d, 2 + 52, &off, &len), AMT_DATA_OK);
	ck_assert_uint_eq(off, 2);
	ck_assert_uint_eq(len, 52);
	ck_assert_int_eq(amt_data_view(d, sizeof(d), &off, &len),
	    AMT_DATA_OK);
	ck_assert_uint_eq(len, 52);		/* trailing octets left out */
	ck_assert_int_eq(amt_data_view(d, 2 + 51, &off, &len),
	    AMT_DATA_BAD_LEN);			/* cut */
	ck_assert_int_eq(amt_data_view(d, 2 + 39, &off, &len),
	    AMT_DATA_SHORT);
	d[2 + 24] = 0x20;			/* unicast destination */
	ck_assert_int_eq(amt_data_view(d, 2 + 52, &off, &len),
	    AMT_DATA_NOT_MCAST);
}
END_TEST


/* ---- MLD through the tunnel (gw_mld.c) ---- */

static const uint8_t	 g6[16] = { 0xff, 0x3e, [12] = 0x80, 0, 0, 1 };
static const uint8_t	 s6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 5 };

/* The host stack's MLDv2 report (from ::, a TUN has no link-local). */
static void
host6(uint64_t now, uint8_t type, const uint8_t *src)
{
	static const uint8_t	 any[16];
	uint8_t			 b[128];
	struct wbuf		 w;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_report_begin(&w, any), 0);
	ck_assert_int_eq(mld_report_add(&w, type, g6, src, src ? 1 : 0), 0);
	ck_assert_int_eq(mld_report_finish(&w), 0);
	site_tun_packet(&site, now, b, w.len);
}

/* A Query carrying an MLDv2 General Query from fe80::1. */
static void
feed_query6_from(uint64_t now, uint32_t relay, uint32_t nonce, uint16_t mrc,
    uint8_t flags)
{
	static const uint8_t	 ll[16] = { 0xfe, 0x80, [15] = 1 };
	static const uint8_t	 any[16];
	struct mld_query	 q = { .version = 2, .src = ll,
	    .dst = mld_all_nodes, .group = any, .mrc = mrc, .qrv = 2,
	    .qqic = 20 };
	uint8_t			 b[128];
	struct wbuf		 w;
	struct amt_msg		 m;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_query(&w, &q), 0);
	query_msg(&m, nonce, flags, 40000);
	m.inner_len = w.len;
	feed(now, relay, AMT_PORT, &m, b);
}

static void
feed_query6(uint64_t now, uint32_t nonce, uint16_t mrc)
{
	feed_query6_from(now, RELAY, nonce, mrc, AMT_FLAG_G);
}

/* The one record of the MLDv2 Report in the Update x. */
static void
update6_rec(const struct sent *x, struct mld_rec *r)
{
	static const uint8_t	 ll[16] = { 0xfe, 0x80, [15] = 1 };
	struct ip6_info		 ip;
	struct mld_msg		 m;
	struct mld_rec_iter	 it;

	ck_assert_uint_eq(x->m.type, AMT_UPDATE);
	ck_assert_uint_eq(x->m.inner_ver, 6);
	ck_assert_int_eq(mld_decode_packet(x->b + x->m.inner_off,
	    x->m.inner_len, &ip, &m), MLD_OK);
	ck_assert_mem_eq(ip.src, ll, 16);	/* fe80::1 */
	ck_assert_uint_eq(m.type, MLD_V2_REPORT);
	ck_assert_uint_eq(m.nrecs, 1);
	mld_rec_iter_init(&it, &m);
	ck_assert_int_eq(mld_rec_next(&it, r), 1);
	ck_assert_mem_eq(r->group, g6, 16);
}

/*
 * The IPv6 cycle: an MLD report on the TUN starts a Request with P=1
 * (its own nonce) once the IPv4 tunnel is up; the MLDv2 Query goes into
 * the TUN and brings the held record over; later records go at once;
 * with no IPv6 group left the cycle stops.
 */
START_TEST(test_mld_cycle)
{
	struct mld_rec	 r;
	uint64_t	 now = establish(AMT_FLAG_G), t;
	uint32_t	 nonce;

	ck_assert_uint_eq(site_next_deadline(&site) > now, 1);
	nsent = ntun = 0;
	host6(now, MC_ALLOW, s6);
	ck_assert_uint_eq(nsent, 0);		/* held: no MLD Query yet */
	ck_assert_uint_eq(gw.mld.ctr[GW_MLD_RECORD_HELD], 1);
	ck_assert_uint_le(site_next_deadline(&site), now);
	site_timer(&site, now);
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_eq(last()->m.flags, AMT_FLAG_P);
	ck_assert_uint_eq(last()->dst, RELAY);
	nonce = last()->m.nonce;
	ck_assert_uint_ne(nonce, gw.req_nonce);
	ck_assert_int_eq(gw.mld.state, GW_MLD_REQUESTING);
	/* Not for us: another nonce; IGMP inside with our nonce. */
	feed_query6(now, nonce + 1, 1000);
	{
		struct amt_msg	 m;

		query_msg(&m, nonce, AMT_FLAG_G, 40000);
		feed(now, RELAY, AMT_PORT, &m, v_query);
	}
	ck_assert_uint_eq(gw.mld.ctr[GW_MLD_QUERY_REJECTED], 2);
	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);	/* IPv4 unmoved */
	ck_assert_uint_eq(ntun, 0);
	/* The Query: into the TUN, and the held state out as IS_IN. */
	feed_query6(now + 5, nonce, 1000);
	ck_assert_int_eq(gw.mld.state, GW_MLD_ESTABLISHED);
	ck_assert_uint_eq(ntun, 1);
	ck_assert_uint_eq(tunw[0][0] >> 4, 6);
	ck_assert_uint_eq(nsent, 2);
	update6_rec(last(), &r);
	ck_assert_uint_eq(r.type, MC_IS_IN);
	ck_assert_uint_eq(r.nsrcs, 1);
	ck_assert_mem_eq(r.srcs, s6, 16);
	ck_assert_uint_eq(last()->m.nonce, nonce);
	/* The host answers the query within the delay: nothing is aged. */
	host6(now + 300, MC_IS_IN, s6);
	ck_assert_uint_eq(nsent, 3);
	t = site.subs6.sweep_at;
	ck_assert_uint_eq(t, now + 5 + 1000 + 500);
	site_timer(&site, t);
	ck_assert_uint_eq(gw.mld.subs.n, 1);
	ck_assert_uint_eq(site.ctr[GW_SITE_MLD_GROUPS_AGED], 0);
	/* The next cycle: a new Request with P=1 and a new nonce. */
	t = gw.mld.t_state;
	ck_assert_uint_le(t, now + 5 + 20000);
	ck_assert_uint_ge(t, now + 5 + 18000);
	site_timer(&site, t);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_eq(last()->m.flags, AMT_FLAG_P);
	ck_assert_uint_ne(last()->m.nonce, nonce);
	nonce = last()->m.nonce;
	feed_query6(t, nonce, 1000);
	ck_assert_uint_eq(ntun, 2);
	/* The host leaves the source: a BLOCK at once; no group left. */
	nsent = 0;
	host6(t + 10, MC_BLOCK, s6);
	ck_assert_uint_eq(nsent, 1);
	update6_rec(last(), &r);
	ck_assert_uint_eq(r.type, MC_BLOCK);
	ck_assert_uint_eq(gw.mld.subs.n, 0);
	/* With nothing to ask for, the query timer ends the cycle. */
	site_timer(&site, gw.mld.t_state);
	ck_assert_int_eq(gw.mld.state, GW_MLD_IDLE);
	ck_assert_uint_eq(gw.mld.ctr[GW_MLD_REQ_SENT], 2);
}
END_TEST

/*
 * A group the host does not report after a Query is aged and left;
 * link-scope groups are never taken; at shutdown the Teardown (under
 * the last Update's Query) removes the IPv6 groups with the rest.
 */
START_TEST(test_mld_age_relay_stop)
{
	static const uint8_t	 ll[16] = { 0xff, 0x02, [15] = 0x0c };
	uint8_t			 b[128];
	struct wbuf		 w;
	struct mld_rec		 r;
	uint64_t		 now = establish(AMT_FLAG_G);
	static const uint8_t	 any[16];

	host6(now, MC_ALLOW, s6);
	site_timer(&site, now);
	feed_query6(now + 10, last()->m.nonce, 100);
	ck_assert_uint_eq(gw.mld.subs.n, 1);
	/* A link-scope group (ff02::c): not in the mirror, not sent. */
	nsent = 0;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_v1(&w, any, ll, MLD_V1_REPORT, ll), 0);
	site_tun_packet(&site, now, b, w.len);
	ck_assert_uint_eq(gw.mld.subs.n, 1);
	ck_assert_uint_eq(nsent, 0);
	/* Not reported again: aged after 500 + 500 ms, left. */
	site_timer(&site, site.subs6.sweep_at);
	ck_assert_uint_eq(gw.mld.subs.n, 0);
	ck_assert_uint_eq(site.ctr[GW_SITE_MLD_GROUPS_AGED], 1);
	update6_rec(last(), &r);
	ck_assert_uint_eq(r.type, MC_BLOCK);	/* INCLUDE({S}) to {} */
	ck_assert_uint_eq(r.nsrcs, 1);
	/* Joined again (at once: the Query is held), then shutdown. */
	host6(now + 2000, MC_ALLOW, s6);
	update6_rec(last(), &r);
	ck_assert_uint_eq(r.type, MC_ALLOW);
	nsent = 0;
	site_stop(&site, now + 3000);
	ck_assert_uint_eq(gw.mld.state, GW_MLD_IDLE);
	/* The Teardown under the last Update's Query: the MLD one. */
	ck_assert_uint_eq(nsent, 1);
	ck_assert_uint_eq(last()->m.type, AMT_TEARDOWN);
	ck_assert_uint_eq(last()->m.nonce, gw.mld.cur.nonce);
}
END_TEST

/* The number of Updates in sent[from..] whose MLDv2 record is TO_IN. */
static unsigned
mld_leaves(unsigned from, uint32_t dst)
{
	struct mld_rec	 r;
	unsigned	 i, n = 0;

	for (i = from; i < nsent; i++) {
		if (sent[i].m.type != AMT_UPDATE || sent[i].m.inner_ver != 6)
			continue;
		ck_assert_uint_eq(sent[i].dst, dst);
		update6_rec(&sent[i], &r);
		n += r.type == MC_TO_IN && r.nsrcs == 0;
	}
	return n;
}

/*
 * A relay without gateway address fields gets no Teardown: the IPv6
 * groups are left with the IPv4 ones by Updates, QRV times, when the
 * relay changes and at shutdown; the mirror stays for the new relay.
 */
START_TEST(test_mld_leave_no_g)
{
	uint64_t	 now = establish(0);
	unsigned	 before;

	conf.req_retries = 0;
	host6(now, MC_ALLOW, s6);
	site_timer(&site, now);
	feed_query6_from(now + 10, RELAY, last()->m.nonce, 1000, 0);
	ck_assert_int_eq(gw.mld.state, GW_MLD_ESTABLISHED);
	host6(now + 20, MC_IS_IN, s6);		/* the host answers */
	ck_assert_uint_eq(gw.mld.subs.n, 1);
	/* The relay stops answering; rediscovery finds another. */
	now = next_cycle();
	now = site_next_deadline(&site);
	site_timer(&site, now);
	ck_assert_int_eq(gw.state, GW_STA_DISCOVERING);
	before = nsent;
	feed_adv(now, last()->m.nonce, RELAY + 7);
	ck_assert_uint_eq(gw.ctr[GW_CTR_RELAY_CHANGE], 1);
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 0);
	ck_assert_int_eq(gw.mld.state, GW_MLD_IDLE);
	/* The new relay answers; the repeats to the old one go on. */
	{
		struct amt_msg	 m;

		query_msg(&m, gw.req_nonce, 0, 40000);
		feed(now, RELAY + 7, AMT_PORT, &m, v_query);
	}
	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	while (gw.rep.left > 0)
		site_timer(&site, now = gw.rep.next);
	ck_assert_uint_eq(mld_leaves(before, RELAY), 2);	/* QRV */
	ck_assert_uint_eq(gw.mld.subs.n, 1);
	/* The new relay's IPv6 cycle brings the group over; shutdown. */
	site_timer(&site, now);
	ck_assert_uint_eq(last()->m.flags, AMT_FLAG_P);
	ck_assert_uint_eq(last()->dst, RELAY + 7);
	feed_query6_from(now, RELAY + 7, last()->m.nonce, 1000, 0);
	ck_assert_int_eq(gw.mld.state, GW_MLD_ESTABLISHED);
	before = nsent;
	site_stop(&site, now);
	while (!site_done(&site))
		site_timer(&site, site_next_deadline(&site));
	ck_assert_uint_eq(mld_leaves(before, RELAY + 7), 2);
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 0);
}
END_TEST

/* Messages a gateway never handles, and garbage, are counted. */
START_TEST(test_wrong_types)
{
	struct amt_msg	 m;
	uint8_t		 junk[3] = { 0x13, 0, 0 };

	establish(0);
	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	feed(0, RELAY, AMT_PORT, &m, NULL);
	m.type = AMT_TEARDOWN;
	feed(0, RELAY, AMT_PORT, &m, NULL);
	ck_assert_uint_eq(gw.ctr[GW_CTR_AMT_WRONG_TYPE], 2);
	feed_raw(0, RELAY, junk, sizeof(junk));
	feed_raw(0, RELAY, junk, 0);
	ck_assert_uint_eq(gw.ctr[GW_CTR_AMT_MALFORMED], 2);
}
END_TEST

START_TEST(test_show)
{
	struct emit	 e;

	establish(AMT_FLAG_G);
	site_tun_packet(&site, 0, v_report, sizeof(v_report));
	emit_init(&e, 1);
	site_show(&site, 2000, &e);
	emit_end(&e);		/* the counters */
	emit_done(&e);
	ck_assert_int_eq(e.failed, 0);
	ck_assert_ptr_nonnull(strstr(e.buf, "\"state\":\"established\""));
	ck_assert_ptr_nonnull(strstr(e.buf, "\"relay\":\"10.0.0.1\""));
	ck_assert_ptr_nonnull(strstr(e.buf, "\"gateway-port\":40000"));
	ck_assert_ptr_nonnull(strstr(e.buf, "\"group\":\"232.1.1.1\","
	    "\"mode\":\"include\",\"reported-ms\":2000,"
	    "\"sources\":[\"10.0.0.1\"]"));
	ck_assert_ptr_nonnull(strstr(e.buf, "\"update-sent\":1"));
	emit_free(&e);
	emit_init(&e, 0);
	site_show(&site, 2000, &e);
	emit_end(&e);
	emit_done(&e);
	ck_assert_ptr_nonnull(strstr(e.buf, "state established\n"));
	ck_assert_ptr_nonnull(strstr(e.buf, "  - group 232.1.1.1\n"));
	emit_free(&e);
}
END_TEST

Suite *
gw_fsm_suite(void)
{
	Suite	*s = suite_create("gw_fsm");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_start_discovery_at_once);
	tcase_add_test(tc, test_discovery_nonce_nonzero);
	tcase_add_loop_test(tc, test_discovery_schedule, 0, 3);
	tcase_add_loop_test(tc, test_request_schedule, 0, 3);
	tcase_add_test(tc, test_backoff_upper_bound);
	tcase_add_test(tc, test_discovery_gives_up_and_restarts);
	tcase_add_test(tc, test_advertisement_checks);
	tcase_add_test(tc, test_fixed_relay_no_discovery);
	tcase_add_test(tc, test_request_gives_up);
	tcase_add_test(tc, test_request_gives_up_fixed);
	tcase_add_test(tc, test_query_checks);
	tcase_add_test(tc, test_query_trailing_octets);
	tcase_add_loop_test(tc, test_qqic_timer, 0, 7);
	tcase_add_test(tc, test_nonce_per_cycle);
	tcase_add_test(tc, test_cycle_jitter);
	tcase_add_test(tc, test_reports_held_then_immediate);
	tcase_add_test(tc, test_inner_source_stable);
	tcase_add_loop_test(tc, test_updates_fit_path, 0, 3);
	tcase_add_test(tc, test_state_repeated_in_cycle);
	tcase_add_test(tc, test_state_repeats_per_cycle);
	tcase_add_test(tc, test_groups_age);
	tcase_add_test(tc, test_recover_bound);
	tcase_add_test(tc, test_tun_filter);
	tcase_add_test(tc, test_g_change_teardown);
	tcase_add_test(tc, test_l_flag_rediscover);
	tcase_add_test(tc, test_l_flag_stay);
	tcase_add_test(tc, test_shutdown_teardown);
	tcase_add_test(tc, test_shutdown_leave_update);
	tcase_add_test(tc, test_shutdown_nothing_to_say);
	tcase_add_test(tc, test_relay_change_teardown);
	tcase_add_test(tc, test_reconfigure_relay);
	tcase_add_test(tc, test_data_check);
	tcase_add_test(tc, test_data_view_ipv6);
	tcase_add_test(tc, test_wrong_types);
	tcase_add_test(tc, test_show);
	tcase_add_test(tc, test_mld_cycle);
	tcase_add_test(tc, test_ipv6_relay);
	tcase_add_test(tc, test_mld_age_relay_stop);
	tcase_add_test(tc, test_mld_leave_no_g);
	suite_add_tcase(s, tc);
	return s;
}
