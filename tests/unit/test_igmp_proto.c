/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmp_proto.c: hand-written IGMP v1/v2/v3 messages from the RFC 1112,
 * RFC 2236 and RFC 3376 layouts; the IPv4 header with options; every
 * truncation; each bad field; the 256 Max Resp Code / QQIC codes; the
 * builders; seeded random build/decode round trips.
 */

#include <string.h>

#include "addr.h"
#include "cksum.h"
#include "igmp_proto.h"
#include "unit.h"
#include "vectors.h"

static const uint8_t v1_query[] = {
	0x11, 0x00, 0xee, 0xff, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t v2_query[] = {
	0x11, 0x64, 0xee, 0x9b, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t v2_gsq[] = {
	0x11, 0x0a, 0xfd, 0xf0, 0xef, 0x01, 0x02, 0x03,
};
static const uint8_t v1_report[] = {
	0x12, 0x00, 0xfc, 0xfa, 0xef, 0x01, 0x02, 0x03,
};
static const uint8_t v2_report[] = {
	0x16, 0x00, 0xf8, 0xfa, 0xef, 0x01, 0x02, 0x03,
};
static const uint8_t v2_leave[] = {
	0x17, 0x00, 0xf7, 0xfa, 0xef, 0x01, 0x02, 0x03,
};
/* Group-and-source query 232.1.1.1 {10.0.0.1, 10.0.0.2}, MRC 0x8c,
 * S=1, QRV 3, QQIC 0x95. */
static const uint8_t v3_gssq[] = {
	0x11, 0x8c, 0xe5, 0xd6, 0xe8, 0x01, 0x01, 0x01,
	0x0b, 0x95, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x01,
	0x0a, 0x00, 0x00, 0x02,
};
/* One record of each of the six types; the IS_EX one carries one word
 * of auxiliary data. */
static const uint8_t v3_report[] = {
	0x22, 0x00, 0x77, 0x28, 0x00, 0x00, 0x00, 0x06,
	0x01, 0x00, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01,
	0x0a, 0x00, 0x00, 0x01, 0x02, 0x01, 0x00, 0x00,
	0xef, 0x00, 0x00, 0x02, 0xde, 0xad, 0xbe, 0xef,
	0x03, 0x00, 0x00, 0x02, 0xe8, 0x01, 0x01, 0x03,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
	0x04, 0x00, 0x00, 0x00, 0xef, 0x00, 0x00, 0x04,
	0x05, 0x00, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x05,
	0x0a, 0x00, 0x00, 0x05, 0x06, 0x00, 0x00, 0x01,
	0xe8, 0x01, 0x01, 0x06, 0x0a, 0x00, 0x00, 0x06,
};

/* Recompute the IGMP checksum of a len-byte copy. */
static void
fix_igmp_cksum(uint8_t *p, size_t len)
{
	if (len < 4)
		return;
	p[2] = p[3] = 0;
	be16_store(p + 2, in_cksum(p, len));
}

START_TEST(test_v1_v2)
{
	struct igmp_msg	 m;

	ck_assert_int_eq(igmp_decode(v1_query, 8, &m), IGMP_OK);
	ck_assert_uint_eq(m.type, IGMP_QUERY);
	ck_assert_uint_eq(m.version, 1);
	ck_assert_uint_eq(m.group, 0);
	ck_assert_int_eq(igmp_decode(v2_query, 8, &m), IGMP_OK);
	ck_assert_uint_eq(m.version, 2);
	ck_assert_uint_eq(m.code, 100);
	ck_assert_int_eq(igmp_decode(v2_gsq, 8, &m), IGMP_OK);
	ck_assert_uint_eq(m.version, 2);
	ck_assert_uint_eq(m.group, 0xef010203);
	ck_assert_int_eq(igmp_decode(v1_report, 8, &m), IGMP_OK);
	ck_assert_uint_eq(m.type, IGMP_V1_REPORT);
	ck_assert_uint_eq(m.version, 1);
	ck_assert_uint_eq(m.group, 0xef010203);
	ck_assert_int_eq(igmp_decode(v2_report, 8, &m), IGMP_OK);
	ck_assert_uint_eq(m.type, IGMP_V2_REPORT);
	ck_assert_uint_eq(m.version, 2);
	ck_assert_int_eq(igmp_decode(v2_leave, 8, &m), IGMP_OK);
	ck_assert_uint_eq(m.type, IGMP_V2_LEAVE);
	ck_assert_uint_eq(m.group, 0xef010203);
}
END_TEST

START_TEST(test_v3_query)
{
	struct igmp_msg	 m;

	ck_assert_int_eq(igmp_decode(v3_gssq, sizeof(v3_gssq), &m), IGMP_OK);
	ck_assert_uint_eq(m.version, 3);
	ck_assert_uint_eq(m.code, 0x8c);
	ck_assert_uint_eq(igmp_code_to_value(m.code), (0x0c | 0x10) << 3);
	ck_assert_uint_eq(m.group, 0xe8010101);
	ck_assert_uint_eq(m.s_flag, 1);
	ck_assert_uint_eq(m.qrv, 3);
	ck_assert_uint_eq(m.qqic, 0x95);
	ck_assert_uint_eq(igmp_code_to_value(m.qqic), (0x05 | 0x10) << 4);
	ck_assert_uint_eq(m.nsrcs, 2);
	ck_assert_uint_eq(igmp_src(m.srcs, 0), 0x0a000001);
	ck_assert_uint_eq(igmp_src(m.srcs, 1), 0x0a000002);
}
END_TEST

/* The encapsulated general query of the shared vectors, IP and all. */
START_TEST(test_ip_general_query)
{
	struct ip4_info	 ip;
	struct igmp_msg	 m;

	ck_assert_int_eq(igmp_decode_packet(v_query, sizeof(v_query), &ip, &m),
	    IGMP_OK);
	ck_assert_uint_eq(ip.hlen, 24);
	ck_assert_int_eq(ip.router_alert, 1);
	ck_assert_uint_eq(ip.ttl, 1);
	ck_assert_uint_eq(ip.tos, 0xc0);
	ck_assert_uint_eq(ip.src, 0xc0000201);
	ck_assert_uint_eq(ip.dst, IN4_ALLHOSTS);
	ck_assert_uint_eq(ip.payload_len, 12);
	ck_assert_uint_eq(m.version, 3);
	ck_assert_uint_eq(m.group, 0);
	ck_assert_uint_eq(m.qrv, 2);
	ck_assert_uint_eq(m.qqic, 125);
	ck_assert_uint_eq(m.code, 100);
	ck_assert_uint_eq(m.s_flag, 0);
}
END_TEST

START_TEST(test_v3_report_records)
{
	struct igmp_msg		 m;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;
	unsigned		 n = 0;
	static const uint32_t	 groups[] = { 0xe8010101, 0xef000002,
	    0xe8010103, 0xef000004, 0xe8010105, 0xe8010106 };
	static const uint16_t	 ns[] = { 1, 0, 2, 0, 1, 1 };

	ck_assert_int_eq(igmp_decode(v3_report, sizeof(v3_report), &m),
	    IGMP_OK);
	ck_assert_uint_eq(m.version, 3);
	ck_assert_uint_eq(m.nrecs, 6);
	igmp_rec_iter_init(&it, &m);
	while (igmp_rec_next(&it, &r) == 1) {
		ck_assert_uint_eq(r.type, n + 1);
		ck_assert_uint_eq(r.group, groups[n]);
		ck_assert_uint_eq(r.nsrcs, ns[n]);
		if (n == 1)
			ck_assert_uint_eq(r.auxlen, 1);
		if (n == 2)
			ck_assert_uint_eq(igmp_src(r.srcs, 1), 0x0a000002);
		n++;
	}
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(igmp_rec_next(&it, &r), 0);
	ck_assert_str_eq(igmp_rec_type_name(4), "TO_EX");
	ck_assert_str_eq(igmp_rec_type_name(77), "UNKNOWN");
}
END_TEST

/* Every truncation, checksum fixed so the structure check is what fails. */
START_TEST(test_truncations)
{
	static const struct { const uint8_t *p; size_t len; } v[] = {
		{ v3_gssq, sizeof(v3_gssq) },
		{ v3_report, sizeof(v3_report) },
		{ v2_report, sizeof(v2_report) },
	};
	uint8_t		 b[128];
	struct igmp_msg	 m;
	enum igmp_err	 e, want;
	size_t		 len;
	unsigned	 i;

	for (i = 0; i < 3; i++) {
		for (len = 0; len < v[i].len; len++) {
			memcpy(b, v[i].p, len);
			fix_igmp_cksum(b, len);
			e = igmp_decode(b, len, &m);
			if (len < 8)
				want = IGMP_ERR_SHORT;
			else if (v[i].p[0] == IGMP_QUERY)
				want = len == 8 ? IGMP_OK : len < 12 ?
				    IGMP_ERR_QUERYLEN : IGMP_ERR_RECORD;
			else
				want = IGMP_ERR_RECORD;
			ck_assert_msg(e == want, "vector %u len %zu: %s", i,
			    len, igmp_strerror(e));
		}
	}
	/* The IP datagram cut anywhere: short. */
	for (len = 0; len < sizeof(v_report); len++)
		ck_assert_int_eq(igmp_decode_packet(v_report, len,
		    &(struct ip4_info){ 0 }, &m), IGMP_ERR_SHORT);
}
END_TEST

START_TEST(test_bad_fields)
{
	uint8_t		 b[128];
	struct ip4_info	 ip;
	struct igmp_msg	 m;

#define RESET()	memcpy(b, v_report, sizeof(v_report))
#define FIXIP()	do { b[10] = b[11] = 0; \
	be16_store(b + 10, in_cksum(b, (size_t)(b[0] & 15) * 4)); } while (0)
	RESET();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_OK);
	ck_assert_uint_eq(ip.src, 0);		/* 0.0.0.0 is fine */
	b[0] = 0x66;
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_IPVER);
	RESET();
	b[0] = 0x44;
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_IPHDR);
	RESET();
	b[3] = 20;
	FIXIP();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_IPHDR);
	RESET();
	b[8] = 2;		/* TTL changed, checksum not */
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_IPCKSUM);
	RESET();
	b[21] = 9;		/* RA option length past the header */
	FIXIP();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_OPTIONS);
	RESET();
	b[21] = 0;		/* option length 0 */
	FIXIP();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_OPTIONS);
	RESET();
	b[20] = 1;		/* NOP NOP NOP EOL: fine, no RA */
	b[21] = 1;
	b[22] = 1;
	FIXIP();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_OK);
	ck_assert_int_eq(ip.router_alert, 0);
	RESET();
	b[23] = 0;
	b[20] = 0x07;		/* option 7 with length 4: allowed, not RA */
	FIXIP();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_OK);
	ck_assert_int_eq(ip.router_alert, 0);
	RESET();
	b[6] = 0x20;		/* MF */
	FIXIP();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_FRAGMENT);
	RESET();
	b[7] = 0x01;		/* offset 8 */
	FIXIP();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_FRAGMENT);
	RESET();
	b[6] = 0x40;		/* DF alone is fine */
	FIXIP();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_OK);
	RESET();
	b[9] = 17;
	FIXIP();
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_PROTO);
	RESET();
	b[24 + 2] ^= 1;		/* IGMP checksum */
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report), &ip, &m),
	    IGMP_ERR_CKSUM);
	/* Padding past Total Length is not part of the datagram. */
	RESET();
	b[sizeof(v_report)] = 0x55;
	ck_assert_int_eq(igmp_decode_packet(b, sizeof(v_report) + 1, &ip, &m),
	    IGMP_OK);

	/* IGMP level: unknown type, non-multicast groups. */
	memcpy(b, v2_report, 8);
	b[0] = 0x99;
	fix_igmp_cksum(b, 8);
	ck_assert_int_eq(igmp_decode(b, 8, &m), IGMP_ERR_TYPE);
	memcpy(b, v2_report, 8);
	b[4] = 10;
	fix_igmp_cksum(b, 8);
	ck_assert_int_eq(igmp_decode(b, 8, &m), IGMP_ERR_GROUP);
	memcpy(b, v2_gsq, 8);
	b[4] = 10;
	fix_igmp_cksum(b, 8);
	ck_assert_int_eq(igmp_decode(b, 8, &m), IGMP_ERR_GROUP);
	memcpy(b, v3_report, sizeof(v3_report));
	b[8 + 4] = 10;		/* first record's group */
	fix_igmp_cksum(b, sizeof(v3_report));
	ck_assert_int_eq(igmp_decode(b, sizeof(v3_report), &m),
	    IGMP_ERR_GROUP);
	/* Record count larger than the records present. */
	memcpy(b, v3_report, sizeof(v3_report));
	b[7] = 7;
	fix_igmp_cksum(b, sizeof(v3_report));
	ck_assert_int_eq(igmp_decode(b, sizeof(v3_report), &m),
	    IGMP_ERR_RECORD);
	/* A source count that runs past the end. */
	memcpy(b, v3_report, sizeof(v3_report));
	b[8 + 3] = 200;
	fix_igmp_cksum(b, sizeof(v3_report));
	ck_assert_int_eq(igmp_decode(b, sizeof(v3_report), &m),
	    IGMP_ERR_RECORD);
	/* Aux data that runs past the end. */
	memcpy(b, v3_report, sizeof(v3_report));
	b[8 + 1] = 100;
	fix_igmp_cksum(b, sizeof(v3_report));
	ck_assert_int_eq(igmp_decode(b, sizeof(v3_report), &m),
	    IGMP_ERR_RECORD);
	/* A v3 query's source count past the end. */
	memcpy(b, v3_gssq, sizeof(v3_gssq));
	b[11] = 3;
	fix_igmp_cksum(b, sizeof(v3_gssq));
	ck_assert_int_eq(igmp_decode(b, sizeof(v3_gssq), &m),
	    IGMP_ERR_RECORD);
	/* Query of 10 octets: no version fits (RFC 3376 7.1). */
	memset(b, 0, 10);
	b[0] = IGMP_QUERY;
	fix_igmp_cksum(b, 10);
	ck_assert_int_eq(igmp_decode(b, 10, &m), IGMP_ERR_QUERYLEN);
	/* Unknown record types are passed on for the caller to ignore. */
	memcpy(b, v3_report, sizeof(v3_report));
	b[8] = 42;
	fix_igmp_cksum(b, sizeof(v3_report));
	ck_assert_int_eq(igmp_decode(b, sizeof(v3_report), &m), IGMP_OK);
	ck_assert_str_eq(igmp_strerror(IGMP_ERR_QUERYLEN),
	    "query length fits no IGMP version");
	ck_assert_str_eq(igmp_strerror((enum igmp_err)99), "unknown error");
