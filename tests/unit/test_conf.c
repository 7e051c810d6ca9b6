/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* conf.c: tokenizing, keyword lookup, ranged numbers, error lines. */

#include <net/if.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#include "conf.h"
#include "unit.h"

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

/* A table with one directive of every type. */
struct tconf {
	unsigned	 num;
	uint32_t	 ms;
	int		 flag;
	char		 str[8];
	char		 ifname[IFNAMSIZ];
	uint32_t	 addr;
	struct prefix4	 pfx;
	uint32_t	 other;
	unsigned	 nmulti;
	unsigned	 fixed;
};

static int
parse_multi(struct conf_parse *p, const struct conf_item *it,
    const struct conf_args *a, void *conf)
{
	struct tconf	*c = conf;

	(void)p;
	(void)it;
	c->nmulti += (unsigned)a->argc - 1;
	return 0;
}

static void
print_multi(const struct conf_item *it, const void *conf, FILE *fp)
{
	const struct tconf	*c = conf;
	unsigned		 i;

	for (i = 0; i < c->nmulti; i++)
		fprintf(fp, "%s x\n", it->name);
}

static int
tcheck(struct conf_parse *p, void *conf)
{
	struct tconf	*c = conf;

	if (c->num > 5 && c->ms > 5000)
		conf_error_at(p, "num", "num %u with ms %s (%s)", c->num,
		    conf_time_str(c->ms), conf_where(p, "ms"));
	return 0;
}

#define T	struct tconf
static const struct conf_item titems[] = {
	CI_UINT("num", T, num, 1, 10, "3", 0),
	CI_TIME("ms", T, ms, 100, 60000, 100, "1.5", 0),
	CI_BOOL("flag", T, flag, "on", 0),
	CI_STRING("str", T, str, "abc", CF_RESTART),
	CI_IFNAME("ifname", T, ifname, NULL, CF_OPTIONAL),
	CI_ADDR4("addr", T, addr, NULL, CF_OPTIONAL, .excludes = "other"),
	CI_MPREFIX4("pfx", T, pfx, "232.0.0.0/8", 0),
	CI_ADDR4("other", T, other, NULL, CF_OPTIONAL, .excludes = "addr"),
	CI_CUSTOM("multi", T, nmulti, 2, parse_multi, print_multi, CF_MULTI),
	CI_UINT("fixed", T, fixed, 0, 9, "0", CF_RESTART),
};
#undef T
static const struct conf_table ttable = { .daemon = "test",
    .size = sizeof(struct tconf), .items = titems, .n = 10, .check = tcheck };

static int
tparse(const char *text, struct tconf *c)
{
	FILE	*fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	int	 rv;

	memset(c, 0, sizeof(*c));
	conf_defaults(&ttable, c);
	rv = conf_parse(&ttable, c, fp, "t.conf");
	fclose(fp);
	return rv;
}

START_TEST(test_table_values)
{
	struct tconf	 c, d;
	char		*out = NULL;
	size_t		 outlen = 0;
	FILE		*fp;

	ck_assert_int_eq(tparse("", &c), 0);
	ck_assert_uint_eq(c.num, 3);
	ck_assert_uint_eq(c.ms, 1500);
	ck_assert_int_eq(c.flag, 1);
	ck_assert_str_eq(c.str, "abc");
	ck_assert_uint_eq(c.pfx.addr, 0xe8000000U);
	ck_assert_int_eq(tparse("num 10\nms 0.2\nflag off\nstr \"x y\"\n"
	    "ifname eth0\naddr 10.0.0.1\npfx 239.0.0.0/8\nmulti a b\n"
	    "multi c\n", &c), 0);
	ck_assert_uint_eq(c.num, 10);
	ck_assert_uint_eq(c.ms, 200);
	ck_assert_int_eq(c.flag, 0);
	ck_assert_str_eq(c.str, "x y");
	ck_assert_uint_eq(c.addr, 0x0a000001);
	ck_assert_uint_eq(c.nmulti, 3);
	/* Printed, it parses to the same. */
	fp = open_memstream(&out, &outlen);
	conf_print(&ttable, &c, fp);
	fclose(fp);
	ck_assert_ptr_null(strstr(out, "other"));	/* optional, unset */
	ck_assert_int_eq(tparse(out, &d), 0);
	ck_assert_mem_eq(&c, &d, sizeof(c));
	free(out);
}
END_TEST

START_TEST(test_table_errors)
{
	static const char *const bad[] = {
		"num\n",			/* missing argument */
		"num 1 2\n",			/* too many */
		"nope 1\n",			/* unknown */
		"num 11\n",			/* out of range */
		"ms 0.25\n",			/* not tenths */
		"flag yes\n",			/* on or off only */
		"str \"12345678\"\n",		/* too long */
		"ifname a/b\n",			/* bad name */
		"addr 224.0.0.1\n",		/* not unicast */
		"pfx 10.0.0.0/8\n",		/* not multicast */
		"multi a b c\n",		/* too many for it */
		"num 2\nnum 3\n",		/* repeated */
		"addr 10.0.0.1\nother 10.0.0.2\n",	/* excluded */
		"num 6\nms 6\n",		/* the check */
	};
	struct tconf	 c;
	unsigned	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tparse(bad[i], &c) == -1, "accepted: %s", bad[i]);
	ck_assert_int_eq(tparse("num 2\nnum 3\n", &c), -1);
	ck_assert_uint_eq(c.num, 2);		/* the first one stays */
	ck_assert_int_eq(tparse("num 6\n", &c), 0);
	ck_assert_int_eq(tparse("multi a b\nmulti c\n", &c), 0);
}
END_TEST

START_TEST(test_table_lines_and_restart)
{
	static char		 text[] = "\n\nms 2\n";
	struct conf_parse	 p;
	struct conf_args	 a;
	struct tconf		 old, nc;
	FILE			*fp = fmemopen(text, strlen(text), "r");

	/* conf_line and conf_where follow what a parse recorded. */
	memset(&p, 0, sizeof(p));
	p.t = &ttable;
	conf_from_fp(&p.r, fp, "t.conf");
	ck_assert_int_eq(conf_next(&p.r, &a), 1);
	p.line[1] = p.r.lineno;
	ck_assert_int_eq(conf_line(&p, "ms"), 3);
	ck_assert_int_eq(conf_line(&p, "num"), 0);
	ck_assert_str_eq(conf_where(&p, "ms"), "line 3");
	ck_assert_str_eq(conf_where(&p, "num"), "the default");
	conf_close(&p.r);
	fclose(fp);
	/* A reload: what needs a restart keeps its running value. */
	ck_assert_int_eq(tparse("str one\nfixed 1\nnum 4\n", &old), 0);
	ck_assert_int_eq(tparse("str two\nfixed 1\nnum 5\n", &nc), 0);
	ck_assert_uint_eq(conf_restart_diff(&ttable, &nc, &old, "t.conf"), 1);
	ck_assert_str_eq(nc.str, "one");
	ck_assert_uint_eq(nc.num, 5);
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
	tcase_add_test(tc, test_table_values);
	tcase_add_test(tc, test_table_errors);
	tcase_add_test(tc, test_table_lines_and_restart);
	suite_add_tcase(s, tc);
	return s;
}
