/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The gateway state machine (amtgwd/gw_fsm.c) driven with a fake clock
 * and fake I/O: retransmission schedules and their random bounds, the
 * nonce rules, each Query check of RFC 7450 5.2.3.5.4, the QQIC timer,
 * reports and the queue, G changes and Teardown, the L flag, shutdown
 * and the data acceptance rules of 5.2.3.3.
 */

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "cksum.h"
#include "emit.h"
#include "igmp_proto.h"
#include "unit.h"
#include "vectors.h"

#define RELAY	0x0a000001U	/* 10.0.0.1 */
#define DISC	0x0a0000feU	/* 10.0.0.254 */
#define MAXSENT	64

struct sent {
	uint32_t	 dst;
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
static struct gw	 gw;

static int
fake_send(void *arg, uint32_t dst, uint16_t port, const uint8_t *p,
    size_t len)
{
	struct sent	*s;

	(void)arg;
	ck_assert_uint_lt(nsent, MAXSENT);
	s = &sent[nsent++];
	s->dst = dst;
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

static const struct gw_ops fake_ops = { fake_send, fake_tun, fake_random };

static void
setup(void)
{
	conf_defaults(&gw_conf_table, &conf);
	conf.discovery = DISC;
	nsent = ntun = 0;
	rseed = UNIT_SEED;
	rmode = 0;
	log_setverbose(0);
	ck_assert_int_eq(gw_init(&gw, &conf, &fake_ops, NULL), 0);
}

static void
teardown(void)
{
	gw_free(&gw);
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

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(amt_encode(m, inner, &w), 0);
	gw_recv_amt(&gw, now, src, sport, b, w.len);
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

/* Run discovery and the first Request/Query; returns the time. */
static uint64_t
establish(uint8_t flags)
{
	struct amt_msg	 m;
	uint64_t	 now = 1000;

	gw_start(&gw, now);
	feed_adv(now, last()->m.nonce, RELAY);
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
	query_msg(&m, last()->m.nonce, flags, 40000);
	feed(now, RELAY, AMT_PORT, &m, v_query);
	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	return now;
}

START_TEST(test_start_discovery_at_once)
{
	gw_start(&gw, 5000);
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
	static const struct gw_ops	 ops = { fake_send, fake_tun,
	    zero_then_prng };

	gw_free(&gw);
	ck_assert_int_eq(gw_init(&gw, &conf, &ops, NULL), 0);
	zero_left = 3;
	gw_start(&gw, 0);
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
		gw_start(&gw, now);
	else {
		gw_start(&gw, now);
		feed_adv(now, last()->m.nonce, RELAY);
	}
	nonce = last()->m.nonce;
	for (n = 0; n <= 12; n++) {
		t = gw_next_deadline(&gw);
		to = (uint32_t)(t - now);
		hi = 1000U << (n > 7 ? 7 : n);
		if (hi > 120000)
			hi = 120000;
		ck_assert_msg(to >= 1000 && to <= hi, "try %u: %u not in "
		    "[1000, %u]", n, to, hi);
		if (mode == 1)
			ck_assert_uint_le(to, 1001);
		if (mode == 2 && n == 0)
			ck_assert_uint_eq(to, 1000);
		now = t;
		gw_timer(&gw, now);
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

/* Upper bound reached: with random = span - 1, min(initial*2^n, max). */
static uint32_t	 want_span;
static uint32_t
top_of_span(void *arg)
{
	(void)arg;
	return want_span - 1;
}

START_TEST(test_backoff_upper_bound)
{
	static const struct gw_ops	 ops = { fake_send, fake_tun,
	    top_of_span };
	uint64_t			 now = 0, t;
	unsigned			 n;
	uint32_t			 hi;

	gw_free(&gw);
	conf.disc_retries = 20;
	ck_assert_int_eq(gw_init(&gw, &conf, &ops, NULL), 0);
	want_span = 2;		/* the nonce: 1 */
	gw_start(&gw, now);
	for (n = 1; n <= 10; n++) {
		hi = 1000U << n;
		if (hi > 120000)
			hi = 120000;
		want_span = hi - 1000 + 1;
		now = gw_next_deadline(&gw);
		gw_timer(&gw, now);
		t = gw_next_deadline(&gw);
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
	gw_start(&gw, now);
	first = last()->m.nonce;
	for (i = 0; i < 2; i++) {
		now = gw_next_deadline(&gw);
		gw_timer(&gw, now);
		ck_assert_uint_eq(last()->m.nonce, first);
	}
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);
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
	gw_start(&gw, 0);
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
	m.relay_af = AF_INET6;
	feed(0, DISC, AMT_PORT, &m, NULL);
	ck_assert_uint_eq(gw.ctr[GW_CTR_ADV_FAMILY], 1);
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
	ck_assert_uint_eq(gw.relay, RELAY);
}
END_TEST

START_TEST(test_fixed_relay_no_discovery)
{
	conf.fixed_relay = 1;
	conf.relay = RELAY;
	gw_start(&gw, 0);
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
	gw_start(&gw, now);
	feed_adv(now, last()->m.nonce, RELAY);
	nonce = last()->m.nonce;
	for (i = 0; i < 3; i++) {
		now = gw_next_deadline(&gw);
		gw_timer(&gw, now);
		ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
		ck_assert_uint_eq(last()->m.nonce, nonce);
	}
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);
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
	conf.relay = RELAY;
	conf.req_retries = 1;
	gw_start(&gw, now);
	nonce = last()->m.nonce;
	for (i = 0; i < 2; i++) {
		now = gw_next_deadline(&gw);
		gw_timer(&gw, now);
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
	gw_start(&gw, 0);
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
	/* An IPv6 datagram where P=0 asked for IGMPv3. */
	memset(bad, 0, sizeof(bad));
	bad[0] = 0x60;
	bad[5] = 8;
	m.inner_len = 48;
	feed(0, RELAY, AMT_PORT, &m, bad);
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_NOT_GENERAL], 4);
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

	gw_start(&gw, 0);
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
	gw_recv_amt(&gw, 0, RELAY, AMT_PORT, b, n);
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
	gw_start(&gw, now);
	feed_adv(now, last()->m.nonce, RELAY);
	memcpy(qb, v_query, sizeof(v_query));
	qb[24 + 9] = v[_i].qqic;
	qb[24 + 2] = qb[24 + 3] = 0;
	be16_store(qb + 26, in_cksum(qb + 24, 12));
	query_msg(&m, last()->m.nonce, 0, 0);
	feed(now, RELAY, AMT_PORT, &m, qb);
	ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	ck_assert_uint_eq(gw_next_deadline(&gw) - now, v[_i].want);
	/* The timer starts a new cycle with a new nonce. */
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_ne(last()->m.nonce, m.nonce);
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
		now = gw_next_deadline(&gw);
		gw_timer(&gw, now);
		seen[i] = last()->m.nonce;
		for (j = 0; j < i; j++)
			ck_assert_uint_ne(seen[i], seen[j]);
		now = gw_next_deadline(&gw);	/* retransmit */
		gw_timer(&gw, now);
		ck_assert_uint_eq(last()->m.nonce, seen[i]);
		query_msg(&m, seen[i], 0, 0);
		feed(now, RELAY, AMT_PORT, &m, v_query);
		ck_assert_int_eq(gw.state, GW_STA_ESTABLISHED);
	}
}
END_TEST

/* Reports: queued before the first Query, sent at once after. */
START_TEST(test_reports_queue_then_immediate)
{
	struct amt_msg	 m;
	uint32_t	 nonce;

	gw_start(&gw, 0);
	gw_tun_packet(&gw, 0, v_report, sizeof(v_report));
	ck_assert_uint_eq(gw.ctr[GW_CTR_REPORT_QUEUED], 1);
	ck_assert_uint_eq(nsent, 1);	/* just the Discovery */
	feed_adv(0, last()->m.nonce, RELAY);
	nonce = last()->m.nonce;
	query_msg(&m, nonce, 0, 0);
	feed(0, RELAY, AMT_PORT, &m, v_query);
	/* The queued report went out with the new MAC and nonce. */
	ck_assert_uint_eq(last()->m.type, AMT_UPDATE);
	ck_assert_uint_eq(last()->m.nonce, nonce);
	ck_assert_mem_eq(last()->m.mac, "\x01\x02\x03\x04\x05\x06", 6);
	ck_assert_uint_eq(last()->m.inner_len, sizeof(v_report));
	ck_assert_mem_eq(last()->b + 12, v_report, sizeof(v_report));
	ck_assert_uint_eq(last()->dst, RELAY);
	/* With the Query held: an Update per report, no Request first. */
	gw_tun_packet(&gw, 1, v_report, sizeof(v_report));
	ck_assert_uint_eq(last()->m.type, AMT_UPDATE);
	ck_assert_uint_eq(gw.ctr[GW_CTR_UPDATE_SENT], 2);
	/* Still during the next cycle's Request, with the old Query. */
	gw_timer(&gw, gw_next_deadline(&gw));
	ck_assert_int_eq(gw.state, GW_STA_REQUESTING);
	gw_tun_packet(&gw, 1, v_report, sizeof(v_report));
	ck_assert_uint_eq(last()->m.type, AMT_UPDATE);
	ck_assert_uint_eq(last()->m.nonce, nonce);
	ck_assert_uint_eq(gw.subs.n, 1);
}
END_TEST

START_TEST(test_queue_overflow)
{
	unsigned	 i;

	conf.report_queue = 2;
	gw_free(&gw);
	ck_assert_int_eq(gw_init(&gw, &conf, &fake_ops, NULL), 0);
	gw_start(&gw, 0);
	for (i = 0; i < 5; i++)
		gw_tun_packet(&gw, 0, v_report, sizeof(v_report));
	ck_assert_uint_eq(gw.q.n, 2);
	ck_assert_uint_eq(gw.ctr[GW_CTR_REPORT_QUEUE_DROP], 3);
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
	gw_tun_packet(&gw, 0, b, w.len);
	/* An IGMPv1 report. */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_v12(&w, 0, 0xef010101, IGMP_V1_REPORT, 0,
	    0xef010101), 0);
	gw_tun_packet(&gw, 0, b, w.len);
	/* UDP, IPv6, truncated, bad checksum. */
	gw_tun_packet(&gw, 0, v_data, sizeof(v_data));
	memset(b, 0, sizeof(b));
	b[0] = 0x60;
	gw_tun_packet(&gw, 0, b, 48);
	gw_tun_packet(&gw, 0, v_report, 30);
	memcpy(b, v_report, sizeof(v_report));
	b[30] ^= 1;
	gw_tun_packet(&gw, 0, b, sizeof(v_report));
	ck_assert_uint_eq(gw.ctr[GW_CTR_TUN_IGNORED], 6);
	ck_assert_uint_eq(gw.ctr[GW_CTR_UPDATE_SENT], before);
	/* IGMPv2 report and leave pass. */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_v12(&w, 0, 0xef010101, IGMP_V2_REPORT, 0,
	    0xef010101), 0);
	gw_tun_packet(&gw, 0, b, w.len);
	ck_assert_uint_eq(gw.subs.n, 1);
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_v12(&w, 0, IN4_ALLROUTERS, IGMP_V2_LEAVE,
	    0, 0xef010101), 0);
	gw_tun_packet(&gw, 0, b, w.len);
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
	gw_tun_packet(&gw, now, v_report, sizeof(v_report));	/* Update */
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);					/* Request */
	n2 = last()->m.nonce;
	before = nsent;
	query_msg(&m, n2, AMT_FLAG_G, 40001);		/* port changed */
	feed(now, RELAY, AMT_PORT, &m, v_query);
	ck_assert_uint_eq(gw.ctr[GW_CTR_GW_ADDR_CHANGED], 1);
	ck_assert_uint_eq(nsent, before + 1);
	ck_assert_uint_eq(last()->m.type, AMT_TEARDOWN);
	ck_assert_uint_eq(last()->dst, RELAY);
	ck_assert_uint_eq(last()->m.nonce, old_nonce);
	ck_assert_uint_eq(last()->m.gw_port, 40000);
	ck_assert_uint_eq(last()->m.gw_addr[15], 99);
	/* QRV (2) copies in all, a teardown interval apart. */
	for (i = 0; i < 4; i++) {
		uint64_t d = gw_next_deadline(&gw);

		if (d > now + 1000)
			break;
		ck_assert_uint_eq(d, now + 1000);
		now = d;
		gw_timer(&gw, now);
	}
	for (i = before; i < nsent; i++)
		tds += sent[i].m.type == AMT_TEARDOWN;
	ck_assert_uint_eq(tds, 2);
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 2);
	/* Unchanged fields next time: no Teardown. */
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);
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

	gw_start(&gw, now);
	feed_adv(now, last()->m.nonce, RELAY);
	before = nsent;
	query_msg(&m, last()->m.nonce, AMT_FLAG_L, 0);
	feed(now, RELAY, AMT_PORT, &m, v_query);
	ck_assert_uint_eq(gw.ctr[GW_CTR_QUERY_LIMIT], 1);
	ck_assert_int_eq(gw.state, GW_STA_DISCOVERING);
	ck_assert_uint_eq(ntun, 0);		/* not used */
	ck_assert_uint_eq(nsent, before);	/* not at network speed */
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);
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

	gw_tun_packet(&gw, now, v_report, sizeof(v_report));
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);
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

	gw_tun_packet(&gw, now, v_report, sizeof(v_report));
	gw_stop(&gw, now);
	ck_assert_int_eq(gw.state, GW_STA_STOPPING);
	ck_assert_uint_eq(last()->m.type, AMT_TEARDOWN);
	ck_assert_uint_eq(last()->m.gw_port, 40000);
	ck_assert(!gw_done(&gw));
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 2);
	gw_timer(&gw, now);
	ck_assert(gw_done(&gw));
	/* Nothing more is sent or accepted. */
	gw_tun_packet(&gw, now, v_report, sizeof(v_report));
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

	gw_tun_packet(&gw, now, v_report, sizeof(v_report));
	gw_stop(&gw, now);
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
	gw_timer(&gw, gw_next_deadline(&gw));
	gw_timer(&gw, gw_next_deadline(&gw));
	ck_assert(gw_done(&gw));
}
END_TEST

