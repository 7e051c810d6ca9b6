/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd's decision-making with a fake clock: every row of the
 * tables in RFC 3376 6.4.1 and 6.4.2 (resulting state, timers, queries
 * scheduled), the forwarding rules of 6.3, timer expiry (6.5), query
 * retransmission and the S flag (6.6.3), timer lowering (6.6.1), the
 * compatibility modes of 7.3.2, SSM (RFC 4604), fast leave, querier
 * election (6.6.2), the RFC 4605 merge and the upstream host part.
 */

#include <stdlib.h>
#include <string.h>

#include "igmp_proto.h"
#include "iface.h"
#include "upstream.h"
#include "unit.h"

#define G	0xef010101U		/* 239.1.1.1 */
#define GSSM	0xe8010101U		/* 232.1.1.1 */
#define S(n)	(0x0a000000U + (n))	/* 10.0.0.n */
#define GMI	260000
#define LMQT	2000
#define NOW	1000000

struct query {
	uint32_t	 group;
	int		 s;
	unsigned	 n;
	uint32_t	 srcs[16];
};

static struct query	 qs[64];
static unsigned		 nq, nchanged;
static struct px_params	 P;
static struct px_group	*g;

/* The engine keys IPv4 as ::ffff:a.b.c.d; these tests speak IPv4. */
static struct mc_src6
K(uint32_t a)
{
	return mc_src6_v4(a);
}

static void
fake_query(void *arg, struct px_iface *ifp, const struct mc_src6 *group,
    int s, const struct mc_src6 *srcs, unsigned n)
{
	unsigned	 i;

	(void)arg;
	(void)ifp;
	ck_assert_uint_lt(nq, 64);
	qs[nq].group = group != NULL ? mc_src6_to_v4(group) : 0;
	qs[nq].s = s;
	qs[nq].n = n;
	for (i = 0; i < n && i < 16; i++)
		qs[nq].srcs[i] = mc_src6_to_v4(&srcs[i]);
	nq++;
}

static void
fake_changed(void *arg, const struct mc_src6 *group)
{
	(void)arg;
	(void)group;
	nchanged++;
}

static uint8_t	 upkt[16][1500];
static size_t	 ulen[16];
static unsigned	 nup;

static void
fake_upstream(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	ck_assert_uint_lt(nup, 16);
	memcpy(upkt[nup], p, len);
	ulen[nup++] = len;
}

static uint32_t
fake_random(void *arg)
{
	(void)arg;
	return 0;
}

static const struct px_ops ops = { fake_query, fake_changed, fake_upstream,
    fake_random };
static struct px_scratch	 scratch;
static const struct px_env	 env = { &ops, NULL, &scratch };

static struct px_group *
grp_new4(uint32_t a)
{
	struct mc_src6	 k = K(a);

	return grp_new(&k);
}

static int
grp_forwards4(const struct px_group *x, uint32_t s, uint64_t now)
{
	struct mc_src6	 k = K(s);

	return grp_forwards(x, &k, now);
}

static void
setup(void)
{
	memset(&P, 0, sizeof(P));
	P.gmi = GMI;
	P.lmqt = LMQT;
	P.lmqi = 1000;
	P.lmqc = 2;
	P.ohpi = GMI;
	P.version = 3;
	P.querier = 1;
	P.ssm.addr = 0xe8000000U;
	P.ssm.len = 8;
	g = grp_new4(G);
	nq = nchanged = nup = 0;
	log_setverbose(0);
}

static void
teardown(void)
{
	grp_free(g);
}

/* A record from host from, in a message of the given version. */
static int
grec(uint64_t now, uint32_t from, int type, const uint32_t *b, unsigned n,
    unsigned version)
{
	struct mc_rec	 r;
	struct mc_rec6	 r6;
	static struct mc_src6	 k[PX_MAX_SRCS];

	memset(&r, 0, sizeof(r));
	r.type = (uint8_t)type;
	r.version = (uint8_t)version;
	r.from = from;
	r.group = mc_src6_to_v4(&g->group);
	r.srcs = b;
	r.nsrcs = n;
	mc_rec_to6(&r, k, &r6);
	return grp_record(g, &P, now, &r6, NULL, &env);
}

static void
rec(uint64_t now, int type, const uint32_t *b, unsigned n)
{
	(void)grec(now, S(200), type, b, n, 3);
}

/* A query heard: Q(G) with no sources, Q(G,S) with them. */
static void
heard(uint64_t now, const uint32_t *srcs, unsigned n)
{
	struct mc_query	 q;
	struct mc_query6 q6;
	struct mc_src6	 k[16];

	memset(&q, 0, sizeof(q));
	q.version = 3;
	q.group = mc_src6_to_v4(&g->group);
	q.srcs = srcs;
	q.nsrcs = n;
	mc_query_to6(&q, k, &q6);
	grp_query_heard(g, &P, now, &q6);
}

/* The timer of source s, or -1 if there is no record for it. */
static int64_t
timer_of(uint32_t s)
{
	unsigned	 i;

	for (i = 0; i < g->rs.nsrcs; i++)
		if (mc_src6_to_v4(&g->rs.srcs[i].addr) == s)
			return (int64_t)g->rs.srcs[i].timer;
	return -1;
}

/* Router state INCLUDE({1,2}), timers at NOW - 1000 + GMI. */
static void
make_include_a(void)
{
	static const uint32_t	 a[] = { S(1), S(2) };

	rec(NOW - 1000, MC_IS_IN, a, 2);
	ck_assert_uint_eq(g->rs.mode, MC_INCLUDE);
	nq = nchanged = 0;
}

/* Router state EXCLUDE(X={1,2}, Y={3,4}), group timer NOW-1000+GMI. */
static void
make_exclude_xy(void)
{
	static const uint32_t	 y[] = { S(3), S(4) }, x[] = { S(1), S(2) };

	rec(NOW - 1000, MC_IS_EX, y, 2);
	rec(NOW - 1000, MC_ALLOW, x, 2);
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);
	ck_assert_int_eq(timer_of(S(1)), NOW - 1000 + GMI);
	ck_assert_int_eq(timer_of(S(3)), 0);
	nq = nchanged = 0;
}

