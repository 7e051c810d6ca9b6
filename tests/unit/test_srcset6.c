/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The source-set module for IPv6 (common/srcset6.c) is the IPv4 one's
 * source with 16-byte keys.  These tests drive both with the same
 * random records, each IPv4 source mapped to ::ffff:a.b.c.d (whose
 * bytes order as the addresses do), and require the same answers: a
 * host's filter, a router's state with its queries, exports and
 * forwarding decisions over time, the set operations and the merge.
 * test_srcset.c holds the rules themselves.
 */

#include <string.h>

#include "srcset.h"
#include "srcset6.h"
#include "unit.h"

#define NS	12		/* sources drawn from 1..NS */

static struct mc_src6
map6(uint32_t a)
{
	struct mc_src6	 k;

	memset(&k, 0, sizeof(k));
	k.a[10] = k.a[11] = 0xff;
	k.a[12] = (uint8_t)(a >> 24);
	k.a[13] = (uint8_t)(a >> 16);
	k.a[14] = (uint8_t)(a >> 8);
	k.a[15] = (uint8_t)a;
	return k;
}

static void
map_all(const uint32_t *v, unsigned n, struct mc_src6 *out)
{
	unsigned	 i;

	for (i = 0; i < n; i++)
		out[i] = map6(v[i]);
}

static int
same(const uint32_t *v, unsigned n, const struct mc_src6 *w, unsigned m)
{
	unsigned	 i;

	if (n != m)
		return 0;
	for (i = 0; i < n; i++)
		if (memcmp(map6(v[i]).a, w[i].a, 16) != 0)
			return 0;
	return 1;
}

/* A random sorted set of sources from 1..NS. */
static unsigned
draw(uint32_t *seed, uint32_t *v)
{
	uint32_t	 bits = xorshift32(seed);
	unsigned	 i, n = 0;

	for (i = 1; i <= NS; i++)
		if (bits & (1U << i) && (bits >> 20) % 3 != 0)
			v[n++] = i;
	return n;
}

START_TEST(test_sets_in_order)
{
	uint32_t	 v[] = { 9, 3, 0x0a000001U, 3, 1 }, o4[8];
	struct mc_src6	 w[5], o6[8];
	unsigned	 n4, n6;

	map_all(v, 5, w);
	n4 = src_normalize(v, 5);
	n6 = src_normalize6(w, 5);
	ck_assert(same(v, n4, w, n6));
	ck_assert(src_has6(w, n6, map6(0x0a000001U)));
	ck_assert(!src_has6(w, n6, map6(2)));
	ck_assert(same(o4, src_union(v, n4, v, 2, o4, 8), o6,
	    src_union6(w, n6, w, 2, o6, 8)));
	ck_assert(same(o4, src_diff(v, n4, v, 2, o4), o6,
	    src_diff6(w, n6, w, 2, o6)));
	ck_assert(same(o4, src_inter(v, n4, v + 1, 2, o4), o6,
	    src_inter6(w, n6, w + 1, 2, o6)));
}
END_TEST

