/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd.conf: flat "keyword value" lines.  The keyword table is sorted
 * and searched by conf_directive(); each handler converts and range
 * checks its value and reports errors as "file:line: message".
 * gw_conf_print() writes the effective configuration, defaults
 * included, in a form that parses again (amtgwd -n).
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "gw_conf.h"
#include "util.h"

enum {
	KW_DISCOVERY, KW_DISC_RETRIES, KW_DISC_TIMEOUT, KW_INTERFACE,
	KW_LOCAL_ADDR, KW_LOCAL_PORT, KW_NAT_KEEPALIVE, KW_RCVBUF, KW_RELAY,
	KW_REPORT_QUEUE, KW_REQ_RETRIES, KW_REQ_TIMEOUT, KW_RETRANSMIT_MAX,
	KW_TEARDOWN_INTERVAL, KW_TUNNEL, KW_TUNNEL_ADDR, KW_TUNNEL_MTU,
};

static const struct conf_keyword keywords[] = {		/* sorted */
	{ "discovery",		KW_DISCOVERY,		1, 1 },
	{ "discovery-retries",	KW_DISC_RETRIES,	1, 1 },
	{ "discovery-timeout",	KW_DISC_TIMEOUT,	1, 1 },
	{ "interface",		KW_INTERFACE,		1, 1 },
	{ "local-address",	KW_LOCAL_ADDR,		1, 1 },
	{ "local-port",		KW_LOCAL_PORT,		1, 1 },
	{ "nat-keepalive",	KW_NAT_KEEPALIVE,	1, 1 },
	{ "receive-buffer",	KW_RCVBUF,		1, 1 },
	{ "relay",		KW_RELAY,		1, 1 },
	{ "report-queue",	KW_REPORT_QUEUE,	1, 1 },
	{ "request-retries",	KW_REQ_RETRIES,		1, 1 },
	{ "request-timeout",	KW_REQ_TIMEOUT,		1, 1 },
	{ "retransmit-max",	KW_RETRANSMIT_MAX,	1, 1 },
	{ "teardown-interval",	KW_TEARDOWN_INTERVAL,	1, 1 },
	{ "tunnel",		KW_TUNNEL,		1, 1 },
	{ "tunnel-address",	KW_TUNNEL_ADDR,		1, 1 },
	{ "tunnel-mtu",		KW_TUNNEL_MTU,		1, 1 },
};

void
gw_conf_defaults(struct gw_conf *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->tunnel, GW_DEFAULT_TUNNEL);
	c->tunnel_mtu = GW_DEFAULT_MTU;
	c->discovery = GW_DEFAULT_DISCOVERY;
	c->disc_timeout_ms = 1000;		/* 5.2.3.4.3 */
	c->req_timeout_ms = 1000;		/* 5.2.3.5.3 */
	c->max_timeout_ms = 120000;
	c->disc_retries = 5;
	c->req_retries = 5;
	c->teardown_interval_ms = 1000;		/* 5.2.3.7.2 */
	c->report_queue = 16;
	c->rcvbuf_kb = 4096;
	conf_daemon_defaults(&c->d, GW_PIDFILE, GW_CTLSOCK);
}

/* "a.b.c.d/len": an interface address, so host bits are expected. */
static int
parse_ifaddr(struct conf_reader *r, const char *kw, const char *s,
    struct gw_conf *c)
{
	char		 tmp[32], *slash;
	unsigned	 plen;

	if (strlen(s) >= sizeof(tmp) || (slash = strchr(s, '/')) == NULL)
		goto bad;
	strcpy(tmp, s);
	slash = tmp + (slash - s);
	*slash++ = '\0';
	if (addr4_parse(tmp, &c->tunnel_addr) == -1 ||
	    conf_uint(r, kw, slash, 1, 32, &plen) == -1)
		goto bad;
	c->tunnel_plen = (uint8_t)plen;
	c->tunnel_addr_set = 1;
	return 0;
bad:
	conf_error(r, "%s: \"%s\" is not ADDRESS/LENGTH", kw, s);
	return -1;
}