/* 6.4.1 row 1: INCLUDE(A) + IS_IN(B) -> INCLUDE(A+B); (B)=GMI. */
START_TEST(row_in_is_in)
{
	static const uint32_t	 b[] = { S(2), S(3) };

	make_include_a();
	rec(NOW, MC_IS_IN, b, 2);
	ck_assert_uint_eq(g->rs.mode, MC_INCLUDE);
	ck_assert_uint_eq(g->rs.nsrcs, 3);
	ck_assert_int_eq(timer_of(S(1)), NOW - 1000 + GMI);
	ck_assert_int_eq(timer_of(S(2)), NOW + GMI);
	ck_assert_int_eq(timer_of(S(3)), NOW + GMI);
	ck_assert_uint_eq(nq, 0);
}
END_TEST

/* 6.4.1 row 2: INCLUDE(A) + IS_EX(B) -> EXCLUDE(A*B, B-A); (B-A)=0;
 * Delete(A-B); GT=GMI. */
START_TEST(row_in_is_ex)
{
	static const uint32_t	 b[] = { S(2), S(3) };

	make_include_a();
	rec(NOW, MC_IS_EX, b, 2);
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);
	ck_assert_int_eq(timer_of(S(1)), -1);			/* deleted */
	ck_assert_int_eq(timer_of(S(2)), NOW - 1000 + GMI);	/* X */
	ck_assert_int_eq(timer_of(S(3)), 0);			/* Y */
	ck_assert_uint_eq(g->rs.gtimer, NOW + GMI);
	ck_assert_uint_eq(nq, 0);
}
END_TEST

/* 6.4.1 row 3: EXCLUDE(X,Y) + IS_IN(A) -> EXCLUDE(X+A, Y-A); (A)=GMI. */
START_TEST(row_ex_is_in)
{
	static const uint32_t	 a[] = { S(2), S(3) };

	make_exclude_xy();
	rec(NOW, MC_IS_IN, a, 2);
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);
	ck_assert_int_eq(timer_of(S(1)), NOW - 1000 + GMI);
	ck_assert_int_eq(timer_of(S(2)), NOW + GMI);
	ck_assert_int_eq(timer_of(S(3)), NOW + GMI);	/* moved to X */
	ck_assert_int_eq(timer_of(S(4)), 0);
	ck_assert_uint_eq(g->rs.gtimer, NOW - 1000 + GMI);
	ck_assert_uint_eq(nq, 0);
}
END_TEST

/* 6.4.1 row 4: EXCLUDE(X,Y) + IS_EX(A) -> EXCLUDE(A-Y, Y*A);
 * (A-X-Y)=GMI; Delete(X-A); Delete(Y-A); GT=GMI. */
START_TEST(row_ex_is_ex)
{
	static const uint32_t	 a[] = { S(2), S(3), S(5) };

	make_exclude_xy();
	rec(NOW, MC_IS_EX, a, 3);
	ck_assert_int_eq(timer_of(S(1)), -1);
	ck_assert_int_eq(timer_of(S(4)), -1);
	ck_assert_int_eq(timer_of(S(2)), NOW - 1000 + GMI);
	ck_assert_int_eq(timer_of(S(3)), 0);
	ck_assert_int_eq(timer_of(S(5)), NOW + GMI);
	ck_assert_uint_eq(g->rs.gtimer, NOW + GMI);
	ck_assert_uint_eq(nq, 0);
}
END_TEST

/* 6.4.2 row 1: INCLUDE(A) + ALLOW(B) -> INCLUDE(A+B); (B)=GMI. */
START_TEST(row_in_allow)
{
	static const uint32_t	 b[] = { S(3) };

	make_include_a();
	rec(NOW, MC_ALLOW, b, 1);
	ck_assert_uint_eq(g->rs.nsrcs, 3);
	ck_assert_int_eq(timer_of(S(3)), NOW + GMI);
	ck_assert_int_eq(timer_of(S(2)), NOW - 1000 + GMI);
	ck_assert_uint_eq(nq, 0);
}
END_TEST

/* 6.4.2 row 2: INCLUDE(A) + BLOCK(B) -> INCLUDE(A); Send Q(G,A*B). */
START_TEST(row_in_block)
{
	static const uint32_t	 b[] = { S(2), S(3) };

	make_include_a();
	rec(NOW, MC_BLOCK, b, 2);
	ck_assert_uint_eq(g->rs.nsrcs, 2);
	ck_assert_int_eq(timer_of(S(3)), -1);
	ck_assert_int_eq(timer_of(S(2)), NOW + LMQT);	/* lowered */
	ck_assert_int_eq(timer_of(S(1)), NOW - 1000 + GMI);
	ck_assert_uint_eq(nq, 1);
	ck_assert_uint_eq(qs[0].group, G);
	ck_assert_int_eq(qs[0].s, 0);
	ck_assert_uint_eq(qs[0].n, 1);
	ck_assert_uint_eq(qs[0].srcs[0], S(2));
	ck_assert_uint_eq(g->gssq_next, NOW + 1000);	/* LMQC-1 more */
}
END_TEST

/* 6.4.2 row 3: INCLUDE(A) + TO_EX(B) -> EXCLUDE(A*B, B-A); (B-A)=0;
 * Delete(A-B); Send Q(G,A*B); GT=GMI. */
START_TEST(row_in_to_ex)
{
	static const uint32_t	 b[] = { S(2), S(3) };

	make_include_a();
	rec(NOW, MC_TO_EX, b, 2);
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);
	ck_assert_int_eq(timer_of(S(1)), -1);
	ck_assert_int_eq(timer_of(S(2)), NOW + LMQT);
	ck_assert_int_eq(timer_of(S(3)), 0);
	ck_assert_uint_eq(g->rs.gtimer, NOW + GMI);
	ck_assert_uint_eq(nq, 1);
	ck_assert_uint_eq(qs[0].n, 1);
	ck_assert_uint_eq(qs[0].srcs[0], S(2));
}
END_TEST

/* 6.4.2 row 4: INCLUDE(A) + TO_IN(B) -> INCLUDE(A+B); (B)=GMI;
 * Send Q(G,A-B). */
START_TEST(row_in_to_in)
{
	static const uint32_t	 b[] = { S(2), S(3) };

	make_include_a();
	rec(NOW, MC_TO_IN, b, 2);
	ck_assert_uint_eq(g->rs.mode, MC_INCLUDE);
	ck_assert_uint_eq(g->rs.nsrcs, 3);
	ck_assert_int_eq(timer_of(S(2)), NOW + GMI);
	ck_assert_int_eq(timer_of(S(3)), NOW + GMI);
	ck_assert_int_eq(timer_of(S(1)), NOW + LMQT);
	ck_assert_uint_eq(nq, 1);
	ck_assert_uint_eq(qs[0].n, 1);
	ck_assert_uint_eq(qs[0].srcs[0], S(1));
}
END_TEST

