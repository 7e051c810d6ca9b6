/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * common/ip4.c and common/mrtmsg.c: the header view and decoder field
 * by field and for each error, the fragmenter (sizes, offsets, flags,
 * checksums, a fragment cut again, limits), the UDP checksum
 * completion, and the kernel upcall decoder.
 */

#include <stddef.h>
#include <string.h>

#include <linux/mroute.h>
#include <linux/mroute6.h>

#include "buf.h"
#include "cksum.h"
#include "ip4.h"
#include "mrtmsg.h"
#include "unit.h"

/* A UDP datagram 10.0.0.2:5000 -> 232.1.1.1:5001 with plen bytes. */
static size_t
make_udp(uint8_t *p, size_t plen, uint16_t frag)
{
	size_t	 i, len = 20 + 8 + plen;

	memset(p, 0, 28);
	p[0] = 0x45;
	be16_store(p + 2, (uint16_t)len);
	be16_store(p + 4, 77);
	be16_store(p + 6, frag);
	p[8] = 64;
	p[9] = IP4_PROTO_UDP;
	be32_store(p + 12, 0x0a000002);
	be32_store(p + 16, 0xe8010101);
	be16_store(p + 10, in_cksum(p, 20));
	be16_store(p + 20, 5000);
	be16_store(p + 22, 5001);
	be16_store(p + 24, (uint16_t)(8 + plen));
	for (i = 0; i < plen; i++)
		p[28 + i] = (uint8_t)i;
	return len;
}

START_TEST(view_and_decode)
{
	uint8_t		 p[256];
	struct ip4_info	 ip;
	size_t		 len = make_udp(p, 100, IP4_DF);

	ck_assert_int_eq(ip4_view(p, len + 4, &ip), IP4_OK);	/* padding */
	ck_assert_uint_eq(ip.hlen, 20);
	ck_assert_uint_eq(ip.tot_len, len);
	ck_assert_uint_eq(ip.payload_len, len - 20);
	ck_assert_uint_eq(ip.proto, IP4_PROTO_UDP);
	ck_assert_uint_eq(ip.src, 0x0a000002);
	ck_assert_uint_eq(ip.dst, 0xe8010101);
	ck_assert_uint_eq(ip.ttl, 64);
	ck_assert(!ip4_is_fragment(&ip));
	ck_assert_int_eq(ip4_decode(p, len, &ip), IP4_OK);
	ck_assert_int_eq(ip4_view(p, 19, &ip), IP4_ERR_SHORT);
	ck_assert_int_eq(ip4_view(p, len - 1, &ip), IP4_ERR_SHORT);
	p[0] = 0x65;
	ck_assert_int_eq(ip4_view(p, len, &ip), IP4_ERR_VERSION);
	p[0] = 0x44;
	ck_assert_int_eq(ip4_view(p, len, &ip), IP4_ERR_HDRLEN);
	p[0] = 0x45;
	p[8] = 63;		/* the view does not check the checksum */
	ck_assert_int_eq(ip4_view(p, len, &ip), IP4_OK);
	ck_assert_int_eq(ip4_decode(p, len, &ip), IP4_ERR_CKSUM);
	ck_assert_str_eq(ip4_strerror(IP4_ERR_CKSUM),
	    "bad IPv4 header checksum");
}
END_TEST

START_TEST(options)
{
	uint8_t		 p[64];
	struct ip4_info	 ip;

	memset(p, 0, sizeof(p));
	p[0] = 0x46;
	be16_store(p + 2, 32);
	p[20] = 0x94;			/* Router Alert */
	p[21] = 4;
	be16_store(p + 10, in_cksum(p, 24));
	ck_assert_int_eq(ip4_decode(p, 32, &ip), IP4_OK);
	ck_assert_int_eq(ip.router_alert, 1);
	p[21] = 9;			/* runs past the header */
	be16_store(p + 10, 0);
	be16_store(p + 10, in_cksum(p, 24));
	ck_assert_int_eq(ip4_decode(p, 32, &ip), IP4_ERR_OPTIONS);
}
END_TEST