#undef RESET
#undef FIXIP
}
END_TEST

/* All 256 codes: decode per RFC 3376 4.1.1/4.1.7, and back again. */
START_TEST(test_codes)
{
	uint8_t		 code = (uint8_t)_i;
	uint32_t	 v = igmp_code_to_value(code), want;

	if (code < 128)
		want = code;
	else
		want = (uint32_t)((code & 0x0f) | 0x10) <<
		    (((code >> 4) & 7) + 3);
	ck_assert_uint_eq(v, want);
	ck_assert_uint_eq(igmp_value_to_code(v), code);
	/* Values between codes round down to the lower code. */
	if (code >= 128 && code < 255)
		ck_assert_uint_eq(igmp_value_to_code(
		    igmp_code_to_value((uint8_t)(code + 1)) - 1), code);
}
END_TEST

START_TEST(test_code_edges)
{
	ck_assert_uint_eq(igmp_code_to_value(0xff), 31744);
	ck_assert_uint_eq(igmp_value_to_code(31744), 0xff);
	ck_assert_uint_eq(igmp_value_to_code(1000000), 0xff);
	ck_assert_uint_eq(igmp_value_to_code(127), 127);
	ck_assert_uint_eq(igmp_value_to_code(128), 0x80);
	ck_assert_uint_eq(igmp_value_to_code(135), 0x80);
	ck_assert_uint_eq(igmp_value_to_code(136), 0x81);
	ck_assert_uint_eq(igmp_value_to_code(260), 0x90);
}
END_TEST

