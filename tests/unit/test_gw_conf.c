/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* amtgwd/gw_conf.c: directives, ranges, conflicts, normalized output. */

#include <stdio.h>
#include <string.h>

#include "gw.h"
#include "conf.h"
#include "unit.h"

static int
parse(const char *text, struct gw_conf *c)
{
	FILE	*fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	int	 rv;

	conf_defaults(&gw_conf_table, c);
	rv = conf_parse(&gw_conf_table, c, fp, "test.conf");
	fclose(fp);
	return rv;
}

/* A configured address: the IPv4 one given (mapped)? */
static int
v4eq(const struct mc_src6 *k, uint32_t a)
{
	return mc_src6_is_v4(k) && mc_src6_to_v4(k) == a;
}

START_TEST(test_defaults)
{
	struct gw_conf	 c;

	ck_assert_int_eq(parse("", &c), 0);
	ck_assert_str_eq(c.tunnel, "amt0");
	ck_assert_int_eq(c.fixed_relay, 0);
	ck_assert(v4eq(&c.discovery, 0xc034c101));	/* 192.52.193.1 */
	ck_assert_uint_eq(c.disc_timeout_ms, 1000);
	ck_assert_uint_eq(c.max_timeout_ms, 120000);
	/* Below the 120 s a NAT keeps a mapping (RFC 4787 REQ-5). */
	ck_assert_uint_eq(c.nat_keepalive_ms, 100000);
	ck_assert_uint_eq(c.path_mtu, 1500);
	ck_assert_uint_eq(c.inner_src, 0);
	ck_assert_uint_eq(c.report_src, 0);
}
END_TEST

START_TEST(test_all_directives)
{
	struct gw_conf	 c;
	static const char text[] =
	    "tunnel amt7\n"
	    "tunnel-address 100.64.0.1/30\n"
	    "tunnel-mtu 1400\n"
	    "relay 198.51.100.1   # fixed\n"
	    "local-address 192.0.2.2\n"
	    "local-port 40000\n"
	    "interface eth1\n"
	    "discovery-timeout 0.25\n"
	    "discovery-retries 3\n"
	    "request-timeout 2\n"
	    "request-retries 4\n"
	    "retransmit-max 60\n"
	    "nat-keepalive 25\n"
	    "teardown-interval 0.1\n"
	    "inner-source 192.0.2.77\n"
	    "path-mtu 1492\n"
	    "report-queue 8\n"
	    "receive-buffer 1024\n"
	    "user _amt\n"
	    "pidfile /tmp/x.pid\n"
	    "control-socket /tmp/x.sock\n";

	ck_assert_int_eq(parse(text, &c), 0);
	ck_assert_str_eq(c.tunnel, "amt7");
	ck_assert_uint_eq(c.tunnel_addr.addr, 0x64400001);
	ck_assert_uint_eq(c.tunnel_addr.len, 30);
	ck_assert_uint_eq(c.tunnel_mtu, 1400);
	ck_assert_int_eq(c.fixed_relay, 1);
	ck_assert(v4eq(&c.relay, 0xc6336401));
	ck_assert(v4eq(&c.local_addr, 0xc0000202));
	ck_assert_uint_eq(c.local_port, 40000);
	ck_assert_str_eq(c.ifname, "eth1");
	ck_assert_uint_eq(c.disc_timeout_ms, 250);
	ck_assert_uint_eq(c.disc_retries, 3);
	ck_assert_uint_eq(c.req_timeout_ms, 2000);
	ck_assert_uint_eq(c.req_retries, 4);
	ck_assert_uint_eq(c.max_timeout_ms, 60000);
	ck_assert_uint_eq(c.nat_keepalive_ms, 25000);
	ck_assert_uint_eq(c.teardown_interval_ms, 100);
	ck_assert_uint_eq(c.inner_src, 0xc000024d);
	ck_assert_uint_eq(c.report_src, 0xc000024d);
	ck_assert_uint_eq(c.path_mtu, 1492);
	ck_assert_uint_eq(c.rcvbuf_kb, 1024);
	ck_assert_str_eq(c.d.user, "_amt");
	ck_assert_str_eq(c.d.pidfile, "/tmp/x.pid");
	ck_assert_str_eq(c.d.ctlsock, "/tmp/x.sock");
}
END_TEST

/* Each bad line is an error on its own. */
START_TEST(test_errors)
{
	static const char *const bad[] = {
		"bogus 1\n",
		"tunnel\n",
		"tunnel a b\n",
		"tunnel-mtu 100\n",
		"tunnel-mtu 70000\n",
		"tunnel-address 10.0.0.1\n",
		"tunnel-address 10.0.0.1/33\n",
		"relay 232.1.1.1\n",
		"relay 0.0.0.0\n",
		"relay 10.0.0.300\n",
		"relay 10.0.0.1\ndiscovery 10.0.0.2\n",
		"discovery 10.0.0.2\nrelay 10.0.0.1\n",
		"local-port 70000\n",
		"discovery-timeout 0\n",
		"discovery-timeout 1.2345\n",
		"discovery-timeout -1\n",
		"request-timeout 500\n",
		"nat-keepalive 0.5\n",
		"interface a/b\n",
		"interface abcdefghijklmnopq\n",
		"discovery-timeout 100\nretransmit-max 50\n",
		"user \"\"\n",
		"path-mtu 600\n",
		"inner-source 224.0.0.1\n",
		"relay relay..example.net\n",
		"relay example.net..\n",
		"relay rel@y.example.net\n",
		"relay .\n",
		"relay 10.0.0\n",
		"relay r.example.net\ndiscovery 10.0.0.2\n",
		"driad maybe\n",
		"tunnels-max 0\n",
		"driad-lookups-max 0\n",
		"tunnel-hold -1\n",
	};
	struct gw_conf	 c;
	unsigned	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &c) == -1, "accepted: %s", bad[i]);
}
END_TEST

