/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd.conf: the directive table (common/conf.c reads, checks and
 * prints by it) and what a table cannot say: the tunnel address, and
 * the timeouts checked against their ceiling.
 */

#include <stdlib.h>
#include <string.h>

#include "gw_conf.h"
#include "util.h"

/* "a.b.c.d/len": an interface address, so host bits are expected. */
static int
parse_ifaddr(struct conf_parse *p, const struct conf_item *it,
    const struct conf_args *a, void *conf)
{
	struct gw_conf	*c = conf;
	const char	*s = a->argv[1];
	char		 tmp[32], *slash;
	unsigned	 plen;

	if (strlen(s) >= sizeof(tmp) || (slash = strchr(s, '/')) == NULL)
		goto bad;
	strcpy(tmp, s);
	slash = tmp + (slash - s);
	*slash++ = '\0';
	if (addr4_parse(tmp, &c->tunnel_addr.addr) == -1 ||
	    conf_uint(&p->r, it->name, slash, 1, 32, &plen) == -1)
		goto bad;
	c->tunnel_addr.len = (uint8_t)plen;
	return 0;
bad:
	conf_error(&p->r, "%s: \"%s\" is not ADDRESS/LENGTH", it->name, s);
	return -1;
}

static void
print_ifaddr(const struct conf_item *it, const void *conf, FILE *fp)
{
	const struct gw_conf	*c = conf;

	if (c->tunnel_addr.len != 0)
		fprintf(fp, "%s %s/%u\n", it->name,
		    addr4_ntoa(c->tunnel_addr.addr), c->tunnel_addr.len);
}

/* A host name as a resolver takes it: LDH labels, dots between. */
static int
hostname_ok(const char *s)
{
	size_t	 i, lab = 0;

	if (*s == '\0' || strlen(s) > DRIAD_NAME_MAX)
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '.') {
			if (lab == 0)
				return 0;	/* empty label */
			lab = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '-' || s[i] == '_') || ++lab > 63)
			return 0;
	}
	return 1;
}

/*
 * relay: an address of either family, or a name the gateway resolves
 * (A and AAAA records).
 */
static int
parse_relay(struct conf_parse *p, const struct conf_item *it,
    const struct conf_args *a, void *conf)
{
	struct gw_conf	*c = conf;
	const char	*s = a->argv[1];
	uint32_t	 a4;
	size_t		 n;

	if (addr4_parse(s, &a4) == 0 || strchr(s, ':') != NULL)
		return conf_unicast46(&p->r, it->name, s, &c->relay);
	memset(&c->relay, 0, sizeof(c->relay));
	if (strspn(s, "0123456789.") == strlen(s) || !hostname_ok(s)) {
		conf_error(&p->r, "%s: \"%s\" is neither an IP address nor a "
		    "host name", it->name, s);
		return -1;
	}
	n = strlen(s);
	memcpy(c->relay_name, s, n + 1);
	if (c->relay_name[n - 1] == '.')
		c->relay_name[n - 1] = '\0';
	return 0;
}

static void
print_relay(const struct conf_item *it, const void *conf, FILE *fp)
{
	const struct gw_conf	*c = conf;

	if (c->relay_name[0] != '\0')
		fprintf(fp, "%s %s\n", it->name, c->relay_name);
	else if (!mc_src6_is_any(&c->relay))
		fprintf(fp, "%s %s\n", it->name, addr6_ntoa(c->relay.a));
}

/* discovery is printed only when no relay replaces it. */
static void
print_discovery(const struct conf_item *it, const void *conf, FILE *fp)
{
	const struct gw_conf	*c = conf;

	if (mc_src6_is_any(&c->relay) && c->relay_name[0] == '\0')
		fprintf(fp, "%s %s\n", it->name, addr6_ntoa(c->discovery.a));
}

/* A retransmission timeout must not exceed retransmit-max. */
static void
check_ceiling(struct conf_parse *p, const char *name, uint32_t ms,
    uint32_t max)
{
	if (ms <= max)
		return;
	conf_error_at(p, conf_line(p, name) ? name : "retransmit-max",
	    "%s %s (%s) exceeds retransmit-max %s (%s)", name,
	    conf_time_str(ms), conf_where(p, name), conf_time_str(max),
	    conf_where(p, "retransmit-max"));
}

