/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The gateway site (amtgwd/gw_site.c) with a fake resolver, clock and
 * network: DRIAD lookups per source (RFC 8777), the order of relays,
 * names resolved, a tunnel per relay each carrying its sources only,
 * failover when a relay does not answer, no records or failed lookups
 * to the default tunnel with back-off, TTLs, the hold time, limits,
 * malformed and huge answers, and what the data path accepts.
 */

#include <sys/socket.h>

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "gw.h"
#include "igmp_proto.h"
#include "mld_proto.h"
#include "unit.h"
#include "vectors.h"

#define DEFRELAY	0x0a0000fdU	/* 10.0.0.253, configured */
#define RA		0x0a000101U	/* 10.0.1.1 */
#define RB		0x0a000202U	/* 10.0.2.2 */
#define RC		0x0a000303U	/* 10.0.3.3 */
#define S1		0xc6336401U	/* 198.51.100.1 */
#define S2		0xcb007101U	/* 203.0.113.1 */
#define S3		0xc0000201U	/* 192.0.2.1: no records */
#define G1		0xe8010101U	/* 232.1.1.1 */
#define G2		0xe8010102U
#define MAXSENT		256
#define MAXLK		64

struct sent {
	uint32_t	 dst;		/* an IPv4 one; 0 else */
	struct mc_src6	 dst6;
	struct amt_msg	 m;
	uint8_t		 b[1600];
	size_t		 len;
};

struct lk {
	unsigned	 id;
	char		 name[300];
	uint16_t	 type;
};

static struct sent	 sent[MAXSENT];
static unsigned		 nsent;
static struct lk	 lks[MAXLK];
static unsigned		 nlk;
static uint32_t		 rseed;
static struct gw_conf	 conf;
static struct gw_site	 site;

static int
f_send(void *arg, const struct mc_src6 *dst, uint16_t port,
    const uint8_t *p, size_t len)
{
	struct sent	*s;

	(void)arg;
	(void)port;
	ck_assert_uint_lt(nsent, MAXSENT);
	s = &sent[nsent++];
	s->dst = mc_src6_is_v4(dst) ? mc_src6_to_v4(dst) : 0;
	s->dst6 = *dst;
	s->len = len;
	memcpy(s->b, p, len);
	ck_assert_int_eq(amt_decode(s->b, len, &s->m), AMT_OK);
	return 0;
}

static int
f_tun(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	(void)p;
	(void)len;
	return 0;
}

static uint32_t
f_random(void *arg)
{
	(void)arg;
	return xorshift32(&rseed);
}

static int
f_lookup(void *arg, unsigned id, const char *name, uint16_t type)
{
	(void)arg;
	ck_assert_uint_lt(nlk, MAXLK);
	lks[nlk].id = id;
	snprintf(lks[nlk].name, sizeof(lks[nlk].name), "%s", name);
	lks[nlk].type = type;
	nlk++;
	return 0;
}

static const struct gw_site_ops f_ops = { f_send, f_tun, f_random,
    f_lookup };

/* IPv4 relay addresses as the gateway keys them. */
static void
recv4(uint64_t now, uint32_t src, const uint8_t *b, size_t n)
{
	struct mc_src6	 k = mc_src6_v4(src);

	site_recv_amt(&site, now, &k, AMT_PORT, b, n);
}

static enum gw_verdict
accept_v4(const struct gw_accept *a, uint32_t relay, uint32_t src)
{
	struct mc_src6	 k = mc_src6_v4(relay), sk = mc_src6_v4(src);

	return gw_accept_data(a, &k, &sk);
}

/* Data from a relay of either family for an IPv4 source. */
static enum gw_verdict
accept_from(const struct gw_accept *a, const struct mc_src6 *relay,
    uint32_t src)
{
	struct mc_src6	 sk = mc_src6_v4(src);

	return gw_accept_data(a, relay, &sk);
}

/* The DRIAD state of IPv4 source a. */
static struct gw_src *
src4(uint32_t a)
{
	struct mc_src6	 k = mc_src6_v4(a);

	return site_source(&site, &k);
}

static struct gw_tnl *
tunnel4(uint32_t relay)
{
	struct mc_src6	 k = mc_src6_v4(relay);

	return site_tunnel(&site, &k);
}

static uint32_t
key4(const struct gw_tnl *t)
{
	return mc_src6_to_v4(&t->key);
}

static void
setup(void)
{
	conf_defaults(&gw_conf_table, &conf);
	conf.relay = mc_src6_v4(DEFRELAY);
	conf.fixed_relay = 1;
	conf.req_retries = 1;
	conf.tunnel_hold_ms = 5000;
	nsent = nlk = 0;
	rseed = UNIT_SEED;
	log_setverbose(0);
	ck_assert_int_eq(site_init(&site, &conf, &f_ops, NULL), 0);
}

static void
teardown(void)
{
	site_free(&site);
}

/* The newest lookup of name (type), or NULL. */
static struct lk *
lookup_of(const char *name, uint16_t type)
{
	unsigned	 i;

	for (i = nlk; i-- > 0;)
		if (strcmp(lks[i].name, name) == 0 && lks[i].type == type)
			return &lks[i];
	return NULL;
}

static unsigned
lookups_of(const char *name)
{
	unsigned	 i, n = 0;

	for (i = 0; i < nlk; i++)
		n += strcmp(lks[i].name, name) == 0;
	return n;
}

/* Answer the newest lookup of name with records rr (RDATA). */
static void
answer(uint64_t now, const char *name, uint16_t type, enum gw_dns_status st,
    uint32_t ttl, const uint8_t *const *rr, const size_t *len, size_t n)
{
	struct lk		*l = lookup_of(name, type);
	struct gw_dns_answer	 a;

	ck_assert_msg(l != NULL, "no lookup of %s", name);
	memset(&a, 0, sizeof(a));
	a.status = st;
	a.ttl = ttl;
	a.rr = rr;
	a.len = len;
	a.n = n;
	site_dns(&site, now, l->id, &a);
}

