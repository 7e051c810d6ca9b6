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

struct gwdns_slot {
	struct gwdns	*d;
	unsigned	 id;
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
	sl->d->cb(sl->d->arg, sl->id, &a);
	if (r != NULL)
		ub_resolve_free(r);
}

/* Look name/type up; the answer comes to the callback with id. */
int
gwdns_lookup(struct gwdns *d, unsigned id, const char *name, uint16_t type)
{
	int	 err;

	if (d == NULL || id >= GWDNS_SLOTS)
		return -1;
	d->slot[id].d = d;
	d->slot[id].id = id;
	if ((err = ub_resolve_async(d->ub, name, type, 1, &d->slot[id],
	    result_cb, NULL)) != 0) {
		log_warnx("resolver: %s: %s", name, ub_strerror(err));
		return -1;
	}
	return 0;
}
