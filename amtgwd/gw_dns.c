/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd's resolver: libunbound, asynchronous, its descriptor in the
 * libevent loop.  It reads /etc/resolv.conf and /etc/hosts once at the
 * start, and the DNSSEC trust anchors of dnssec-trust-anchor (read here
 * before the privilege drop, one record a line, so validation needs no
 * file access later).  Answers are turned into struct gw_dns_answer
 * for the site (gw_site.c), which decodes every record itself.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <unbound.h>

#include "gw_dns.h"
#include "log.h"

#define GWDNS_RR_MAX	256	/* records of one answer handed on */

#define GWDNS_ADDR_MAX	32	/* addresses of one A+AAAA answer */

/*
 * A lookup in flight.  One of addresses of both families (GW_DNS_ADDR)
 * is an A and an AAAA query whose answers are gathered here and handed
 * on together once both are in.
 */
struct gwdns_slot {
	struct gwdns	*d;
	unsigned	 id;
	unsigned	 pending;	/* queries of the pair still out */
	int		 status;	/* the pair's so far; -1: none */
	uint32_t	 ttl;
	size_t		 n;
	uint8_t		 rr[GWDNS_ADDR_MAX][16];
	size_t		 len[GWDNS_ADDR_MAX];
};

struct gwdns {
	struct ub_ctx		*ub;
	struct event		*ev;
	gwdns_answer_fn		 cb;
	void			*arg;
	struct gwdns_slot	 slot[GWDNS_SLOTS];
};

/* dnssec-trust-anchor: DS or DNSKEY records, one a line. */
static int
load_anchors(struct ub_ctx *ub, const char *path)
{
	FILE	*fp;
	char	 line[4096];
	int	 lineno = 0, n = 0, err;
	size_t	 len;

	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("dnssec-trust-anchor %s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strcspn(line, "\r\n;");
		line[len] = '\0';
		if (strspn(line, " \t") == len)
			continue;
		if ((err = ub_ctx_add_ta(ub, line)) != 0) {
			log_warnx("%s:%d: not a trust anchor: %s", path, lineno,
			    ub_strerror(err));
			fclose(fp);
			return -1;
		}
		n++;
	}
	fclose(fp);
	if (n == 0) {
		log_warnx("%s: no trust anchor in it", path);
		return -1;
	}
	return 0;
}

static void
ready_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gwdns	*d = arg;
	int		 err;

	(void)fd;
	(void)ev;
	if ((err = ub_process(d->ub)) != 0)
		log_warnx("resolver: %s", ub_strerror(err));
}

struct gwdns *
gwdns_open(struct event_base *base, const char *anchors, gwdns_answer_fn cb,
    void *arg)
{
	struct gwdns	*d;
	int		 err;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->ub = ub_ctx_create()) == NULL) {
		log_warnx("resolver: cannot create a libunbound context");
		free(d);
		return NULL;
	}
	d->cb = cb;
	d->arg = arg;
	if ((err = ub_ctx_resolvconf(d->ub, NULL)) != 0)
		log_warnx("resolver: /etc/resolv.conf: %s (DNS lookups will "
		    "fail; set a nameserver there)", ub_strerror(err));
	if ((err = ub_ctx_hosts(d->ub, NULL)) != 0)
		log_debug("resolver: /etc/hosts: %s", ub_strerror(err));
	/*
	 * Sources in private space have their records in the site's DNS:
	 * libunbound would answer their reverse names with NXDOMAIN.
	 */
	if ((err = ub_ctx_set_option(d->ub, "unblock-lan-zones:", "yes")) != 0)
		log_debug("resolver: unblock-lan-zones: %s", ub_strerror(err));
	if ((err = ub_ctx_async(d->ub, 1)) != 0 ||
	    (anchors != NULL && anchors[0] != '\0' &&
	    load_anchors(d->ub, anchors) == -1)) {
		if (err != 0)
			log_warnx("resolver: %s", ub_strerror(err));
		gwdns_close(d);
		return NULL;
	}
	d->ev = event_new(base, ub_fd(d->ub), EV_READ | EV_PERSIST, ready_cb,
	    d);
	if (d->ev == NULL || event_add(d->ev, NULL) == -1) {
		log_warnx("resolver: event_add");
		gwdns_close(d);
		return NULL;
	}
	return d;
}

void
gwdns_close(struct gwdns *d)
{
	if (d == NULL)
		return;
	if (d->ev != NULL)
		event_free(d->ev);
	ub_ctx_delete(d->ub);
	free(d);
}

