/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd.conf: the same flat "keyword value" style as amtgwd.conf.
 * Timers default to RFC 3376 section 8; ranges follow what the fields
 * on the wire can carry.  px_conf_print() writes every setting back in
 * a form that parses again (igmpproxyd -n).
 */

#include <string.h>

#include "conf.h"
#include "px_conf.h"
#include "util.h"

enum {
	KW_ALLOW, KW_DENY, KW_DOWNSTREAM, KW_FAST_LEAVE, KW_FWD_NQ, KW_LMQC,
	KW_LMQI, KW_MFC_IDLE, KW_MRT_TABLE, KW_QI, KW_QRI, KW_RV, KW_SSM,
	KW_SQC, KW_SQI, KW_URI, KW_UPSTREAM,
};

static const struct conf_keyword keywords[] = {		/* sorted */
	{ "allow",				KW_ALLOW,	1, 3 },
	{ "deny",				KW_DENY,	1, 3 },
	{ "downstream",				KW_DOWNSTREAM,	1, 3 },
	{ "fast-leave",				KW_FAST_LEAVE,	1, 1 },
	{ "forward-when-not-querier",		KW_FWD_NQ,	1, 1 },
	{ "last-member-query-count",		KW_LMQC,	1, 1 },
	{ "last-member-query-interval",		KW_LMQI,	1, 1 },
	{ "mfc-idle-timeout",			KW_MFC_IDLE,	1, 1 },
	{ "mroute-table",			KW_MRT_TABLE,	1, 1 },
	{ "query-interval",			KW_QI,		1, 1 },
	{ "query-response-interval",		KW_QRI,		1, 1 },
	{ "robustness",				KW_RV,		1, 1 },
	{ "ssm-range",				KW_SSM,		1, 1 },
	{ "startup-query-count",		KW_SQC,		1, 1 },
	{ "startup-query-interval",		KW_SQI,		1, 1 },
	{ "unsolicited-report-interval",	KW_URI,		1, 1 },
	{ "upstream",				KW_UPSTREAM,	1, 1 },
};

void
px_conf_defaults(struct px_conf *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->upstream, "amt0");
	c->qi_ms = 125000;			/* RFC 3376 8.2 */
	c->qri_ms = 10000;			/* 8.3 */
	c->robustness = 2;			/* 8.1 */
	c->lmqi_ms = 1000;			/* 8.8 */
	c->uri_ms = 1000;			/* 8.11 */
	c->ssm.addr = 0xe8000000U;		/* 232/8, RFC 4607 */
	c->ssm.len = 8;
	c->mfc_idle_ms = 300000;
	conf_daemon_defaults(&c->d, PX_PIDFILE, PX_CTLSOCK);
}

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

unsigned
px_lmqc(const struct px_conf *c)
{
	return c->lmqc != 0 ? c->lmqc : c->robustness;
}

/*
 * The access list: the first rule that matches decides.  A rule with a
 * source matches only (group, source) questions.  Without a match the
 * answer is yes, unless the list has allow rules, which make it a
 * whitelist.
 */
int
px_acl_permit(const struct px_conf *c, uint32_t g, int has_src, uint32_t s)
{
	unsigned	 i;
	int		 any_allow = 0;

	for (i = 0; i < c->nacl; i++) {
		const struct px_acl	*a = &c->acl[i];

		if (a->allow && !a->has_source)
			any_allow = 1;
		if (!prefix4_contains(&a->group, g))
			continue;
		if (a->has_source &&
		    (!has_src || !prefix4_contains(&a->source, s)))
			continue;
		return a->allow;
	}
	return !any_allow;
}

static int
parse_acl(struct conf_reader *r, const struct conf_args *a, int allow,
    struct px_conf *c)
{
	struct px_acl	*e;

