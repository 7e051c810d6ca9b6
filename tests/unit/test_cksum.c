/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* cksum.c against RFC 1071's example and a plain reference sum. */

#include <string.h>

#include "cksum.h"
#include "unit.h"

/* The straightforward 16-bit loop, for comparison. */
static uint16_t
ref_cksum(const uint8_t *p, size_t len)
{
	uint32_t	 sum = 0;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

START_TEST(test_rfc1071_example)
{
	/* RFC 1071 1.(4): the sum of these words is ddf2. */
	static const uint8_t	 d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
	    0xf6, 0xf7 };

	ck_assert_uint_eq(in_cksum(d, sizeof(d)), (uint16_t)~0xddf2);
}
END_TEST

START_TEST(test_known_ip_header)
{
	/* A real IPv4 header; its checksum field is b861. */
	uint8_t	 h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
	    0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8,
	    0x00, 0xc7 };

	ck_assert_uint_eq(in_cksum(h, sizeof(h)), 0);
	h[10] = h[11] = 0;
	ck_assert_uint_eq(in_cksum(h, sizeof(h)), 0xb861);
}
END_TEST

START_TEST(test_random_against_reference)
{
	uint8_t		 d[1500];
	uint32_t	 seed = UNIT_SEED;
	size_t		 len, i, cut;
	int		 n;
	uint64_t	 sum;

	for (n = 0; n < 500; n++) {
		len = xorshift32(&seed) % sizeof(d);
		for (i = 0; i < len; i++)
			d[i] = (uint8_t)xorshift32(&seed);
		ck_assert_uint_eq(in_cksum(d, len), ref_cksum(d, len));
		/* Split at an even offset: the pieces add up. */
		cut = len == 0 ? 0 : (xorshift32(&seed) % len) & ~(size_t)1;
		sum = cksum_add(cksum_add(0, d, cut), d + cut, len - cut);
		ck_assert_uint_eq(cksum_finish(sum), ref_cksum(d, len));
	}
}
END_TEST

START_TEST(test_pseudo_header)
{
	/* UDP 10.0.0.1:1 -> 10.0.0.2:2, payload "ab", checksum computed by
	 * hand: pseudo 0a00+0001+0a00+0002+0011+000a, header 0001+0002+
	 * 000a, data 6162. */
	uint8_t		 udp[10] = { 0, 1, 0, 2, 0, 10, 0, 0, 'a', 'b' };
	uint64_t	 s = cksum_pseudo4(0x0a000001, 0x0a000002, 17, 10);
	uint16_t	 c = cksum_finish(cksum_add(s, udp, sizeof(udp)));
	uint32_t	 hand = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 0x0011 +
	    0x000a + 0x0001 + 0x0002 + 0x000a + 0x6162;

	while (hand >> 16)
		hand = (hand & 0xffff) + (hand >> 16);
	ck_assert_uint_eq(c, (uint16_t)~hand);
}
END_TEST

Suite *
cksum_suite(void)
{
	Suite	*s = suite_create("cksum");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_rfc1071_example);
	tcase_add_test(tc, test_known_ip_header);
	tcase_add_test(tc, test_random_against_reference);
	tcase_add_test(tc, test_pseudo_header);
	suite_add_tcase(s, tc);
	return s;
}
