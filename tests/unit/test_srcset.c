/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * common/srcset.c: the set operations against a naive model over a
 * small universe of sources, host semantics (RFC 3376 5.1) record by
 * record and in random sequences against the same model, the router
 * state's timers and exports, and the merge.  The 6.4 tables row by
 * row are in test_px.c, through the proxy's group machine.
 */

#include <stdlib.h>
#include <string.h>

#include "srcset.h"
#include "unit.h"

#define U	24		/* the universe: sources 1..U */

/* A set as a bitmap over the universe, and back. */
static uint32_t
bits(const uint32_t *v, unsigned n)
{
	uint32_t	 b = 0;
	unsigned	 i;

	for (i = 0; i < n; i++)
		b |= 1U << (v[i] - 1);
	return b;
}

static unsigned
from_bits(uint32_t b, uint32_t *v)
{
	unsigned	 i, n = 0;

	for (i = 0; i < U; i++)
		if (b & (1U << i))
			v[n++] = i + 1;
	return n;
}

static unsigned
rand_set(uint32_t *seed, uint32_t *v)
{
	return from_bits(xorshift32(seed) & ((1U << U) - 1), v);
}

START_TEST(set_ops_random)
{
	uint32_t	 seed = UNIT_SEED, a[U], b[U], out[2 * U], ba, bb;
	unsigned	 na, nb, n, i;

	for (i = 0; i < 2000; i++) {
		na = rand_set(&seed, a);
		nb = rand_set(&seed, b);
		ba = bits(a, na);
		bb = bits(b, nb);
		n = src_union(a, na, b, nb, out, 2 * U);
		ck_assert_uint_eq(bits(out, n), ba | bb);
		ck_assert_uint_eq(n, (unsigned)__builtin_popcount(ba | bb));
		n = src_inter(a, na, b, nb, out);
		ck_assert_uint_eq(bits(out, n), ba & bb);
		n = src_diff(a, na, b, nb, out);
		ck_assert_uint_eq(bits(out, n), ba & ~bb);
		if (na > 0) {
			ck_assert(src_has(a, na, a[na / 2]));
			ck_assert(!src_has(b, nb, 99));
		}
	}
	/* The union stops at its capacity. */
	na = from_bits(0xff, a);
	nb = from_bits(0xff00, b);
	ck_assert_uint_eq(src_union(a, na, b, nb, out, 5), 5);
}
END_TEST

START_TEST(normalize)
{
	uint32_t	 v[] = { 9, 3, 9, 1, 3, 7 };

	ck_assert_uint_eq(src_normalize(v, 6), 4);
	ck_assert_uint_eq(v[0], 1);
	ck_assert_uint_eq(v[1], 3);
	ck_assert_uint_eq(v[2], 7);
	ck_assert_uint_eq(v[3], 9);
	ck_assert_uint_eq(src_normalize(v, 0), 0);
}
END_TEST

