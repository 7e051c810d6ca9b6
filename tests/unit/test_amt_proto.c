/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amt_proto.c: a hand-written vector for each of the seven messages
 * (RFC 7450 5.1 figures 11-17), every truncation of each, each bad
 * field, reserved bits, and seeded random encode/decode round trips.
 */

#include <sys/socket.h>

#include <string.h>

#include "amt_proto.h"
#include "unit.h"
#include "vectors.h"

#define MAXMSG	256

struct vec {
	const char	*name;
	uint8_t		 bytes[MAXMSG];
	size_t		 len;
};

static const uint8_t MAC[6] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6 };
static const uint8_t GWADDR[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    198, 51, 100, 7 };

static size_t
cat(uint8_t *dst, size_t off, const void *src, size_t n)
{
	memcpy(dst + off, src, n);
	return off + n;
}

/* Build the vector table: raw bytes as in the RFC figures. */
#define NVEC_ALL()	(sizeof(vecs) / sizeof(vecs[0]))
static struct vec vecs[10];

static void
make_vectors(void)
{
	static const uint8_t disc[] = { 0x01, 0, 0, 0, 0x12, 0x34, 0x56,
	    0x78 };
	static const uint8_t adv4[] = { 0x02, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
	    192, 0, 2, 9 };
	static const uint8_t adv6[] = { 0x02, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
	    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09 };
	static const uint8_t req[] = { 0x03, 0x00, 0, 0, 0xca, 0xfe, 0xba,
	    0xbe };
	static const uint8_t reqp[] = { 0x03, 0x01, 0, 0, 0xca, 0xfe, 0xba,
	    0xbe };
	static const uint8_t nonce[] = { 0xca, 0xfe, 0xba, 0xbe };
	static const uint8_t port[] = { 0xc3, 0x50 };	/* 50000 */
	size_t	 n;
	struct vec *v = vecs;

	v->name = "discovery";
	v->len = cat(v->bytes, 0, disc, sizeof(disc));
	v++;
	v->name = "advertisement4";
	v->len = cat(v->bytes, 0, adv4, sizeof(adv4));
	v++;
	v->name = "advertisement6";
	v->len = cat(v->bytes, 0, adv6, sizeof(adv6));
	v++;
	v->name = "request";
	v->len = cat(v->bytes, 0, req, sizeof(req));
	v++;
	v->name = "request-p";
	v->len = cat(v->bytes, 0, reqp, sizeof(reqp));
	v++;
	v->name = "query";
	v->bytes[0] = 0x04;
	v->bytes[1] = 0x00;
	n = cat(v->bytes, 2, MAC, 6);
	n = cat(v->bytes, n, nonce, 4);
	v->len = cat(v->bytes, n, v_query, sizeof(v_query));
	v++;
	v->name = "query-g";
	v->bytes[0] = 0x04;
	v->bytes[1] = 0x01;
	n = cat(v->bytes, 2, MAC, 6);
	n = cat(v->bytes, n, nonce, 4);
	n = cat(v->bytes, n, v_query, sizeof(v_query));
	n = cat(v->bytes, n, port, 2);
	v->len = cat(v->bytes, n, GWADDR, 16);
	v++;
	v->name = "update";
	v->bytes[0] = 0x05;
	v->bytes[1] = 0x00;
	n = cat(v->bytes, 2, MAC, 6);
	n = cat(v->bytes, n, nonce, 4);
	v->len = cat(v->bytes, n, v_report, sizeof(v_report));
	v++;
	v->name = "data";
	v->bytes[0] = 0x06;
	v->bytes[1] = 0x00;
	v->len = cat(v->bytes, 2, v_data, sizeof(v_data));
	v++;
	v->name = "teardown";
	v->bytes[0] = 0x07;
	v->bytes[1] = 0x00;
	n = cat(v->bytes, 2, MAC, 6);
	n = cat(v->bytes, n, nonce, 4);
	n = cat(v->bytes, n, port, 2);
	v->len = cat(v->bytes, n, GWADDR, 16);
}

START_TEST(test_discovery)
{
	struct amt_msg	 m;

	ck_assert_int_eq(amt_decode(vecs[0].bytes, vecs[0].len, &m), AMT_OK);
	ck_assert_uint_eq(m.type, AMT_DISCOVERY);
	ck_assert_uint_eq(m.nonce, 0x12345678);
}
END_TEST