/* Builders: exact bytes for a v3 general query like the shared vector. */
START_TEST(test_build_query_exact)
{
	uint8_t			 out[64];
	struct wbuf		 w;
	struct igmp_query	 q = { .src = 0xc0000201, .dst = IN4_ALLHOSTS,
	    .version = 3, .code = 100, .qrv = 2, .qqic = 125 };

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(igmp_build_query(&w, &q), 0);
	ck_assert_uint_eq(w.len, sizeof(v_query));
	ck_assert_mem_eq(out, v_query, sizeof(v_query));
	/* Every shorter buffer fails. */
	for (size_t cap = 0; cap < sizeof(v_query); cap++) {
		wbuf_init(&w, out, cap);
		ck_assert_int_eq(igmp_build_query(&w, &q), -1);
	}
	/* QRV above 7 is sent as 0 (4.1.6). */
	q.qrv = 9;
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(igmp_build_query(&w, &q), 0);
	ck_assert_uint_eq(out[24 + 8] & 7, 0);
	q.version = 4;
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(igmp_build_query(&w, &q), -1);
}
END_TEST

START_TEST(test_build_report_exact)
{
	uint8_t		 out[64];
	struct wbuf	 w;
	uint32_t	 s = 0x0a000001;

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(igmp_report_begin(&w, 0), 0);
	ck_assert_int_eq(igmp_report_add(&w, MC_ALLOW,
	    0xe8010101, &s, 1), 0);
	ck_assert_uint_eq(igmp_report_nrecs(&w), 1);
	ck_assert_int_eq(igmp_report_finish(&w), 0);
	ck_assert_uint_eq(w.len, sizeof(v_report));
	ck_assert_mem_eq(out, v_report, sizeof(v_report));
	/* A record that does not fit is not written at all. */
	wbuf_init(&w, out, 24 + 8 + 11);
	ck_assert_int_eq(igmp_report_begin(&w, 0), 0);
	ck_assert_int_eq(igmp_report_add(&w, 1, 0xe8010101, &s, 1), -1);
	ck_assert_uint_eq(w.len, 32);
	ck_assert_uint_eq(igmp_report_nrecs(&w), 0);
	ck_assert_int_eq(igmp_report_add(&w, 4, 0xe8010101, NULL, 0), 0);
}
END_TEST

