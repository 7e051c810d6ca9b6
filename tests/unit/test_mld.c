/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * IPv6 headers (common/ip6.c) and MLD messages (common/mld_proto.c):
 * each field, each check of RFC 3810 5 and 6.2, the extension chain,
 * the codes, round trips of what we build, and a replay of real Linux
 * MLD traffic (tests/data/mld-linux-bridge.pcap: MLDv2 and MLDv1 hosts
 * and a bridge querier).
 */

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip6.h"
#include "mld_proto.h"
#include "srcset.h"
#include "unit.h"

#define CAPTURE_MLD	"mld-linux-bridge.pcap"

static const uint8_t	 LL[16] = { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
	0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55 };
static const uint8_t	 GLOBAL[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0x10 };
static const uint8_t	 SSMG[16] = { 0xff, 0x3e, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0x80, 0, 0x12, 0x34 };
static const uint8_t	 ZERO[16];

static size_t
v2_report(uint8_t *b, size_t cap, const uint8_t *src)
{
	struct wbuf	 w;
	uint8_t		 s2[32];

	memcpy(s2, GLOBAL, 16);
	memcpy(s2 + 16, GLOBAL, 16);
	s2[31] = 0x11;
	wbuf_init(&w, b, cap);
	ck_assert_int_eq(mld_report_begin(&w, src), 0);
	ck_assert_int_eq(mld_report_add(&w, MC_ALLOW, SSMG, s2, 2), 0);
	ck_assert_int_eq(mld_report_add(&w, MC_TO_EX, mld_all_nodes, NULL,
	    0), 0);
	ck_assert_int_eq(mld_report_add(&w, 9, SSMG, NULL, 0), -1);
	ck_assert_int_eq(mld_report_finish(&w), 0);
	return w.len;
}

START_TEST(test_ip6_header)
{
	uint8_t		 b[200];
	struct ip6_info	 ip;
	size_t		 n = v2_report(b, sizeof(b), LL);

	ck_assert_int_eq(ip6_view(b, n, &ip), IP6_OK);
	ck_assert_uint_eq(ip.nh, IP6_NH_HOPOPTS);
	ck_assert_uint_eq(ip.hlim, 1);
	ck_assert_uint_eq(ip.plen, n - 40);
	ck_assert_int_eq(ip6_decode(b, n, &ip), IP6_OK);
	ck_assert_uint_eq(ip.proto, IP6_NH_ICMP6);
	ck_assert_uint_eq(ip.hlen, 48);
	ck_assert_uint_eq(ip.payload_len, n - 48);
	ck_assert_int_eq(ip.router_alert, 1);
	ck_assert_uint_eq(ip.ra_value, 0);
	ck_assert_mem_eq(ip.src, LL, 16);
	ck_assert_mem_eq(ip.dst, mld_v2_routers, 16);
	ck_assert_int_eq(ip6_view(b, 39, &ip), IP6_ERR_SHORT);
	ck_assert_int_eq(ip6_view(b, n - 1, &ip), IP6_ERR_LEN);
	b[0] = 0x45;
	ck_assert_int_eq(ip6_view(b, n, &ip), IP6_ERR_VERSION);
	b[0] = 0x60;
	/* A Router Alert of the wrong length; twice. */
	b[43] = 3;
	ck_assert_int_eq(ip6_decode(b, n, &ip), IP6_ERR_OPTION);
	b[43] = 2;
	b[46] = IP6_OPT_ROUTER_ALERT;
	b[47] = 0;
	ck_assert_int_eq(ip6_decode(b, n, &ip), IP6_ERR_OPTION);
	b[46] = IP6_OPT_PADN;
	/* An extension header longer than the datagram. */
	b[41] = 200;
	ck_assert_int_eq(ip6_decode(b, n, &ip), IP6_ERR_EXT);
	b[41] = 0;
	ck_assert_str_eq(ip6_strerror(IP6_ERR_EXT),
	    "malformed extension headers");
	ck_assert(ip6_is_ssm(SSMG));
	ck_assert(!ip6_is_ssm(mld_all_nodes));
	ck_assert(ip6_is_linklocal(LL));
	ck_assert(!ip6_is_linklocal(GLOBAL));
	ck_assert(ip6_is_unspecified(ZERO));
	ck_assert(ip6_is_multicast(SSMG));
}
END_TEST