START_TEST(test_advertisement)
{
	struct amt_msg		 m;
	static const uint8_t	 a4[4] = { 192, 0, 2, 9 };

	ck_assert_int_eq(amt_decode(vecs[1].bytes, vecs[1].len, &m), AMT_OK);
	ck_assert_uint_eq(m.type, AMT_ADVERTISEMENT);
	ck_assert_uint_eq(m.nonce, 0x12345678);
	ck_assert_int_eq(m.relay_af, AF_INET);
	ck_assert_mem_eq(m.relay_addr, a4, 4);
	ck_assert_int_eq(amt_decode(vecs[2].bytes, vecs[2].len, &m), AMT_OK);
	ck_assert_int_eq(m.relay_af, AF_INET6);
	ck_assert_mem_eq(m.relay_addr, vecs[2].bytes + 8, 16);
}
END_TEST

START_TEST(test_request)
{
	struct amt_msg	 m;

	ck_assert_int_eq(amt_decode(vecs[3].bytes, vecs[3].len, &m), AMT_OK);
	ck_assert_uint_eq(m.type, AMT_REQUEST);
	ck_assert_uint_eq(m.flags, 0);
	ck_assert_uint_eq(m.nonce, 0xcafebabe);
	ck_assert_int_eq(amt_decode(vecs[4].bytes, vecs[4].len, &m), AMT_OK);
	ck_assert_uint_eq(m.flags, AMT_FLAG_P);
}
END_TEST

START_TEST(test_query)
{
	struct amt_msg	 m;

	ck_assert_int_eq(amt_decode(vecs[5].bytes, vecs[5].len, &m), AMT_OK);
	ck_assert_uint_eq(m.type, AMT_QUERY);
	ck_assert_uint_eq(m.flags, 0);
	ck_assert_mem_eq(m.mac, MAC, 6);
	ck_assert_uint_eq(m.nonce, 0xcafebabe);
	ck_assert_uint_eq(m.inner_off, 12);
	ck_assert_uint_eq(m.inner_len, sizeof(v_query));
	ck_assert_uint_eq(m.inner_ver, 4);
	ck_assert_ptr_eq(vecs[5].bytes + m.inner_off,
	    vecs[5].bytes + 12);	/* no copy: an offset */
	ck_assert_int_eq(amt_decode(vecs[6].bytes, vecs[6].len, &m), AMT_OK);
	ck_assert_uint_eq(m.flags, AMT_FLAG_G);
	ck_assert_uint_eq(m.gw_port, 50000);
	ck_assert_mem_eq(m.gw_addr, GWADDR, 16);
	ck_assert_uint_eq(m.inner_len, sizeof(v_query));
}
END_TEST

/* L flag, and bytes between the datagram and the G fields. */
START_TEST(test_query_l_and_padding)
{
	uint8_t		 q[MAXMSG];
	struct amt_msg	 m;
	size_t		 n;

	memcpy(q, vecs[6].bytes, vecs[6].len);
	q[1] = 0x03;
	ck_assert_int_eq(amt_decode(q, vecs[6].len, &m), AMT_OK);
	ck_assert_uint_eq(m.flags, AMT_FLAG_L | AMT_FLAG_G);
	/* Insert 5 junk octets before the G fields: never part of inner. */
	n = 12 + sizeof(v_query);
	memmove(q + n + 5, q + n, 18);
	memset(q + n, 0xee, 5);
	ck_assert_int_eq(amt_decode(q, vecs[6].len + 5, &m), AMT_OK);
	ck_assert_uint_eq(m.inner_len, sizeof(v_query));
	ck_assert_uint_eq(m.gw_port, 50000);
	ck_assert_mem_eq(m.gw_addr, GWADDR, 16);
}
END_TEST

START_TEST(test_update_data_teardown)
{
	struct amt_msg	 m;

	ck_assert_int_eq(amt_decode(vecs[7].bytes, vecs[7].len, &m), AMT_OK);
	ck_assert_uint_eq(m.type, AMT_UPDATE);
	ck_assert_mem_eq(m.mac, MAC, 6);
	ck_assert_uint_eq(m.nonce, 0xcafebabe);
	ck_assert_uint_eq(m.inner_off, 12);
	ck_assert_uint_eq(m.inner_len, sizeof(v_report));
	ck_assert_int_eq(amt_decode(vecs[8].bytes, vecs[8].len, &m), AMT_OK);
	ck_assert_uint_eq(m.type, AMT_DATA);
	ck_assert_uint_eq(m.inner_off, 2);
	ck_assert_uint_eq(m.inner_len, sizeof(v_data));
	ck_assert_mem_eq(vecs[8].bytes + m.inner_off, v_data, sizeof(v_data));
	ck_assert_int_eq(amt_decode(vecs[9].bytes, vecs[9].len, &m), AMT_OK);
	ck_assert_uint_eq(m.type, AMT_TEARDOWN);
	ck_assert_mem_eq(m.mac, MAC, 6);
	ck_assert_uint_eq(m.nonce, 0xcafebabe);
	ck_assert_uint_eq(m.gw_port, 50000);
	ck_assert_mem_eq(m.gw_addr, GWADDR, 16);
}
END_TEST

