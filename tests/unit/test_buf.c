/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* buf.c: every getter fails without moving; writers stop at capacity. */

#include <string.h>

#include "buf.h"
#include "unit.h"

static const uint8_t data[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

START_TEST(test_get_sequence)
{
	struct buf	 b;
	uint8_t		 u8, bytes[2];
	uint16_t	 u16;
	uint32_t	 u32;

	buf_init(&b, data, sizeof(data));
	ck_assert_int_eq(buf_get_u8(&b, &u8), 0);
	ck_assert_uint_eq(u8, 0x01);
	ck_assert_int_eq(buf_get_u16(&b, &u16), 0);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_int_eq(buf_get_u32(&b, &u32), 0);
	ck_assert_uint_eq(u32, 0x04050607);
	ck_assert_uint_eq(buf_left(&b), 0);
	ck_assert_int_eq(buf_get_u8(&b, &u8), -1);
	ck_assert_int_eq(buf_get_bytes(&b, bytes, 1), -1);
	ck_assert_int_eq(buf_get_bytes(&b, bytes, 0), 0);
}
END_TEST

/* For each length 0..7 and each getter: short input leaves the cursor. */
START_TEST(test_short_reads_do_not_move)
{
	struct buf	 b, sub;
	size_t		 len = (size_t)_i;
	uint8_t		 u8, tmp[8];
	uint16_t	 u16;
	uint32_t	 u32;

	buf_init(&b, data, len);
	ck_assert_int_eq(buf_get_u8(&b, &u8), len >= 1 ? 0 : -1);
	buf_init(&b, data, len);
	ck_assert_int_eq(buf_get_u16(&b, &u16), len >= 2 ? 0 : -1);
	ck_assert_uint_eq(b.off, len >= 2 ? 2 : 0);
	buf_init(&b, data, len);
	ck_assert_int_eq(buf_get_u32(&b, &u32), len >= 4 ? 0 : -1);
	ck_assert_uint_eq(b.off, len >= 4 ? 4 : 0);
	buf_init(&b, data, len);
	ck_assert_int_eq(buf_get_bytes(&b, tmp, 5), len >= 5 ? 0 : -1);
	ck_assert_uint_eq(b.off, len >= 5 ? 5 : 0);
	buf_init(&b, data, len);
	ck_assert_int_eq(buf_skip(&b, 6), len >= 6 ? 0 : -1);
	ck_assert_uint_eq(b.off, len >= 6 ? 6 : 0);
	buf_init(&b, data, len);
	ck_assert_int_eq(buf_get_sub(&b, 3, &sub), len >= 3 ? 0 : -1);
	ck_assert_uint_eq(b.off, len >= 3 ? 3 : 0);
	buf_init(&b, data, len);
	ck_assert_int_eq(buf_peek_u16(&b, 1, &u16), len >= 3 ? 0 : -1);
	ck_assert_uint_eq(b.off, 0);
	ck_assert_int_eq(buf_peek_u8(&b, 2, &u8), len >= 3 ? 0 : -1);
}
END_TEST

START_TEST(test_sub_and_peek)
{
	struct buf	 b, sub;
	uint16_t	 u16;
	uint8_t		 u8;

	buf_init(&b, data, sizeof(data));
	ck_assert_int_eq(buf_skip(&b, 1), 0);
	ck_assert_int_eq(buf_get_sub(&b, 3, &sub), 0);
	ck_assert_uint_eq(buf_left(&sub), 3);
	ck_assert_int_eq(buf_get_u16(&sub, &u16), 0);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_int_eq(buf_get_u16(&sub, &u16), -1);	/* bounded */
	ck_assert_int_eq(buf_get_u8(&sub, &u8), 0);
	ck_assert_uint_eq(u8, 0x04);
	ck_assert_int_eq(buf_peek_u8(&b, 0, &u8), 0);
	ck_assert_uint_eq(u8, 0x05);
	ck_assert_int_eq(buf_peek_u16(&b, 1, &u16), 0);
	ck_assert_uint_eq(u16, 0x0607);
	ck_assert_int_eq(buf_peek_u16(&b, 2, &u16), -1);
	ck_assert_int_eq(buf_peek_u8(&b, (size_t)-1, &u8), -1);
	buf_init(&b, NULL, 10);
	ck_assert_uint_eq(buf_left(&b), 0);
}
END_TEST

START_TEST(test_writer)
{
	uint8_t		 out[7];
	struct wbuf	 w;
	size_t		 at;
	static const uint8_t want[] = { 0xaa, 0x12, 0x34, 0xde, 0xad, 0xbe,
	    0xef };

	wbuf_init(&w, out, sizeof(out));
	ck_assert_int_eq(wbuf_put_u8(&w, 0xaa), 0);
	ck_assert_int_eq(wbuf_reserve(&w, 2, &at), 0);
	ck_assert_uint_eq(at, 1);
	ck_assert_int_eq(wbuf_put_u32(&w, 0xdeadbeef), 0);
	ck_assert_uint_eq(wbuf_left(&w), 0);
	ck_assert_int_eq(wbuf_put_u8(&w, 1), -1);
	ck_assert_int_eq(wbuf_put_u16(&w, 1), -1);
	ck_assert_int_eq(wbuf_put_u32(&w, 1), -1);
	ck_assert_int_eq(wbuf_put_bytes(&w, "x", 1), -1);
	ck_assert_int_eq(wbuf_put_zero(&w, 1), -1);
	ck_assert_uint_eq(w.len, 7);
	ck_assert_int_eq(wbuf_set_u16(&w, at, 0x1234), 0);
	ck_assert_mem_eq(out, want, sizeof(want));
	/* Back-patching only inside what was written. */
	ck_assert_int_eq(wbuf_set_u16(&w, 6, 1), -1);
	ck_assert_int_eq(wbuf_set_u32(&w, 4, 1), -1);
	ck_assert_int_eq(wbuf_set_u8(&w, 7, 1), -1);
	ck_assert_int_eq(wbuf_set_u32(&w, 3, 0x01020304), 0);
	ck_assert_uint_eq(out[6], 0x04);
	ck_assert_int_eq(wbuf_set_u8(&w, 0, 0x55), 0);
	ck_assert_uint_eq(out[0], 0x55);
}
END_TEST

/* Near-full writers must not write a partial field. */
START_TEST(test_writer_partial)
{
	uint8_t		 out[4] = { 0, 0, 0, 0 };
	struct wbuf	 w;

	wbuf_init(&w, out, 3);
	ck_assert_int_eq(wbuf_put_u8(&w, 9), 0);
	ck_assert_int_eq(wbuf_put_u32(&w, 0xffffffff), -1);
	ck_assert_uint_eq(w.len, 1);
	ck_assert_uint_eq(out[1], 0);
	ck_assert_int_eq(wbuf_put_bytes(&w, "abc", 3), -1);
	ck_assert_int_eq(wbuf_put_u16(&w, 0xffff), 0);
	ck_assert_uint_eq(out[3], 0);
	wbuf_init(&w, out, 0);
	ck_assert_int_eq(wbuf_set_u8(&w, 0, 1), -1);
	ck_assert_int_eq(wbuf_reserve(&w, 1, NULL), -1);
}
END_TEST

Suite *
buf_suite(void)
{
	Suite	*s = suite_create("buf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_get_sequence);
	tcase_add_loop_test(tc, test_short_reads_do_not_move, 0, 8);
	tcase_add_test(tc, test_sub_and_peek);
	tcase_add_test(tc, test_writer);
	tcase_add_test(tc, test_writer_partial);
	suite_add_tcase(s, tc);
	return s;
}