/* 6.4.2 row 5: EXCLUDE(X,Y) + ALLOW(A) -> EXCLUDE(X+A, Y-A); (A)=GMI. */
START_TEST(row_ex_allow)
{
	static const uint32_t	 a[] = { S(3), S(5) };

	make_exclude_xy();
	rec(NOW, MC_ALLOW, a, 2);
	ck_assert_int_eq(timer_of(S(3)), NOW + GMI);
	ck_assert_int_eq(timer_of(S(5)), NOW + GMI);
	ck_assert_int_eq(timer_of(S(4)), 0);
	ck_assert_uint_eq(nq, 0);
}
END_TEST

/* 6.4.2 row 6: EXCLUDE(X,Y) + BLOCK(A) -> EXCLUDE(X+(A-Y), Y);
 * (A-X-Y)=Group Timer; Send Q(G,A-Y). */
START_TEST(row_ex_block)
{
	static const uint32_t	 a[] = { S(2), S(3), S(5) };
	uint64_t		 gt;

	make_exclude_xy();
	gt = g->rs.gtimer;
	rec(NOW, MC_BLOCK, a, 3);
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);
	ck_assert_int_eq(timer_of(S(3)), 0);		/* Y unchanged */
	ck_assert_int_eq(timer_of(S(4)), 0);
	ck_assert_int_eq(timer_of(S(1)), NOW - 1000 + GMI);
	/* A-Y = {2, 5}, queried: both lowered to LMQT (5 had GT). */
	ck_assert_int_eq(timer_of(S(2)), NOW + LMQT);
	ck_assert_int_eq(timer_of(S(5)), NOW + LMQT);
	ck_assert_uint_eq(g->rs.gtimer, gt);
	ck_assert_uint_eq(nq, 1);
	ck_assert_uint_eq(qs[0].n, 2);
}
END_TEST

/* 6.4.2 row 7: EXCLUDE(X,Y) + TO_EX(A) -> EXCLUDE(A-Y, Y*A);
 * (A-X-Y)=Group Timer; Delete(X-A); Delete(Y-A); Send Q(G,A-Y);
 * GT=GMI. */
START_TEST(row_ex_to_ex)
{
	static const uint32_t	 a[] = { S(2), S(3), S(5) };

	make_exclude_xy();
	rec(NOW, MC_TO_EX, a, 3);
	ck_assert_int_eq(timer_of(S(1)), -1);
	ck_assert_int_eq(timer_of(S(4)), -1);
	ck_assert_int_eq(timer_of(S(3)), 0);
	ck_assert_int_eq(timer_of(S(2)), NOW + LMQT);
	ck_assert_int_eq(timer_of(S(5)), NOW + LMQT);
	ck_assert_uint_eq(g->rs.gtimer, NOW + GMI);
	ck_assert_uint_eq(nq, 1);
	ck_assert_uint_eq(qs[0].n, 2);
}
END_TEST

/* 6.4.2 row 8: EXCLUDE(X,Y) + TO_IN(A) -> EXCLUDE(X+A, Y-A); (A)=GMI;
 * Send Q(G,X-A); Send Q(G). */
START_TEST(row_ex_to_in)
{
	static const uint32_t	 a[] = { S(2), S(3) };

	make_exclude_xy();
	rec(NOW, MC_TO_IN, a, 2);
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);
	ck_assert_int_eq(timer_of(S(2)), NOW + GMI);
	ck_assert_int_eq(timer_of(S(3)), NOW + GMI);
	ck_assert_int_eq(timer_of(S(4)), 0);
	ck_assert_int_eq(timer_of(S(1)), NOW + LMQT);	/* Q(G,X-A) */
	ck_assert_uint_eq(g->rs.gtimer, NOW + LMQT);	/* Q(G) */
	ck_assert_uint_eq(nq, 2);
	ck_assert_uint_eq(qs[0].n, 1);
	ck_assert_uint_eq(qs[0].srcs[0], S(1));
	ck_assert_uint_eq(qs[1].n, 0);
	ck_assert_uint_eq(qs[1].group, G);
	ck_assert_int_eq(qs[1].s, 0);
}
END_TEST

/* 6.3, all six rows. */
START_TEST(forwarding_rules)
{
	static const uint32_t	 a[] = { S(2), S(3) };

	make_include_a();
	ck_assert(grp_forwards4(g, S(1), NOW));		/* INCLUDE, > 0 */
	ck_assert(!grp_forwards4(g, S(9), NOW));		/* INCLUDE, none */
	ck_assert(!grp_forwards4(g, S(1), NOW + GMI));	/* INCLUDE, == 0 */
	grp_free(g);
	g = grp_new4(G);
	make_exclude_xy();
	(void)a;
	ck_assert(grp_forwards4(g, S(1), NOW));		/* EXCLUDE, > 0 */
	ck_assert(!grp_forwards4(g, S(3), NOW));		/* EXCLUDE, == 0 */
	ck_assert(grp_forwards4(g, S(9), NOW));		/* EXCLUDE, none */
}
END_TEST

/* 6.5 and 6.2.3: expiries. */
START_TEST(expiry)
{
	uint64_t	 t;

	static const uint32_t	 x[] = { S(1), S(2) };

	make_exclude_xy();
	rec(NOW, MC_ALLOW, x, 2);	/* X outlives the group timer */
	/* Group timer ends: INCLUDE(X), Y deleted. */
	t = g->rs.gtimer;
	ck_assert_int_eq(grp_timers(g, &P, t, NULL, &env), 1);
	ck_assert_uint_eq(g->rs.mode, MC_INCLUDE);
	ck_assert_uint_eq(g->rs.nsrcs, 2);
	ck_assert_int_eq(timer_of(S(3)), -1);
	/* Source timers end in INCLUDE: deleted, then the group is empty. */
	t = (uint64_t)timer_of(S(1));
	ck_assert_int_eq(grp_timers(g, &P, t, NULL, &env), 1);
	ck_assert_uint_eq(g->rs.nsrcs, 0);
	ck_assert(grp_is_empty(g, t));
}
END_TEST