/* Every proper prefix of every vector is rejected with the right error. */
START_TEST(test_truncations)
{
	const struct vec	*v = &vecs[_i];
	struct amt_msg		 m;
	enum amt_err		 e;
	size_t			 len, hdr;

	for (len = 0; len < v->len; len++) {
		e = amt_decode(v->bytes, len, &m);
		switch (v->bytes[0]) {
		case AMT_ADVERTISEMENT:
			if (len < 8)
				ck_assert_int_eq(e, AMT_ERR_SHORT);
			else if (len == 12)
				ck_assert_int_eq(e, AMT_OK); /* a v4 one */
			else
				ck_assert_int_eq(e, AMT_ERR_ADDRLEN);
			break;
		case AMT_QUERY:
		case AMT_UPDATE:
		case AMT_DATA:
			/*
			 * Shorter than the fixed part plus an IPv4 header is
			 * "short"; past that, the datagram claims more than
			 * the message holds.
			 */
			hdr = v->bytes[0] == AMT_DATA ? 2 :
			    (v->bytes[0] == AMT_QUERY &&
			    (v->bytes[1] & AMT_FLAG_G)) ? 30 : 12;
			ck_assert_msg(e == (len < hdr + 20 ? AMT_ERR_SHORT :
			    AMT_ERR_INNER_LEN), "%s len %zu: %s", v->name,
			    len, amt_strerror(e));
			break;
		default:
			ck_assert_msg(e == AMT_ERR_SHORT, "%s len %zu: %s",
			    v->name, len, amt_strerror(e));
		}
	}
	ck_assert_int_eq(amt_decode(v->bytes, v->len, &m), AMT_OK);
}
END_TEST

START_TEST(test_bad_version_and_type)
{
	uint8_t		 b[MAXMSG];
	struct amt_msg	 m;
	unsigned	 i, ver, type;

	for (i = 0; i < NVEC_ALL(); i++) {
		memcpy(b, vecs[i].bytes, vecs[i].len);
		for (ver = 1; ver < 16; ver++) {
			b[0] = (uint8_t)(ver << 4 | (vecs[i].bytes[0] & 0x0f));
			ck_assert_int_eq(amt_decode(b, vecs[i].len, &m),
			    AMT_ERR_VERSION);
		}
	}
	memcpy(b, vecs[0].bytes, vecs[0].len);
	for (type = 0; type < 16; type++) {
		if (type >= 1 && type <= 7)
			continue;
		b[0] = (uint8_t)type;
		ck_assert_int_eq(amt_decode(b, vecs[0].len, &m), AMT_ERR_TYPE);
	}
	ck_assert_int_eq(amt_decode(b, 0, &m), AMT_ERR_SHORT);
}
END_TEST

/* Reserved bits are ignored by the receiver (5.1.x.3). */
START_TEST(test_reserved_ignored)
{
	uint8_t		 b[MAXMSG];
	struct amt_msg	 m, ref;
	unsigned	 i;

	for (i = 0; i < NVEC_ALL(); i++) {
		memcpy(b, vecs[i].bytes, vecs[i].len);
		ck_assert_int_eq(amt_decode(b, vecs[i].len, &ref), AMT_OK);
		switch (b[0]) {
		case AMT_DISCOVERY:
		case AMT_ADVERTISEMENT:
			b[1] = b[2] = b[3] = 0xff;
			break;
		case AMT_REQUEST:
			b[1] |= 0xfe;
			b[2] = b[3] = 0xff;
			break;
		case AMT_QUERY:
			b[1] |= 0xfc;
			break;
		default:
			b[1] = 0xff;
		}
		ck_assert_int_eq(amt_decode(b, vecs[i].len, &m), AMT_OK);
		ck_assert_uint_eq(m.flags, ref.flags);
		ck_assert_uint_eq(m.nonce, ref.nonce);
		ck_assert_uint_eq(m.inner_len, ref.inner_len);
	}
}
END_TEST