/* Timeouts within their ceiling; nat-keepalive off or at least 1 s. */
static int
check(struct conf_parse *p, void *conf)
{
	struct gw_conf	*c = conf;

	c->fixed_relay = !mc_src6_is_any(&c->relay) ||
	    c->relay_name[0] != '\0';
	/* One inner source for every report and Update (RFC 3376 4.2.13). */
	c->report_src = c->inner_src != 0 ? c->inner_src :
	    c->tunnel_addr.len != 0 ? c->tunnel_addr.addr : 0;
	if (c->nat_keepalive_ms != 0 && c->nat_keepalive_ms < GW_MIN_QI_MS)
		conf_error_at(p, "nat-keepalive", "nat-keepalive: 0 (off) or "
		    "at least 1 second");
	check_ceiling(p, "discovery-timeout", c->disc_timeout_ms,
	    c->max_timeout_ms);
	check_ceiling(p, "request-timeout", c->req_timeout_ms,
	    c->max_timeout_ms);
	return 0;
}

#define C	struct gw_conf
static const struct conf_item items[] = {
	CI_IFNAME("tunnel", C, tunnel, GW_DEFAULT_TUNNEL, 0),
	CI_CUSTOM("tunnel-address", C, tunnel_addr, 1, parse_ifaddr,
	    print_ifaddr, 0),
	CI_UINT("tunnel-mtu", C, tunnel_mtu, 576, 65535, "1470", 0),
	CI_CUSTOM("relay", C, relay, 1, parse_relay, print_relay, 0,
	    .excludes = "discovery"),
	CI_ADDR46("discovery", C, discovery, "192.52.193.1", 0,
	    .excludes = "relay", .print = print_discovery),
	CI_ADDR46("local-address", C, local_addr, NULL, CF_OPTIONAL),
	CI_UINT("local-port", C, local_port, 0, 65535, "0", 0),
	CI_IFNAME("interface", C, ifname, NULL, CF_OPTIONAL),
	CI_TIME("discovery-timeout", C, disc_timeout_ms, 10, 120000, 0,
	    "1", 0),				/* RFC 7450 5.2.3.4.3 */
	CI_UINT("discovery-retries", C, disc_retries, 0, 1000, "5", 0),
	CI_TIME("request-timeout", C, req_timeout_ms, 10, 120000, 0, "1",
	    0),					/* 5.2.3.5.3 */
	CI_UINT("request-retries", C, req_retries, 0, 1000, "5", 0),
	CI_TIME("retransmit-max", C, max_timeout_ms, 10, 3600000, 0, "120",
	    0),
	CI_TIME("nat-keepalive", C, nat_keepalive_ms, 0, 3600000, 0, "100",
	    0),					/* below RFC 4787's 120 s */
	CI_TIME("teardown-interval", C, teardown_interval_ms, 10, 60000, 0,
	    "1", 0),				/* 5.2.3.7.2 */
	CI_ADDR4("inner-source", C, inner_src, NULL, CF_OPTIONAL),
	CI_UINT("path-mtu", C, path_mtu, GW_MIN_PATH_MTU, GW_PKT_MAX, "1500",
	    0),
	CI_OBSOLETE("report-queue", "reports that come before the first "
	    "Query are kept as membership state and sent with it"),
	CI_UINT("receive-buffer", C, rcvbuf_kb, 64, 1048576, "4096", 0),
	CI_BOOL("driad", C, driad, "on", 0),
	CI_BOOL("mld", C, mld, "on", 0),
	CI_STRING("dnssec-trust-anchor", C, trust_anchor, NULL,
	    CF_RESTART | CF_OPTIONAL),
	CI_UINT("tunnels-max", C, tunnels_max, 1, GW_TUNNELS_MAX, "64", 0),
	CI_UINT("driad-lookups-max", C, lookups_max, 1, 1024, "32", 0),
	CI_TIME("tunnel-hold", C, tunnel_hold_ms, 0, 3600000, 0, "30", 0),
	CONF_DAEMON_ITEMS(C, GW_PIDFILE, GW_CTLSOCK),
	CONF_PCAP_ITEMS(C),
};
#undef C

const struct conf_table gw_conf_table =
    CONF_TABLE("amtgwd", struct gw_conf, items, check);