START_TEST(expiry_exclude_source)
{
	static const uint32_t	 x[] = { S(7) };

	make_exclude_xy();
	rec(NOW, MC_ALLOW, x, 1);
	g->rs.gtimer = NOW + 10 * GMI;
	ck_assert(grp_forwards4(g, S(7), NOW));
	ck_assert_int_eq(grp_timers(g, &P, NOW + GMI, NULL, &env), 1);
	ck_assert_int_eq(timer_of(S(7)), 0);		/* kept, stopped */
	ck_assert(!grp_forwards4(g, S(7), NOW + GMI));
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);
}
END_TEST

/* 6.6.3.1: Q(G) then LMQC-1 retransmissions; S set once GT > LMQT. */
START_TEST(gsq_retransmission)
{
	static const uint32_t	 none[1] = { 0 };

	make_exclude_xy();
	rec(NOW, MC_TO_IN, none, 0);
	ck_assert_uint_eq(nq, 2);	/* Q(G,X) and Q(G) */
	ck_assert_uint_eq(g->gsq_left, 1);
	/* A report raises the group timer before the retransmission. */
	rec(NOW + 100, MC_IS_EX, none, 0);
	nq = 0;
	grp_timers(g, &P, NOW + 1000, NULL, &env);
	ck_assert_uint_ge(nq, 1);
	ck_assert_uint_eq(qs[nq - 1].group, G);
	ck_assert_uint_eq(qs[nq - 1].n, 0);
	ck_assert_int_eq(qs[nq - 1].s, 1);		/* GT > LMQT */
	ck_assert_uint_eq(g->gsq_left, 0);
	nq = 0;
	grp_timers(g, &P, NOW + 2000, NULL, &env);
	for (unsigned i = 0; i < nq; i++)
		ck_assert_uint_ne(qs[i].n == 0 && qs[i].group == G, 1);
}
END_TEST

/* 6.6.3.2: S=1 list (timers > LMQT) and S=0 list, both retransmitted. */
START_TEST(gssq_split)
{
	static const uint32_t	 b[] = { S(1), S(2) }, r[] = { S(1) };

	make_include_a();
	rec(NOW, MC_BLOCK, b, 2);
	ck_assert_uint_eq(nq, 1);
	ck_assert_uint_eq(qs[0].n, 2);
	ck_assert_int_eq(qs[0].s, 0);
	/* Host re-reports S1: its timer goes back to GMI. */
	rec(NOW + 100, MC_ALLOW, r, 1);
	nq = 0;
	grp_timers(g, &P, NOW + 1000, NULL, &env);
	ck_assert_uint_eq(nq, 2);
	ck_assert_int_eq(qs[0].s, 1);
	ck_assert_uint_eq(qs[0].srcs[0], S(1));
	ck_assert_int_eq(qs[1].s, 0);
	ck_assert_uint_eq(qs[1].srcs[0], S(2));
	/* LMQC (2) sends in all: nothing more. */
	nq = 0;
	grp_timers(g, &P, NOW + 2000, NULL, &env);
	ck_assert_uint_eq(nq, 0);
	/* S2 was not re-reported: gone after LMQT. */
	ck_assert_int_eq(timer_of(S(2)), -1);
	ck_assert_int_eq(timer_of(S(1)), NOW + 100 + GMI);
}
END_TEST

/* Only the querier sends; 6.6.1 lowering on queries heard. */
START_TEST(non_querier_and_lowering)
{
	static const uint32_t	 b[] = { S(1) };

	P.querier = 0;
	make_include_a();
	rec(NOW, MC_BLOCK, b, 1);
	ck_assert_uint_eq(nq, 0);
	ck_assert_int_eq(timer_of(S(1)), NOW - 1000 + GMI);
	heard(NOW, b, 1);
	ck_assert_int_eq(timer_of(S(1)), NOW + LMQT);
	grp_free(g);
	g = grp_new4(G);
	make_exclude_xy();
	heard(NOW, NULL, 0);
	ck_assert_uint_eq(g->rs.gtimer, NOW + LMQT);
	/* Never raised. */
	heard(NOW + 100, NULL, 0);
	ck_assert_uint_eq(g->rs.gtimer, NOW + LMQT);
}
END_TEST

/* 7.3.2: v2 and v1 compatibility modes and their translations. */
START_TEST(compat_modes)
{
	static const uint32_t	 b[] = { S(1) };

	/* A v2 report: IS_EX({}), compat v2. */
	grec(NOW, S(50), MC_IS_EX, NULL, 0, 2);
	ck_assert_uint_eq(grp_compat(g, NOW), 2);
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);
	/* BLOCK ignored, TO_EX(x) treated as TO_EX({}). */
	ck_assert_int_eq(grec(NOW, S(51), MC_BLOCK, b, 1, 3), 0);
	grec(NOW, S(51), MC_TO_EX, b, 1, 3);
	ck_assert_uint_eq(g->rs.nsrcs, 0);
	/* A v1 report: compat v1; leaves (TO_IN) ignored. */
	grec(NOW, S(52), MC_IS_EX, NULL, 0, 1);
	ck_assert_uint_eq(grp_compat(g, NOW), 1);
	ck_assert_int_eq(grec(NOW, S(50), MC_TO_IN, NULL, 0, 2), 0);
	ck_assert_uint_eq(g->rs.gtimer, NOW + GMI);
	/* v1 timer expires first: v2 again; then v3. */
	g->v1_host = NOW + 10;
	grp_timers(g, &P, NOW + 10, NULL, &env);
	ck_assert_uint_eq(grp_compat(g, NOW + 10), 2);
	g->v2_host = NOW + 20;
	grp_timers(g, &P, NOW + 20, NULL, &env);
	ck_assert_uint_eq(grp_compat(g, NOW + 20), 3);
	/* An interface configured for v2 caps the translation too. */
	P.version = 2;
	ck_assert_int_eq(grec(NOW + 30, S(51), MC_BLOCK, b, 1, 3), 0);
}
END_TEST

/*
 * 7.3.2: only IGMPv2 Reports start the v2 Host Present timer; a Leave
 * does not (it would pin the group in v2 mode for the OHPI).
 */