START_TEST(srclist_edits)
{
	struct srclist	 l;
	const uint32_t	 a[] = { 1, 4, 6 }, b[] = { 2, 4, 8 }, c[] = { 4, 6 };

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(srclist_set(&l, a, 3), 0);
	ck_assert(srclist_eq(&l, a, 3));
	ck_assert_int_eq(srclist_add(&l, b, 3, 100), 0);
	ck_assert_uint_eq(l.n, 5);
	ck_assert(srclist_has(&l, 8));
	srclist_del(&l, c, 2);
	ck_assert_uint_eq(l.n, 3);
	ck_assert(!srclist_has(&l, 4));
	/* The cap holds. */
	ck_assert_int_eq(srclist_add(&l, c, 2, 4), 0);
	ck_assert_uint_eq(l.n, 4);
	srclist_free(&l);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

/* A host's state after a record, by the rules of 5.1, on bitmaps. */
static void
model_apply(int *ex, uint32_t *set, uint8_t type, uint32_t b)
{
	switch (type) {
	case MC_IS_IN:
	case MC_TO_IN:
		*ex = 0;
		*set = b;
		break;
	case MC_IS_EX:
	case MC_TO_EX:
		*ex = 1;
		*set = b;
		break;
	case MC_ALLOW:
		*set = *ex ? *set & ~b : *set | b;
		break;
	case MC_BLOCK:
		*set = *ex ? *set | b : *set & ~b;
		break;
	}
}

START_TEST(host_semantics_random)
{
	struct hstate	 h;
	struct mc_rec	 r;
	uint32_t	 seed = UNIT_SEED ^ 77, b[U], set = 0, s;
	int		 ex = 0;
	unsigned	 i;

	memset(&h, 0, sizeof(h));
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 5000; i++) {
		r.type = (uint8_t)(1 + xorshift32(&seed) % 6);
		r.nsrcs = rand_set(&seed, b);
		r.srcs = b;
		ck_assert_int_eq(hstate_apply(&h, &r, 1024), 1);
		model_apply(&ex, &set, r.type, bits(b, r.nsrcs));
		ck_assert_int_eq(h.mode, ex ? MC_EXCLUDE : MC_INCLUDE);
		ck_assert_uint_eq(bits(h.srcs.v, h.srcs.n), set);
		ck_assert_int_eq(hstate_member(&h), ex || set != 0);
		s = 1 + xorshift32(&seed) % U;
		ck_assert_int_eq(hstate_wants(&h, s),
		    ((set >> (s - 1)) & 1) != (unsigned)ex);
	}
	r.type = 9;			/* unknown: ignored */
	ck_assert_int_eq(hstate_apply(&h, &r, 1024), 0);
	hstate_free(&h);
}
END_TEST

/* Copies are independent; the cap limits what a record adds. */
START_TEST(host_copy_and_cap)
{
	struct hstate	 h, c;
	struct mc_rec	 r;
	uint32_t	 b[U];

	memset(&h, 0, sizeof(h));
	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	r.type = MC_IS_IN;
	r.nsrcs = from_bits(0x3f, b);
	r.srcs = b;
	ck_assert_int_eq(hstate_apply(&h, &r, 4), 1);
	ck_assert_uint_eq(h.srcs.n, 4);
	ck_assert_int_eq(hstate_copy(&c, &h), 0);
	r.type = MC_BLOCK;
	ck_assert_int_eq(hstate_apply(&h, &r, 4), 1);
	ck_assert_uint_eq(h.srcs.n, 0);
	ck_assert_uint_eq(c.srcs.n, 4);
	hstate_free(&h);
	hstate_free(&c);
}
END_TEST

/* Router state: expiry, forwarding, export, lowering, stop. */
START_TEST(router_state)
{
	struct rstate		 rs;
	struct rs_queries	 q;
	uint32_t		 qs[8], out[8];
	const uint32_t		 y[] = { 3, 4 }, x[] = { 1, 2 };

	memset(&rs, 0, sizeof(rs));
	q.srcs = qs;
	q.cap = 8;
	/* EXCLUDE(X={1,2}, Y={3,4}). */
	ck_assert_int_eq(rstate_record(&rs, 100, 1000, MC_IS_EX, y, 2, 64, &q),
	    1);
	ck_assert_int_eq(rstate_record(&rs, 100, 1000, MC_ALLOW, x, 2, 64, &q),
	    1);
	ck_assert_uint_eq(rs.mode, MC_EXCLUDE);
	ck_assert(rstate_forwards(&rs, 1, 500));
	ck_assert(!rstate_forwards(&rs, 3, 500));
	ck_assert(rstate_forwards(&rs, 9, 500));
	ck_assert_uint_eq(rstate_export(&rs, 500, out, 8), 2);	/* Y */
	ck_assert_uint_eq(out[0], 3);
	ck_assert_uint_eq(rstate_next_deadline(&rs), 1000);
	/* TO_IN({1}) asks for Q(G,X-A) = {2} and Q(G). */
	ck_assert_int_eq(rstate_record(&rs, 200, 1100, MC_TO_IN, x, 1, 64, &q),
	    1);
	ck_assert_int_eq(q.group, 1);
	ck_assert_uint_eq(q.nsrcs, 1);
	ck_assert_uint_eq(qs[0], 2);
	rstate_lower(&rs, 300, NULL, 0);
	ck_assert_uint_eq(rs.gtimer, 300);
	rstate_lower(&rs, 400, NULL, 0);		/* never raised */
	ck_assert_uint_eq(rs.gtimer, 300);
	/* The group timer runs out: INCLUDE with the running sources. */
	ck_assert_int_eq(rstate_expire(&rs, 300), 1);
	ck_assert_uint_eq(rs.mode, MC_INCLUDE);
	ck_assert_uint_eq(rs.nsrcs, 2);
	ck_assert(rstate_live(&rs, 300));
	/* Stopping a source in INCLUDE mode deletes it. */
	ck_assert_int_eq(rstate_stop_at(&rs, 0), 1);
	ck_assert_uint_eq(rs.nsrcs, 1);
	ck_assert_int_eq(rstate_expire(&rs, 2000), 1);
	ck_assert(!rstate_live(&rs, 2000));
	ck_assert_uint_eq(rstate_next_deadline(&rs), UINT64_MAX);
	/* Unknown types are ignored; a relay asks for no queries. */
	ck_assert_int_eq(rstate_record(&rs, 1, 2, 7, x, 2, 64, NULL), 0);
	ck_assert_int_eq(rstate_record(&rs, 1, 2, MC_BLOCK, x, 2, 64, NULL),
	    1);
	rstate_free(&rs);
}
END_TEST

