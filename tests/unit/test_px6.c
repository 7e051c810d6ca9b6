/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd's MLD engine (px.c with v6 set) against a fake kernel,
 * fed whole MLD datagrams as the packet socket gives them: the querier
 * election by lowest link-local address (RFC 3810 7.6.2), the checks of
 * RFC 3810 5 and 6.2 (Router Alert, hop limit 1, link-local source,
 * reports from :: dropped by a router), MLDv1 compatibility (8.3.2:
 * the group's mode, Done), SSM ff3x::/32 (RFC 4604), forwarding decided
 * on an MRT6 upcall (the MIFs of an (S,G) entry), and the upstream host
 * part speaking MLDv2 (and MLDv1 under an MLDv1 querier).
 */

#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mld_proto.h"
#include "px.h"
#include "unit.h"

#define UP	10		/* ifindex of the upstream */
#define LAN1	11
#define LAN2	12
#define NOW	1000000

struct sent6 {
	int		 ifindex;
	size_t		 len;
	uint8_t		 b[1600];
};

static struct sent6	 tx[64];
static unsigned		 ntx;
static uint8_t		 mfc_ttls[PX_MAXVIFS];
static int		 mfc_adds, mfc_iif;
static struct px_conf	 C;
static struct proxy	 P;
static uint32_t		 seed = 1;

static int
f_send(void *arg, int ifindex, const uint8_t *p, size_t len)
{
	(void)arg;
	ck_assert_uint_lt(ntx, 64);
	ck_assert_uint_le(len, sizeof(tx[0].b));
	tx[ntx].ifindex = ifindex;
	tx[ntx].len = len;
	memcpy(tx[ntx].b, p, len);
	ntx++;
	return 0;
}

static int
f_vif(void *arg, int vif, int ifindex)
{
	(void)arg;
	(void)vif;
	(void)ifindex;
	return 0;
}

static int
f_delvif(void *arg, int vif)
{
	(void)arg;
	(void)vif;
	return 0;
}

static int
f_mfc_add(void *arg, const struct mc_src6 *s, const struct mc_src6 *g,
    int iif, const uint8_t *ttls)
{
	(void)arg;
	(void)s;
	(void)g;
	mfc_adds++;
	mfc_iif = iif;
	memcpy(mfc_ttls, ttls, PX_MAXVIFS);
	return 0;
}

static int
f_mfc_del(void *arg, const struct mc_src6 *s, const struct mc_src6 *g,
    int iif)
{
	(void)arg;
	(void)s;
	(void)g;
	(void)iif;
	return 0;
}

static int
f_mfc_count(void *arg, const struct mc_src6 *s, const struct mc_src6 *g,
    uint64_t *n)
{
	(void)arg;
	(void)s;
	(void)g;
	*n = 0;
	return 0;
}

static int
f_join(void *arg, int ifindex)
{
	(void)arg;
	(void)ifindex;
	return 0;
}

static uint32_t
f_random(void *arg)
{
	(void)arg;
	return xorshift32(&seed);
}

static const struct px_os fos = { f_send, f_vif, f_delvif, f_mfc_add,
    f_mfc_del, f_mfc_count, f_join, f_random, NULL };

static void
a6(uint8_t *a, const char *s)
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, a), 1);
}

static void
setup(void)
{
	uint8_t	 ll[16];

	conf_defaults(&px_conf_table, &C);
	snprintf(C.upstream, sizeof(C.upstream), "amt0");
	snprintf(C.ds[0].name, sizeof(C.ds[0].name), "d1");
	snprintf(C.ds[1].name, sizeof(C.ds[1].name), "d2");
	C.ds[0].version = C.ds[1].version = 3;
	C.ds[0].mld_version = C.ds[1].mld_version = 2;
	C.nds = 2;
	C.lmqi_ms = 200;
	log_setverbose(0);
	ntx = 0;
	mfc_adds = 0;
	ck_assert_int_eq(px_init(&P, &C, &fos, NULL, 1), 0);
	px_link(&P, NOW, UP, "amt0", 1, 1500);
	px_link(&P, NOW, LAN1, "d1", 1, 1500);
	px_link(&P, NOW, LAN2, "d2", 1, 1500);
	a6(ll, "fe80::5");
	px_addr6(&P, NOW, LAN1, ll, 1);
	a6(ll, "fe80::5:2");
	px_addr6(&P, NOW, LAN2, ll, 1);
	px_flush(&P, NOW);
}