START_TEST(v2_leave_no_host_present)
{
	static const uint32_t	 b[] = { S(1) };

	/* A v2 leave for a group a v3 host holds in INCLUDE mode. */
	grec(NOW, S(60), MC_IS_IN, b, 1, 3);
	grec(NOW + 1, S(61), MC_TO_IN, NULL, 0, 2);
	ck_assert_uint_eq(grp_compat(g, NOW + 1), 3);
	ck_assert_uint_eq(g->v2_host, 0);
	/* BLOCK still applies: not in v2 mode, where it is ignored. */
	ck_assert_int_eq(grec(NOW + 2, S(60), MC_BLOCK, b, 1, 3), 1);
	/* A v2 report does start it. */
	grec(NOW + 3, S(61), MC_IS_EX, NULL, 0, 2);
	ck_assert_uint_eq(grp_compat(g, NOW + 3), 2);
}
END_TEST

/* RFC 4604: EXCLUDE in the SSM range is ignored. */
START_TEST(ssm_exclude_ignored)
{
	static const uint32_t	 b[] = { S(1) };

	grp_free(g);
	g = grp_new4(GSSM);
	ck_assert_int_eq(grec(NOW, S(50), MC_IS_EX, b, 1, 3), 0);
	ck_assert_int_eq(grec(NOW, S(50), MC_TO_EX, NULL, 0, 3), 0);
	ck_assert_uint_eq(g->rs.mode, MC_INCLUDE);
	grec(NOW, S(50), MC_ALLOW, b, 1, 3);
	ck_assert(grp_forwards4(g, S(1), NOW));
}
END_TEST

/* Fast leave: the last tracked host prunes at once, not before. */
START_TEST(fast_leave)
{
	P.fast_leave = 1;
	grec(NOW, S(50), MC_IS_EX, NULL, 0, 3);
	grec(NOW, S(51), MC_IS_EX, NULL, 0, 3);
	ck_assert_uint_eq(g->nhosts, 2);
	grec(NOW + 1, S(50), MC_TO_IN, NULL, 0, 3);
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);		/* S51 still there */
	ck_assert(grp_forwards4(g, S(9), NOW + 1));
	grec(NOW + 2, S(51), MC_TO_IN, NULL, 0, 3);
	ck_assert(grp_is_empty(g, NOW + 2));		/* at once */
	ck_assert(!grp_forwards4(g, S(9), NOW + 2));
}
END_TEST

START_TEST(fast_leave_include_sources)
{
	static const uint32_t	 s1[] = { S(1) }, s12[] = { S(1), S(2) };

	P.fast_leave = 1;
	grec(NOW, S(50), MC_ALLOW, s12, 2, 3);
	grec(NOW, S(51), MC_ALLOW, s1, 1, 3);
	grec(NOW + 1, S(50), MC_BLOCK, s12, 2, 3);
	ck_assert(grp_forwards4(g, S(1), NOW + 1));	/* S51 wants it */
	ck_assert(!grp_forwards4(g, S(2), NOW + 1));	/* nobody */
}
END_TEST

/* Older hosts (report suppression) or 0.0.0.0: no early pruning. */
START_TEST(fast_leave_untracked)
{
	P.fast_leave = 1;
	grec(NOW, S(50), MC_IS_EX, NULL, 0, 3);
	grec(NOW, S(51), MC_IS_EX, NULL, 0, 2);
	grec(NOW + 1, S(50), MC_TO_IN, NULL, 0, 3);
	ck_assert(!grp_is_empty(g, NOW + 1));
	grp_free(g);
	g = grp_new4(G);
	grec(NOW, 0, MC_IS_EX, NULL, 0, 3);
	grec(NOW, 0, MC_TO_IN, NULL, 0, 3);
	ck_assert(!grp_is_empty(g, NOW));
	ck_assert_uint_eq(g->untracked, 1);
}
END_TEST

/* RFC 4605 4.1 preprocessing. */
START_TEST(export_preprocess)
{
	struct mc_src6	 out[8];
	unsigned	 n;

	make_exclude_xy();
	ck_assert_uint_eq(g->rs.mode, MC_EXCLUDE);
	n = rstate_export6(&g->rs, NOW, out, 8);
	ck_assert_uint_eq(n, 2);		/* only Y */
	ck_assert_uint_eq(mc_src6_to_v4(&out[0]), S(3));
	ck_assert_uint_eq(mc_src6_to_v4(&out[1]), S(4));
}
END_TEST

/* ---- merge ---- */

static int
merge(const struct mc_filter *f, unsigned n, uint32_t *out, unsigned *nout,
    uint8_t *mode)
{
	static uint32_t			 ex[8], in[8], tmp[8];
	const struct src_merge_scratch	 ms = { ex, in, tmp, 8 };

	return src_merge(f, n, &ms, out, nout, mode);
}

START_TEST(merge_rfc_example)
{
	/* I1: IGMPv2 (G) -> EXCLUDE({}); I2: INCLUDE(S1,S2). */
	static const uint32_t	 s12[] = { S(1), S(2) };
	struct mc_filter		 subs[2] = {
		{ MC_EXCLUDE, NULL, 0 }, { MC_INCLUDE, s12, 2 } };
	uint32_t		 out[8];
	unsigned		 n;
	uint8_t			 mode;

	ck_assert_int_eq(merge(subs, 2, out, &n, &mode), 1);
	ck_assert_uint_eq(mode, MC_EXCLUDE);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(merge_combinations)
{
	static const uint32_t	 a[] = { S(1), S(2), S(3) }, b[] = { S(2),
	    S(3), S(4) }, c[] = { S(3) };
	struct mc_filter		 subs[3];
	uint32_t		 out[8];
	unsigned		 n;
	uint8_t			 mode;

	/* INCLUDE + INCLUDE: union. */
	subs[0] = (struct mc_filter){ MC_INCLUDE, a, 3 };
	subs[1] = (struct mc_filter){ MC_INCLUDE, b, 3 };
	ck_assert_int_eq(merge(subs, 2, out, &n, &mode), 1);
	ck_assert_uint_eq(mode, MC_INCLUDE);
	ck_assert_uint_eq(n, 4);
	/* EXCLUDE + EXCLUDE: intersection. */
	subs[0].mode = subs[1].mode = MC_EXCLUDE;
	ck_assert_int_eq(merge(subs, 2, out, &n, &mode), 1);
	ck_assert_uint_eq(mode, MC_EXCLUDE);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(out[0], S(2));
	ck_assert_uint_eq(out[1], S(3));
	/* EXCLUDE + EXCLUDE + INCLUDE(c): intersection minus c. */
	subs[2] = (struct mc_filter){ MC_INCLUDE, c, 1 };
	ck_assert_int_eq(merge(subs, 3, out, &n, &mode), 1);
	ck_assert_uint_eq(mode, MC_EXCLUDE);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], S(2));
	/* INCLUDE then EXCLUDE (order does not matter). */
	subs[0] = (struct mc_filter){ MC_INCLUDE, a, 3 };
	subs[1] = (struct mc_filter){ MC_EXCLUDE, b, 3 };
	ck_assert_int_eq(merge(subs, 2, out, &n, &mode), 1);
	ck_assert_uint_eq(mode, MC_EXCLUDE);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], S(4));
	/* Nothing, or only empty INCLUDEs: no record. */
	ck_assert_int_eq(merge(subs, 0, out, &n, &mode), 0);
	subs[0] = (struct mc_filter){ MC_INCLUDE, NULL, 0 };
	ck_assert_int_eq(merge(subs, 1, out, &n, &mode), 0);
	/* One EXCLUDE({}) wins over everything. */
	subs[1] = (struct mc_filter){ MC_EXCLUDE, NULL, 0 };
	ck_assert_int_eq(merge(subs, 2, out, &n, &mode), 1);
	ck_assert_uint_eq(mode, MC_EXCLUDE);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- querier election (iface.c) ---- */