/* A router holds at most max sources. */
START_TEST(router_cap)
{
	struct rstate	 rs;
	uint32_t	 b[U];
	unsigned	 n = from_bits(0xffff, b);

	memset(&rs, 0, sizeof(rs));
	ck_assert_int_eq(rstate_record(&rs, 0, 100, MC_IS_IN, b, n, 5, NULL),
	    1);
	ck_assert_uint_eq(rs.nsrcs, 5);
	rstate_free(&rs);
}
END_TEST

/* Merges against the rule of 3.2, computed on bitmaps. */
START_TEST(merge_random)
{
	static uint32_t			 ex[U], in[U], tmp[U];
	const struct src_merge_scratch	 ms = { ex, in, tmp, U };
	struct mc_filter		 f[4];
	uint32_t			 lists[4][U], out[U], seed = 4242;
	uint32_t			 want, inter, uni;
	unsigned			 i, k, n, nout;
	uint8_t				 mode;
	int				 any_ex, rv;

	for (i = 0; i < 2000; i++) {
		n = xorshift32(&seed) % 5;
		any_ex = 0;
		inter = (1U << U) - 1;
		uni = 0;
		for (k = 0; k < n; k++) {
			f[k].mode = xorshift32(&seed) % 3 == 0 ? MC_EXCLUDE :
			    MC_INCLUDE;
			f[k].nsrcs = rand_set(&seed, lists[k]);
			f[k].srcs = lists[k];
			if (f[k].mode == MC_EXCLUDE) {
				any_ex = 1;
				inter &= bits(lists[k], f[k].nsrcs);
			} else
				uni |= bits(lists[k], f[k].nsrcs);
		}
		want = any_ex ? inter & ~uni : uni;
		rv = src_merge(f, n, &ms, out, &nout, &mode);
		ck_assert_int_eq(mode, any_ex ? MC_EXCLUDE : MC_INCLUDE);
		ck_assert_uint_eq(bits(out, nout), want);
		ck_assert_int_eq(rv, any_ex || want != 0);
	}
}
END_TEST

Suite *
srcset_suite(void)
{
	Suite	*s = suite_create("srcset");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, set_ops_random);
	tcase_add_test(tc, normalize);
	tcase_add_test(tc, srclist_edits);
	tcase_add_test(tc, host_semantics_random);
	tcase_add_test(tc, host_copy_and_cap);
	tcase_add_test(tc, router_state);
	tcase_add_test(tc, router_cap);
	tcase_add_test(tc, merge_random);
	suite_add_tcase(s, tc);
	return s;
}
