/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * common/driad.c: AMTRELAY RDATA (RFC 8777 4.2, the examples of its
 * appendix), every way a record can be malformed, the reverse name,
 * the order of an RRset; and hstate_diff() of common/srcset.c, which
 * turns a tunnel's change of share into records.
 */

#include <string.h>

#include "driad.h"
#include "srcset.h"
#include "unit.h"

static enum driad_err
dec(const char *p, size_t len, struct driad_rr *rr)
{
	return driad_decode((const uint8_t *)p, len, rr);
}

START_TEST(test_decode_good)
{
	struct driad_rr	 rr;
	/* RFC 8777 appendix: precedence 128, D=0, type 3. */
	static const char name[] = "\x80\x03\x09" "amtrelays" "\x07"
	    "example" "\x03" "com" "\x00";
	static const char v6[] = "\x0a\x82" "\x20\x01\x0d\xb8\0\0\0\0\0\0\0"
	    "\0\0\0\0\x01";

	ck_assert_int_eq(dec("\x0a\x01\xc0\x00\x02\x01", 6, &rr), DRIAD_OK);
	ck_assert_uint_eq(rr.prec, 10);
	ck_assert_uint_eq(rr.d, 0);
	ck_assert_uint_eq(rr.type, DRIAD_TYPE_IPV4);
	ck_assert_uint_eq(rr.v4, 0xc0000201);
	ck_assert_int_eq(dec("\x14\x81\x0a\x00\x00\x01", 6, &rr), DRIAD_OK);
	ck_assert_uint_eq(rr.prec, 20);
	ck_assert_uint_eq(rr.d, 1);
	ck_assert_int_eq(dec(name, sizeof(name) - 1, &rr), DRIAD_OK);
	ck_assert_uint_eq(rr.prec, 128);
	ck_assert_uint_eq(rr.type, DRIAD_TYPE_NAME);
	ck_assert_str_eq(rr.name, "amtrelays.example.com");
	ck_assert_int_eq(dec(v6, sizeof(v6) - 1, &rr), DRIAD_OK);
	ck_assert_uint_eq(rr.type, DRIAD_TYPE_IPV6);
	ck_assert_uint_eq(rr.d, 1);
	ck_assert_uint_eq(rr.v6[1], 0x01);
	ck_assert_int_eq(dec("\x00\x00", 2, &rr), DRIAD_OK);
	ck_assert_uint_eq(rr.type, DRIAD_TYPE_NONE);
}
END_TEST

