/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd.conf: the directive table (common/conf.c reads, checks
 * and prints by it), the directives no table can describe (the
 * downstream interfaces and the access list), the checks across
 * fields, and the values derived from others (RFC 3376 8).  Timers
 * default to RFC 3376 section 8; ranges follow what the fields on the
 * wire can carry.
 */

#include <net/if.h>

#include <string.h>

#include "px_conf.h"
#include "util.h"

/* 8.6: QI/4 unless set. */
uint32_t
px_sqi(const struct px_conf *c)
{
	return c->sqi_ms != 0 ? c->sqi_ms : c->qi_ms / 4;
}

/* 8.7: RV unless set. */
unsigned
px_sqc(const struct px_conf *c)
{
	return c->sqc != 0 ? c->sqc : c->robustness;
}

/* 8.9: RV unless set. */
unsigned
px_lmqc(const struct px_conf *c)
{
	return c->lmqc != 0 ? c->lmqc : c->robustness;
}

/*
 * The access list: the first rule that matches decides.  A rule with a
 * source matches only (group, source) questions.  Without a match the
 * answer is yes, unless the list has allow rules without a source for
 * the group's family, which make it a whitelist for that family (an
 * IPv4 whitelist leaves IPv6 as it was, and the other way round).
 * g and s are 16-byte keys (IPv4 as ::ffff:a.b.c.d).
 */
int
px_acl_permit(const struct px_conf *c, const uint8_t *g, int has_src,
    const uint8_t *s)
{
	struct prefix46	 v4 = { .a = { [10] = 0xff, [11] = 0xff },
	    .len = 96 };
	unsigned	 i;
	int		 any_allow = 0, fam = prefix46_contains(&v4, g);

	for (i = 0; i < c->nacl; i++) {
		const struct px_acl	*a = &c->acl[i];

		if (a->allow && !a->has_source &&
		    prefix46_is_v4(&a->group) == fam)
			any_allow = 1;
		if (!prefix46_contains(&a->group, g))
			continue;
		if (a->has_source &&
		    (!has_src || !prefix46_contains(&a->source, s)))
			continue;
		return a->allow;
	}
	return !any_allow;
}

/* "allow|deny GROUP-PREFIX [source SOURCE-PREFIX]", in file order. */
static int
parse_acl(struct conf_parse *p, const struct conf_item *it,
    const struct conf_args *a, void *conf)
{
	struct px_conf	*c = conf;
	struct px_acl	*e;

	if (c->nacl == PX_MAX_ACL) {
		conf_error(&p->r, "%s: more than %d rules", it->name,
		    PX_MAX_ACL);
		return -1;
	}
	e = &c->acl[c->nacl];
	memset(e, 0, sizeof(*e));
	e->allow = strcmp(it->name, "allow") == 0;
	if (prefix46_parse(a->argv[1], &e->group) == -1 ||
	    !prefix46_is_mcast(&e->group)) {
		conf_error(&p->r, "%s: \"%s\" is not a multicast group prefix",
		    it->name, a->argv[1]);
		return -1;
	}
	if (a->argc == 3 || (a->argc == 4 && strcmp(a->argv[2], "source"))) {
		conf_error(&p->r, "%s: expected \"source PREFIX\" after the "
		    "group", it->name);
		return -1;
	}
	if (a->argc == 4) {
		if (prefix46_parse(a->argv[3], &e->source) == -1) {
			conf_error(&p->r, "%s: \"%s\" is not a source prefix",
			    it->name, a->argv[3]);
			return -1;
		}
		if (prefix46_is_v4(&e->source) != prefix46_is_v4(&e->group)) {
			conf_error(&p->r, "%s: the source prefix \"%s\" is "
			    "not of the group's address family", it->name,
			    a->argv[3]);
			return -1;
		}
		e->has_source = 1;
	}
	c->nacl++;
	return 0;
}

/* The whole list, allow and deny rules in their order, under "allow". */
static void
print_acl(const struct conf_item *it, const void *conf, FILE *fp)
{
	const struct px_conf	*c = conf;
	unsigned		 i;

	if (strcmp(it->name, "allow") != 0)
		return;
	for (i = 0; i < c->nacl; i++) {
		fprintf(fp, "%s %s", c->acl[i].allow ? "allow" : "deny",
		    prefix46_ntoa(&c->acl[i].group));
		if (c->acl[i].has_source)
			fprintf(fp, " source %s",
			    prefix46_ntoa(&c->acl[i].source));
		fputc('\n', fp);
	}
}

/* "downstream IFNAME [version 1|2|3] [mld-version 1|2]". */
static int
parse_downstream(struct conf_parse *p, const struct conf_item *it,
    const struct conf_args *a, void *conf)
{
	struct px_conf		*c = conf;
	struct px_dsconf	*d;
	unsigned		 i, k, v = 3, mv = 2;

	for (k = 2; k < (unsigned)a->argc; k += 2) {
		if (k + 1 == (unsigned)a->argc ||
		    (strcmp(a->argv[k], "version") != 0 &&
		    strcmp(a->argv[k], "mld-version") != 0)) {
			conf_error(&p->r, "%s: expected \"version 1|2|3\" or "
			    "\"mld-version 1|2\"", it->name);
			return -1;
		}
		if (strcmp(a->argv[k], "version") == 0 ? conf_uint(&p->r,
		    "downstream version", a->argv[k + 1], 1, 3, &v) == -1 :
		    conf_uint(&p->r, "downstream mld-version", a->argv[k + 1],
		    1, 2, &mv) == -1)
			return -1;
	}
	for (i = 0; i < c->nds; i++)
		if (strcmp(c->ds[i].name, a->argv[1]) == 0) {
			conf_error(&p->r, "%s: %s is listed twice", it->name,
			    a->argv[1]);
			return -1;
		}
	if (c->nds == PX_MAX_DOWNSTREAM) {
		conf_error(&p->r, "%s: at most %d interfaces", it->name,
		    PX_MAX_DOWNSTREAM);
		return -1;
	}
	d = &c->ds[c->nds];
	if (conf_ifname(&p->r, it->name, a->argv[1], d->name) == -1)
		return -1;
	d->version = v;
	d->mld_version = mv;
	d->line = p->r.lineno;
	c->nds++;
	return 0;
}

