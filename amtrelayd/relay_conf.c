/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtrelayd.conf: the directive table (common/conf.c reads, checks and
 * prints by it), the discovery addresses, and the checks across
 * fields.  The timers default to RFC 3376's; the query's Max Resp Code
 * is its own setting because RFC 7450 5.3.3.3 wants it short (0.1 s:
 * "respond at once") while the Query Response Interval also sizes the
 * state timers.
 */

#include <sys/socket.h>

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "addr.h"
#include "relay_conf.h"
#include "util.h"

/* A unicast address of either family, for a relay or discovery address. */
static int
unicast_any(struct conf_parse *p, const char *kw, const char *s,
    struct ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':') == NULL) {
		a->af = AF_INET;
		return conf_unicast4(&p->r, kw, s, &a->v4);
	}
	if (ipaddr_parse(s, a) == -1 || a->af != AF_INET6 ||
	    ipaddr_is_mcast(a) || IN6_IS_ADDR_UNSPECIFIED(&a->v6) ||
	    IN6_IS_ADDR_LOOPBACK(&a->v6) || IN6_IS_ADDR_LINKLOCAL(&a->v6) ||
	    IN6_IS_ADDR_V4MAPPED(&a->v6)) {
		conf_error(&p->r, "%s: \"%s\" is not a unicast IPv4 or global "
		    "IPv6 address", kw, s);
		return -1;
	}
	return 0;
}

/*
 * "relay-address ADDRESS": one of each family at most, the address
 * gateways of that family reach the relay at (RFC 7450 5.3.2).
 */
static int
parse_relay(struct conf_parse *p, const struct conf_item *it,
    const struct conf_args *a, void *conf)
{
	struct relay_conf	*c = conf;
	struct ipaddr		 x;

	if (unicast_any(p, it->name, a->argv[1], &x) == -1)
		return -1;
	if ((x.af == AF_INET && c->relay != 0) ||
	    (x.af == AF_INET6 && c->has_relay6)) {
		conf_error(&p->r, "%s: one %s address at most", it->name,
		    x.af == AF_INET ? "IPv4" : "IPv6");
		return -1;
	}
	if (x.af == AF_INET)
		c->relay = x.v4;
	else {
		memcpy(c->relay6, &x.v6, 16);
		c->has_relay6 = 1;
	}
	return 0;
}

static void
print_relay(const struct conf_item *it, const void *conf, FILE *fp)
{
	const struct relay_conf	*c = conf;

	if (c->relay != 0)
		fprintf(fp, "%s %s\n", it->name, addr4_ntoa(c->relay));
	if (c->has_relay6)
		fprintf(fp, "%s %s\n", it->name, addr6_ntoa(c->relay6));
}

/* "discovery-address ADDRESS", up to RELAY_MAX_DISC, each once. */
static int
parse_disc(struct conf_parse *p, const struct conf_item *it,
    const struct conf_args *a, void *conf)
{
	struct relay_conf	*c = conf;
	struct ipaddr		 addr;
	unsigned		 i;

	if (unicast_any(p, it->name, a->argv[1], &addr) == -1)
		return -1;
	for (i = 0; i < c->disc.n; i++)
		if (ipaddr_eq(&c->disc.addr[i], &addr)) {
			conf_error(&p->r, "%s: %s given twice", it->name,
			    a->argv[1]);
			return -1;
		}
	if (c->disc.n == RELAY_MAX_DISC) {
		conf_error(&p->r, "%s: at most %d", it->name, RELAY_MAX_DISC);
		return -1;
	}
	c->disc.addr[c->disc.n++] = addr;
	return 0;
}

static void
print_disc(const struct conf_item *it, const void *conf, FILE *fp)
{
	const struct relay_conf	*c = conf;
	unsigned		 i;

	for (i = 0; i < c->disc.n; i++)
		fprintf(fp, "%s %s\n", it->name,
		    ipaddr_ntoa(&c->disc.addr[i]));
}

static int
check(struct conf_parse *p, void *conf)
{
	struct relay_conf	*c = conf;

	if (c->relay == 0 && !c->has_relay6)
		conf_error(&p->r, "relay-address is required");
	if (c->upstream[0] == '\0')
		conf_error(&p->r, "upstream is required");
	conf_below(p, "query-response-interval", &c->qri_ms, "query-interval",
	    c->qi_ms, "RFC 3376 8.3");
	conf_below(p, "query-max-response-time", &c->mrt_ms, "query-interval",
	    c->qi_ms, NULL);
	return 0;
}