/* Truncated, wrong lengths, bad types, loops and bad names: refused. */
START_TEST(test_decode_bad)
{
	struct driad_rr	 rr;
	char		 big[320];
	size_t		 i;
	static const struct {
		const char	*p;
		size_t		 len;
		enum driad_err	 want;
	} v[] = {
		{ "", 0, DRIAD_ERR_SHORT },
		{ "\x0a", 1, DRIAD_ERR_SHORT },
		{ "\x0a\x01\xc0\x00\x02", 5, DRIAD_ERR_LEN },
		{ "\x0a\x01\xc0\x00\x02\x01\x00", 7, DRIAD_ERR_LEN },
		{ "\x0a\x02\x20\x01", 4, DRIAD_ERR_LEN },
		{ "\x0a\x00\x00", 3, DRIAD_ERR_LEN },
		{ "\x0a\x03", 2, DRIAD_ERR_LEN },
		{ "\x0a\x04\x01\x02\x03\x04", 6, DRIAD_ERR_TYPE },
		{ "\x0a\x7f", 2, DRIAD_ERR_TYPE },
		/* a compression pointer to itself: a loop */
		{ "\x0a\x03\xc0\x02", 4, DRIAD_ERR_COMPRESSED },
		{ "\x0a\x03\x01" "a" "\xc0\x00", 6, DRIAD_ERR_COMPRESSED },
		{ "\x0a\x03\x05" "ab", 5, DRIAD_ERR_NAME },	/* cut */
		{ "\x0a\x03\x01" "a", 4, DRIAD_ERR_NAME },	/* no root */
		{ "\x0a\x03\x01" "a" "\x00\x00", 6, DRIAD_ERR_NAME },
		{ "\x0a\x03\x00", 3, DRIAD_ERR_NAME },		/* the root */
		{ "\x0a\x03\x03" "a.b" "\x00", 7, DRIAD_ERR_NAME },
		{ "\x0a\x03\x02" "a " "\x00", 6, DRIAD_ERR_NAME },
		{ "\x0a\x03\x80" "a" "\x00", 5, DRIAD_ERR_NAME },
		/* relays that are no unicast host */
		{ "\x0a\x01\x00\x00\x00\x00", 6, DRIAD_ERR_ADDR },
		{ "\x0a\x01\x7f\x00\x00\x01", 6, DRIAD_ERR_ADDR },
		{ "\x0a\x01\xe8\x01\x01\x01", 6, DRIAD_ERR_ADDR },
		{ "\x0a\x01\xff\xff\xff\xff", 6, DRIAD_ERR_ADDR },
	};

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(dec(v[i].p, v[i].len, &rr) == v[i].want,
		    "case %zu: %s", i, driad_strerror(dec(v[i].p, v[i].len,
		    &rr)));
	/* A 64-octet label; a name longer than 254 in dotted form. */
	big[0] = 10;
	big[1] = 3;
	big[2] = 64;
	memset(big + 3, 'a', 64);
	big[67] = 0;
	ck_assert_int_eq(dec(big, 68, &rr), DRIAD_ERR_NAME);
	for (i = 0; i < 5; i++) {
		big[2 + i * 60] = 59;
		memset(big + 3 + i * 60, 'b', 59);
	}
	big[2 + 5 * 60] = 0;
	ck_assert_int_eq(dec(big, 3 + 5 * 60, &rr), DRIAD_ERR_NAME);
	ck_assert_str_eq(driad_strerror(DRIAD_ERR_COMPRESSED),
	    "relay name compressed");
	ck_assert_str_eq(driad_strerror((enum driad_err)99), "?");
}
END_TEST