static struct px_conf	 C;

/* A general query heard on ifp: QQIC as a value in seconds. */
static void
qheard(struct px_iface *ifp, uint64_t now, uint32_t from, unsigned version,
    unsigned qrv, unsigned qqi)
{
	struct mc_query	 q;
	struct mc_query6 q6;
	struct mc_src6	 k[1];

	memset(&q, 0, sizeof(q));
	q.version = (uint8_t)version;
	q.from = from;
	q.qrv = (uint8_t)qrv;
	q.qqi_ms = qqi * 1000;
	mc_query_to6(&q, k, &q6);
	if_query_heard(ifp, &C, now, &q6, &env);
}

/* A record without sources on ifp. */
static void
irep(struct px_iface *ifp, uint64_t now, uint32_t from, int type,
    uint32_t group, unsigned version)
{
	struct mc_rec	 r;
	struct mc_rec6	 r6;
	struct mc_src6	 k[1];

	memset(&r, 0, sizeof(r));
	r.type = (uint8_t)type;
	r.version = (uint8_t)version;
	r.from = from;
	r.group = group;
	mc_rec_to6(&r, k, &r6);
	if_report(ifp, &C, now, &r6, &env);
}

START_TEST(querier_election)
{
	struct px_iface	 ifp;
	unsigned	 before;

	conf_defaults(&px_conf_table, &C);
	C.nds = 1;
	if_init(&ifp, "d1", 3);
	ifp.active = 1;
	ifp.ifindex = 2;
	ifp.vif = 1;
	ifp.addr = K(0x0a000005);
	if_start(&ifp, &C, NOW, &env);
	ck_assert_int_eq(ifp.querier, 1);
	/* Startup: Startup Query Count (RV = 2) queries QI/4 apart. */
	if_timers(&ifp, &C, NOW, &env);
	ck_assert_uint_eq(nq, 1);
	ck_assert_uint_eq(qs[0].group, 0);
	ck_assert_uint_eq(ifp.gq_next, NOW + 125000 / 4);
	if_timers(&ifp, &C, ifp.gq_next, &env);
	ck_assert_uint_eq(nq, 2);
	ck_assert_uint_eq(ifp.gq_next, NOW + 125000 / 4 + 125000);
	/* A higher address does not win. */
	qheard(&ifp, NOW + 1, 0x0a000009, 3, 2, 125);
	ck_assert_int_eq(ifp.querier, 1);
	/* A lower one does; Other Querier Present = RV*QI + QRI/2, with
	 * the RV and QI of the query heard (8.5, 4.1.6, 4.1.7). */
	qheard(&ifp, NOW + 2, 0x0a000002, 3, 3, 60);
	ck_assert_int_eq(ifp.querier, 0);
	ck_assert_uint_eq(ifp.oqp, NOW + 2 + 3 * 60000 + 5000);
	ck_assert_uint_eq(ifp.qrv, 3);		/* adopted */
	ck_assert_uint_eq(ifp.qi_ms, 60000);
	before = nq;
	if_timers(&ifp, &C, NOW + 180000, &env);
	ck_assert_uint_eq(nq, before);		/* silent */
	/* The other querier goes quiet: querier again, at once. */
	if_timers(&ifp, &C, ifp.oqp, &env);
	ck_assert_int_eq(ifp.querier, 1);
	ck_assert_uint_eq(nq, before + 1);
	if_stop(&ifp, NOW, &env);
	if_free(&ifp);
}
END_TEST

/*
 * RFC 3376 4.1.6, 4.1.7, 8.5: the Other Querier Present Interval comes
 * from the QRV and QQIC of the query just heard, every time, also
 * after this proxy was the querier itself (FRR's 125 s against a
 * proxy configured for 3 s must not flap).
 */
START_TEST(querier_other_interval)
{
	struct px_iface	 ifp;
	int		 round;

	conf_defaults(&px_conf_table, &C);
	C.qi_ms = 3000;
	C.qri_ms = 1000;
	if_init(&ifp, "d1", 3);
	ifp.active = 1;
	ifp.ifindex = 2;
	ifp.vif = 1;
	ifp.addr = K(0x0a000005);
	for (round = 0; round < 2; round++) {
		if_start(&ifp, &C, NOW, &env);
		ck_assert_int_eq(ifp.querier, 1);
		qheard(&ifp, NOW + 10, 0x0a000002, 3, 2, 125);
		ck_assert_int_eq(ifp.querier, 0);
		ck_assert_uint_eq(ifp.oqp, NOW + 10 + 2 * 125000 + 500);
		/* Still non-querier long after our own 2 x 3 s. */
		if_timers(&ifp, &C, NOW + 60000, &env);
		ck_assert_int_eq(ifp.querier, 0);
	}
	/* A query without QQIC or QRV (v2): our own values. */
	if_start(&ifp, &C, NOW, &env);
	qheard(&ifp, NOW + 20, 0x0a000002, 2, 0, 0);
	ck_assert_uint_eq(ifp.oqp, NOW + 20 + 2 * 3000 + 500);
	if_stop(&ifp, NOW, &env);
	if_free(&ifp);
}
END_TEST

