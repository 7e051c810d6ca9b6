/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* addr.c: parsing, printing, prefixes, the v4-compatible form. */

#include <sys/socket.h>

#include <string.h>

#include "addr.h"
#include "unit.h"

START_TEST(test_parse_print)
{
	uint32_t	 a;
	struct ipaddr	 ip, ip2;

	ck_assert_int_eq(addr4_parse("192.52.193.1", &a), 0);
	ck_assert_uint_eq(a, 0xc034c101);
	ck_assert_str_eq(addr4_ntoa(a), "192.52.193.1");
	ck_assert_int_eq(addr4_parse("1.2.3", &a), -1);
	ck_assert_int_eq(addr4_parse("256.1.1.1", &a), -1);
	ck_assert_int_eq(addr4_parse("", &a), -1);
	ck_assert_int_eq(ipaddr_parse("2001:3::1", &ip), 0);
	ck_assert_int_eq(ip.af, AF_INET6);
	ck_assert_str_eq(ipaddr_ntoa(&ip), "2001:3::1");
	ck_assert_int_eq(ipaddr_parse("10.1.2.3", &ip2), 0);
	ck_assert_int_eq(ip2.af, AF_INET);
	ck_assert(!ipaddr_eq(&ip, &ip2));
	ck_assert(ipaddr_eq(&ip2, &ip2));
	ck_assert_int_eq(ipaddr_parse("nonsense", &ip), -1);
	ck_assert_int_eq(ipaddr_parse("232.1.1.1", &ip), 0);
	ck_assert(ipaddr_is_mcast(&ip));
	ck_assert_int_eq(ipaddr_parse("ff3e::1", &ip), 0);
	ck_assert(ipaddr_is_mcast(&ip));
	ck_assert(!ipaddr_is_mcast(&ip2));
}
END_TEST

START_TEST(test_prefix)
{
	struct prefix4	 p;

	ck_assert_int_eq(prefix4_parse("232.0.0.0/8", &p), 0);
	ck_assert_uint_eq(p.addr, 0xe8000000);
	ck_assert_uint_eq(p.len, 8);
	ck_assert(prefix4_contains(&p, 0xe8010101));
	ck_assert(!prefix4_contains(&p, 0xe9010101));
	ck_assert_str_eq(prefix4_ntoa(&p), "232.0.0.0/8");
	ck_assert_int_eq(prefix4_parse("232.1.0.0/8", &p), -1);	/* host bits */
	ck_assert_int_eq(prefix4_parse("10.0.0.0/33", &p), -1);
	ck_assert_int_eq(prefix4_parse("10.0.0.0/", &p), -1);
	ck_assert_int_eq(prefix4_parse("10.0.0.0/8x", &p), -1);
	ck_assert_int_eq(prefix4_parse("10.0.0.1", &p), 0);
	ck_assert_uint_eq(p.len, 32);
	ck_assert_int_eq(prefix4_parse("0.0.0.0/0", &p), 0);
	ck_assert(prefix4_contains(&p, 0x01020304));
	ck_assert_uint_eq(prefix4_mask(0), 0);
	ck_assert_uint_eq(prefix4_mask(24), 0xffffff00);
	ck_assert_uint_eq(prefix4_mask(32), 0xffffffff);
	ck_assert(IN4_MCAST(0xe0000001));
	ck_assert(IN4_LOCAL_MCAST(0xe00000fb));
	ck_assert(!IN4_LOCAL_MCAST(0xe0000100));
	ck_assert(!IN4_MCAST(0xf0000000));
}
END_TEST

START_TEST(test_v4compat_and_sockaddr)
{
	struct ipaddr		 a, b;
	uint8_t			 raw[16];
	struct sockaddr_storage	 ss, ss2;
	socklen_t		 sl;
	uint16_t		 port;
	static const uint8_t	 want[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 10, 0, 0, 2 };

	ck_assert_int_eq(ipaddr_parse("10.0.0.2", &a), 0);
	ipaddr_to_v4compat(&a, raw);
	ck_assert_mem_eq(raw, want, 16);
	ck_assert_int_eq(ipaddr_from_v4compat(raw, &b), 1);
	ck_assert(ipaddr_eq(&a, &b));
	ck_assert_int_eq(ipaddr_parse("2001:db8::5", &a), 0);
	ipaddr_to_v4compat(&a, raw);
	ck_assert_int_eq(ipaddr_from_v4compat(raw, &b), 0);
	ck_assert(ipaddr_eq(&a, &b));

	ck_assert_int_eq(ipaddr_parse("10.9.8.7", &a), 0);
	ipaddr_to_sockaddr(&a, 2268, &ss, &sl);
	ck_assert_uint_eq(sl, sizeof(struct sockaddr_in));
	ck_assert_str_eq(sockaddr_ntoa(&ss), "10.9.8.7:2268");
	ck_assert_int_eq(ipaddr_from_sockaddr(&ss, &b, &port), 0);
	ck_assert_uint_eq(port, 2268);
	ck_assert(ipaddr_eq(&a, &b));
	ipaddr_to_sockaddr(&a, 2269, &ss2, &sl);
	ck_assert(!sockaddr_eq(&ss, &ss2));
	ipaddr_to_sockaddr(&a, 2268, &ss2, &sl);
	ck_assert(sockaddr_eq(&ss, &ss2));
	ck_assert_int_eq(ipaddr_parse("2001:db8::5", &a), 0);
	ipaddr_to_sockaddr(&a, 1, &ss, &sl);
	ck_assert_str_eq(sockaddr_ntoa(&ss), "[2001:db8::5]:1");
	memset(&ss, 0, sizeof(ss));
	ck_assert_int_eq(ipaddr_from_sockaddr(&ss, &b, &port), -1);
	ck_assert_str_eq(sockaddr_ntoa(&ss), "(unknown)");
}
END_TEST

Suite *
addr_suite(void)
{
	Suite	*s = suite_create("addr");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_parse_print);
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_v4compat_and_sockaddr);
	suite_add_tcase(s, tc);
	return s;
}