START_TEST(test_shutdown_nothing_to_say)
{
	establish(0);
	gw_stop(&gw, 5);
	ck_assert(gw_done(&gw));
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 0);
}
END_TEST

/* A new relay from rediscovery: Teardown to the old one (figure 18). */
START_TEST(test_relay_change_teardown)
{
	uint64_t	 now = establish(AMT_FLAG_G);
	unsigned	 i;

	conf.req_retries = 0;
	gw_tun_packet(&gw, now, v_report, sizeof(v_report));
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);			/* Request, no answer */
	now = gw_next_deadline(&gw);
	gw_timer(&gw, now);			/* give up: discovery */
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
	{
		uint32_t	 a;

		ck_assert_int_eq(gw_relay(&gw, &a), 1);
		ck_assert_uint_eq(a, RELAY + 7);
	}
}
END_TEST

START_TEST(test_reconfigure_relay)
{
	static struct gw_conf	 nc;
	uint64_t		 now = establish(AMT_FLAG_G);

	gw_tun_packet(&gw, now, v_report, sizeof(v_report));
	nc = conf;
	nc.fixed_relay = 1;
	nc.relay = RELAY + 9;
	gw_reconfigure(&gw, &nc, now);
	ck_assert_uint_eq(gw.ctr[GW_CTR_TEARDOWN_SENT], 1);
	ck_assert_uint_eq(last()->m.type, AMT_REQUEST);
	ck_assert_uint_eq(last()->dst, RELAY + 9);
	/* Timers only: no restart. */
	nsent = 0;
	nc.req_timeout_ms = 500;
	gw_reconfigure(&gw, &nc, now);
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
	uint32_t	 a;

	d[0] = AMT_DATA;
	d[1] = 0xff;			/* reserved: ignored */
	memcpy(d + 2, v_data, sizeof(v_data));
	ck_assert_int_eq(gw_relay(&gw, &a), 0);	/* no relay yet */
	establish(0);
	ck_assert_int_eq(gw_relay(&gw, &a), 1);
	ck_assert_uint_eq(a, RELAY);
	ck_assert_int_eq(amt_data_view(d, n, &off, &len), AMT_DATA_OK);
	ck_assert_uint_eq(off, 2);
	ck_assert_uint_eq(len, sizeof(v_data));
	/* v_data's UDP checksum is zero, as the open relay sends it. */
	ck_assert_uint_eq(be16_load(d + 2 + 20 + 6), 0);
	/* Trailing octets past the IP length are not written. */
	ck_assert_int_eq(amt_data_view(d, n + 5, &off, &len), AMT_DATA_OK);
	ck_assert_uint_eq(len, sizeof(v_data));
	ck_assert_int_eq(amt_data_view(d, 21, &off, &len), AMT_DATA_SHORT);
	d[2] = 0x65;
	ck_assert_int_eq(amt_data_view(d, n, &off, &len), AMT_DATA_NOT_IPV4);
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
	gw_recv_amt(&gw, 0, RELAY, AMT_PORT, junk, sizeof(junk));
	gw_recv_amt(&gw, 0, RELAY, AMT_PORT, junk, 0);
	ck_assert_uint_eq(gw.ctr[GW_CTR_AMT_MALFORMED], 2);
}
END_TEST