static void
teardown(void)
{
	px_free(&P);
}

/* A host's MLDv2 report with one record, or an MLDv1 message. */
static void
host(int ifindex, const char *from, int v1, uint8_t type, const char *g,
    const char *s, uint64_t now)
{
	uint8_t		 b[256], f[16], ga[16], sa[16];
	struct wbuf	 w;

	a6(f, from);
	a6(ga, g);
	if (s != NULL)
		a6(sa, s);
	wbuf_init(&w, b, sizeof(b));
	if (v1)
		ck_assert_int_eq(mld_build_v1(&w, f, ga, type, ga), 0);
	else {
		ck_assert_int_eq(mld_report_begin(&w, f), 0);
		ck_assert_int_eq(mld_report_add(&w, type, ga, sa,
		    s != NULL ? 1 : 0), 0);
		ck_assert_int_eq(mld_report_finish(&w), 0);
	}
	px_packet6(&P, now, ifindex, b, w.len);
	px_flush(&P, now);
}

/* An MRT6 upcall for (s, g) arriving on the upstream (MIF 0). */
static void
upcall(const char *s, const char *g, uint64_t now)
{
	struct mrt6_msg	 u;

	memset(&u, 0, sizeof(u));
	u.type = MRT_MSG_NOCACHE;
	u.mif = 0;
	a6(u.src, s);
	a6(u.grp, g);
	px_upcall6(&P, now, &u);
}

/* The sent datagram k decoded: an MLD message of the right form. */
static void
decode_tx(unsigned k, struct ip6_info *ip, struct mld_msg *m)
{
	ck_assert_uint_lt(k, ntx);
	ck_assert_int_eq(mld_decode_packet(tx[k].b, tx[k].len, ip, m),
	    MLD_OK);
}

/* The proxy queries from its link-local address; a lower one wins. */
START_TEST(querier_link_local)
{
	struct ip6_info	 ip;
	struct mld_msg	 m;
	uint8_t		 ll[16], lower[16];
	struct wbuf	 w;
	uint8_t		 b[128];
	static const uint8_t	 any[16];
	struct mld_query q = { .version = 2, .dst = mld_all_nodes,
	    .group = any, .mrc = 1000, .qrv = 2, .qqic = 125 };
	unsigned	 k, queries = 0;

	px_timer(&P, NOW);
	a6(ll, "fe80::5");
	for (k = 0; k < ntx; k++) {
		if (tx[k].ifindex != LAN1)
			continue;
		decode_tx(k, &ip, &m);
		ck_assert_uint_eq(m.type, MLD_QUERY);
		ck_assert_uint_eq(m.version, 2);
		ck_assert_mem_eq(ip.src, ll, 16);
		ck_assert_uint_eq(ip.hlim, 1);
		ck_assert(ip.router_alert);
		queries++;
	}
	ck_assert_uint_eq(queries, 1);
	ck_assert(P.ds[0].querier);
	/* fe80::1 queries on LAN1: it is lower, the proxy yields. */
	a6(lower, "fe80::1");
	q.src = lower;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_query(&w, &q), 0);
	px_packet6(&P, NOW + 10, LAN1, b, w.len);
	ck_assert(!P.ds[0].querier);
	ck_assert(P.ds[1].querier);		/* LAN2 unaffected */
	/* A higher one does not take it back. */
	a6(lower, "fe80::9");
	ck_assert(!mc_src6_is_any(&P.ds[0].querier_addr));
}
END_TEST

/*
 * Reports with every check: a bad one (no Router Alert, hop limit 2, a
 * global source) is malformed and changes nothing; one from :: is
 * dropped (RFC 3810 5.2.13); a good MLDv2 (S,G) join makes the
 * upcall's entry forward onto LAN1 only, and the upstream hears an
 * MLDv2 ALLOW from the database.
 */