/* relay takes a host name; DRIAD is on unless turned off. */
START_TEST(test_relay_name)
{
	struct gw_conf	 c;

	ck_assert_int_eq(parse("relay relay-1.example.net.\n", &c), 0);
	ck_assert_str_eq(c.relay_name, "relay-1.example.net");
	ck_assert_int_eq(c.fixed_relay, 1);
	ck_assert(mc_src6_is_any(&c.relay));
	ck_assert_int_eq(c.driad, 1);
	ck_assert_uint_eq(c.tunnels_max, 64);
	ck_assert_uint_eq(c.tunnel_hold_ms, 30000);
	ck_assert_int_eq(parse("relay 10.1.2.3\ndriad off\n", &c), 0);
	ck_assert_str_eq(c.relay_name, "");
	ck_assert(v4eq(&c.relay, 0x0a010203));
	ck_assert_int_eq(c.driad, 0);
	/* An IPv6 relay, discovery address and local address. */
	ck_assert_int_eq(parse("relay 2001:db8::7\nlocal-address 2001:db8::9\n",
	    &c), 0);
	ck_assert_uint_eq(c.relay.a[0], 0x20);
	ck_assert_uint_eq(c.relay.a[15], 7);
	ck_assert_uint_eq(c.local_addr.a[15], 9);
	ck_assert_int_eq(c.fixed_relay, 1);
	ck_assert_int_eq(parse("discovery 2001:3::1\n", &c), 0);
	ck_assert_uint_eq(c.discovery.a[1], 1);
	ck_assert_uint_eq(c.discovery.a[3], 3);
	ck_assert_int_eq(parse("relay fe80::1\n", &c), -1);
	ck_assert_int_eq(parse("discovery ff02::1\n", &c), -1);
}
END_TEST

/* The inner source: inner-source, else the tunnel address, else 0. */
START_TEST(test_inner_source)
{
	struct gw_conf	 c;

	ck_assert_int_eq(parse("tunnel-address 100.64.0.1/30\n", &c), 0);
	ck_assert_uint_eq(c.report_src, 0x64400001);
	ck_assert_int_eq(parse("tunnel-address 100.64.0.1/30\n"
	    "inner-source 100.64.9.9\n", &c), 0);
	ck_assert_uint_eq(c.report_src, 0x64400909);
	/* A directive of older versions: a warning, no error. */
	ck_assert_int_eq(parse("report-queue 16\n", &c), 0);
}
END_TEST

/* -n output parses again to the same configuration. */
START_TEST(test_print_roundtrip)
{
	struct gw_conf	 a, b;
	char		 out[4096];
	FILE		*fp;

	ck_assert_int_eq(parse("tunnel-address 10.1.0.1/24\ndiscovery "
	    "10.9.9.9\nrequest-timeout 0.05\nnat-keepalive 30.5\n", &a), 0);
	fp = fmemopen(out, sizeof(out), "w");
	conf_print(&gw_conf_table, &a, fp);
	fclose(fp);
	ck_assert_int_eq(parse(out, &b), 0);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	ck_assert_ptr_nonnull(strstr(out, "request-timeout 0.05\n"));
	ck_assert_ptr_nonnull(strstr(out, "nat-keepalive 30.5\n"));
}
END_TEST

START_TEST(test_time_values)
{
	uint32_t	 ms;

	ck_assert_int_eq(time_parse("1", 0, 10000, &ms), 0);
	ck_assert_uint_eq(ms, 1000);
	ck_assert_int_eq(time_parse("0.001", 0, 10000, &ms), 0);
	ck_assert_uint_eq(ms, 1);
	ck_assert_int_eq(time_parse("2.5", 0, 10000, &ms), 0);
	ck_assert_uint_eq(ms, 2500);
	ck_assert_int_eq(time_parse("2.", 0, 10000, &ms), -1);
	ck_assert_int_eq(time_parse(".5", 0, 10000, &ms), -1);
	ck_assert_int_eq(time_parse("11", 0, 10000, &ms), -1);
	ck_assert_int_eq(time_parse("99999999999", 0, 10000, &ms), -1);
	ck_assert_str_eq(conf_time_str(1500), "1.5");
	ck_assert_str_eq(conf_time_str(1050), "1.05");
	ck_assert_str_eq(conf_time_str(1005), "1.005");
	ck_assert_str_eq(conf_time_str(120000), "120");
}
END_TEST

Suite *
gw_conf_suite(void)
{
	Suite	*s = suite_create("gw_conf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_all_directives);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_relay_name);
	tcase_add_test(tc, test_inner_source);
	tcase_add_test(tc, test_print_roundtrip);
	tcase_add_test(tc, test_time_values);
	suite_add_tcase(s, tc);
	return s;
}