/* Chains: Hop-by-Hop only first, a Fragment header stops, no loops. */
START_TEST(test_ip6_chain)
{
	uint8_t		 b[40 + 8 * 10 + 8];
	struct ip6_info	 ip;
	unsigned	 i;

	memset(b, 0, sizeof(b));
	b[0] = 0x60;
	be16_store(b + 4, 8 * 10 + 8);
	b[6] = IP6_NH_DSTOPTS;
	b[7] = 1;
	for (i = 0; i < 10; i++)	/* ten destination options headers */
		b[40 + 8 * i] = IP6_NH_DSTOPTS;
	ck_assert_int_eq(ip6_decode(b, sizeof(b), &ip), IP6_ERR_EXT);
	b[40 + 8 * 2] = IP6_NH_UDP;
	ck_assert_int_eq(ip6_decode(b, sizeof(b), &ip), IP6_OK);
	ck_assert_uint_eq(ip.proto, IP6_NH_UDP);
	ck_assert_uint_eq(ip.hlen, 40 + 24);
	b[40 + 8] = IP6_NH_HOPOPTS;	/* Hop-by-Hop second: refused */
	ck_assert_int_eq(ip6_decode(b, sizeof(b), &ip), IP6_ERR_EXT);
	b[40 + 8] = IP6_NH_FRAGMENT;
	b[40 + 16] = IP6_NH_ICMP6;
	ck_assert_int_eq(ip6_decode(b, sizeof(b), &ip), IP6_OK);
	ck_assert_int_eq(ip.fragment, 1);
	ck_assert_uint_eq(ip.proto, IP6_NH_ICMP6);
}
END_TEST

/* ICMPv6 Packet Too Big: type, MTU, the datagram quoted within 1280. */
START_TEST(test_ip6_too_big)
{
	static uint8_t	 pkt[1600], out[1400];
	size_t		 n;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	be16_store(pkt + 4, 1500);
	pkt[6] = IP6_NH_UDP;
	pkt[7] = 64;
	pkt[8] = 0x20;
	n = ip6_icmp_too_big(out, sizeof(out), pkt, 1540, 1450);
	ck_assert_uint_eq(n, IP6_MIN_MTU - IP6_HDR_LEN);
	ck_assert_uint_eq(out[0], 2);
	ck_assert_uint_eq(out[1], 0);
	ck_assert_uint_eq(be32_load(out + 4), 1450);
	ck_assert_mem_eq(out + 8, pkt, 16);
	/* A short one whole; not IPv6, or no room: nothing. */
	be16_store(pkt + 4, 100);
	ck_assert_uint_eq(ip6_icmp_too_big(out, sizeof(out), pkt, 140, 1450),
	    8 + 140);
	ck_assert_uint_eq(ip6_icmp_too_big(out, 100, pkt, 140, 1450), 0);
	pkt[0] = 0x45;
	ck_assert_uint_eq(ip6_icmp_too_big(out, sizeof(out), pkt, 140, 1450),
	    0);
}
END_TEST

START_TEST(test_mld_v2_report)
{
	uint8_t			 b[200];
	struct ip6_info		 ip;
	struct mld_msg		 m;
	struct mld_rec_iter	 it;
	struct mld_rec		 r;
	size_t			 n = v2_report(b, sizeof(b), LL);

	ck_assert_int_eq(mld_decode_packet(b, n, &ip, &m), MLD_OK);
	ck_assert_uint_eq(m.type, MLD_V2_REPORT);
	ck_assert_uint_eq(m.version, 2);
	ck_assert_uint_eq(m.nrecs, 2);
	mld_rec_iter_init(&it, &m);
	ck_assert_int_eq(mld_rec_next(&it, &r), 1);
	ck_assert_uint_eq(r.type, MC_ALLOW);
	ck_assert_uint_eq(r.nsrcs, 2);
	ck_assert_mem_eq(r.group, SSMG, 16);
	ck_assert_mem_eq(r.srcs, GLOBAL, 16);
	ck_assert_uint_eq(r.srcs[31], 0x11);
	ck_assert_int_eq(mld_rec_next(&it, &r), 1);
	ck_assert_uint_eq(r.type, MC_TO_EX);
	ck_assert_uint_eq(r.nsrcs, 0);
	ck_assert_int_eq(mld_rec_next(&it, &r), 0);
	/* From ::, a Report passes (the router decides). */
	n = v2_report(b, sizeof(b), ZERO);
	ck_assert_int_eq(mld_decode_packet(b, n, &ip, &m), MLD_OK);
	/* Not link-local: refused. */
	n = v2_report(b, sizeof(b), GLOBAL);
	ck_assert_int_eq(mld_decode_packet(b, n, &ip, &m), MLD_ERR_SRC);
}
END_TEST