static void
print_downstream(const struct conf_item *it, const void *conf, FILE *fp)
{
	const struct px_conf	*c = conf;
	unsigned		 i;

	for (i = 0; i < c->nds; i++)
		fprintf(fp, "%s %s version %u mld-version %u\n", it->name,
		    c->ds[i].name, c->ds[i].version, c->ds[i].mld_version);
}

/* The values derived from others print as they come out. */
static void
print_derived(const struct conf_item *it, const void *conf, FILE *fp)
{
	const struct px_conf	*c = conf;

	if (strcmp(it->name, "startup-query-interval") == 0)
		fprintf(fp, "%s %s\n", it->name, conf_time_str(px_sqi(c)));
	else if (strcmp(it->name, "startup-query-count") == 0)
		fprintf(fp, "%s %u\n", it->name, px_sqc(c));
	else
		fprintf(fp, "%s %u\n", it->name, px_lmqc(c));
}

static int
check(struct conf_parse *p, void *conf)
{
	struct px_conf	*c = conf;
	unsigned	 i;

	if (c->nds == 0)
		conf_error(&p->r, "no downstream interface");
	for (i = 0; i < c->nds; i++) {
		if (strcmp(c->ds[i].name, c->upstream) != 0)
			continue;
		p->r.lineno = c->ds[i].line;
		conf_error(&p->r, "downstream %s: it is the upstream too (%s)",
		    c->upstream, conf_where(p, "upstream"));
		p->r.lineno = 0;
	}
	if (c->robustness == 1)
		log_warnx("%s:%d: robustness 1 leaves no margin for a lost "
		    "packet (RFC 3376 8.1)", p->r.path,
		    conf_line(p, "robustness"));
	conf_below(p, "query-response-interval", &c->qri_ms, "query-interval",
	    c->qi_ms, "RFC 3376 8.3");
	return 0;
}

/* -n, start, reload: a downstream that does not exist (yet) is said. */
static void
live(struct conf_parse *p, void *conf)
{
	struct px_conf	*c = conf;
	unsigned	 i;

	for (i = 0; i < c->nds; i++)
		if (if_nametoindex(c->ds[i].name) == 0)
			conf_warn_at(p, c->ds[i].line, "downstream %s: no such "
			    "interface (yet): it is served once it appears; "
			    "check the name (ip link)", c->ds[i].name);
}

#define C	struct px_conf
static const struct conf_item items[] = {
	CI_IFNAME("upstream", C, upstream, "amt0", 0),
	CI_CUSTOM("downstream", C, ds, 5, parse_downstream,
	    print_downstream, CF_MULTI),
	CI_TIME("query-interval", C, qi_ms, 1000, 31744000, 1000, "125",
	    0),					/* RFC 3376 8.2 */
	CI_TIME("query-response-interval", C, qri_ms, 100, 3174400, 100,
	    "10", 0),				/* 8.3 */
	CI_UINT("robustness", C, robustness, 1, 7, "2", 0),	/* 8.1 */
	CI_TIME("startup-query-interval", C, sqi_ms, 100, 31744000, 0,
	    NULL, 0, .print = print_derived),	/* 8.6 */
	CI_UINT("startup-query-count", C, sqc, 1, 10, NULL, 0,
	    .print = print_derived),		/* 8.7 */
	CI_TIME("last-member-query-interval", C, lmqi_ms, 100, 25500, 100,
	    "1", 0),				/* 8.8 */
	CI_UINT("last-member-query-count", C, lmqc, 1, 10, NULL, 0,
	    .print = print_derived),		/* 8.9 */
	CI_TIME("unsolicited-report-interval", C, uri_ms, 10, 10000, 0, "1",
	    0),					/* 8.11 */
	CI_BOOL("fast-leave", C, fast_leave, "off", 0),
	CI_BOOL("forward-when-not-querier", C, fwd_not_querier, "off", 0),
	CI_BOOL("mld", C, mld, "on", CF_RESTART),	/* RFC 3810, 4605 */
	CI_MPREFIX4("ssm-range", C, ssm, "232.0.0.0/8", 0),	/* RFC 4607 */
	CI_CUSTOM("allow", C, acl, 3, parse_acl, print_acl, CF_MULTI),
	CI_CUSTOM("deny", C, acl, 3, parse_acl, print_acl, CF_MULTI),
	CI_UINT("mroute-table", C, mrt_table, 1, 4294967294U, NULL,
	    CF_OPTIONAL | CF_RESTART),
	CI_TIME("mfc-idle-timeout", C, mfc_idle_ms, 1000, 3600000, 0, "300",
	    0),
	CONF_DAEMON_ITEMS(C, PX_PIDFILE, PX_CTLSOCK),
};
#undef C

const struct conf_table px_conf_table =
    CONF_TABLE_LIVE("igmpproxyd", struct px_conf, items, check, live);