START_TEST(reports_checked_and_forwarded)
{
	uint8_t		 b[128], f[16], g[16], s[16];
	struct wbuf	 w;
	struct ip6_info	 ip;
	struct mld_msg	 m;
	struct mld_rec_iter it;
	struct mld_rec	 r;
	uint64_t	 bad0 = P.ctr_bad;
	unsigned	 k, up = 0;

	a6(f, "fe80::11");
	a6(g, "ff3e::8000:1");
	a6(s, "2001:db8::5");
	/* No Router Alert (the option made padding). */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_report_begin(&w, f), 0);
	ck_assert_int_eq(mld_report_add(&w, MC_ALLOW, g, s, 1), 0);
	ck_assert_int_eq(mld_report_finish(&w), 0);
	b[42] = IP6_OPT_PADN;
	px_packet6(&P, NOW, LAN1, b, w.len);
	/* Hop limit 2. */
	b[42] = IP6_OPT_ROUTER_ALERT;
	b[7] = 2;
	px_packet6(&P, NOW, LAN1, b, w.len);
	/* A global source (the checksum made good again). */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_report_begin(&w, s), 0);
	ck_assert_int_eq(mld_report_add(&w, MC_ALLOW, g, s, 1), 0);
	ck_assert_int_eq(mld_report_finish(&w), 0);
	px_packet6(&P, NOW, LAN1, b, w.len);
	ck_assert_uint_eq(P.ctr_bad, bad0 + 3);
	/* From ::: a router drops it. */
	host(LAN1, "::", 0, MC_ALLOW, "ff3e::8000:1", "2001:db8::5", NOW);
	ck_assert_uint_eq(P.ds[0].ngroups, 0);
	ck_assert_uint_eq(P.ds[0].ctr_ignored, 1);
	/* The good one. */
	ntx = 0;
	host(LAN1, "fe80::11", 0, MC_ALLOW, "ff3e::8000:1", "2001:db8::5",
	    NOW);
	ck_assert_uint_eq(P.ds[0].ngroups, 1);
	upcall("2001:db8::5", "ff3e::8000:1", NOW);
	ck_assert_int_eq(mfc_adds, 1);
	ck_assert_int_eq(mfc_iif, 0);
	ck_assert_uint_eq(mfc_ttls[P.ds[0].vif], 1);
	ck_assert_uint_eq(mfc_ttls[P.ds[1].vif], 0);
	ck_assert_uint_eq(mfc_ttls[0], 0);
	/* Another source of the channel: not asked for, not forwarded. */
	upcall("2001:db8::6", "ff3e::8000:1", NOW);
	ck_assert_uint_eq(mfc_ttls[P.ds[0].vif], 0);
	/* Upstream: an MLDv2 report with ALLOW(S, G). */
	for (k = 0; k < ntx; k++) {
		if (tx[k].ifindex != UP)
			continue;
		decode_tx(k, &ip, &m);
		ck_assert_uint_eq(m.type, MLD_V2_REPORT);
		mld_rec_iter_init(&it, &m);
		ck_assert_int_eq(mld_rec_next(&it, &r), 1);
		ck_assert_uint_eq(r.type, MC_ALLOW);
		ck_assert_mem_eq(r.group, g, 16);
		ck_assert_uint_eq(r.nsrcs, 1);
		ck_assert_mem_eq(r.srcs, s, 16);
		up++;
	}
	ck_assert_uint_ge(up, 1);
}
END_TEST

/*
 * MLDv1: a report for an ASM group puts it in MLDv1 mode (EXCLUDE,
 * every source forwarded); one in ff3x::/32 is refused (RFC 4604); the
 * Done starts the last listener queries (to the group, in the
 * interface's MLDv2, which MLDv1 hosts take too, RFC 3810 8.2.1) and
 * the group goes after them.
 */