/* Each check of RFC 3810 5 and 6.2 on its own. */
START_TEST(test_mld_checks)
{
	uint8_t		 b[200], c[200];
	struct ip6_info	 ip;
	struct mld_msg	 m;
	size_t		 n = v2_report(b, sizeof(b), LL);

	memcpy(c, b, n);
	c[7] = 2;					/* hop limit */
	ck_assert_int_eq(mld_decode_packet(c, n, &ip, &m), MLD_ERR_HLIM);
	memcpy(c, b, n);
	c[44] = IP6_OPT_PADN;				/* no Router Alert */
	ck_assert_int_eq(mld_decode_packet(c, n, &ip, &m), MLD_ERR_NO_RA);
	memcpy(c, b, n);
	c[n - 1] ^= 1;					/* checksum */
	ck_assert_int_eq(mld_decode_packet(c, n, &ip, &m), MLD_ERR_CKSUM);
	memcpy(c, b, n);
	c[40] = IP6_NH_UDP;				/* not ICMPv6 */
	ck_assert_int_eq(mld_decode_packet(c, n, &ip, &m),
	    MLD_ERR_NOT_ICMP6);
	memcpy(c, b, n);
	c[48 + 7] = 3;					/* 3 records */
	ck_assert_int_eq(mld_decode_packet(c, n, &ip, &m), MLD_ERR_RECORDS);
	memcpy(c, b, n);
	c[48 + 8 + 3] = 9;				/* 9 sources */
	ck_assert_int_eq(mld_decode_packet(c, n, &ip, &m), MLD_ERR_RECORDS);
	memcpy(c, b, n);
	c[48] = 200;					/* not MLD */
	ck_assert_int_eq(mld_decode_packet(c, n, &ip, &m), MLD_ERR_TYPE);
	ck_assert_int_eq(mld_decode_packet(c, 30, &ip, &m), MLD_ERR_IP6);
	ck_assert_int_eq(mld_decode(b + 48, 7, &m), MLD_ERR_SHORT);
	ck_assert_str_eq(mld_strerror(MLD_ERR_NO_RA), "no Router Alert option");
}
END_TEST

START_TEST(test_mld_queries)
{
	uint8_t		 b[200];
	struct wbuf	 w;
	struct ip6_info	 ip;
	struct mld_msg	 m;
	struct mld_query q = { 2, LL, mld_all_nodes, ZERO, 10000, 1, 2, 125,
	    GLOBAL, 1 };

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_query(&w, &q), 0);
	ck_assert_int_eq(mld_decode_packet(b, w.len, &ip, &m), MLD_OK);
	ck_assert_uint_eq(m.version, 2);
	ck_assert_uint_eq(m.mrc, 10000);
	ck_assert_uint_eq(m.s_flag, 1);
	ck_assert_uint_eq(m.qrv, 2);
	ck_assert_uint_eq(m.qqic, 125);
	ck_assert_uint_eq(m.nsrcs, 1);
	ck_assert_mem_eq(m.srcs, GLOBAL, 16);
	ck_assert_mem_eq(m.group, ZERO, 16);
	/* Sources beyond the end; a length neither v1 nor v2. */
	b[48 + 27] = 2;
	ck_assert_int_eq(mld_decode(b + 48, w.len - 48, &m), MLD_ERR_RECORDS);
	ck_assert_int_eq(mld_decode(b + 48, 26, &m), MLD_ERR_LEN);
	/* v1: 24 bytes. */
	q.version = 1;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_query(&w, &q), 0);
	ck_assert_uint_eq(w.len, 48 + 24);
	ck_assert_int_eq(mld_decode_packet(b, w.len, &ip, &m), MLD_OK);
	ck_assert_uint_eq(m.version, 1);
	/* A query from ::, or from a global address: refused. */
	q.src = ZERO;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_query(&w, &q), 0);
	ck_assert_int_eq(mld_decode_packet(b, w.len, &ip, &m), MLD_ERR_SRC);
	q.version = 3;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_query(&w, &q), -1);
	/* v1 Report and Done. */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_v1(&w, LL, SSMG, MLD_V1_DONE, SSMG), 0);
	ck_assert_int_eq(mld_decode_packet(b, w.len, &ip, &m), MLD_OK);
	ck_assert_uint_eq(m.type, MLD_V1_DONE);
	ck_assert_mem_eq(m.group, SSMG, 16);
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_v1(&w, LL, SSMG, MLD_QUERY, SSMG), -1);
}
END_TEST