/* One AMTRELAY record (type 1) into b. */
static size_t
rr_v4(uint8_t *b, uint8_t prec, uint8_t d, uint32_t a)
{
	b[0] = prec;
	b[1] = (uint8_t)(d << 7 | DRIAD_TYPE_IPV4);
	be32_store(b + 2, a);
	return 6;
}

/* An IGMPv3 report: INCLUDE {src} for g (or TO_IN {} with src 0). */
static void
report(uint64_t now, uint8_t type, uint32_t g, uint32_t src)
{
	uint8_t		 b[256];
	struct wbuf	 w;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_report_begin(&w, 0x0a636301), 0);
	ck_assert_int_eq(igmp_report_add(&w, type, g, &src, src != 0), 0);
	ck_assert_int_eq(igmp_report_finish(&w), 0);
	site_tun_packet(&site, now, b, w.len);
}

/* The newest message of type to dst, or NULL. */
static struct sent *
last_to(uint32_t dst, uint8_t type)
{
	unsigned	 i;

	for (i = nsent; i-- > 0;)
		if (sent[i].dst == dst && sent[i].m.type == type)
			return &sent[i];
	return NULL;
}

/* Answer the newest Request to relay with a Query. */
static void
query(uint64_t now, uint32_t relay)
{
	struct sent	*r = last_to(relay, AMT_REQUEST);
	struct amt_msg	 m;
	uint8_t		 b[256];
	struct wbuf	 w;

	ck_assert_msg(r != NULL, "no Request to %08x", relay);
	memset(&m, 0, sizeof(m));
	m.type = AMT_QUERY;
	m.nonce = r->m.nonce;
	memcpy(m.mac, "\x01\x02\x03\x04\x05\x06", 6);
	m.inner_len = sizeof(v_query);
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(amt_encode(&m, v_query, &w), 0);
	recv4(now, relay, b, w.len);
}

/* Whether an Update to relay since mark names source s of group g. */
static int
updated(unsigned mark, uint32_t relay, uint32_t g, uint32_t s)
{
	struct ip4_info		 ip;
	struct igmp_msg		 im;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;
	unsigned		 i, k;

	for (i = mark; i < nsent; i++) {
		if (sent[i].dst != relay || sent[i].m.type != AMT_UPDATE)
			continue;
		ck_assert_int_eq(igmp_decode_packet(sent[i].b +
		    sent[i].m.inner_off, sent[i].m.inner_len, &ip, &im),
		    IGMP_OK);
		igmp_rec_iter_init(&it, &im);
		while (igmp_rec_next(&it, &r) == 1)
			for (k = 0; k < r.nsrcs; k++)
				if (r.group == g && be32_load(r.srcs + 4 * k) ==
				    s)
					return 1;
	}
	return 0;
}

/* Run timers from now until a Request goes to relay; returns when. */
static uint64_t
until_request(uint64_t now, uint32_t relay)
{
	while (last_to(relay, AMT_REQUEST) == NULL) {
		now = site_next_deadline(&site);
		ck_assert_uint_lt(now, 200000);
		site_timer(&site, now);
	}
	return now;
}

/* Run timers from now to until. */
static void
run(uint64_t now, uint64_t until)
{
	uint64_t	 d;

	site_timer(&site, now);
	while ((d = site_next_deadline(&site)) <= until) {
		site_timer(&site, d < now ? now : d);
		now = d < now ? now : d;
	}
}

/*
 * Two sources, each with its relay (one by address, one by a name):
 * two tunnels, each Update names its own source only; the default
 * relay gets neither.  Data is accepted per relay for its source.
 */