START_TEST(test_show)
{
	struct emit	 e;

	establish(AMT_FLAG_G);
	gw_tun_packet(&gw, 0, v_report, sizeof(v_report));
	emit_init(&e, 1);
	gw_show(&gw, 2000, &e);
	emit_obj(&e, "counters");
	gw_show_counters(&gw, &e);
	emit_end(&e);
	emit_done(&e);
	ck_assert_int_eq(e.failed, 0);
	ck_assert_ptr_nonnull(strstr(e.buf, "\"state\":\"established\""));
	ck_assert_ptr_nonnull(strstr(e.buf, "\"relay\":\"10.0.0.1\""));
	ck_assert_ptr_nonnull(strstr(e.buf, "\"gateway-port\":40000"));
	ck_assert_ptr_nonnull(strstr(e.buf, "\"group\":\"232.1.1.1\","
	    "\"mode\":\"include\",\"sources\":[\"10.0.0.1\"]"));
	ck_assert_ptr_nonnull(strstr(e.buf, "\"update-sent\":1"));
	emit_free(&e);
	emit_init(&e, 0);
	gw_show(&gw, 2000, &e);
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
	tcase_add_test(tc, test_reports_queue_then_immediate);
	tcase_add_test(tc, test_queue_overflow);
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
	tcase_add_test(tc, test_wrong_types);
	tcase_add_test(tc, test_show);
	suite_add_tcase(s, tc);
	return s;
}