/* libunbound's result, as the site takes it. */
/*
 * One answer of an A+AAAA pair into its slot; the pair's answer goes
 * out with the second: records if either had some, else the worse of
 * the two (a failure over "no such name").
 */
static void
pair_result(struct gwdns_slot *sl, const struct gw_dns_answer *a)
{
	const uint8_t		*rr[GWDNS_ADDR_MAX];
	struct gw_dns_answer	 out;
	size_t			 i;

	for (i = 0; i < a->n && sl->n < GWDNS_ADDR_MAX; i++)
		if (a->len[i] == 4 || a->len[i] == 16) {
			memcpy(sl->rr[sl->n], a->rr[i], a->len[i]);
			sl->len[sl->n++] = a->len[i];
		}
	if (a->status == GW_DNS_OK && a->n > 0 && (sl->ttl == 0 ||
	    a->ttl < sl->ttl))
		sl->ttl = a->ttl;
	if (sl->status == -1 || (sl->status == GW_DNS_NONE &&
	    a->status != GW_DNS_OK) || a->status == GW_DNS_BOGUS)
		sl->status = (int)a->status;
	if (--sl->pending > 0)
		return;
	memset(&out, 0, sizeof(out));
	out.status = sl->n > 0 ? GW_DNS_OK : (enum gw_dns_status)sl->status;
	out.ttl = sl->n > 0 ? sl->ttl : a->ttl;
	for (i = 0; i < sl->n; i++)
		rr[i] = sl->rr[i];
	out.n = sl->n;
	out.rr = rr;
	out.len = sl->len;
	sl->d->cb(sl->d->arg, sl->id, &out);
}

static void
result_cb(void *arg, int err, struct ub_result *r)
{
	struct gwdns_slot	*sl = arg;
	const uint8_t		*rr[GWDNS_RR_MAX];
	size_t			 len[GWDNS_RR_MAX];
	struct gw_dns_answer	 a;
	size_t			 n = 0;

	memset(&a, 0, sizeof(a));
	if (err != 0 || r == NULL) {
		log_debug("lookup: %s", ub_strerror(err));
		a.status = GW_DNS_FAIL;
	} else if (r->bogus) {
		log_debug("lookup %s: bogus: %s", r->qname, r->why_bogus ?
		    r->why_bogus : "?");
		a.status = GW_DNS_BOGUS;
	} else if (r->havedata) {
		a.status = GW_DNS_OK;
		while (n < GWDNS_RR_MAX && r->data[n] != NULL) {
			rr[n] = (const uint8_t *)r->data[n];
			len[n] = r->len[n] < 0 ? 0 : (size_t)r->len[n];
			n++;
		}
	} else if (r->nxdomain || r->rcode == 0)
		a.status = GW_DNS_NONE;
	else
		a.status = GW_DNS_FAIL;
	if (r != NULL)
		a.ttl = r->ttl < 0 ? 0 : (uint32_t)r->ttl;
	a.n = n;
	a.rr = rr;
	a.len = len;
	if (sl->pending > 0)
		pair_result(sl, &a);
	else
		sl->d->cb(sl->d->arg, sl->id, &a);
	if (r != NULL)
		ub_resolve_free(r);
}

/* Look name/type up; the answer comes to the callback with id. */
int
gwdns_lookup(struct gwdns *d, unsigned id, const char *name, uint16_t type)
{
	int	 err;

	struct gwdns_slot	*sl;

	if (d == NULL || id >= GWDNS_SLOTS)
		return -1;
	sl = &d->slot[id];
	memset(sl, 0, sizeof(*sl));
	sl->d = d;
	sl->id = id;
	sl->status = -1;
	if (type == GW_DNS_ADDR) {
		/* A and AAAA (RFC 8777 4.2.3: a type 3 relay's addresses). */
		sl->pending = 2;
		if ((err = ub_resolve_async(d->ub, name, 1, 1, sl, result_cb,
		    NULL)) != 0) {
			log_warnx("resolver: %s: %s", name, ub_strerror(err));
			return -1;
		}
		if ((err = ub_resolve_async(d->ub, name, 28, 1, sl, result_cb,
		    NULL)) != 0) {
			/* The A query answers alone. */
			log_warnx("resolver: %s AAAA: %s", name,
			    ub_strerror(err));
			sl->pending = 1;
		}
		return 0;
	}
	if ((err = ub_resolve_async(d->ub, name, type, 1, sl, result_cb,
	    NULL)) != 0) {
		log_warnx("resolver: %s: %s", name, ub_strerror(err));
		return -1;
	}
	return 0;
}