START_TEST(test_build_v12)
{
	uint8_t			 out[64];
	struct wbuf		 w;
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	struct igmp_query	 q = { .src = 0x0a000001, .dst = 0xef010203,
	    .version = 2, .code = 10, .group = 0xef010203 };

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(igmp_build_v12(&w, 0x0a000002, 0xef010203,
	    IGMP_V2_REPORT, 0, 0xef010203), 0);
	ck_assert_uint_eq(w.len, 32);
	ck_assert_mem_eq(out + 24, v2_report, 8);
	ck_assert_int_eq(igmp_decode_packet(out, w.len, &ip, &m), IGMP_OK);
	ck_assert_int_eq(ip.router_alert, 1);
	ck_assert_uint_eq(ip.ttl, 1);
	ck_assert_uint_eq(ip.tos, 0xc0);
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(igmp_build_query(&w, &q), 0);
	ck_assert_mem_eq(out + 24, v2_gsq, 8);
	q.version = 1;
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(igmp_build_query(&w, &q), 0);
	ck_assert_mem_eq(out + 24, v1_query, 8);
	wbuf_init(&w, out, 31);
	ck_assert_int_eq(igmp_build_v12(&w, 0, 0, IGMP_V2_LEAVE, 0, 0), -1);
}
END_TEST

