/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtrelayd.conf, in the flat style of the other daemons.  The timers
 * default to RFC 3376's; the query's Max Resp Code is its own setting
 * because RFC 7450 5.3.3.3 wants it short (0.1 s: "respond at once")
 * while the Query Response Interval also sizes the state timers.
 */

#include <string.h>

#include "addr.h"
#include "conf.h"
#include "relay_conf.h"
#include "util.h"

enum {
	KW_DISC, KW_MRT, KW_PATH_MTU, KW_QI, KW_QRI, KW_RELAY, KW_RV,
	KW_SECRET, KW_SNDBUF, KW_LIMIT, KW_UPSTREAM,
};

static const struct conf_keyword keywords[] = {		/* sorted */
	{ "discovery-address",		KW_DISC,	1, 1 },
	{ "path-mtu",			KW_PATH_MTU,	1, 1 },
	{ "query-interval",		KW_QI,		1, 1 },
	{ "query-max-response-time",	KW_MRT,		1, 1 },
	{ "query-response-interval",	KW_QRI,		1, 1 },
	{ "relay-address",		KW_RELAY,	1, 1 },
	{ "robustness",			KW_RV,		1, 1 },
	{ "secret-lifetime",		KW_SECRET,	1, 1 },
	{ "send-buffer",		KW_SNDBUF,	1, 1 },
	{ "tunnel-limit",		KW_LIMIT,	1, 1 },
	{ "upstream",			KW_UPSTREAM,	1, 1 },
};

void
relay_conf_defaults(struct relay_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->qi_ms = 125000;
	c->qri_ms = 10000;
	c->mrt_ms = 100;
	c->robustness = 2;
	c->secret_ms = 3600000;
	c->path_mtu = 1500;
	c->sndbuf_kb = 4096;
	conf_daemon_defaults(&c->d, RELAY_PIDFILE, RELAY_CTLSOCK);
}

int
relay_conf_parse(struct relay_conf *c, FILE *fp, const char *name)
{
	struct conf_reader		 r;
	struct conf_args		 a;
	const struct conf_keyword	*kw;
	const char			*v;
	uint32_t			 addr;
	unsigned			 i;

	conf_from_fp(&r, fp, name);
	while (conf_next(&r, &a) == 1) {
		if (conf_daemon_directive(&r, &a, &c->d, 1))
			continue;
		if ((kw = conf_directive(&r, keywords, NELEM(keywords), &a)) ==
		    NULL)
			continue;
		v = a.argv[1];
		switch (kw->id) {
		case KW_DISC:
			if (conf_unicast4(&r, kw->name, v, &addr) == -1)
				break;
			for (i = 0; i < c->ndisc; i++)
				if (c->disc[i] == addr)
					break;
			if (i < c->ndisc)
				conf_error(&r, "%s: %s given twice", kw->name,
				    v);
			else if (c->ndisc == RELAY_MAX_DISC)
				conf_error(&r, "%s: at most %d", kw->name,
				    RELAY_MAX_DISC);
			else
				c->disc[c->ndisc++] = addr;
			break;
		case KW_RELAY:
			(void)conf_unicast4(&r, kw->name, v, &c->relay);
			break;
		case KW_UPSTREAM:
			(void)conf_ifname(&r, kw->name, v, c->upstream);
			break;
		case KW_QI:
			if (conf_time(&r, kw->name, v, 1000, 31744000,
			    &c->qi_ms) == 0 && c->qi_ms % 1000 != 0)
				conf_error(&r, "%s: whole seconds", kw->name);
			break;
		case KW_QRI:
			(void)conf_time(&r, kw->name, v, 100, 3174400,
			    &c->qri_ms);
			break;
		case KW_MRT:
			if (conf_time(&r, kw->name, v, 100, 3174400,
			    &c->mrt_ms) == 0 && c->mrt_ms % 100 != 0)
				conf_error(&r, "%s: tenths of a second",
				    kw->name);
			break;
		case KW_RV:
			(void)conf_uint(&r, kw->name, v, 1, 7, &c->robustness);
			break;
		case KW_SECRET:
			(void)conf_time(&r, kw->name, v, 1000, 7200000,
			    &c->secret_ms);
			break;
		case KW_LIMIT:
			(void)conf_uint(&r, kw->name, v, 0, 1000000,
			    &c->tunnel_limit);
			break;
		case KW_PATH_MTU:
			(void)conf_uint(&r, kw->name, v, 576, 65535,
			    &c->path_mtu);
			break;
		case KW_SNDBUF:
			(void)conf_uint(&r, kw->name, v, 64, 1048576,
			    &c->sndbuf_kb);
			break;
		}
	}
	r.lineno = 0;
	if (c->relay == 0)
		conf_error(&r, "relay-address is required");
	if (c->upstream[0] == '\0')
		conf_error(&r, "upstream is required");
	if (c->qri_ms >= c->qi_ms)
		conf_error(&r, "query-response-interval must be less than "
		    "query-interval");
	conf_close(&r);
	return r.errors == 0 ? 0 : -1;
}

int
relay_conf_load(struct relay_conf *c, const char *path)
{
	FILE	*fp;
	int	 rv;

	relay_conf_defaults(c);
	if ((fp = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	rv = relay_conf_parse(c, fp, path);
	fclose(fp);
	return rv;
}

void
relay_conf_print(const struct relay_conf *c, FILE *fp)
{
	unsigned	 i;

	for (i = 0; i < c->ndisc; i++)
		fprintf(fp, "discovery-address %s\n", addr4_ntoa(c->disc[i]));
	if (c->relay != 0)
		fprintf(fp, "relay-address %s\n", addr4_ntoa(c->relay));
	if (c->upstream[0] != '\0')
		fprintf(fp, "upstream %s\n", c->upstream);
	fprintf(fp, "query-interval %s\n", conf_time_str(c->qi_ms));
	fprintf(fp, "query-response-interval %s\n", conf_time_str(c->qri_ms));
	fprintf(fp, "query-max-response-time %s\n", conf_time_str(c->mrt_ms));
	fprintf(fp, "robustness %u\n", c->robustness);
	fprintf(fp, "secret-lifetime %s\n", conf_time_str(c->secret_ms));
	fprintf(fp, "tunnel-limit %u\n", c->tunnel_limit);
	fprintf(fp, "path-mtu %u\n", c->path_mtu);
	fprintf(fp, "send-buffer %u\n", c->sndbuf_kb);
	conf_daemon_print(&c->d, 1, fp);
}
