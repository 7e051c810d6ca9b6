/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* conf.c: tokenizing, keyword lookup, ranged numbers, error lines. */

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "unit.h"

static const struct conf_keyword kws[] = {	/* sorted */
	{ "alpha", 1, 1, 1 },
	{ "beta", 2, 0, 2 },
	{ "gamma", 3, 2, 3 },
};

START_TEST(test_tokenize)
{
	static char	 text[] =
	    "# comment line\n"
	    "\n"
	    "   alpha   one   # trailing comment\n"
	    "beta\t\"two words\" x#y\n"
	    "gamma a b c\n";
	FILE			*fp = fmemopen(text, strlen(text), "r");
	struct conf_reader	 r;
	struct conf_args	 a;

	conf_from_fp(&r, fp, "t.conf");
	ck_assert_int_eq(conf_next(&r, &a), 1);
	ck_assert_int_eq(r.lineno, 3);
	ck_assert_int_eq(a.argc, 2);
	ck_assert_str_eq(a.argv[0], "alpha");
	ck_assert_str_eq(a.argv[1], "one");
	ck_assert_int_eq(conf_next(&r, &a), 1);
	ck_assert_int_eq(a.argc, 3);
	ck_assert_str_eq(a.argv[1], "two words");
	ck_assert_str_eq(a.argv[2], "x");
	ck_assert_int_eq(conf_next(&r, &a), 1);
	ck_assert_int_eq(a.argc, 4);
	ck_assert_int_eq(r.lineno, 5);
	ck_assert_int_eq(conf_next(&r, &a), 0);
	ck_assert_int_eq(r.errors, 0);
	conf_close(&r);
	fclose(fp);
}
END_TEST

START_TEST(test_errors)
{
	static char	 text[] =
	    "alpha \"unterminated\n"
	    "alpha \"x\"y\n"
	    "a b c d e f g h i j k l m n o p q\n"
	    "ok\n";
	FILE			*fp = fmemopen(text, strlen(text), "r");
	struct conf_reader	 r;
	struct conf_args	 a;

	conf_from_fp(&r, fp, "t.conf");
	ck_assert_int_eq(conf_next(&r, &a), 1);
	ck_assert_str_eq(a.argv[0], "ok");
	ck_assert_int_eq(r.lineno, 4);
	ck_assert_int_eq(r.errors, 3);
	conf_close(&r);
	fclose(fp);
}
END_TEST

START_TEST(test_long_and_nul_lines)
{
	char			 text[3000];
	FILE			*fp;
	struct conf_reader	 r;
	struct conf_args	 a;
	size_t			 n;

	memset(text, 'x', 2000);
	text[2000] = '\n';
	memcpy(text + 2001, "a\0b\nlast\n", 9);
	n = 2010;
	fp = fmemopen(text, n, "r");
	conf_from_fp(&r, fp, "t.conf");
	ck_assert_int_eq(conf_next(&r, &a), 1);
	ck_assert_str_eq(a.argv[0], "last");
	ck_assert_int_eq(r.lineno, 3);
	ck_assert_int_eq(r.errors, 2);
	conf_close(&r);
	fclose(fp);
}
END_TEST

START_TEST(test_directive_and_values)
{
	static char	 text[] = "alpha\nbeta 1 2 3\ndelta\ngamma x y\n";
	FILE			*fp = fmemopen(text, strlen(text), "r");
	struct conf_reader	 r;
	struct conf_args	 a;
	unsigned		 v;
	int			 b;
	char			 s[4];

	conf_from_fp(&r, fp, "t.conf");
	ck_assert_int_eq(conf_next(&r, &a), 1);
	ck_assert_ptr_null(conf_directive(&r, kws, 3, &a));	/* missing */
	ck_assert_int_eq(conf_next(&r, &a), 1);
	ck_assert_ptr_null(conf_directive(&r, kws, 3, &a));	/* too many */
	ck_assert_int_eq(conf_next(&r, &a), 1);
	ck_assert_ptr_null(conf_directive(&r, kws, 3, &a));	/* unknown */
	ck_assert_int_eq(conf_next(&r, &a), 1);
	ck_assert_int_eq(conf_directive(&r, kws, 3, &a)->id, 3);
	ck_assert_int_eq(r.errors, 3);

	ck_assert_int_eq(conf_uint(&r, "k", "10", 1, 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(conf_uint(&r, "k", "11", 1, 10, &v), -1);
	ck_assert_int_eq(conf_uint(&r, "k", "0", 1, 10, &v), -1);
	ck_assert_int_eq(conf_uint(&r, "k", "-1", 0, 10, &v), -1);
	ck_assert_int_eq(conf_uint(&r, "k", "5s", 0, 10, &v), -1);
	ck_assert_int_eq(conf_uint(&r, "k", "", 0, 10, &v), -1);
	ck_assert_int_eq(conf_uint(&r, "k", "99999999999999999999999", 0,
	    10, &v), -1);
	ck_assert_int_eq(conf_bool(&r, "k", "on", &b), 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(conf_bool(&r, "k", "no", &b), 0);
	ck_assert_int_eq(b, 0);
	ck_assert_int_eq(conf_bool(&r, "k", "maybe", &b), -1);
	ck_assert_int_eq(conf_string(&r, "k", "abc", s, sizeof(s)), 0);
	ck_assert_str_eq(s, "abc");
	ck_assert_int_eq(conf_string(&r, "k", "abcd", s, sizeof(s)), -1);
	ck_assert_int_eq(r.errors, 3 + 8);
	ck_assert_ptr_nonnull(conf_lookup(kws, 3, "alpha"));
	ck_assert_ptr_null(conf_lookup(kws, 3, "alph"));
	conf_close(&r);
	fclose(fp);
}
END_TEST

Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_tokenize);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_long_and_nul_lines);
	tcase_add_test(tc, test_directive_and_values);
	suite_add_tcase(s, tc);
	return s;
}