START_TEST(querier_needs_address)
{
	struct px_iface	 ifp;

	conf_defaults(&px_conf_table, &C);
	if_init(&ifp, "d1", 2);
	ifp.active = 1;
	if_start(&ifp, &C, NOW, &env);
	ck_assert_int_eq(ifp.querier, 0);
	if_timers(&ifp, &C, NOW, &env);
	ck_assert_uint_eq(nq, 0);
	/* Any query then makes that router the querier we know. */
	qheard(&ifp, NOW, 0x0a000009, 2, 0, 0);
	ck_assert_uint_eq(mc_src6_to_v4(&ifp.querier_addr), 0x0a000009);
}
END_TEST

/* Reports for 224.0.0.0/24 and v1/v2 in the SSM range are never kept. */
START_TEST(iface_filters)
{
	struct px_iface	 ifp;

	conf_defaults(&px_conf_table, &C);
	if_init(&ifp, "d1", 3);
	ifp.active = 1;
	ifp.addr = K(0x0a000005);
	irep(&ifp, NOW, S(9), MC_IS_EX, 0xe00000fbU, 3);
	irep(&ifp, NOW, S(9), MC_IS_EX, GSSM, 2);
	ck_assert_uint_eq(ifp.ngroups, 0);
	ck_assert_uint_eq(ifp.ctr_ignored, 2);
	irep(&ifp, NOW, S(9), MC_IS_EX, G, 2);
	ck_assert_uint_eq(ifp.ngroups, 1);
	if_stop(&ifp, NOW, &env);
	ck_assert_uint_eq(ifp.ngroups, 0);
	if_free(&ifp);
}
END_TEST

/* ---- upstream host part ---- */

static struct px_upstream	 U;

/* The database record of an IPv4 group, in the engine's keys. */
static void
up_update4(struct px_upstream *up, uint32_t grp, uint8_t mode,
    const uint32_t *srcs, unsigned n, uint64_t now, const struct px_conf *c)
{
	static struct mc_src6	 k[PX_MAX_SRCS];
	struct mc_src6		 gk = K(grp);
	unsigned		 i;

	for (i = 0; i < n; i++)
		k[i] = K(srcs[i]);
	up_update(up, &gk, mode, k, n, now, c);
}

/* A query from upstream. */
static void
upq(uint64_t now, unsigned version, uint32_t group, unsigned qrv)
{
	struct mc_query	 q;
	struct mc_query6 q6;
	struct mc_src6	 k[1];

	memset(&q, 0, sizeof(q));
	q.version = (uint8_t)version;
	q.group = group;
	q.qrv = (uint8_t)qrv;
	mc_query_to6(&q, k, &q6);
	up_query(&U, now, &C, &q6, &env);
}

/* Records of upstream report k: type and source count each. */
static unsigned
up_records(unsigned k, uint8_t *types, uint32_t *groups, uint16_t *ns)
{
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;
	unsigned		 n = 0;

	ck_assert_int_eq(igmp_decode_packet(upkt[k], ulen[k], &ip, &m),
	    IGMP_OK);
	ck_assert_uint_eq(m.type, IGMP_V3_REPORT);
	ck_assert_int_eq(ip.router_alert, 1);
	igmp_rec_iter_init(&it, &m);
	while (igmp_rec_next(&it, &r) == 1) {
		types[n] = r.type;
		groups[n] = r.group;
		ns[n] = r.nsrcs;
		n++;
	}
	return n;
}

START_TEST(upstream_state_changes)
{
	static const uint32_t	 a[] = { S(1), S(2) }, b[] = { S(2), S(3) };
	uint8_t			 t[8];
	uint32_t		 gr[8];
	uint16_t		 ns[8];

	conf_defaults(&px_conf_table, &C);
	up_init(&U);
	/* New INCLUDE(A): ALLOW(A) now, then RV-1 = 1 repeat. */
	up_update4(&U, G, MC_INCLUDE, a, 2, NOW, &C);
	up_flush(&U, NOW, &C, &env);
	ck_assert_uint_eq(nup, 1);
	ck_assert_uint_eq(up_records(0, t, gr, ns), 1);
	ck_assert_uint_eq(t[0], MC_ALLOW);
	ck_assert_uint_eq(ns[0], 2);
	ck_assert_uint_ne(up_next_deadline(&U), UINT64_MAX);
	/* Before the repeat: A -> B merges: ALLOW(3) BLOCK(1), and S2's
	 * pending ALLOW stays. */
	up_update4(&U, G, MC_INCLUDE, b, 2, NOW + 10, &C);
	up_flush(&U, NOW + 10, &C, &env);
	ck_assert_uint_eq(nup, 2);
	ck_assert_uint_eq(up_records(1, t, gr, ns), 2);
	ck_assert_uint_eq(t[0], MC_ALLOW);
	ck_assert_uint_eq(ns[0], 2);		/* S2 (pending) and S3 */
	ck_assert_uint_eq(t[1], MC_BLOCK);
	ck_assert_uint_eq(ns[1], 1);
	/* The repeat: ALLOW(S3) BLOCK(S1) once more; then nothing. */
	up_timers(&U, up_next_deadline(&U), &C, &env);
	ck_assert_uint_eq(nup, 3);
	ck_assert_uint_eq(up_records(2, t, gr, ns), 2);
	ck_assert_uint_eq(ns[0], 1);
	ck_assert_uint_eq(up_next_deadline(&U), UINT64_MAX);
	/* Filter-mode change: TO_EX({}) RV times. */
	up_update4(&U, G, MC_EXCLUDE, NULL, 0, NOW + 5000, &C);
	up_flush(&U, NOW + 5000, &C, &env);
	ck_assert_uint_eq(up_records(3, t, gr, ns), 1);
	ck_assert_uint_eq(t[0], MC_TO_EX);
	up_timers(&U, up_next_deadline(&U), &C, &env);
	ck_assert_uint_eq(up_records(4, t, gr, ns), 1);
	ck_assert_uint_eq(t[0], MC_TO_EX);
	ck_assert_uint_eq(up_next_deadline(&U), UINT64_MAX);
	/* A general query: IS_EX({}) at once. */
	upq(NOW + 6000, 3, 0, 2);
	ck_assert_uint_eq(up_records(5, t, gr, ns), 1);
	ck_assert_uint_eq(t[0], MC_IS_EX);
	/* Gone: TO_IN({}), then the record is dropped after the repeats. */
	up_update4(&U, G, MC_INCLUDE, NULL, 0, NOW + 7000, &C);
	up_flush(&U, NOW + 7000, &C, &env);
	ck_assert_uint_eq(up_records(6, t, gr, ns), 1);
	ck_assert_uint_eq(t[0], MC_TO_IN);
	ck_assert_uint_eq(ns[0], 0);
	up_timers(&U, up_next_deadline(&U), &C, &env);
	ck_assert_uint_eq(U.n, 0);
	up_free(&U);
}
END_TEST