	if (c->nacl == PX_MAX_ACL) {
		conf_error(r, "%s: more than %d rules", a->argv[0], PX_MAX_ACL);
		return -1;
	}
	e = &c->acl[c->nacl];
	memset(e, 0, sizeof(*e));
	e->allow = allow;
	if (prefix4_parse(a->argv[1], &e->group) == -1 ||
	    e->group.len < 4 || !IN4_MCAST(e->group.addr)) {
		conf_error(r, "%s: \"%s\" is not a multicast group prefix",
		    a->argv[0], a->argv[1]);
		return -1;
	}
	if (a->argc == 3 || (a->argc == 4 && strcmp(a->argv[2], "source"))) {
		conf_error(r, "%s: expected \"source PREFIX\" after the group",
		    a->argv[0]);
		return -1;
	}
	if (a->argc == 4) {
		if (prefix4_parse(a->argv[3], &e->source) == -1) {
			conf_error(r, "%s: \"%s\" is not a source prefix",
			    a->argv[0], a->argv[3]);
			return -1;
		}
		e->has_source = 1;
	}
	c->nacl++;
	return 0;
}

static int
parse_downstream(struct conf_reader *r, const struct conf_args *a,
    struct px_conf *c)
{
	struct px_dsconf	*d;
	unsigned		 i, v = 3;

	if (a->argc == 3 || (a->argc == 4 && strcmp(a->argv[2], "version"))) {
		conf_error(r, "downstream: expected \"version 1|2|3\"");
		return -1;
	}
	if (a->argc == 4 && conf_uint(r, "downstream version", a->argv[3], 1,
	    3, &v) == -1)
		return -1;
	for (i = 0; i < c->nds; i++)
		if (strcmp(c->ds[i].name, a->argv[1]) == 0) {
			conf_error(r, "downstream: %s is listed twice",
			    a->argv[1]);
			return -1;
		}
	if (c->nds == PX_MAX_DOWNSTREAM) {
		conf_error(r, "downstream: at most %d interfaces",
		    PX_MAX_DOWNSTREAM);
		return -1;
	}
	d = &c->ds[c->nds];
	if (conf_ifname(r, "downstream", a->argv[1], d->name) == -1)
		return -1;
	d->version = v;
	c->nds++;
	return 0;
}

int
px_conf_parse(struct px_conf *c, FILE *fp, const char *name)
{
	struct conf_reader		 r;
	struct conf_args		 a;
	const struct conf_keyword	*kw;
	const char			*v;
	unsigned			 i;

	conf_from_fp(&r, fp, name);
	while (conf_next(&r, &a) == 1) {
		if (conf_daemon_directive(&r, &a, &c->d, 0))
			continue;
		if ((kw = conf_directive(&r, keywords, NELEM(keywords), &a)) ==
		    NULL)
			continue;
		v = a.argv[1];
		switch (kw->id) {
		case KW_UPSTREAM:
			(void)conf_ifname(&r, kw->name, v, c->upstream);
			break;
		case KW_DOWNSTREAM:
			(void)parse_downstream(&r, &a, c);
			break;
		case KW_QI:
			(void)conf_time(&r, kw->name, v, 1000, 31744000,
			    &c->qi_ms);
			if (c->qi_ms % 1000 != 0)
				conf_error(&r, "%s: whole seconds", kw->name);
			break;
		case KW_QRI:
			(void)conf_time(&r, kw->name, v, 100, 3174400,
			    &c->qri_ms);
			if (c->qri_ms % 100 != 0)
				conf_error(&r, "%s: tenths of a second",
				    kw->name);
			break;
		case KW_RV:
			if (conf_uint(&r, kw->name, v, 1, 7, &c->robustness) ==
			    0 && c->robustness == 1)
				log_warnx("%s:%d: robustness 1 leaves no "
				    "margin for a lost packet (RFC 3376 8.1)",
				    name, r.lineno);
			break;
		case KW_SQI:
			(void)conf_time(&r, kw->name, v, 100, 31744000,
			    &c->sqi_ms);
			break;
		case KW_SQC:
			(void)conf_uint(&r, kw->name, v, 1, 10, &c->sqc);
			break;
		case KW_LMQI:
			(void)conf_time(&r, kw->name, v, 100, 25500,
			    &c->lmqi_ms);
			if (c->lmqi_ms % 100 != 0)
				conf_error(&r, "%s: tenths of a second",
				    kw->name);
			break;
		case KW_LMQC:
			(void)conf_uint(&r, kw->name, v, 1, 10, &c->lmqc);
			break;
		case KW_URI:
			(void)conf_time(&r, kw->name, v, 10, 10000,
			    &c->uri_ms);
			break;
		case KW_FAST_LEAVE:
			(void)conf_bool(&r, kw->name, v, &c->fast_leave);
			break;
		case KW_FWD_NQ:
			(void)conf_bool(&r, kw->name, v, &c->fwd_not_querier);
			break;
		case KW_SSM:
			if (prefix4_parse(v, &c->ssm) == -1 ||
			    c->ssm.len < 4 || !IN4_MCAST(c->ssm.addr))
				conf_error(&r, "%s: \"%s\" is not a multicast "
				    "prefix", kw->name, v);
			break;
		case KW_ALLOW:
		case KW_DENY:
			(void)parse_acl(&r, &a, kw->id == KW_ALLOW, c);
			break;
		case KW_MRT_TABLE:
			(void)conf_uint(&r, kw->name, v, 1, 4294967294UL,
			    &c->mrt_table);
			break;
		case KW_MFC_IDLE:
			(void)conf_time(&r, kw->name, v, 1000, 3600000,
			    &c->mfc_idle_ms);
			break;
		}
	}
	r.lineno = 0;
	if (c->nds == 0)
		conf_error(&r, "no downstream interface");
	for (i = 0; i < c->nds; i++)
		if (strcmp(c->ds[i].name, c->upstream) == 0)
			conf_error(&r, "%s is both upstream and downstream",
			    c->upstream);
	if (c->qri_ms >= c->qi_ms)
		conf_error(&r, "query-response-interval must be less than "
		    "query-interval (RFC 3376 8.3)");
	conf_close(&r);
	return r.errors == 0 ? 0 : -1;
}