START_TEST(test_bad_inner)
{
	uint8_t		 b[MAXMSG];
	struct amt_msg	 m;

	/* Query whose inner IP total length exceeds the message. */
	memcpy(b, vecs[5].bytes, vecs[5].len);
	b[12 + 3] = sizeof(v_query) + 1;
	ck_assert_int_eq(amt_decode(b, vecs[5].len, &m), AMT_ERR_INNER_LEN);
	/* With G set, the G fields are not available to the datagram. */
	memcpy(b, vecs[6].bytes, vecs[6].len);
	b[12 + 3] = sizeof(v_query) + 18;
	ck_assert_int_eq(amt_decode(b, vecs[6].len, &m), AMT_ERR_INNER_LEN);
	/* Inner neither IPv4 nor IPv6. */
	memcpy(b, vecs[5].bytes, vecs[5].len);
	b[12] = 0x56;
	ck_assert_int_eq(amt_decode(b, vecs[5].len, &m), AMT_ERR_INNER);
	/* IHL below 5, and total length below the header. */
	b[12] = 0x44;
	ck_assert_int_eq(amt_decode(b, vecs[5].len, &m), AMT_ERR_INNER);
	b[12] = 0x46;
	b[12 + 2] = 0;
	b[12 + 3] = 20;
	ck_assert_int_eq(amt_decode(b, vecs[5].len, &m), AMT_ERR_INNER);
	/* Data carrying an IPv6 header that claims more than is there. */
	memset(b, 0, sizeof(b));
	b[0] = AMT_DATA;
	b[2] = 0x60;
	b[2 + 5] = 10;		/* payload length 10, none present */
	ck_assert_int_eq(amt_decode(b, 2 + 40, &m), AMT_ERR_INNER_LEN);
	ck_assert_int_eq(amt_decode(b, 2 + 50, &m), AMT_OK);
	ck_assert_uint_eq(m.inner_ver, 6);
	ck_assert_uint_eq(m.inner_len, 50);
	ck_assert_int_eq(amt_decode(b, 2 + 39, &m), AMT_ERR_SHORT);
	/* Data with trailing octets past the IP datagram: length is IP's. */
	memset(b, 0, sizeof(b));
	b[0] = AMT_DATA;
	memcpy(b + 2, v_data, sizeof(v_data));
	ck_assert_int_eq(amt_decode(b, 2 + sizeof(v_data) + 7, &m), AMT_OK);
	ck_assert_uint_eq(m.inner_len, sizeof(v_data));
}
END_TEST

/* Encoding the decoded vectors gives back the exact bytes. */
START_TEST(test_encode_vectors)
{
	const struct vec	*v = &vecs[_i];
	struct amt_msg		 m;
	uint8_t			 out[MAXMSG];
	struct wbuf		 w;
	size_t			 cap;

	ck_assert_int_eq(amt_decode(v->bytes, v->len, &m), AMT_OK);
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(amt_encode(&m, v->bytes + m.inner_off, &w), 0);
	ck_assert_uint_eq(w.len, v->len);
	ck_assert_mem_eq(out, v->bytes, v->len);
	/* Any smaller buffer fails. */
	for (cap = 0; cap < v->len; cap++) {
		wbuf_init(&w, out, cap);
		ck_assert_int_eq(amt_encode(&m, v->bytes + m.inner_off, &w),
		    -1);
	}
}
END_TEST

START_TEST(test_encode_rejects)
{
	struct amt_msg	 m;
	uint8_t		 out[64];
	struct wbuf	 w;

	memset(&m, 0, sizeof(m));
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(amt_encode(&m, NULL, &w), -1);	/* type 0 */
	m.type = 8;
	ck_assert_int_eq(amt_encode(&m, NULL, &w), -1);
	m.type = AMT_ADVERTISEMENT;
	m.relay_af = 12345;
	ck_assert_int_eq(amt_encode(&m, NULL, &w), -1);
	m.type = AMT_UPDATE;
	m.inner_len = 4;
	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(amt_encode(&m, NULL, &w), -1);
	ck_assert_str_eq(amt_type_name(4), "Membership Query");
	ck_assert_str_eq(amt_type_name(99), "unknown");
	ck_assert_str_eq(amt_strerror(AMT_ERR_ADDRLEN),
	    "bad relay address length");
	ck_assert_str_eq(amt_strerror((enum amt_err)99), "unknown error");
}
END_TEST