START_TEST(mldv1_compat_ssm_done)
{
	struct ip6_info	 ip;
	struct mld_msg	 m;
	unsigned	 k, specific = 0;
	uint64_t	 t;

	host(LAN2, "fe80::22", 1, MLD_V1_REPORT, "ff3e::8000:2", NULL, NOW);
	ck_assert_uint_eq(P.ds[1].ngroups, 0);		/* SSM: refused */
	host(LAN2, "fe80::22", 1, MLD_V1_REPORT, "ff0e::1234", NULL, NOW);
	ck_assert_uint_eq(P.ds[1].ngroups, 1);
	ck_assert_uint_eq(grp_compat(P.ds[1].groups[0], NOW), 2);
	upcall("2001:db8::77", "ff0e::1234", NOW);
	ck_assert_uint_eq(mfc_ttls[P.ds[1].vif], 1);
	/* Link-scope groups are never taken. */
	host(LAN2, "fe80::22", 1, MLD_V1_REPORT, "ff02::1:3", NULL, NOW);
	ck_assert_uint_eq(P.ds[1].ngroups, 1);
	/* Done: a group-specific query to the group. */
	ntx = 0;
	host(LAN2, "fe80::22", 1, MLD_V1_DONE, "ff0e::1234", NULL, NOW + 10);
	for (k = 0; k < ntx; k++) {
		if (tx[k].ifindex != LAN2)
			continue;
		decode_tx(k, &ip, &m);
		if (m.type == MLD_QUERY) {
			ck_assert_uint_eq(ip.dst[1], 0x0e);
			ck_assert_mem_eq(m.group, ip.dst, 16);
			specific++;
		}
	}
	ck_assert_uint_eq(specific, 1);
	for (t = NOW + 10; t < NOW + 3000 && P.ds[1].ngroups > 0; t += 50)
		px_timer(&P, t);
	ck_assert_uint_eq(P.ds[1].ngroups, 0);
	ck_assert_uint_le(t - (NOW + 10), 2 * 200 + 100);
}
END_TEST

/* An MLDv1 querier upstream: the host part speaks MLDv1 to it. */
/* The access list of the configuration text, into C. */
static void
acl(const char *text)
{
	static struct px_conf	 T;
	char			 b[512];
	FILE			*fp;

	snprintf(b, sizeof(b), "upstream amt0\ndownstream d1\n%s", text);
	fp = fmemopen(b, strlen(b), "r");
	conf_defaults(&px_conf_table, &T);
	ck_assert_int_eq(conf_parse(&px_conf_table, &T, fp, "acl.conf"), 0);
	fclose(fp);
	memcpy(C.acl, T.acl, sizeof(C.acl));
	C.nacl = T.nacl;
}

static int
permit(const char *g, const char *s)
{
	struct mc_src6	 gk, sk;
	uint32_t	 v4;

	if (strchr(g, ':') == NULL) {
		ck_assert_int_eq(addr4_parse(g, &v4), 0);
		gk = mc_src6_v4(v4);
		if (s != NULL) {
			ck_assert_int_eq(addr4_parse(s, &v4), 0);
			sk = mc_src6_v4(v4);
		}
	} else {
		a6(gk.a, g);
		if (s != NULL)
			a6(sk.a, s);
	}
	return px_acl_permit(&C, gk.a, s != NULL, s != NULL ? sk.a : NULL);
}

/*
 * allow/deny for IPv6: first match decides, source rules only for
 * (S,G), an allow rule without a source whitelists its own family only;
 * in the engine a denied channel is neither asked for upstream nor
 * forwarded, an allowed one beside it is.
 */