/* Random queries and reports: build, decode, compare. */
START_TEST(test_random_roundtrip)
{
	uint32_t		 seed = UNIT_SEED ^ 0x1234;
	uint8_t			 out[1500];
	uint32_t		 srcs[64], groups[16], rsrcs[16][8];
	uint8_t			 types[16];
	uint16_t		 ns[16];
	struct wbuf		 w;
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;
	struct igmp_query	 q;
	unsigned		 n, i, j, nrec;

	for (n = 0; n < 5000; n++) {
		memset(&q, 0, sizeof(q));
		q.src = xorshift32(&seed);
		q.dst = 0xe0000000 | (xorshift32(&seed) & 0x0fffffff);
		q.version = (uint8_t)(1 + xorshift32(&seed) % 3);
		q.code = (uint8_t)xorshift32(&seed);
		if (q.version == 1)
			q.code = 0;
		else if (q.version == 2 && q.code == 0)
			q.code = 1;
		q.group = xorshift32(&seed) & 1 ? 0 : q.dst;
		q.s_flag = xorshift32(&seed) & 1;
		q.qrv = xorshift32(&seed) & 7;
		q.qqic = (uint8_t)xorshift32(&seed);
		q.nsrcs = (uint16_t)(xorshift32(&seed) % 64);
		for (i = 0; i < q.nsrcs; i++)
			srcs[i] = xorshift32(&seed);
		q.srcs = srcs;
		wbuf_init(&w, out, sizeof(out));
		ck_assert_int_eq(igmp_build_query(&w, &q), 0);
		ck_assert_int_eq(igmp_decode_packet(out, w.len, &ip, &m),
		    IGMP_OK);
		ck_assert_uint_eq(ip.src, q.src);
		ck_assert_uint_eq(ip.dst, q.dst);
		ck_assert_uint_eq(m.version, q.version);
		ck_assert_uint_eq(m.code, q.code);
		if (q.version == 1)
			continue;
		ck_assert_uint_eq(m.group, q.group);
		if (q.version == 2)
			continue;
		ck_assert_uint_eq(m.s_flag, q.s_flag);
		ck_assert_uint_eq(m.qrv, q.qrv);
		ck_assert_uint_eq(m.qqic, q.qqic);
		ck_assert_uint_eq(m.nsrcs, q.nsrcs);
		for (i = 0; i < q.nsrcs; i++)
			ck_assert_uint_eq(igmp_src(m.srcs, i), srcs[i]);
	}
	for (n = 0; n < 5000; n++) {
		nrec = xorshift32(&seed) % 16;
		wbuf_init(&w, out, sizeof(out));
		ck_assert_int_eq(igmp_report_begin(&w, xorshift32(&seed)), 0);
		for (i = 0; i < nrec; i++) {
			types[i] = (uint8_t)(1 + xorshift32(&seed) % 6);
			groups[i] = 0xe0000000 |
			    (xorshift32(&seed) & 0x0fffffff);
			ns[i] = (uint16_t)(xorshift32(&seed) % 8);
			for (j = 0; j < ns[i]; j++)
				rsrcs[i][j] = xorshift32(&seed);
			ck_assert_int_eq(igmp_report_add(&w, types[i],
			    groups[i], rsrcs[i], ns[i]), 0);
		}
		ck_assert_int_eq(igmp_report_finish(&w), 0);
		ck_assert_int_eq(igmp_decode_packet(out, w.len, &ip, &m),
		    IGMP_OK);
		ck_assert_uint_eq(ip.dst, IN4_IGMPV3_ROUTERS);
		ck_assert_uint_eq(m.nrecs, nrec);
		igmp_rec_iter_init(&it, &m);
		for (i = 0; i < nrec; i++) {
			ck_assert_int_eq(igmp_rec_next(&it, &r), 1);
			ck_assert_uint_eq(r.type, types[i]);
			ck_assert_uint_eq(r.group, groups[i]);
			ck_assert_uint_eq(r.nsrcs, ns[i]);
			for (j = 0; j < ns[i]; j++)
				ck_assert_uint_eq(igmp_src(r.srcs, j),
				    rsrcs[i][j]);
		}
		ck_assert_int_eq(igmp_rec_next(&it, &r), 0);
	}
}
END_TEST

Suite *
igmp_proto_suite(void)
{
	Suite	*s = suite_create("igmp_proto");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_v1_v2);
	tcase_add_test(tc, test_v3_query);
	tcase_add_test(tc, test_ip_general_query);
	tcase_add_test(tc, test_v3_report_records);
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_bad_fields);
	tcase_add_loop_test(tc, test_codes, 0, 256);
	tcase_add_test(tc, test_code_edges);
	tcase_add_test(tc, test_build_query_exact);
	tcase_add_test(tc, test_build_report_exact);
	tcase_add_test(tc, test_build_v12);
	tcase_add_test(tc, test_random_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}
