/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* emit.c: the same calls, rendered as JSON, as text and for Prometheus. */

#include <string.h>

#include "emit.h"
#include "unit.h"

static void
sample(struct emit *e)
{
	emit_str(e, "state", "established");
	emit_u64(e, "count", 42);
	emit_i64(e, "next", -1);
	emit_bool(e, "querier", 1);
	emit_obj(e, "relay");
	emit_str(e, "address", "10.0.0.1");
	emit_end(e);
	emit_arr(e, "groups");
	emit_obj(e, NULL);
	emit_str(e, "group", "232.1.1.1");
	emit_arr(e, "sources");
	emit_str(e, NULL, "10.9.9.9");
	emit_end(e);
	emit_end(e);
	emit_obj(e, NULL);
	emit_end(e);
	emit_end(e);
	emit_str(e, "quote", "a\"b\\c\n");
	emit_done(e);
}

START_TEST(test_json)
{
	struct emit	 e;
	static const char want[] = "{\"state\":\"established\",\"count\":42,"
	    "\"next\":-1,\"querier\":true,\"relay\":{\"address\":\"10.0.0.1\"},"
	    "\"groups\":[{\"group\":\"232.1.1.1\",\"sources\":[\"10.9.9.9\"]},"
	    "{}],\"quote\":\"a\\\"b\\\\c\\u000a\"}\n";

	emit_init(&e, 1);
	sample(&e);
	ck_assert_int_eq(e.failed, 0);
	ck_assert_uint_eq(e.len, strlen(want));
	ck_assert_mem_eq(e.buf, want, e.len);
	emit_free(&e);
}
END_TEST

START_TEST(test_text)
{
	struct emit	 e;
	static const char want[] =
	    "state established\n"
	    "count 42\n"
	    "next -1\n"
	    "querier yes\n"
	    "relay\n"
	    "  address 10.0.0.1\n"
	    "groups\n"
	    "  - group 232.1.1.1\n"
	    "    sources\n"
	    "      - 10.9.9.9\n"
	    "  - \n"
	    "quote a\"b\\c\n\n";

	emit_init(&e, 0);
	sample(&e);
	ck_assert_int_eq(e.failed, 0);
	ck_assert_str_eq(e.buf, want);
	emit_free(&e);
}
END_TEST

/*
 * Prometheus: numbers by path, counters as _total, an element's strings
 * as labels of what it holds (index when it has none), other strings as
 * _info, booleans as 0/1, every name under one TYPE line.
 */
START_TEST(test_prometheus)
{
	struct emit	 e;
	static const char want[] =
	    "# TYPE amtgwd_count gauge\n"
	    "amtgwd_count 42\n"
	    "# TYPE amtgwd_counters_update_sent_total counter\n"
	    "amtgwd_counters_update_sent_total 7\n"
	    "# TYPE amtgwd_groups_joined gauge\n"
	    "amtgwd_groups_joined{group=\"232.1.1.1\",mode=\"include\"} 1\n"
	    "amtgwd_groups_joined{index=\"1\"} 0\n"
	    "# TYPE amtgwd_groups_sources gauge\n"
	    "amtgwd_groups_sources{group=\"232.1.1.1\",mode=\"include\","
	    "value=\"10.9.9.9\"} 1\n"
	    "# TYPE amtgwd_groups_sources_timer_ms gauge\n"
	    "amtgwd_groups_sources_timer_ms{group=\"232.1.1.1\","
	    "mode=\"include\",source=\"10.9.9.9\"} 250\n"
	    "# TYPE amtgwd_next gauge\n"
	    "amtgwd_next -1\n"
	    "# TYPE amtgwd_relay_address_info gauge\n"
	    "amtgwd_relay_address_info{address=\"10.0.0.1\"} 1\n"
	    "# TYPE amtgwd_relay_port gauge\n"
	    "amtgwd_relay_port 2268\n"
	    "# TYPE amtgwd_state_info gauge\n"
	    "amtgwd_state_info{state=\"a\\\"b\"} 1\n"
	    "# TYPE amtgwd_the_querier gauge\n"
	    "amtgwd_the_querier 1\n";

	emit_init(&e, EMIT_PROM);
	emit_prefix(&e, "amtgwd");
	emit_str(&e, "state", "a\"b");
	emit_u64(&e, "count", 42);
	emit_i64(&e, "next", -1);
	emit_bool(&e, "the-querier", 1);
	emit_obj(&e, "relay");
	emit_str(&e, "address", "10.0.0.1");
	emit_u64(&e, "port", 2268);
	emit_end(&e);
	emit_arr(&e, "groups");
	emit_obj(&e, NULL);
	emit_str(&e, "group", "232.1.1.1");
	emit_bool(&e, "joined", 1);
	emit_arr(&e, "sources");
	emit_str(&e, NULL, "10.9.9.9");
	emit_obj(&e, NULL);
	emit_str(&e, "source", "10.9.9.9");
	emit_u64(&e, "timer-ms", 250);
	emit_end(&e);
	emit_end(&e);
	emit_str(&e, "mode", "include");
	emit_end(&e);
	emit_obj(&e, NULL);
	emit_bool(&e, "joined", 0);
	emit_end(&e);
	emit_end(&e);
	emit_obj(&e, "counters");
	emit_u64(&e, "update-sent", 7);
	emit_end(&e);
	emit_done(&e);
	ck_assert_int_eq(e.failed, 0);
	ck_assert_str_eq(e.buf, want);
	emit_free(&e);
}
END_TEST

START_TEST(test_depth_limit)
{
	struct emit	 e;
	int		 i;

	emit_init(&e, 1);
	for (i = 0; i < EMIT_DEPTH + 2; i++)
		emit_obj(&e, "x");
	ck_assert_int_eq(e.failed, 1);
	emit_done(&e);
	emit_free(&e);
}
END_TEST

Suite *
emit_suite(void)
{
	Suite	*s = suite_create("emit");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_prometheus);
	tcase_add_test(tc, test_depth_limit);
	suite_add_tcase(s, tc);
	return s;
}