START_TEST(test_revname_format)
{
	struct driad_rr	 rr;
	char		 b[DRIAD_REVNAME_MAX], f[300];

	ck_assert_int_eq(driad_revname(0xc6336401, b, sizeof(b)), 0);
	ck_assert_str_eq(b, "1.100.51.198.in-addr.arpa");
	ck_assert_int_eq(driad_revname(0xffffffff, b, sizeof(b)), 0);
	ck_assert_str_eq(b, "255.255.255.255.in-addr.arpa");
	ck_assert_int_eq(driad_revname(0xffffffff, b, 10), -1);
	/* IPv6 (RFC 3596 2.5): nibbles, lowest first. */
	ck_assert_int_eq(driad_revname6((const uint8_t *)"\x20\x01\x0d\xb8"
	    "\0\0\0\0\0\0\0\0\0\0\x01\x2f", b, sizeof(b)), 0);
	ck_assert_str_eq(b, "f.2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	    "8.b.d.0.1.0.0.2.ip6.arpa");
	ck_assert_uint_eq(strlen(b) + 1, DRIAD_REVNAME_MAX);
	ck_assert_int_eq(driad_revname6((const uint8_t *)"\x20\x01\x0d\xb8"
	    "\0\0\0\0\0\0\0\0\0\0\x01\x2f", b, DRIAD_REVNAME_MAX - 1),
	    -1);
	ck_assert_int_eq(dec("\x0a\x81\xc0\x00\x02\x01", 6, &rr), DRIAD_OK);
	ck_assert_int_eq(driad_format(&rr, f, sizeof(f)), 0);
	ck_assert_str_eq(f, "AMTRELAY 10 1 1 192.0.2.1");
	ck_assert_int_eq(dec("\x05\x03\x01" "r" "\x00", 5, &rr), DRIAD_OK);
	ck_assert_int_eq(driad_format(&rr, f, sizeof(f)), 0);
	ck_assert_str_eq(f, "AMTRELAY 5 0 3 r.");
	ck_assert_int_eq(driad_format(&rr, f, 8), -1);
}
END_TEST

/* Lower precedence first; within one, the random values decide. */
START_TEST(test_order)
{
	struct driad_rr	 v[5];
	static const uint8_t	 prec[5] = { 30, 10, 20, 10, 10 };
	static const uint32_t	 rnd[5] = { 1, 900, 5, 100, 500 };
	unsigned	 i;

	memset(v, 0, sizeof(v));
	for (i = 0; i < 5; i++) {
		v[i].prec = prec[i];
		v[i].v4 = i;
	}
	driad_order(v, 5, rnd);
	ck_assert_uint_eq(v[0].v4, 3);	/* 10, 100 */
	ck_assert_uint_eq(v[1].v4, 4);	/* 10, 500 */
	ck_assert_uint_eq(v[2].v4, 1);	/* 10, 900 */
	ck_assert_uint_eq(v[3].v4, 2);	/* 20 */
	ck_assert_uint_eq(v[4].v4, 0);	/* 30 */
}
END_TEST

/* hstate_diff: the RFC 3376 5.1 state-change records. */
START_TEST(test_hstate_diff)
{
	struct hstate	 h;
	struct mc_rec	 r[2];
	uint32_t	 a[8], b[8];
	static const uint32_t	 s12[] = { 1, 2 }, s23[] = { 2, 3 };

	memset(&h, 0, sizeof(h));
	/* Not a member -> INCLUDE {1,2}: ALLOW {1,2}. */
	ck_assert_uint_eq(hstate_diff(NULL, 9, MC_INCLUDE, s12, 2, a, b, r), 1);
	ck_assert_uint_eq(r[0].type, MC_ALLOW);
	ck_assert_uint_eq(r[0].nsrcs, 2);
	ck_assert_uint_eq(r[0].group, 9);
	ck_assert_uint_eq(hstate_diff(NULL, 9, MC_INCLUDE, NULL, 0, a, b, r),
	    0);
	/* INCLUDE {1,2} -> INCLUDE {2,3}: ALLOW {3}, BLOCK {1}. */
	ck_assert_int_eq(srclist_set(&h.srcs, s12, 2), 0);
	ck_assert_uint_eq(hstate_diff(&h, 9, MC_INCLUDE, s23, 2, a, b, r), 2);
	ck_assert_uint_eq(r[0].type, MC_ALLOW);
	ck_assert_uint_eq(r[0].srcs[0], 3);
	ck_assert_uint_eq(r[1].type, MC_BLOCK);
	ck_assert_uint_eq(r[1].srcs[0], 1);
	ck_assert_uint_eq(hstate_diff(&h, 9, MC_INCLUDE, s12, 2, a, b, r), 0);
	/* INCLUDE -> EXCLUDE {2,3}: TO_EX {2,3}. */
	ck_assert_uint_eq(hstate_diff(&h, 9, MC_EXCLUDE, s23, 2, a, b, r), 1);
	ck_assert_uint_eq(r[0].type, MC_TO_EX);
	ck_assert_uint_eq(r[0].nsrcs, 2);
	/* EXCLUDE {1,2} -> EXCLUDE {2,3}: ALLOW {1}, BLOCK {3}. */
	h.mode = MC_EXCLUDE;
	ck_assert_uint_eq(hstate_diff(&h, 9, MC_EXCLUDE, s23, 2, a, b, r), 2);
	ck_assert_uint_eq(r[0].type, MC_ALLOW);
	ck_assert_uint_eq(r[0].srcs[0], 1);
	ck_assert_uint_eq(r[1].type, MC_BLOCK);
	ck_assert_uint_eq(r[1].srcs[0], 3);
	/* EXCLUDE -> INCLUDE {}: TO_IN {} (the leave). */
	ck_assert_uint_eq(hstate_diff(&h, 9, MC_INCLUDE, NULL, 0, a, b, r), 1);
	ck_assert_uint_eq(r[0].type, MC_TO_IN);
	ck_assert_uint_eq(r[0].nsrcs, 0);
	hstate_free(&h);
}
END_TEST

Suite *
driad_suite(void)
{
	Suite	*s = suite_create("driad");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_decode_good);
	tcase_add_test(tc, test_decode_bad);
	tcase_add_test(tc, test_revname_format);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_hstate_diff);
	suite_add_tcase(s, tc);
	return s;
}