/* Cut a datagram, check every fragment, put the payload back. */
static void
cut_and_check(const uint8_t *p, size_t len, size_t mtu, unsigned want)
{
	uint8_t		 f[2048], whole[2048];
	struct ip4_frag	 fr;
	struct ip4_info	 ip, fi;
	size_t		 n, done = 0;
	unsigned	 count = 0;

	ck_assert_int_eq(ip4_view(p, len, &ip), IP4_OK);
	ck_assert_int_eq(ip4_frag_init(&fr, p, len, mtu), 0);
	while ((n = ip4_frag_next(&fr, f, sizeof(f))) > 0) {
		ck_assert_uint_le(n, mtu);
		ck_assert_int_eq(ip4_decode(f, n, &fi), IP4_OK);
		ck_assert_uint_eq((size_t)((fi.frag & IP4_OFFMASK) -
		    (ip.frag & IP4_OFFMASK)) * 8, done);
		memcpy(whole + done, f + 20, fi.payload_len);
		done += fi.payload_len;
		/* MF on all but the last, unless the original had it. */
		ck_assert_int_eq((fi.frag & IP4_MF) != 0,
		    done < ip.payload_len || (ip.frag & IP4_MF) != 0);
		ck_assert_uint_eq(be16_load(f + 4), 77);	/* same id */
		count++;
	}
	ck_assert_uint_eq(count, want);
	ck_assert_uint_eq(done, ip.payload_len);
	ck_assert_mem_eq(whole, p + 20, done);
}

START_TEST(fragmenter)
{
	uint8_t		 p[2048], f[2048];
	struct ip4_frag	 fr;
	size_t		 len = make_udp(p, 1400, 0);

	cut_and_check(p, len, 1442, 1);		/* fits: one piece */
	cut_and_check(p, len, 576, 3);		/* 552 + 552 + 304 */
	cut_and_check(p, len, 28, 176);		/* 8 bytes each */
	/* A fragment (offset 100, MF) cut again keeps its place. */
	len = make_udp(p, 400, IP4_MF | 100);
	cut_and_check(p, len, 220, 3);
	/* No room for 8 bytes, or a buffer too small: nothing. */
	ck_assert_int_eq(ip4_frag_init(&fr, p, len, 27), -1);
	ck_assert_int_eq(ip4_frag_init(&fr, p, len, 220), 0);
	ck_assert_uint_eq(ip4_frag_next(&fr, f, 100), 0);
	/* Offsets that run past 65535 are refused. */
	len = make_udp(p, 400, 0x1fff);
	ck_assert_int_eq(ip4_frag_init(&fr, p, len, 220), -1);
}
END_TEST

START_TEST(udp_checksum)
{
	uint8_t		 p[256];
	struct ip4_info	 ip;
	size_t		 len = make_udp(p, 100, 0);
	uint64_t	 sum;

	be16_store(p + 26, 0x1234);		/* a partial sum, say */
	ck_assert_int_eq(ip4_udp_csum_fill(p, len), 0);
	(void)ip4_view(p, len, &ip);
	sum = cksum_pseudo4(ip.src, ip.dst, IP4_PROTO_UDP, 108);
	ck_assert_uint_eq(cksum_finish(cksum_add(sum, p + 20, 108)), 0);
	ck_assert_uint_ne(be16_load(p + 26), 0);
	/* Not UDP, a fragment, or a UDP length too long: untouched. */
	p[9] = IP4_PROTO_IGMP;
	ck_assert_int_eq(ip4_udp_csum_fill(p, len), -1);
	len = make_udp(p, 100, IP4_MF);
	ck_assert_int_eq(ip4_udp_csum_fill(p, len), -1);
	len = make_udp(p, 100, 0);
	be16_store(p + 24, 200);
	ck_assert_int_eq(ip4_udp_csum_fill(p, len), -1);
}
END_TEST

/* RFC 1191 4: fragmentation needed, the MTU, the quoted header. */
START_TEST(icmp_frag_needed)
{
	uint8_t		 p[2048], out[128];
	size_t		 len = make_udp(p, 1472, IP4_DF), n;

	n = ip4_icmp_frag_needed(out, sizeof(out), p, len, 1470);
	ck_assert_uint_eq(n, 8 + 20 + 8);
	ck_assert_uint_eq(out[0], ICMP4_UNREACH);
	ck_assert_uint_eq(out[1], ICMP4_FRAG_NEEDED);
	ck_assert_uint_eq(be16_load(out + 6), 1470);
	ck_assert_uint_eq(in_cksum(out, n), 0);
	ck_assert_mem_eq(out + 8, p, 28);
	ck_assert_uint_eq(ip4_icmp_frag_needed(out, 20, p, len, 1470), 0);
	ck_assert_uint_eq(ip4_icmp_frag_needed(out, sizeof(out), p, 10,
	    1470), 0);
}
END_TEST