/* Parse a whole file into c (which holds defaults); 0 if no errors. */
int
gw_conf_parse(struct gw_conf *c, FILE *fp, const char *name)
{
	struct conf_reader		 r;
	struct conf_args		 a;
	const struct conf_keyword	*kw;
	int				 relay_line = 0, disc_line = 0;
	const char			*v;

	conf_from_fp(&r, fp, name);
	while (conf_next(&r, &a) == 1) {
		if (conf_daemon_directive(&r, &a, &c->d, 1))
			continue;
		if ((kw = conf_directive(&r, keywords, NELEM(keywords), &a))
		    == NULL)
			continue;
		v = a.argv[1];
		switch (kw->id) {
		case KW_TUNNEL:
			(void)conf_ifname(&r, kw->name, v, c->tunnel);
			break;
		case KW_TUNNEL_ADDR:
			(void)parse_ifaddr(&r, kw->name, v, c);
			break;
		case KW_TUNNEL_MTU:
			(void)conf_uint(&r, kw->name, v, 576, 65535,
			    &c->tunnel_mtu);
			break;
		case KW_RELAY:
			if (disc_line) {
				conf_error(&r, "relay: conflicts with "
				    "discovery on line %d", disc_line);
				break;
			}
			if (conf_unicast4(&r, kw->name, v, &c->relay) == 0) {
				c->fixed_relay = 1;
				relay_line = r.lineno;
			}
			break;
		case KW_DISCOVERY:
			if (relay_line) {
				conf_error(&r, "discovery: conflicts with "
				    "relay on line %d", relay_line);
				break;
			}
			if (conf_unicast4(&r, kw->name, v, &c->discovery) == 0)
				disc_line = r.lineno;
			break;
		case KW_LOCAL_ADDR:
			(void)conf_unicast4(&r, kw->name, v, &c->local_addr);
			break;
		case KW_LOCAL_PORT:
			(void)conf_uint(&r, kw->name, v, 0, 65535,
			    &c->local_port);
			break;
		case KW_INTERFACE:
			(void)conf_ifname(&r, kw->name, v, c->ifname);
			break;
		case KW_DISC_TIMEOUT:
			(void)conf_time(&r, kw->name, v, 10, 120000,
			    &c->disc_timeout_ms);
			break;
		case KW_REQ_TIMEOUT:
			(void)conf_time(&r, kw->name, v, 10, 120000,
			    &c->req_timeout_ms);
			break;
		case KW_RETRANSMIT_MAX:
			(void)conf_time(&r, kw->name, v, 10, 3600000,
			    &c->max_timeout_ms);
			break;
		case KW_DISC_RETRIES:
			(void)conf_uint(&r, kw->name, v, 0, 1000,
			    &c->disc_retries);
			break;
		case KW_REQ_RETRIES:
			(void)conf_uint(&r, kw->name, v, 0, 1000,
			    &c->req_retries);
			break;
		case KW_NAT_KEEPALIVE:
			(void)conf_time(&r, kw->name, v, 0, 3600000,
			    &c->nat_keepalive_ms);
			if (c->nat_keepalive_ms != 0 &&
			    c->nat_keepalive_ms < GW_MIN_QI_MS) {
				conf_error(&r, "nat-keepalive: 0 (off) or at "
				    "least 1 second");
			}
			break;
		case KW_TEARDOWN_INTERVAL:
			(void)conf_time(&r, kw->name, v, 10, 60000,
			    &c->teardown_interval_ms);
			break;
		case KW_REPORT_QUEUE:
			(void)conf_uint(&r, kw->name, v, 0, 1024,
			    &c->report_queue);
			break;
		case KW_RCVBUF:
			(void)conf_uint(&r, kw->name, v, 64, 1048576,
			    &c->rcvbuf_kb);
			break;
		}
	}
	if (c->disc_timeout_ms > c->max_timeout_ms ||
	    c->req_timeout_ms > c->max_timeout_ms) {
		r.lineno = 0;
		conf_error(&r, "discovery-timeout and request-timeout must not "
		    "exceed retransmit-max");
	}
	conf_close(&r);
	return r.errors == 0 ? 0 : -1;
}

/* Defaults, then the file at path; 0 if it parsed without errors. */
int
gw_conf_load(struct gw_conf *c, const char *path)
{
	FILE	*fp;
	int	 rv;

	gw_conf_defaults(c);
	if ((fp = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	rv = gw_conf_parse(c, fp, path);
	fclose(fp);
	return rv;
}

/* Every setting, defaults included, in a form that parses again. */
void
gw_conf_print(const struct gw_conf *c, FILE *fp)
{
	fprintf(fp, "tunnel %s\n", c->tunnel);
	if (c->tunnel_addr_set)
		fprintf(fp, "tunnel-address %s/%u\n",
		    addr4_ntoa(c->tunnel_addr), c->tunnel_plen);
	fprintf(fp, "tunnel-mtu %u\n", c->tunnel_mtu);
	if (c->fixed_relay)
		fprintf(fp, "relay %s\n", addr4_ntoa(c->relay));
	else
		fprintf(fp, "discovery %s\n", addr4_ntoa(c->discovery));
	if (c->local_addr != 0)
		fprintf(fp, "local-address %s\n", addr4_ntoa(c->local_addr));
	fprintf(fp, "local-port %u\n", c->local_port);
	if (c->ifname[0] != '\0')
		fprintf(fp, "interface %s\n", c->ifname);
	fprintf(fp, "discovery-timeout %s\n", conf_time_str(c->disc_timeout_ms));
	fprintf(fp, "discovery-retries %u\n", c->disc_retries);
	fprintf(fp, "request-timeout %s\n", conf_time_str(c->req_timeout_ms));
	fprintf(fp, "request-retries %u\n", c->req_retries);
	fprintf(fp, "retransmit-max %s\n", conf_time_str(c->max_timeout_ms));
	fprintf(fp, "nat-keepalive %s\n", conf_time_str(c->nat_keepalive_ms));
	fprintf(fp, "teardown-interval %s\n",
	    conf_time_str(c->teardown_interval_ms));
	fprintf(fp, "report-queue %u\n", c->report_queue);
	fprintf(fp, "receive-buffer %u\n", c->rcvbuf_kb);
	conf_daemon_print(&c->d, 1, fp);
}