START_TEST(acl_ipv6)
{
	unsigned	 k, up = 0;
	struct ip6_info	 ip;
	struct mld_msg	 m;
	struct mld_rec_iter it;
	struct mld_rec	 r;
	uint8_t		 g2[16];

	acl("deny ff3e::8000:2\n"
	    "allow ff3e::/16 source 2001:db8::/32\n"
	    "allow ff0e::/16\n"
	    "allow 239.0.0.0/8\n");
	ck_assert(!permit("ff3e::8000:2", "2001:db8::5"));
	ck_assert(!permit("ff3e::8000:2", NULL));
	ck_assert(permit("ff3e::8000:1", "2001:db8::5"));
	ck_assert(!permit("ff3e::8000:1", "2001:dead::5"));
	ck_assert(!permit("ff3e::8000:1", NULL));	/* whitelist */
	ck_assert(permit("ff0e::1", NULL));
	ck_assert(permit("ff0e::1", "2001:dead::5"));
	ck_assert(!permit("ff05::1", NULL));
	ck_assert(permit("239.1.1.1", NULL));
	ck_assert(!permit("232.1.1.1", "10.0.0.1"));
	/* Only IPv4 allow rules: IPv6 stays open, and the other way. */
	acl("allow 239.0.0.0/8\n");
	ck_assert(permit("ff05::1", NULL));
	ck_assert(!permit("232.1.1.1", NULL));
	acl("allow ff0e::/16\ndeny 239.1.0.0/16\n");
	ck_assert(permit("232.1.1.1", NULL));
	ck_assert(!permit("239.1.2.3", NULL));
	ck_assert(!permit("ff05::1", NULL));
	/* The engine: two channels wanted, one denied. */
	acl("deny ff3e::8000:2\n");
	ntx = 0;
	host(LAN1, "fe80::11", 0, MC_ALLOW, "ff3e::8000:1", "2001:db8::5",
	    NOW);
	host(LAN1, "fe80::11", 0, MC_ALLOW, "ff3e::8000:2", "2001:db8::5",
	    NOW);
	ck_assert_uint_eq(P.ds[0].ngroups, 2);
	ck_assert_uint_ge(P.ctr_acl_denied, 1);
	upcall("2001:db8::5", "ff3e::8000:2", NOW);
	ck_assert_uint_eq(mfc_ttls[P.ds[0].vif], 0);
	upcall("2001:db8::5", "ff3e::8000:1", NOW);
	ck_assert_uint_eq(mfc_ttls[P.ds[0].vif], 1);
	a6(g2, "ff3e::8000:2");
	for (k = 0; k < ntx; k++) {
		if (tx[k].ifindex != UP)
			continue;
		decode_tx(k, &ip, &m);
		mld_rec_iter_init(&it, &m);
		while (mld_rec_next(&it, &r) == 1) {
			ck_assert_mem_ne(r.group, g2, 16);
			up++;
		}
	}
	ck_assert_uint_ge(up, 1);
}
END_TEST

START_TEST(upstream_mldv1_querier)
{
	uint8_t		 b[128], q1[16], g[16];
	struct wbuf	 w;
	struct ip6_info	 ip;
	struct mld_msg	 m;
	static const uint8_t	 any[16];
	struct mld_query q = { .version = 1, .dst = mld_all_nodes,
	    .group = any, .mrc = 1000 };
	unsigned	 k, v1 = 0;

	a6(q1, "fe80::aa");
	q.src = q1;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(mld_build_query(&w, &q), 0);
	px_packet6(&P, NOW, UP, b, w.len);
	ntx = 0;
	host(LAN1, "fe80::11", 0, MC_TO_EX, "ff0e::99", NULL, NOW + 10);
	a6(g, "ff0e::99");
	for (k = 0; k < ntx; k++) {
		if (tx[k].ifindex != UP)
			continue;
		decode_tx(k, &ip, &m);
		ck_assert_uint_eq(m.type, MLD_V1_REPORT);
		ck_assert_mem_eq(m.group, g, 16);
		ck_assert_mem_eq(ip.dst, g, 16);
		v1++;
	}
	ck_assert_uint_eq(v1, 1);
}
END_TEST

Suite *
px6_suite(void)
{
	Suite	*s = suite_create("igmpproxyd-mld");
	TCase	*tc = tcase_create("engine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, querier_link_local);
	tcase_add_test(tc, reports_checked_and_forwarded);
	tcase_add_test(tc, mldv1_compat_ssm_done);
	tcase_add_test(tc, upstream_mldv1_querier);
	tcase_add_test(tc, acl_ipv6);
	suite_add_tcase(s, tc);
	return s;
}