int
px_conf_load(struct px_conf *c, const char *path)
{
	FILE	*fp;
	int	 rv;

	px_conf_defaults(c);
	if ((fp = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	rv = px_conf_parse(c, fp, path);
	fclose(fp);
	return rv;
}

void
px_conf_print(const struct px_conf *c, FILE *fp)
{
	unsigned	 i;

	fprintf(fp, "upstream %s\n", c->upstream);
	for (i = 0; i < c->nds; i++)
		fprintf(fp, "downstream %s version %u\n", c->ds[i].name,
		    c->ds[i].version);
	fprintf(fp, "query-interval %s\n", conf_time_str(c->qi_ms));
	fprintf(fp, "query-response-interval %s\n", conf_time_str(c->qri_ms));
	fprintf(fp, "robustness %u\n", c->robustness);
	fprintf(fp, "startup-query-interval %s\n", conf_time_str(px_sqi(c)));
	fprintf(fp, "startup-query-count %u\n", px_sqc(c));
	fprintf(fp, "last-member-query-interval %s\n",
	    conf_time_str(c->lmqi_ms));
	fprintf(fp, "last-member-query-count %u\n", px_lmqc(c));
	fprintf(fp, "unsolicited-report-interval %s\n",
	    conf_time_str(c->uri_ms));
	fprintf(fp, "fast-leave %s\n", c->fast_leave ? "on" : "off");
	fprintf(fp, "forward-when-not-querier %s\n",
	    c->fwd_not_querier ? "on" : "off");
	fprintf(fp, "ssm-range %s\n", prefix4_ntoa(&c->ssm));
	for (i = 0; i < c->nacl; i++) {
		fprintf(fp, "%s %s", c->acl[i].allow ? "allow" : "deny",
		    prefix4_ntoa(&c->acl[i].group));
		if (c->acl[i].has_source)
			fprintf(fp, " source %s",
			    prefix4_ntoa(&c->acl[i].source));
		fputc('\n', fp);
	}
	if (c->mrt_table != 0)
		fprintf(fp, "mroute-table %u\n", c->mrt_table);
	fprintf(fp, "mfc-idle-timeout %s\n", conf_time_str(c->mfc_idle_ms));
	conf_daemon_print(&c->d, 0, fp);
}