/* 7.2.1: an IGMPv2 querier upstream: v2 reports and leaves only. */
START_TEST(upstream_v2_querier)
{
	struct ip4_info	 ip;
	struct igmp_msg	 m;

	conf_defaults(&px_conf_table, &C);
	up_init(&U);
	upq(NOW, 2, 0, 0);
	ck_assert_uint_eq(up_version(&U, NOW), 2);
	up_update4(&U, G, MC_EXCLUDE, NULL, 0, NOW, &C);
	up_flush(&U, NOW, &C, &env);
	ck_assert_uint_eq(nup, 1);
	ck_assert_int_eq(igmp_decode_packet(upkt[0], ulen[0], &ip, &m),
	    IGMP_OK);
	ck_assert_uint_eq(m.type, IGMP_V2_REPORT);
	ck_assert_uint_eq(ip.dst, G);
	up_update4(&U, G, MC_INCLUDE, NULL, 0, NOW + 10, &C);
	up_flush(&U, NOW + 10, &C, &env);
	ck_assert_int_eq(igmp_decode_packet(upkt[nup - 1], ulen[nup - 1], &ip,
	    &m), IGMP_OK);
	ck_assert_uint_eq(m.type, IGMP_V2_LEAVE);
	ck_assert_uint_eq(ip.dst, IN4_ALLROUTERS);
	/* Older Version Querier Present Timeout: v3 again after it. */
	ck_assert_uint_eq(up_version(&U, NOW + 2 * 125000 + 10000), 3);
	up_free(&U);
}
END_TEST

/* Large source lists are split over reports (RFC 3376 4.2.16). */
START_TEST(upstream_split)
{
	static uint32_t	 many[700];
	uint8_t		 t[8];
	uint32_t	 gr[8];
	uint16_t	 ns[8];
	unsigned	 i, total = 0;

	conf_defaults(&px_conf_table, &C);
	up_init(&U);
	for (i = 0; i < 700; i++)
		many[i] = S(i + 1);
	up_update4(&U, G, MC_INCLUDE, many, 700, NOW, &C);
	up_flush(&U, NOW, &C, &env);
	ck_assert_uint_ge(nup, 2);
	for (i = 0; i < nup; i++) {
		ck_assert_uint_le(ulen[i], 1500);
		ck_assert_uint_eq(up_records(i, t, gr, ns), 1);
		total += ns[0];
	}
	ck_assert_uint_eq(total, 700);
	up_free(&U);
}
END_TEST

/* Many groups: every record reaches a report, none lost at a packet
 * boundary (the bench found 317 of 500 dropped once). */
START_TEST(upstream_many_groups)
{
	struct ip4_info	 ip;
	struct igmp_msg	 m;
	unsigned	 i, total = 0;

	conf_defaults(&px_conf_table, &C);
	up_init(&U);
	for (i = 0; i < 500; i++)
		up_update4(&U, 0xef000000U + i, MC_EXCLUDE, NULL, 0, NOW, &C);
	up_flush(&U, NOW, &C, &env);
	ck_assert_uint_eq(nup, 3);
	for (i = 0; i < nup; i++) {
		ck_assert_int_eq(igmp_decode_packet(upkt[i], ulen[i], &ip, &m),
		    IGMP_OK);
		total += m.nrecs;
	}
	ck_assert_uint_eq(total, 500);
	up_free(&U);
}
END_TEST

Suite *
px_suite(void)
{
	Suite	*s = suite_create("igmpproxyd");
	TCase	*tc = tcase_create("router");
	TCase	*tm = tcase_create("merge");
	TCase	*tq = tcase_create("iface");
	TCase	*tu = tcase_create("upstream");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, row_in_is_in);
	tcase_add_test(tc, row_in_is_ex);
	tcase_add_test(tc, row_ex_is_in);
	tcase_add_test(tc, row_ex_is_ex);
	tcase_add_test(tc, row_in_allow);
	tcase_add_test(tc, row_in_block);
	tcase_add_test(tc, row_in_to_ex);
	tcase_add_test(tc, row_in_to_in);
	tcase_add_test(tc, row_ex_allow);
	tcase_add_test(tc, row_ex_block);
	tcase_add_test(tc, row_ex_to_ex);
	tcase_add_test(tc, row_ex_to_in);
	tcase_add_test(tc, forwarding_rules);
	tcase_add_test(tc, expiry);
	tcase_add_test(tc, expiry_exclude_source);
	tcase_add_test(tc, gsq_retransmission);
	tcase_add_test(tc, gssq_split);
	tcase_add_test(tc, non_querier_and_lowering);
	tcase_add_test(tc, compat_modes);
	tcase_add_test(tc, v2_leave_no_host_present);
	tcase_add_test(tc, ssm_exclude_ignored);
	tcase_add_test(tc, fast_leave);
	tcase_add_test(tc, fast_leave_include_sources);
	tcase_add_test(tc, fast_leave_untracked);
	tcase_add_test(tc, export_preprocess);
	suite_add_tcase(s, tc);
	tcase_add_test(tm, merge_rfc_example);
	tcase_add_test(tm, merge_combinations);
	suite_add_tcase(s, tm);
	tcase_add_checked_fixture(tq, setup, teardown);
	tcase_add_test(tq, querier_election);
	tcase_add_test(tq, querier_other_interval);
	tcase_add_test(tq, querier_needs_address);
	tcase_add_test(tq, iface_filters);
	suite_add_tcase(s, tq);
	tcase_add_checked_fixture(tu, setup, teardown);
	tcase_add_test(tu, upstream_state_changes);
	tcase_add_test(tu, upstream_v2_querier);
	tcase_add_test(tu, upstream_split);
	tcase_add_test(tu, upstream_many_groups);
	suite_add_tcase(s, tu);
	return s;
}