/* Is a an address of some interface of this host? */
static int
is_local(const struct ifaddrs *ifs, const struct ipaddr *a)
{
	const struct ifaddrs	*i;
	struct sockaddr_storage	 ss;
	struct ipaddr		 x;
	uint16_t		 port;

	for (i = ifs; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family !=
		    AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, i->ifa_addr, i->ifa_addr->sa_family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		if (ipaddr_from_sockaddr(&ss, &x, &port) == 0 &&
		    ipaddr_eq(&x, a))
			return 1;
	}
	return 0;
}

/* The one address said of a relay-address or discovery-address. */
static void
not_local(struct conf_parse *p, int line, const char *kw,
    const struct ipaddr *a)
{
	conf_warn_at(p, line, "%s %s is on no interface of this host: "
	    "messages to it cannot arrive (ip addr add %s/%u dev lo)", kw,
	    ipaddr_ntoa(a), ipaddr_ntoa(a), a->af == AF_INET ? 32 : 128);
}

/*
 * -n, start, reload: the relay and discovery addresses must be this
 * host's, or gateways' messages to them never arrive.
 */
static void
live(struct conf_parse *p, void *conf)
{
	struct relay_conf	*c = conf;
	struct ifaddrs		*ifs;
	unsigned		 i;

	struct ipaddr		 ra;

	if (getifaddrs(&ifs) == -1)
		return;
	memset(&ra, 0, sizeof(ra));
	if (c->relay != 0) {
		ra.af = AF_INET;
		ra.v4 = c->relay;
		if (!is_local(ifs, &ra))
			not_local(p, conf_line(p, "relay-address"),
			    "relay-address", &ra);
	}
	if (c->has_relay6) {
		ra.af = AF_INET6;
		memcpy(&ra.v6, c->relay6, 16);
		if (!is_local(ifs, &ra))
			not_local(p, conf_line(p, "relay-address"),
			    "relay-address", &ra);
	}
	for (i = 0; i < c->disc.n; i++)
		if (!is_local(ifs, &c->disc.addr[i]))
			not_local(p, 0, "discovery-address",
			    &c->disc.addr[i]);
	if (c->upstream[0] != '\0' && if_nametoindex(c->upstream) == 0)
		conf_warn_at(p, conf_line(p, "upstream"), "upstream %s: no "
		    "such interface (yet): native joins wait for it",
		    c->upstream);
	freeifaddrs(ifs);
}

#define C	struct relay_conf
static const struct conf_item items[] = {
	CI_CUSTOM("discovery-address", C, disc, 1, parse_disc, print_disc,
	    CF_MULTI | CF_RESTART),
	CI_CUSTOM("relay-address", C, relay, 1, parse_relay, print_relay,
	    CF_MULTI | CF_RESTART),
	CI_IFNAME("upstream", C, upstream, NULL, CF_OPTIONAL | CF_RESTART),
	CI_TIME("query-interval", C, qi_ms, 1000, 31744000, 1000, "125", 0),
	CI_TIME("query-response-interval", C, qri_ms, 100, 3174400, 0, "10",
	    0),
	CI_TIME("query-max-response-time", C, mrt_ms, 100, 3174400, 100,
	    "0.1", 0),
	CI_UINT("robustness", C, robustness, 1, 7, "2", 0),
	CI_TIME("secret-lifetime", C, secret_ms, 1000, 7200000, 0, "3600",
	    0),					/* RFC 7450 5.3.6 */
	CI_UINT("tunnel-limit", C, tunnel_limit, 0, 1000000, "0", 0),
	CI_UINT("request-rate-limit", C, request_rate, 0, 10000000, "20000",
	    0),
	CI_UINT("request-prefix-limit", C, prefix_rate, 0, 10000000, "2000",
	    0),
	CI_UINT("request-prefix-length", C, prefix_len, 0, 32, "24", 0),
	CI_UINT("path-mtu", C, path_mtu, 576, 65535, "1500", 0),
	CI_UINT("send-buffer", C, sndbuf_kb, 64, 1048576, "4096", CF_RESTART),
	CI_MPREFIX4("ssm-range", C, ssm, "232.0.0.0/8", 0),	/* RFC 4607 */
	CI_BOOL("teardown", C, teardown, "on", 0),	/* RFC 7450 5.3.3.5 */
	CI_BOOL("mld", C, mld, "on", 0),		/* RFC 7450 5.3.1 */
	CONF_DAEMON_ITEMS(C, RELAY_PIDFILE, RELAY_CTLSOCK),
	CONF_PCAP_ITEMS(C),
};
#undef C

const struct conf_table relay_conf_table =
    CONF_TABLE_LIVE("amtrelayd", struct relay_conf, items, check, live);
