/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* addr.c: parsing, printing, prefixes, the v4-compatible form. */

#include <sys/socket.h>

#include <arpa/inet.h>

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

/* Prefixes of either family in the 16-byte form (access lists). */
START_TEST(test_prefix46)
{
	struct prefix46	 p;
	uint8_t		 a[16];

	ck_assert_int_eq(prefix46_parse("239.1.0.0/16", &p), 0);
	ck_assert(prefix46_is_v4(&p));
	ck_assert(prefix46_is_mcast(&p));
	ck_assert_uint_eq(p.len, 112);
	ck_assert_str_eq(prefix46_ntoa(&p), "239.1.0.0/16");
	memset(a, 0, sizeof(a));
	a[10] = a[11] = 0xff;
	a[12] = 239, a[13] = 1, a[14] = 2, a[15] = 3;
	ck_assert(prefix46_contains(&p, a));
	a[13] = 2;
	ck_assert(!prefix46_contains(&p, a));
	ck_assert_int_eq(prefix46_parse("ff3e::/33", &p), 0);
	ck_assert(!prefix46_is_v4(&p));
	ck_assert(prefix46_is_mcast(&p));
	ck_assert_str_eq(prefix46_ntoa(&p), "ff3e::/33");
	ck_assert_int_eq(inet_pton(AF_INET6, "ff3e::7fff:1", a), 1);
	ck_assert(prefix46_contains(&p, a));
	ck_assert_int_eq(inet_pton(AF_INET6, "ff3e:0:8000::1", a), 1);
	ck_assert(!prefix46_contains(&p, a));		/* bit 33 set */
	ck_assert_int_eq(prefix46_parse("ff0e::1234", &p), 0);
	ck_assert_uint_eq(p.len, 128);
	ck_assert_str_eq(prefix46_ntoa(&p), "ff0e::1234/128");
	ck_assert_int_eq(prefix46_parse("2001:db8::/32", &p), 0);
	ck_assert(!prefix46_is_mcast(&p));
	ck_assert_int_eq(prefix46_parse("fe00::/7", &p), 0);
	ck_assert(!prefix46_is_mcast(&p));		/* wider than ff00::/8 */
	ck_assert_int_eq(prefix46_parse("::/0", &p), 0);
	ck_assert(prefix46_contains(&p, a));
	/* Host bits, lengths, the mapped form, garbage. */
	ck_assert_int_eq(prefix46_parse("ff3e::1/16", &p), -1);
	ck_assert_int_eq(prefix46_parse("ff3e::/129", &p), -1);
	ck_assert_int_eq(prefix46_parse("ff3e::/", &p), -1);
	ck_assert_int_eq(prefix46_parse("ff3e::/-1", &p), -1);
	ck_assert_int_eq(prefix46_parse("::ffff:10.0.0.0/104", &p), -1);
	ck_assert_int_eq(prefix46_parse("ff3e:::1", &p), -1);
	ck_assert_int_eq(prefix46_parse("239.1.1.1/8", &p), -1);
	ck_assert_int_eq(prefix46_parse("", &p), -1);
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
	tcase_add_test(tc, test_prefix46);
	tcase_add_test(tc, test_v4compat_and_sockaddr);
	suite_add_tcase(s, tc);
	return s;
}
