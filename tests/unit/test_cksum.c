/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * cksum.c against RFC 1071's example and a plain reference sum; the
 * frames pcap-file writes (pcapw_frame()).
 */

#include <string.h>

#include "buf.h"
#include "cksum.h"
#include "ip6.h"
#include "pcapw.h"
#include "srcset6.h"
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

/*
 * pcap-file frames: IPv4 when both ends are IPv4 (a good header
 * checksum), IPv6 otherwise with a UDP checksum that verifies and is
 * never zero; the 16-byte head goes before the payload; an oversized
 * payload is cut to the buffer.
 */
START_TEST(test_pcapw_frame)
{
	static const uint8_t	 head[16] = { 6, 0, 1, 2 };
	uint8_t			 f[256], pl[64], s6[16] = { 0x20, 0x01, 0x0d,
	    0xb8, [15] = 1 }, d6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct mc_src6		 s4 = mc_src6_v4(0xac100101),
				 d4 = mc_src6_v4(0xac100201);
	struct ip6_info		 ip;
	size_t			 n, i;

	for (i = 0; i < sizeof(pl); i++)
		pl[i] = (uint8_t)i;
	n = pcapw_frame(f, sizeof(f), s4.a, 2268, d4.a, 40000, NULL, 0, pl,
	    sizeof(pl));
	ck_assert_uint_eq(n, 20 + 8 + 64);
	ck_assert_uint_eq(f[0], 0x45);
	ck_assert_uint_eq(in_cksum(f, 20), 0);
	ck_assert_mem_eq(f + 12, "\xac\x10\x01\x01\xac\x10\x02\x01", 8);
	ck_assert_uint_eq(be16_load(f + 20), 2268);
	ck_assert_uint_eq(be16_load(f + 24), 8 + 64);
	n = pcapw_frame(f, sizeof(f), s6, 2268, d6, 40000, head, 16, pl,
	    sizeof(pl));
	ck_assert_uint_eq(n, 40 + 8 + 16 + 64);
	ck_assert_int_eq(ip6_view(f, n, &ip), IP6_OK);
	ck_assert_uint_eq(ip.nh, IP6_NH_UDP);
	ck_assert_mem_eq(ip.src, s6, 16);
	ck_assert_mem_eq(ip.dst, d6, 16);
	ck_assert_uint_ne(be16_load(f + 46), 0);
	ck_assert_uint_eq(ip6_upper_cksum(ip.src, ip.dst, IP6_NH_UDP, f + 40,
	    n - 40), 0);
	ck_assert_mem_eq(f + 48, head, 16);
	ck_assert_mem_eq(f + 64, pl, 64);
	/* One end IPv4, the other IPv6: an IPv6 frame, mapped address. */
	n = pcapw_frame(f, sizeof(f), s4.a, 2268, d6, 1, NULL, 0, pl, 8);
	ck_assert_uint_eq(f[0] >> 4, 6);
	ck_assert_mem_eq(f + 8, s4.a, 16);
	/* Cut to the buffer. */
	n = pcapw_frame(f, 100, s6, 2268, d6, 1, NULL, 0, pl, sizeof(pl));
	ck_assert_uint_eq(n, 100);
	ck_assert_uint_eq(be16_load(f + 4), 60);
	ck_assert_uint_eq(pcapw_frame(f, 40, s6, 1, d6, 1, NULL, 0, pl, 1), 0);
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
	tcase_add_test(tc, test_pcapw_frame);
	suite_add_tcase(s, tc);
	return s;
}