START_TEST(upcall)
{
	uint8_t		 p[64];
	struct mrt_msg	 m;

	memset(p, 0, sizeof(p));
	p[offsetof(struct igmpmsg, im_msgtype)] = IGMPMSG_NOCACHE;
	p[offsetof(struct igmpmsg, im_vif)] = 3;
	p[offsetof(struct igmpmsg, im_vif_hi)] = 1;
	be32_store(p + offsetof(struct igmpmsg, im_src), 0x0a000002);
	be32_store(p + offsetof(struct igmpmsg, im_dst), 0xe8010101);
	ck_assert_int_eq(mrt_msg_decode(p, sizeof(struct igmpmsg), &m), 1);
	ck_assert_int_eq(m.type, MRT_MSG_NOCACHE);
	ck_assert_uint_eq(m.vif, 259);
	ck_assert_uint_eq(m.src, 0x0a000002);
	ck_assert_uint_eq(m.grp, 0xe8010101);
	ck_assert_str_eq(mrt_msg_name(m.type), "nocache");
	p[offsetof(struct igmpmsg, im_msgtype)] = IGMPMSG_WRONGVIF;
	ck_assert_int_eq(mrt_msg_decode(p, 20, &m), 1);
	ck_assert_int_eq(m.type, MRT_MSG_WRONGVIF);
	p[offsetof(struct igmpmsg, im_msgtype)] = 99;
	ck_assert_int_eq(mrt_msg_decode(p, 20, &m), 1);
	ck_assert_int_eq(m.type, MRT_MSG_OTHER);
	/* An IP datagram (protocol 2 where im_mbz stands), or too short. */
	p[offsetof(struct igmpmsg, im_mbz)] = 2;
	ck_assert_int_eq(mrt_msg_decode(p, 20, &m), 0);
	ck_assert_int_eq(mrt_msg_decode(p, 19, &m), 0);
}
END_TEST

/* The IPv6 upcall (struct mrt6msg), read by the names of its fields. */
START_TEST(upcall6)
{
	uint8_t		 p[64];
	struct mrt6_msg	 m;
	uint16_t	 mif = 5;
	static const uint8_t	 src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static const uint8_t	 grp[16] = { 0xff, 0x3e, [15] = 1 };

	memset(p, 0, sizeof(p));
	p[offsetof(struct mrt6msg, im6_msgtype)] = MRT6MSG_NOCACHE;
	memcpy(p + offsetof(struct mrt6msg, im6_mif), &mif, sizeof(mif));
	memcpy(p + offsetof(struct mrt6msg, im6_src), src, 16);
	memcpy(p + offsetof(struct mrt6msg, im6_dst), grp, 16);
	ck_assert_int_eq(mrt6_msg_decode(p, sizeof(struct mrt6msg), &m), 1);
	ck_assert_int_eq(m.type, MRT_MSG_NOCACHE);
	ck_assert_uint_eq(m.mif, 5);
	ck_assert_mem_eq(m.src, src, 16);
	ck_assert_mem_eq(m.grp, grp, 16);
	p[offsetof(struct mrt6msg, im6_msgtype)] = MRT6MSG_WRONGMIF;
	ck_assert_int_eq(mrt6_msg_decode(p, sizeof(struct mrt6msg), &m), 1);
	ck_assert_int_eq(m.type, MRT_MSG_WRONGVIF);
	/* ICMPv6 (a type where im6_mbz stands), or too short. */
	ck_assert_int_eq(mrt6_msg_decode(p, sizeof(struct mrt6msg) - 1, &m),
	    0);
	p[0] = 130;
	ck_assert_int_eq(mrt6_msg_decode(p, sizeof(struct mrt6msg), &m), 0);
}
END_TEST

Suite *
ip4_suite(void)
{
	Suite	*s = suite_create("ip4");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, view_and_decode);
	tcase_add_test(tc, options);
	tcase_add_test(tc, fragmenter);
	tcase_add_test(tc, udp_checksum);
	tcase_add_test(tc, icmp_frag_needed);
	tcase_add_test(tc, upcall);
	tcase_add_test(tc, upcall6);
	suite_add_tcase(s, tc);
	return s;
}