/* Random messages of every type survive encode then decode. */
START_TEST(test_random_roundtrip)
{
	uint32_t	 seed = UNIT_SEED;
	struct amt_msg	 m, d;
	uint8_t		 inner[1500], out[1600];
	struct wbuf	 w;
	size_t		 ilen, i;
	int		 n;

	for (n = 0; n < 20000; n++) {
		memset(&m, 0, sizeof(m));
		m.type = (uint8_t)(1 + xorshift32(&seed) % 7);
		m.nonce = xorshift32(&seed);
		for (i = 0; i < 6; i++)
			m.mac[i] = (uint8_t)xorshift32(&seed);
		m.gw_port = (uint16_t)xorshift32(&seed);
		for (i = 0; i < 16; i++)
			m.gw_addr[i] = (uint8_t)xorshift32(&seed);
		m.relay_af = xorshift32(&seed) & 1 ? AF_INET : AF_INET6;
		for (i = 0; i < 16; i++)
			m.relay_addr[i] = m.relay_af == AF_INET && i >= 4 ? 0 :
			    (uint8_t)xorshift32(&seed);
		if (m.type == AMT_REQUEST)
			m.flags = xorshift32(&seed) & AMT_FLAG_P;
		if (m.type == AMT_QUERY)
			m.flags = xorshift32(&seed) & 3;
		/* A random IPv4 datagram with a consistent length. */
		ilen = 20 + xorshift32(&seed) % 1000;
		for (i = 0; i < ilen; i++)
			inner[i] = (uint8_t)xorshift32(&seed);
		inner[0] = 0x45;
		inner[2] = (uint8_t)(ilen >> 8);
		inner[3] = (uint8_t)ilen;
		if (m.type == AMT_QUERY || m.type == AMT_UPDATE ||
		    m.type == AMT_DATA)
			m.inner_len = ilen;
		wbuf_init(&w, out, sizeof(out));
		ck_assert_int_eq(amt_encode(&m, inner, &w), 0);
		ck_assert_int_eq(amt_decode(out, w.len, &d), AMT_OK);
		ck_assert_uint_eq(d.type, m.type);
		ck_assert_uint_eq(d.flags, m.flags);
		switch (m.type) {
		case AMT_DISCOVERY:
		case AMT_REQUEST:
			ck_assert_uint_eq(d.nonce, m.nonce);
			break;
		case AMT_ADVERTISEMENT:
			ck_assert_uint_eq(d.nonce, m.nonce);
			ck_assert_int_eq(d.relay_af, m.relay_af);
			ck_assert_mem_eq(d.relay_addr, m.relay_addr, 16);
			break;
		case AMT_QUERY:
		case AMT_UPDATE:
		case AMT_DATA:
			ck_assert_uint_eq(d.inner_len, ilen);
			ck_assert_mem_eq(out + d.inner_off, inner, ilen);
			if (m.type == AMT_DATA)
				break;
			ck_assert_uint_eq(d.nonce, m.nonce);
			ck_assert_mem_eq(d.mac, m.mac, 6);
			if (m.type == AMT_QUERY && (m.flags & AMT_FLAG_G)) {
				ck_assert_uint_eq(d.gw_port, m.gw_port);
				ck_assert_mem_eq(d.gw_addr, m.gw_addr, 16);
			}
			break;
		case AMT_TEARDOWN:
			ck_assert_uint_eq(d.nonce, m.nonce);
			ck_assert_mem_eq(d.mac, m.mac, 6);
			ck_assert_uint_eq(d.gw_port, m.gw_port);
			ck_assert_mem_eq(d.gw_addr, m.gw_addr, 16);
			break;
		}
	}
}
END_TEST

static void
setup(void)
{
	make_vectors();
}

Suite *
amt_proto_suite(void)
{
	Suite	*s = suite_create("amt_proto");
	TCase	*tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_discovery);
	tcase_add_test(tc, test_advertisement);
	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_query);
	tcase_add_test(tc, test_query_l_and_padding);
	tcase_add_test(tc, test_update_data_teardown);
	tcase_add_loop_test(tc, test_truncations, 0, (int)NVEC_ALL());
	tcase_add_test(tc, test_bad_version_and_type);
	tcase_add_test(tc, test_reserved_ignored);
	tcase_add_test(tc, test_bad_inner);
	tcase_add_loop_test(tc, test_encode_vectors, 0, (int)NVEC_ALL());
	tcase_add_test(tc, test_encode_rejects);
	tcase_add_test(tc, test_random_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}