/* RFC 3810 5.1.3: linear below 32768 ms, then mantissa and exponent. */
START_TEST(test_mld_codes)
{
	uint32_t	 v;

	ck_assert_uint_eq(mld_code_to_value(10000), 10000);
	ck_assert_uint_eq(mld_code_to_value(0x8000), 32768);
	ck_assert_uint_eq(mld_code_to_value(0xffff), 0x1fffU << 10);
	ck_assert_uint_eq(mld_value_to_code(125), 125);
	for (v = 1; v < 9000000; v = v * 3 + 7) {
		uint32_t	 back = mld_code_to_value(mld_value_to_code(v));

		ck_assert_uint_le(back, v);
		ck_assert_uint_ge(back + (back >> 12) + 8, v < 0x7ffc00 ? v :
		    0x7ffc00);
	}
}
END_TEST

/* Every MLD message of a real Linux capture decodes and passes. */
START_TEST(test_mld_replay)
{
	char			 err[PCAP_ERRBUF_SIZE], path[512];
	pcap_t			*pc;
	struct pcap_pkthdr	*h;
	const u_char		*f;
	struct ip6_info		 ip;
	struct mld_msg		 m;
	struct mld_rec_iter	 it;
	struct mld_rec		 r;
	unsigned		 n[256] = { 0 }, ssm = 0, total = 0;

	snprintf(path, sizeof(path), "%s/%s", getenv("TESTDATA") != NULL ?
	    getenv("TESTDATA") : "tests/data", CAPTURE_MLD);
	pc = pcap_open_offline(path, err);
	ck_assert_msg(pc != NULL, "%s", err);
	while (pcap_next_ex(pc, &h, &f) == 1) {
		if (h->caplen < 14 || be16_load(f + 12) != 0x86dd)
			continue;
		ck_assert_int_eq(mld_decode_packet(f + 14, h->caplen - 14, &ip,
		    &m), MLD_OK);
		total++;
		n[m.type]++;
		mld_rec_iter_init(&it, &m);
		while (mld_rec_next(&it, &r) == 1)
			if (memcmp(r.group, SSMG, 16) == 0 && r.nsrcs > 0 &&
			    memcmp(r.srcs, GLOBAL, 16) == 0)
				ssm++;
	}
	pcap_close(pc);
	ck_assert_uint_eq(total, 41);
	ck_assert_uint_gt(n[MLD_V2_REPORT], 20);
	ck_assert_uint_gt(n[MLD_V1_REPORT], 3);
	ck_assert_uint_eq(n[MLD_V1_DONE], 1);
	ck_assert_uint_eq(n[MLD_QUERY], 5);
	ck_assert_uint_gt(ssm, 0);
}
END_TEST

Suite *
mld_suite(void)
{
	Suite	*s = suite_create("mld");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_ip6_header);
	tcase_add_test(tc, test_ip6_chain);
	tcase_add_test(tc, test_ip6_too_big);
	tcase_add_test(tc, test_mld_v2_report);
	tcase_add_test(tc, test_mld_checks);
	tcase_add_test(tc, test_mld_queries);
	tcase_add_test(tc, test_mld_codes);
	tcase_add_test(tc, test_mld_replay);
	suite_add_tcase(s, tc);
	return s;
}