START_TEST(test_two_sources_two_tunnels)
{
	uint8_t		 ra[8], rn[64];
	const uint8_t	*rr[1];
	size_t		 len[1];
	static const uint8_t	 a_rr[4] = { 10, 0, 2, 2 };
	const uint8_t	*arr[1] = { a_rr };
	size_t		 alen[1] = { 4 };
	struct gw_accept acc;
	unsigned	 mark;

	site_start(&site, 0);
	query(0, DEFRELAY);
	report(10, MC_ALLOW, G1, S1);
	report(10, MC_ALLOW, G2, S2);
	ck_assert_ptr_nonnull(lookup_of("1.100.51.198.in-addr.arpa",
	    DRIAD_RRTYPE));
	ck_assert_ptr_nonnull(lookup_of("1.113.0.203.in-addr.arpa",
	    DRIAD_RRTYPE));
	ck_assert(!updated(0, DEFRELAY, G1, S1));
	rr[0] = ra;
	len[0] = rr_v4(ra, 10, 1, RA);
	answer(20, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 1);
	/* D=1: a Request straight to the relay. */
	ck_assert_ptr_nonnull(last_to(RA, AMT_REQUEST));
	memcpy(rn, "\x0a\x83\x05" "relay" "\x07" "example" "\x00", 17);
	rr[0] = rn;
	len[0] = 17;
	answer(20, "1.113.0.203.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 1);
	answer(25, "relay.example", GW_DNS_ADDR, GW_DNS_OK, 60, arr, alen, 1);
	ck_assert_ptr_nonnull(last_to(RB, AMT_REQUEST));
	mark = nsent;
	query(30, RA);
	query(30, RB);
	ck_assert(updated(mark, RA, G1, S1));
	ck_assert(!updated(mark, RA, G2, S2));
	ck_assert(updated(mark, RB, G2, S2));
	ck_assert(!updated(mark, RB, G1, S1));
	ck_assert(!updated(0, DEFRELAY, G1, S1));
	ck_assert(!updated(0, DEFRELAY, G2, S2));
	ck_assert_uint_eq(site.nt, 2);
	site_accept(&site, &acc);
	ck_assert_int_eq(acc.def_ok, 1);
	ck_assert_uint_eq(mc_src6_to_v4(&acc.def_relay), DEFRELAY);
	ck_assert_uint_eq(acc.n, 2);
	ck_assert_uint_eq(mc_src6_to_v4(&acc.keys[0].src), S1);
	ck_assert_uint_eq(mc_src6_to_v4(&acc.keys[0].relay), RA);
	ck_assert_uint_eq(mc_src6_to_v4(&acc.keys[1].src), S2);
	ck_assert_uint_eq(mc_src6_to_v4(&acc.keys[1].relay), RB);
	/* Data: each relay for its own source; the default for any. */
	ck_assert_int_eq(accept_v4(&acc, RA, S1), GW_DATA_OK);
	ck_assert_int_eq(accept_v4(&acc, RB, S2), GW_DATA_OK);
	ck_assert_int_eq(accept_v4(&acc, RA, S2), GW_DATA_NOT_SERVED);
	ck_assert_int_eq(accept_v4(&acc, RB, S1), GW_DATA_NOT_SERVED);
	ck_assert_int_eq(accept_v4(&acc, RB, S3), GW_DATA_NOT_SERVED);
	ck_assert_int_eq(accept_v4(&acc, DEFRELAY, S2), GW_DATA_OK);
	ck_assert_int_eq(accept_v4(&acc, RC, S1), GW_DATA_NOT_RELAY);
}
END_TEST

/*
 * Precedence first: the relay of precedence 10 serves; when it stops
 * answering Requests the source moves to precedence 20's relay, whose
 * Update names it (and the dead relay's tunnel closes).
 */
START_TEST(test_failover)
{
	uint8_t		 b[3][8];
	const uint8_t	*rr[3] = { b[0], b[1], b[2] };
	size_t		 len[3];
	unsigned	 mark;
	uint64_t	 now;

	site_start(&site, 0);
	query(0, DEFRELAY);
	report(0, MC_ALLOW, G1, S1);
	len[0] = rr_v4(b[0], 20, 1, RC);
	len[1] = rr_v4(b[1], 10, 1, RA);
	len[2] = rr_v4(b[2], 30, 1, RB);
	answer(5, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 3600,
	    rr, len, 3);
	ck_assert_ptr_nonnull(last_to(RA, AMT_REQUEST));
	ck_assert_ptr_null(last_to(RC, AMT_REQUEST));
	query(10, RA);
	ck_assert(updated(0, RA, G1, S1));
	/* RA goes silent: its next cycle's Requests go unanswered. */
	mark = nsent;
	now = until_request(10, RC);
	ck_assert_uint_eq(site.ctr[GW_SITE_FAILOVERS], 1);
	/* Within a query interval and the Request retries. */
	ck_assert_uint_lt(now, 125000 + 3 * 2000);
	query(now, RC);
	ck_assert(updated(mark, RC, G1, S1));
	ck_assert_ptr_null(last_to(RB, AMT_REQUEST));
	run(now, now + 5000);	/* the dead relay's Teardowns, then gone */
	ck_assert_ptr_null(tunnel4(RA));
	ck_assert_str_eq(src4(S1)->t->rec,
	    "AMTRELAY 20 1 1 10.0.3.3");
}
END_TEST

/*
 * No records: the default relay, for the negative TTL.  A failed
 * lookup: the default relay too, and lookups again after 1, 2, 4 s.
 */
START_TEST(test_no_records_and_failure)
{
	struct gw_src	*e;
	unsigned	 mark;

	site_start(&site, 0);
	query(0, DEFRELAY);
	mark = nsent;
	report(0, MC_ALLOW, G1, S3);
	ck_assert(!updated(mark, DEFRELAY, G1, S3));	/* it waits */
	answer(5, "1.2.0.192.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_NONE, 30,
	    NULL, NULL, 0);
	ck_assert(updated(mark, DEFRELAY, G1, S3));
	e = src4(S3);
	ck_assert_uint_eq(e->st, GW_SRC_DEFAULT);
	ck_assert_uint_eq(e->expires, 30005);
	ck_assert_uint_eq(site.ctr[GW_SITE_NO_RECORDS], 1);

	report(0, MC_ALLOW, G2, S2);
	answer(10, "1.113.0.203.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_FAIL, 0,
	    NULL, NULL, 0);
	e = src4(S2);
	ck_assert_uint_eq(e->st, GW_SRC_DEFAULT);
	ck_assert_uint_eq(e->retry_at, 1010);
	ck_assert(updated(mark, DEFRELAY, G2, S2));
	run(10, 1010);
	ck_assert_uint_eq(lookups_of("1.113.0.203.in-addr.arpa"), 2);
	answer(1010, "1.113.0.203.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_FAIL, 0,
	    NULL, NULL, 0);
	ck_assert_uint_eq(src4(S2)->retry_at, 3010);
	answer(1010, "1.113.0.203.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_BOGUS,
	    0, NULL, NULL, 0);	/* stale id: ignored */
	ck_assert_uint_eq(site.ctr[GW_SITE_DNS_BOGUS], 0);
	ck_assert_uint_eq(site.ctr[GW_SITE_DNS_FAILED], 2);
}
END_TEST

/*
 * Malformed records are dropped and counted, IPv6 ones skipped, a huge
 * RRset is cut at GW_DRIAD_CANDS; what is left is used.
 */
START_TEST(test_bad_and_huge_answers)
{
	uint8_t		 b[100][8];
	const uint8_t	*rr[100];
	size_t		 len[100], i;
	struct gw_src	*e;

	site_start(&site, 0);
	report(0, MC_ALLOW, G1, S1);
	for (i = 0; i < 100; i++) {
		rr[i] = b[i];
		len[i] = rr_v4(b[i], (uint8_t)(50 + i), 1, RA + (uint32_t)i);
	}
	len[0] = 5;			/* truncated */
	b[1][1] = 9;			/* an undefined type */
	memcpy(b[2], "\x01\x03\xc0\x02", 4);	/* a name loop */
	len[2] = 4;
	len[3] = 0;
	be32_store(b[4] + 2, 0xe0000001U);	/* a group as the relay */
	answer(5, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 100);
	ck_assert_uint_eq(site.ctr[GW_SITE_RR_MALFORMED], 5);
	ck_assert_uint_eq(site.ctr[GW_SITE_RR_SKIPPED], 100 - 5 - 16);
	e = src4(S1);
	ck_assert_uint_eq(e->nc, GW_DRIAD_CANDS);
	ck_assert_uint_eq(e->st, GW_SRC_RELAY);
	ck_assert_uint_eq(key4(e->t), RA + 5);	/* precedence 55 */
}
END_TEST

/*
 * The TTL: a used source is looked up again when it runs out; the
 * group left, the tunnel closes after tunnel-hold (Teardown or a
 * leave), and at the next TTL the unused source is forgotten.
 */
START_TEST(test_ttl_and_hold)
{
	uint8_t		 b[8];
	const uint8_t	*rr[1] = { b };
	size_t		 len[1];

	site_start(&site, 0);
	report(0, MC_ALLOW, G1, S1);
	len[0] = rr_v4(b, 10, 1, RA);
	answer(0, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 10,
	    rr, len, 1);
	query(1, RA);
	run(1, 10000);
	ck_assert_uint_eq(lookups_of("1.100.51.198.in-addr.arpa"), 2);
	answer(10000, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK,
	    10, rr, len, 1);
	ck_assert_uint_eq(site.nt, 1);
	ck_assert_uint_eq(site.ctr[GW_SITE_TUNNELS_OPENED], 1);
	report(10000, MC_BLOCK, G1, S1);
	ck_assert_uint_eq(site.t[0]->fsm.subs.n, 0);
	run(10000, 14999);
	ck_assert_uint_eq(site.t[0]->fsm.state != GW_STA_STOPPING, 1);
	run(14999, 15000);
	ck_assert_uint_eq(src4(S1)->st, GW_SRC_IDLE);
	run(15000, 30000);
	ck_assert_uint_eq(site.nt, 0);
	ck_assert_uint_eq(site.ctr[GW_SITE_TUNNELS_CLOSED], 1);
	ck_assert_ptr_null(src4(S1));
}
END_TEST

/* tunnels-max: a relay past it is not used; its source goes default. */
START_TEST(test_tunnels_max)
{
	uint8_t		 b[8];
	const uint8_t	*rr[1] = { b };
	size_t		 len[1];
	unsigned	 mark;

	conf.tunnels_max = 2;	/* the default one and one more */
	site_start(&site, 0);
	query(0, DEFRELAY);
	report(0, MC_ALLOW, G1, S1);
	report(0, MC_ALLOW, G2, S2);
	len[0] = rr_v4(b, 10, 1, RA);
	answer(0, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 1);
	mark = nsent;
	len[0] = rr_v4(b, 10, 1, RB);
	answer(0, "1.113.0.203.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 1);
	ck_assert_uint_eq(site.nt, 1);
	ck_assert_uint_eq(site.ctr[GW_SITE_TUNNELS_LIMIT], 1);
	ck_assert_uint_eq(src4(S2)->st, GW_SRC_DEFAULT);
	ck_assert(updated(mark, DEFRELAY, G2, S2));
}
END_TEST

/*
 * D=0: Relay Discovery to the record's address first, the Request to
 * the relay it advertises.  A record naming the default relay shares
 * its tunnel.  An ASM group stays on the default relay.
 */
START_TEST(test_discovery_share_asm)
{
	uint8_t		 b[8];
	const uint8_t	*rr[1] = { b };
	size_t		 len[1];
	struct sent	*d;
	struct amt_msg	 m;
	uint8_t		 w8[64];
	struct wbuf	 w;
	unsigned	 mark;

	site_start(&site, 0);
	query(0, DEFRELAY);
	report(0, MC_ALLOW, G1, S1);
	len[0] = rr_v4(b, 10, 0, RA);
	answer(0, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 1);
	ck_assert_ptr_nonnull(d = last_to(RA, AMT_DISCOVERY));
	ck_assert_ptr_null(last_to(RA, AMT_REQUEST));
	memset(&m, 0, sizeof(m));
	m.type = AMT_ADVERTISEMENT;
	m.nonce = d->m.nonce;
	m.relay_af = AF_INET;
	be32_store(m.relay_addr, RC);
	wbuf_init(&w, w8, sizeof(w8));
	ck_assert_int_eq(amt_encode(&m, NULL, &w), 0);
	recv4(1, RA, w8, w.len);
	ck_assert_ptr_nonnull(last_to(RC, AMT_REQUEST));
	/* A record with the default relay's address: its tunnel. */
	mark = nsent;
	report(2, MC_ALLOW, G2, S2);
	len[0] = rr_v4(b, 10, 1, DEFRELAY);
	answer(2, "1.113.0.203.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 1);
	ck_assert_uint_eq(site.nt, 1);
	ck_assert(updated(mark, DEFRELAY, G2, S2));
	/* ASM: no lookup, the default relay. */
	mark = nlk;
	report(3, MC_TO_EX, 0xef010101U, 0);
	ck_assert_uint_eq(nlk, mark);
	ck_assert_uint_eq(site.def.fsm.subs.n, 2);
}
END_TEST

/* SIGHUP with driad off: every source to the default relay at once. */
START_TEST(test_reload_driad_off)
{
	uint8_t		 b[8];
	const uint8_t	*rr[1] = { b };
	size_t		 len[1];
	struct gw_conf	 nc;
	unsigned	 mark;

	site_start(&site, 0);
	query(0, DEFRELAY);
	report(0, MC_ALLOW, G1, S1);
	len[0] = rr_v4(b, 10, 1, RA);
	answer(0, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 1);
	query(1, RA);
	ck_assert(updated(0, RA, G1, S1));
	mark = nsent;
	nc = conf;
	nc.driad = 0;
	site_reconfigure(&site, &nc, 2);
	ck_assert(updated(mark, DEFRELAY, G1, S1));
	ck_assert_uint_eq(site.t[0]->fsm.subs.n, 0);	/* a BLOCK at A */
	run(2, 2 + conf.tunnel_hold_ms + 2000);
	ck_assert_uint_eq(site.nt, 0);
	site_reconfigure(&site, &conf, 10000);	/* back: the same tables */
}
END_TEST

/* The L flag on a new DRIAD tunnel: the source moves to its next relay. */
START_TEST(test_limit_flag_failover)
{
	uint8_t		 b[2][8], q[256];
	const uint8_t	*rr[2] = { b[0], b[1] };
	size_t		 len[2];
	struct sent	*r;
	struct amt_msg	 m;
	struct wbuf	 w;

	site_start(&site, 0);
	report(0, MC_ALLOW, G1, S1);
	len[0] = rr_v4(b[0], 10, 1, RA);
	len[1] = rr_v4(b[1], 20, 1, RB);
	answer(0, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 2);
	ck_assert_ptr_nonnull(r = last_to(RA, AMT_REQUEST));
	memset(&m, 0, sizeof(m));
	m.type = AMT_QUERY;
	m.flags = AMT_FLAG_L;
	m.nonce = r->m.nonce;
	m.inner_len = sizeof(v_query);
	wbuf_init(&w, q, sizeof(q));
	ck_assert_int_eq(amt_encode(&m, v_query, &w), 0);
	recv4(1, RA, q, w.len);
	ck_assert_ptr_nonnull(last_to(RB, AMT_REQUEST));
	ck_assert_uint_eq(key4(src4(S1)->t), RB);
	ck_assert_uint_eq(site.ctr[GW_SITE_FAILOVERS], 1);
}
END_TEST

/*
 * relay NAME: the default tunnel waits for its address; a failed
 * lookup is tried again after 1 s, then 2 s.
 */
START_TEST(test_relay_name)
{
	static const uint8_t	 a4[4] = { 10, 0, 0, 253 };
	static const uint8_t	 a127[4] = { 127, 0, 0, 1 };
	const uint8_t	*rr[1] = { a4 }, *lo[1] = { a127 };
	size_t		 len[1] = { 4 };

	memset(&conf.relay, 0, sizeof(conf.relay));
	snprintf(conf.relay_name, sizeof(conf.relay_name), "relay.example");
	site_start(&site, 0);
	ck_assert_uint_eq(nsent, 0);
	ck_assert_int_eq(site.def.fsm.state, GW_STA_IDLE);
	answer(5, "relay.example", GW_DNS_ADDR, GW_DNS_FAIL, 0, NULL, NULL, 0);
	ck_assert_uint_eq(site_next_deadline(&site), 1005);
	run(5, 1005);
	answer(1005, "relay.example", GW_DNS_ADDR, GW_DNS_NONE, 0, NULL, NULL,
	    0);
	ck_assert_uint_eq(site_next_deadline(&site), 3005);
	run(1005, 3005);
	ck_assert_uint_eq(lookups_of("relay.example"), 3);
	answer(3005, "relay.example", GW_DNS_ADDR, GW_DNS_OK, 60, lo, len, 1);
	ck_assert_int_eq(site.def.fsm.state, GW_STA_IDLE);	/* 127/8 */
	run(3005, 7005);
	ck_assert_uint_eq(lookups_of("relay.example"), 4);
	answer(7005, "relay.example", GW_DNS_ADDR, GW_DNS_OK, 60, rr, len, 1);
	ck_assert_ptr_nonnull(last_to(DEFRELAY, AMT_REQUEST));
	ck_assert_int_eq(site.def.fsm.state, GW_STA_REQUESTING);
}
END_TEST

/*
 * D=0 and no Advertisement: when the Discovery retransmissions run out
 * the source moves to its next record.
 */
START_TEST(test_discovery_timeout_failover)
{
	uint8_t		 b[2][8];
	const uint8_t	*rr[2] = { b[0], b[1] };
	size_t		 len[2];
	uint64_t	 now = 0;

	conf.disc_retries = 2;
	site_start(&site, 0);
	report(0, MC_ALLOW, G1, S1);
	len[0] = rr_v4(b[0], 10, 0, RA);
	len[1] = rr_v4(b[1], 20, 1, RB);
	answer(0, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 600,
	    rr, len, 2);
	ck_assert_ptr_nonnull(last_to(RA, AMT_DISCOVERY));
	while (last_to(RB, AMT_REQUEST) == NULL) {
		now = site_next_deadline(&site);
		ck_assert_uint_lt(now, 60000);
		site_timer(&site, now);
	}
	ck_assert_uint_eq(site.ctr[GW_SITE_FAILOVERS], 1);
	ck_assert_uint_eq(key4(src4(S1)->t), RB);
}
END_TEST

/* driad-lookups-max: more sources wait their turn, none is lost. */
START_TEST(test_lookups_max)
{
	unsigned	 i;

	conf.lookups_max = 2;
	site_start(&site, 0);
	for (i = 0; i < 5; i++)
		report(0, MC_ALLOW, G1 + i, S3 + i);
	ck_assert_uint_eq(nlk, 2);
	ck_assert_uint_ge(site.ctr[GW_SITE_LOOKUP_QUEUED], 1);
	ck_assert_uint_eq(src4(S3 + 4)->st, GW_SRC_QUEUED);
	for (i = 0; i < 5; i++) {
		char	 name[DRIAD_REVNAME_MAX];

		(void)driad_revname(S3 + i, name, sizeof(name));
		answer(1, name, DRIAD_RRTYPE, GW_DNS_NONE, 60, NULL, NULL, 0);
	}
	ck_assert_uint_eq(nlk, 5);
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(src4(S3 + i)->st,
		    GW_SRC_DEFAULT);
}
END_TEST

/* Past GW_SRCS_MAX sources a new one uses the default relay. */
START_TEST(test_sources_max)
{
	unsigned	 i;
	uint32_t	 s;

	site_start(&site, 0);
	query(0, DEFRELAY);
	for (i = 0; i <= GW_SRCS_MAX; i++) {
		s = 0x0b000001U + i;
		report(0, MC_ALLOW, G1 + i % 5, s);
	}
	ck_assert_uint_eq(site.nsrc, GW_SRCS_MAX);
	ck_assert_uint_ge(site.ctr[GW_SITE_SOURCES_LIMIT], 1);
	ck_assert(updated(0, DEFRELAY, G1 + GW_SRCS_MAX % 5, s));
	ck_assert(!updated(0, DEFRELAY, G1, 0x0b000001U));	/* waits */
}
END_TEST

/*
 * Relays over IPv6 (RFC 8777 with an IPv6 underlay): a type 2 record
 * and a type 3 name with an AAAA address both give tunnels to IPv6
 * relays, whose Data the data path accepts for their sources only.
 */
START_TEST(driad_ipv6_relays)
{
	static uint8_t	 r2[18], rn[32];
	static const uint8_t	 aaaa[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2,
	    [15] = 0x0b };
	const uint8_t	*rr[1], *arr[1] = { aaaa };
	size_t		 len[1], alen[1] = { 16 };
	struct mc_src6	 r6a, r6b;
	struct gw_accept acc;
	unsigned	 i;

	memset(&r6a, 0, sizeof(r6a));
	memcpy(r6a.a, "\x20\x01\x0d\xb8\x00\x01", 6);
	r6a.a[15] = 0x0a;
	memcpy(r6b.a, aaaa, 16);
	site_start(&site, 0);
	query(0, DEFRELAY);
	report(10, MC_ALLOW, G1, S1);
	report(10, MC_ALLOW, G2, S2);
	r2[0] = 10;
	r2[1] = 1 << 7 | DRIAD_TYPE_IPV6;
	memcpy(r2 + 2, r6a.a, 16);
	rr[0] = r2;
	len[0] = 18;
	answer(20, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 1);
	memcpy(rn, "\x0a\x83\x06" "relay6" "\x07" "example" "\x00", 18);
	rr[0] = rn;
	len[0] = 18;
	answer(20, "1.113.0.203.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 60,
	    rr, len, 1);
	answer(25, "relay6.example", GW_DNS_ADDR, GW_DNS_OK, 60, arr, alen,
	    1);
	for (i = 0; i < nsent; i++)
		if (sent[i].m.type == AMT_REQUEST &&
		    mc_src6_eq(&sent[i].dst6, &r6a))
			break;
	ck_assert_uint_lt(i, nsent);
	for (i = 0; i < nsent; i++)
		if (sent[i].m.type == AMT_REQUEST &&
		    mc_src6_eq(&sent[i].dst6, &r6b))
			break;
	ck_assert_uint_lt(i, nsent);
	ck_assert_uint_eq(site.nt, 2);
	site_accept(&site, &acc);
	ck_assert_int_eq(accept_from(&acc, &r6a, S1), GW_DATA_OK);
	ck_assert_int_eq(accept_from(&acc, &r6b, S2), GW_DATA_OK);
	ck_assert_int_eq(accept_from(&acc, &r6a, S2), GW_DATA_NOT_SERVED);
	ck_assert_int_eq(accept_v4(&acc, RA, S1), GW_DATA_NOT_RELAY);
	ck_assert_uint_eq(site.ctr[GW_SITE_RR_SKIPPED], 0);
}
END_TEST

/* ---- IPv6 sources (ip6.arpa) ---- */

static void
in6(struct mc_src6 *k, const char *a)
{
	ck_assert_int_eq(inet_pton(AF_INET6, a, k->a), 1);
}

/* The host side's MLDv2 report (from ::) with one record. */
static void
report6(uint64_t now, uint8_t type, const char *g, const char *src)
{
	static const uint8_t	 any[16];
	struct mc_src6		 gk, sk;
	uint8_t			 b[256];
	struct wbuf		 w;

	in6(&gk, g);
	if (src != NULL)
		in6(&sk, src);
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_report_begin(&w, any), 0);
	ck_assert_int_eq(mld_report_add(&w, type, gk.a, sk.a,
	    src != NULL ? 1 : 0), 0);
	ck_assert_int_eq(mld_report_finish(&w), 0);
	site_tun_packet(&site, now, b, w.len);
}

/* The newest Request with the P flag to relay, or NULL. */
static struct sent *
last_p_request(uint32_t relay)
{
	unsigned	 i;

	for (i = nsent; i-- > 0;)
		if (sent[i].dst == relay && sent[i].m.type == AMT_REQUEST &&
		    (sent[i].m.flags & AMT_FLAG_P))
			return &sent[i];
	return NULL;
}

/* Answer the newest P=1 Request to relay with an MLDv2 Query. */
static void
query6(uint64_t now, uint32_t relay)
{
	static const uint8_t	 ll[16] = { 0xfe, 0x80, [15] = 1 };
	static const uint8_t	 any[16];
	struct mld_query	 q = { .version = 2, .src = ll,
	    .dst = mld_all_nodes, .group = any, .mrc = 1000, .qrv = 2,
	    .qqic = 125 };
	struct sent		*r = last_p_request(relay);
	struct amt_msg		 m;
	uint8_t			 in[128], b[256];
	struct wbuf		 w;

	ck_assert_msg(r != NULL, "no P=1 Request to %08x", relay);
	wbuf_init(&w, in, sizeof(in));
	ck_assert_int_eq(mld_build_query(&w, &q), 0);
	memset(&m, 0, sizeof(m));
	m.type = AMT_QUERY;
	m.nonce = r->m.nonce;
	memcpy(m.mac, "\x01\x02\x03\x04\x05\x06", 6);
	m.inner_len = w.len;
	{
		struct wbuf	 o;

		wbuf_init(&o, b, sizeof(b));
		ck_assert_int_eq(amt_encode(&m, in, &o), 0);
		recv4(now, relay, b, o.len);
	}
}

/*
 * Whether an Update to relay since mark carries an MLDv2 record of
 * type for group g naming source s (NULL: any or none).
 */
static int
updated6(unsigned mark, uint32_t relay, uint8_t type, const char *g,
    const char *s)
{
	struct ip6_info		 ip;
	struct mld_msg		 mm;
	struct mld_rec_iter	 it;
	struct mld_rec		 r;
	struct mc_src6		 gk, sk;
	unsigned		 i, k;

	in6(&gk, g);
	if (s != NULL)
		in6(&sk, s);
	for (i = mark; i < nsent; i++) {
		if (sent[i].dst != relay || sent[i].m.type != AMT_UPDATE ||
		    sent[i].m.inner_ver != 6)
			continue;
		ck_assert_int_eq(mld_decode_packet(sent[i].b +
		    sent[i].m.inner_off, sent[i].m.inner_len, &ip, &mm),
		    MLD_OK);
		mld_rec_iter_init(&it, &mm);
		while (mld_rec_next(&it, &r) == 1) {
			if (memcmp(r.group, gk.a, 16) != 0 || r.type != type)
				continue;
			if (s == NULL)
				return 1;
			for (k = 0; k < r.nsrcs; k++)
				if (memcmp(r.srcs + 16 * k, sk.a, 16) == 0)
					return 1;
		}
	}
	return 0;
}

/*
 * DRIAD for IPv6 sources (RFC 8777 with ip6.arpa names): a channel
 * whose source has a record goes to that relay's tunnel, which runs
 * its own IPv6 cycle there (P=1) once its IPv4 one is up; a source
 * without records and an ASM group go to the default tunnel; Data from
 * each relay is taken for its own sources only; the leave goes where
 * the join went, and the unused tunnel closes.
 */
START_TEST(driad_ipv6_sources)
{
	static const char	 s6[] = "2001:db8:5::1", g6[] = "ff3e::8000:1",
				 s6b[] = "2001:db8:6::1", a6[] = "ff0e::1234",
				 g6b[] = "ff3e::8000:2";
	char			 name[DRIAD_REVNAME_MAX];
	char			 nameb[DRIAD_REVNAME_MAX];
	uint8_t			 ra[8];
	const uint8_t		*rr[1] = { ra };
	size_t			 len[1];
	struct mc_src6		 k, kb, rk;
	struct gw_accept	 acc;
	unsigned		 mark;

	in6(&k, s6);
	in6(&kb, s6b);
	ck_assert_int_eq(driad_revname6(k.a, name, sizeof(name)), 0);
	ck_assert_int_eq(driad_revname6(kb.a, nameb, sizeof(nameb)), 0);
	site_start(&site, 0);
	query(0, DEFRELAY);
	report6(10, MC_ALLOW, g6, s6);
	ck_assert_ptr_nonnull(lookup_of(name, DRIAD_RRTYPE));
	ck_assert_uint_eq(site.subs6.n, 1);
	ck_assert_uint_eq(site.def.fsm.mld.subs.n, 0);	/* waits */
	len[0] = rr_v4(ra, 10, 1, RA);
	answer(20, name, DRIAD_RRTYPE, GW_DNS_OK, 60, rr, len, 1);
	ck_assert_ptr_nonnull(last_to(RA, AMT_REQUEST));
	ck_assert_uint_eq(site.def.fsm.mld.subs.n, 0);
	ck_assert_uint_eq(tunnel4(RA)->fsm.mld.subs.n, 1);
	query(30, RA);				/* its IPv4 cycle */
	run(30, 30);
	mark = nsent;
	query6(30, RA);				/* then its IPv6 one */
	ck_assert(updated6(mark, RA, MC_IS_IN, g6, s6));
	ck_assert(!updated6(0, DEFRELAY, MC_IS_IN, g6, s6));
	ck_assert(!updated6(0, DEFRELAY, MC_ALLOW, g6, s6));
	/* No records: the default relay, its own IPv6 cycle. */
	report6(40, MC_ALLOW, g6b, s6b);
	answer(40, nameb, DRIAD_RRTYPE, GW_DNS_NONE, 60, NULL, NULL, 0);
	ck_assert_uint_eq(site_source(&site, &kb)->st, GW_SRC_DEFAULT);
	run(40, 40);
	mark = nsent;
	query6(40, DEFRELAY);
	ck_assert(updated6(mark, DEFRELAY, MC_IS_IN, g6b, s6b));
	ck_assert(!updated6(0, RA, MC_IS_IN, g6b, s6b));
	/* ASM: the default relay only. */
	mark = nsent;
	report6(50, MC_TO_EX, a6, NULL);
	ck_assert(updated6(mark, DEFRELAY, MC_TO_EX, a6, NULL));
	ck_assert(!updated6(mark, RA, MC_TO_EX, a6, NULL));
	/* Data: each relay for its own sources. */
	site_accept(&site, &acc);
	rk = mc_src6_v4(RA);
	ck_assert_int_eq(gw_accept_data(&acc, &rk, &k), GW_DATA_OK);
	ck_assert_int_eq(gw_accept_data(&acc, &rk, &kb), GW_DATA_NOT_SERVED);
	rk = mc_src6_v4(DEFRELAY);
	ck_assert_int_eq(gw_accept_data(&acc, &rk, &kb), GW_DATA_OK);
	/* The leave goes to RA; its tunnel closes after tunnel-hold. */
	mark = nsent;
	report6(60, MC_BLOCK, g6, s6);
	ck_assert(updated6(mark, RA, MC_BLOCK, g6, s6));
	ck_assert_uint_eq(tunnel4(RA)->fsm.mld.subs.n, 0);
	ck_assert_uint_ne(tunnel4(RA)->idle_since, 0);
	run(60, 60 + conf.tunnel_hold_ms + 1000);
	ck_assert_ptr_null(tunnel4(RA));
	ck_assert_uint_eq(site.def.fsm.mld.subs.n, 2);	/* s6b and ASM */
}
END_TEST

/*
 * An IPv6 source's relay stops answering: the source moves to its next
 * record, whose tunnel is told with an ALLOW in its own IPv6 cycle; the
 * dead relay's tunnel goes.
 */
START_TEST(driad_ipv6_failover)
{
	static const char	 s6[] = "2001:db8:5::1", g6[] = "ff3e::8000:1";
	char			 name[DRIAD_REVNAME_MAX];
	uint8_t			 b[2][8];
	const uint8_t		*rr[2] = { b[0], b[1] };
	size_t			 len[2];
	struct mc_src6		 k;
	unsigned		 mark;
	uint64_t		 now;

	in6(&k, s6);
	ck_assert_int_eq(driad_revname6(k.a, name, sizeof(name)), 0);
	site_start(&site, 0);
	query(0, DEFRELAY);
	report6(0, MC_ALLOW, g6, s6);
	len[0] = rr_v4(b[0], 20, 1, RC);
	len[1] = rr_v4(b[1], 10, 1, RA);
	answer(5, name, DRIAD_RRTYPE, GW_DNS_OK, 3600, rr, len, 2);
	query(10, RA);
	run(10, 10);
	query6(10, RA);
	ck_assert(updated6(0, RA, MC_IS_IN, g6, s6));
	report6(20, MC_IS_IN, g6, s6);		/* the host answers */
	/* RA goes silent: its Requests (either cycle) go unanswered. */
	mark = nsent;
	now = until_request(10, RC);
	ck_assert_uint_eq(site.ctr[GW_SITE_FAILOVERS], 1);
	ck_assert_uint_eq(key4(site_source(&site, &k)->t), RC);
	query(now, RC);
	run(now, now);
	query6(now, RC);
	ck_assert(updated6(mark, RC, MC_IS_IN, g6, s6));
	ck_assert(!updated6(0, DEFRELAY, MC_IS_IN, g6, s6));
	run(now, now + 5000);
	ck_assert_ptr_null(tunnel4(RA));
}
END_TEST

/*
 * An IPv6 source's relay answers IPv4 Requests but never IPv6 ones (P
 * flag; "mld off" there): after the Request retries the IPv6 source
 * moves to its next record, the relay's tunnel keeps the IPv4 source.
 */
START_TEST(driad_ipv6_relay_without_mld)
{
	static const char	 s6[] = "2001:db8:5::1", g6[] = "ff3e::8000:1";
	char			 name[DRIAD_REVNAME_MAX];
	uint8_t			 b[2][8], c[8];
	const uint8_t		*rr[2] = { b[0], b[1] }, *rr4[1] = { c };
	size_t			 len[2], len4[1];
	struct mc_src6		 k;
	unsigned		 mark;
	uint64_t		 now = 10;

	in6(&k, s6);
	ck_assert_int_eq(driad_revname6(k.a, name, sizeof(name)), 0);
	site_start(&site, 0);
	query(0, DEFRELAY);
	report(0, MC_ALLOW, G1, S1);
	report6(0, MC_ALLOW, g6, s6);
	len4[0] = rr_v4(c, 10, 1, RA);
	answer(5, "1.100.51.198.in-addr.arpa", DRIAD_RRTYPE, GW_DNS_OK, 3600,
	    rr4, len4, 1);
	len[0] = rr_v4(b[0], 10, 1, RA);
	len[1] = rr_v4(b[1], 20, 1, RC);
	answer(5, name, DRIAD_RRTYPE, GW_DNS_OK, 3600, rr, len, 2);
	query(10, RA);				/* IPv4: answered */
	ck_assert(updated(0, RA, G1, S1));
	mark = nsent;
	while (last_to(RC, AMT_REQUEST) == NULL) {	/* IPv6: never */
		now = site_next_deadline(&site);
		ck_assert_uint_lt(now, 20000);
		site_timer(&site, now);
	}
	ck_assert_ptr_nonnull(last_p_request(RA));
	ck_assert_uint_eq(key4(site_source(&site, &k)->t), RC);
	ck_assert_uint_eq(key4(src4(S1)->t), RA);	/* IPv4 stays */
	ck_assert_uint_eq(tunnel4(RA)->fsm.mld.subs.n, 0);
	ck_assert_uint_eq(site.ctr[GW_SITE_FAILOVERS], 1);
	query(now, RC);
	run(now, now);
	query6(now, RC);
	ck_assert(updated6(mark, RC, MC_IS_IN, g6, s6));
	/* RA's tunnel stops asking for IPv6, and serves IPv4 on. */
	mark = nsent;
	run(now, now + 3000);
	for (; mark < nsent; mark++)
		ck_assert(!(sent[mark].dst == RA &&
		    sent[mark].m.type == AMT_REQUEST &&
		    (sent[mark].m.flags & AMT_FLAG_P)));
	ck_assert_int_eq(tunnel4(RA)->fsm.mld.state, GW_MLD_IDLE);
}
END_TEST

Suite *
gw_site_suite(void)
{
	Suite	*s = suite_create("gw_site");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, driad_ipv6_relays);
	tcase_add_test(tc, driad_ipv6_sources);
	tcase_add_test(tc, driad_ipv6_failover);
	tcase_add_test(tc, driad_ipv6_relay_without_mld);
	tcase_add_test(tc, test_two_sources_two_tunnels);
	tcase_add_test(tc, test_failover);
	tcase_add_test(tc, test_no_records_and_failure);
	tcase_add_test(tc, test_bad_and_huge_answers);
	tcase_add_test(tc, test_ttl_and_hold);
	tcase_add_test(tc, test_tunnels_max);
	tcase_add_test(tc, test_discovery_share_asm);
	tcase_add_test(tc, test_reload_driad_off);
	tcase_add_test(tc, test_limit_flag_failover);
	tcase_add_test(tc, test_relay_name);
	tcase_add_test(tc, test_discovery_timeout_failover);
	tcase_add_test(tc, test_lookups_max);
	tcase_add_test(tc, test_sources_max);
	suite_add_tcase(s, tc);
	return s;
}
