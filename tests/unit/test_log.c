/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* log.c: the rate limiter used for per-packet messages. */

#include "log.h"
#include "unit.h"

START_TEST(test_ratelimit)
{
	struct ratelimit	 rl = RATELIMIT_INIT(1000, 3);
	int			 i, ok = 0;

	for (i = 0; i < 10; i++)
		ok += ratelimit_ok(&rl, 5000);
	ck_assert_int_eq(ok, 3);
	ck_assert_uint_eq(rl.suppressed, 7);
	/* Still inside the window. */
	ck_assert_int_eq(ratelimit_ok(&rl, 5999), 0);
	/* A new window: allowed again, the count resets. */
	ck_assert_int_eq(ratelimit_ok(&rl, 6000), 1);
	ck_assert_uint_eq(rl.suppressed, 0);
	ck_assert_uint_eq(rl.used, 1);
	/* Time zero is a valid first call. */
	rl = (struct ratelimit)RATELIMIT_INIT(10, 1);
	ck_assert_int_eq(ratelimit_ok(&rl, 0), 1);
	ck_assert_int_eq(ratelimit_ok(&rl, 5), 0);
	ck_assert_int_eq(ratelimit_ok(&rl, 11), 1);
}
END_TEST

START_TEST(test_verbose)
{
	log_setverbose(0);
	ck_assert_int_eq(log_debug_enabled(), 0);
	log_setverbose(1);		/* -v: protocol events */
	ck_assert_int_eq(log_debug_enabled(), 1);
	ck_assert_int_eq(log_packet_enabled(), 0);
	log_setverbose(2);		/* -vv: single packets too */
	ck_assert_int_eq(log_getverbose(), 2);
	ck_assert_int_eq(log_packet_enabled(), 1);
	log_setverbose(0);
}
END_TEST

Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_ratelimit);
	tcase_add_test(tc, test_verbose);
	suite_add_tcase(s, tc);
	return s;
}