/* Hosts and routers, IPv4 and IPv6, fed the same records. */
START_TEST(test_same_as_ipv4)
{
	static const uint8_t	 types[] = { MC_IS_IN, MC_IS_EX, MC_TO_IN,
	    MC_TO_EX, MC_ALLOW, MC_BLOCK };
	uint32_t	 seed = UNIT_SEED + (uint32_t)_i, b[NS], q4[NS], e4[NS];
	struct mc_src6	 b6[NS], q6[NS], e6[NS];
	struct hstate	 h;
	struct hstate6	 h6;
	struct rstate	 rs;
	struct rstate6	 rs6;
	struct rs_queries q = { 0, q4, 0, NS };
	struct rs_queries6 qq = { 0, q6, 0, NS };
	struct mc_rec	 r;
	struct mc_rec6	 r6;
	uint64_t	 now = 1000;
	unsigned	 step, n, s;

	memset(&h, 0, sizeof(h));
	memset(&h6, 0, sizeof(h6));
	memset(&rs, 0, sizeof(rs));
	memset(&rs6, 0, sizeof(rs6));
	for (step = 0; step < 3000; step++) {
		n = draw(&seed, b);
		map_all(b, n, b6);
		memset(&r, 0, sizeof(r));
		memset(&r6, 0, sizeof(r6));
		r.type = r6.type = types[xorshift32(&seed) % 6];
		r.srcs = b;
		r6.srcs = b6;
		r.nsrcs = r6.nsrcs = n;
		ck_assert_int_eq(hstate_apply(&h, &r, 8),
		    hstate_apply6(&h6, &r6, 8));
		ck_assert_uint_eq(h.mode, h6.mode);
		ck_assert(same(h.srcs.v, h.srcs.n, h6.srcs.v, h6.srcs.n));
		now += xorshift32(&seed) % 700;
		ck_assert_int_eq(rstate_record(&rs, now, now + 2600, r.type, b,
		    n, 10, &q), rstate_record6(&rs6, now, now + 2600, r.type,
		    b6, n, 10, &qq));
		ck_assert_int_eq(q.group, qq.group);
		ck_assert(same(q4, q.nsrcs, q6, qq.nsrcs));
		if (xorshift32(&seed) % 4 == 0)
			rstate_lower(&rs, now + 300, b, n),
			rstate_lower6(&rs6, now + 300, b6, n);
		ck_assert_int_eq(rstate_expire(&rs, now),
		    rstate_expire6(&rs6, now));
		ck_assert_uint_eq(rs.mode, rs6.mode);
		ck_assert_uint_eq(rstate_next_deadline(&rs),
		    rstate_next_deadline6(&rs6));
		ck_assert(same(e4, rstate_export(&rs, now, e4, NS), e6,
		    rstate_export6(&rs6, now, e6, NS)));
		for (s = 1; s <= NS; s++)
			ck_assert_int_eq(rstate_forwards(&rs, s, now),
			    rstate_forwards6(&rs6, map6(s), now));
	}
	hstate_free(&h);
	hstate_free6(&h6);
	rstate_free(&rs);
	rstate_free6(&rs6);
}
END_TEST

/* The merge of several memberships (RFC 4605 4.1), both families. */
START_TEST(test_merge_same)
{
	uint32_t	 seed = UNIT_SEED, v[4][NS], ex[NS], in[NS], tmp[NS];
	uint32_t	 out[NS];
	struct mc_src6	 w[4][NS], ex6[NS], in6[NS], tmp6[NS], out6[NS];
	struct mc_filter f[4];
	struct mc_filter6 f6[4];
	struct src_merge_scratch ms = { ex, in, tmp, NS };
	struct src_merge_scratch6 ms6 = { ex6, in6, tmp6, NS };
	unsigned	 k, i, n4, n6;
	uint8_t		 m4, m6;

	for (k = 0; k < 2000; k++) {
		unsigned nf = 1 + xorshift32(&seed) % 4;

		for (i = 0; i < nf; i++) {
			f[i].srcs = v[i];
			f6[i].srcs = w[i];
			f[i].nsrcs = f6[i].nsrcs = draw(&seed, v[i]);
			map_all(v[i], f[i].nsrcs, w[i]);
			f[i].mode = f6[i].mode = xorshift32(&seed) & 1;
		}
		ck_assert_int_eq(src_merge(f, nf, &ms, out, &n4, &m4),
		    src_merge6(f6, nf, &ms6, out6, &n6, &m6));
		ck_assert_uint_eq(m4, m6);
		ck_assert(same(out, n4, out6, n6));
	}
}
END_TEST

Suite *
srcset6_suite(void)
{
	Suite	*s = suite_create("srcset6");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_sets_in_order);
	tcase_add_loop_test(tc, test_same_as_ipv4, 0, 4);
	tcase_add_test(tc, test_merge_same);
	suite_add_tcase(s, tc);
	return s;
}
