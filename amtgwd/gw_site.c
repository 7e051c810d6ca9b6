/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The gateway site: the membership the host side reports on the
 * pseudo-interface, split over tunnels.  A channel (S,G) goes to a
 * relay near S, found in DNS as S's AMTRELAY records (RFC 8777,
 * DRIAD): one tunnel state machine (gw_fsm.c) per relay, all writing
 * into the same pseudo-interface.  ASM groups, sources without
 * records and sources whose lookups fail go to the default tunnel,
 * the relay or discovery address of the configuration.
 *
 * Each tunnel keeps its share of the membership as its own mirror;
 * when the host's membership or a source's route changes, the share
 * is computed again and the difference goes to the tunnel as records
 * (hstate_diff(), RFC 3376 5.1), so a source moving from one relay to
 * another is a BLOCK at one and an ALLOW at the other.
 *
 * Like the tunnels, this file touches no socket and reads no clock:
 * lookups go out through ops->lookup() and come back to site_dns().
 */

#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "igmp_proto.h"
#include "util.h"

static void	 select_relay(struct gw_site *, uint64_t, struct gw_src *,
		    unsigned);
static void	 reproject_source(struct gw_site *, uint64_t,
		    const struct mc_src6 *);
static void	 lookups_kick(struct gw_site *, uint64_t);

/* ---- tunnels ---- */

static int
t_send(void *arg, const struct mc_src6 *a, uint16_t port, const uint8_t *p,
    size_t len)
{
	struct gw_site	*s = arg;

	return s->ops->send(s->ctx, a, port, p, len);
}

static int
t_tun_write(void *arg, const uint8_t *p, size_t len)
{
	struct gw_site	*s = arg;

	return s->ops->tun_write(s->ctx, p, len);
}

static uint32_t
t_random(void *arg)
{
	struct gw_site	*s = arg;

	return s->ops->random(s->ctx);
}

/*
 * A tunnel's Query went to the host side, which reports its whole
 * membership within wait ms: what it leaves out ages after that.  A
 * sweep already due stays (a later Query does not postpone it).
 */
static void
t_asked(void *arg, uint64_t now, uint32_t wait)
{
	struct gw_site	*s = arg;

	if (s->subs.sweep_at != 0)
		return;
	s->subs.asked = now;
	s->subs.sweep_at = now + wait;
}

/* The same for an MLDv2 Query and the host side's IPv6 groups. */
static void
t_asked6(void *arg, uint64_t now, uint32_t wait)
{
	struct gw_site	*s = arg;

	if (s->subs6.sweep_at != 0)
		return;
	s->subs6.asked = now;
	s->subs6.sweep_at = now + wait;
}

static struct gw_tnl *
tnl_of(struct gw_site *s, const struct gw *gw)
{
	size_t	 i;

	for (i = 0; i < s->nt; i++)
		if (&s->t[i]->fsm == gw)
			return s->t[i];
	return NULL;
}

/* Move every source off t (of family 6 only, or all: 0), to its next relay. */
static void
tnl_evacuate(struct gw_site *s, uint64_t now, struct gw_tnl *t, int family)
{
	size_t	 i;

	for (i = 0; i < s->nsrc; i++) {
		struct gw_src	*e = &s->src[i];

		if (e->t != t || (family == 6 && mc_src6_is_v4(&e->addr)))
			continue;
		e->t = NULL;
		s->ctr[GW_SITE_FAILOVERS]++;
		select_relay(s, now, e, e->cur + 1);
		reproject_source(s, now, &e->addr);
	}
}

/*
 * A tunnel found by DNS answers IPv4 Requests but not IPv6 ones: its
 * IPv6 sources move to their next relay, its IPv4 ones stay.
 */
static void
t_failed6(void *arg, struct gw *gw, uint64_t now)
{
	struct gw_site	*s = arg;
	struct gw_tnl	*t = tnl_of(s, gw);

	if (t != NULL && !t->dead)
		tnl_evacuate(s, now, t, 6);
}

/* A tunnel found by DNS gave its relay up (no answer, or the L flag). */
static void
t_failed(void *arg, struct gw *gw, uint64_t now)
{
	struct gw_site	*s = arg;
	struct gw_tnl	*t = tnl_of(s, gw);

	if (t == NULL || t->dead)
		return;
	t->dead = 1;
	gw_stop(&t->fsm, now);
	tnl_evacuate(s, now, t, 0);
}

/* The tunnel already going to addr, the default one included. */
struct gw_tnl *
site_tunnel(const struct gw_site *s, const struct mc_src6 *addr)
{
	const struct gw	*d = &s->def.fsm;
	size_t		 i;

	if ((d->have_relay && mc_src6_eq(&d->relay, addr)) || (d->fixed &&
	    mc_src6_eq(&d->cfg_relay, addr)))
		return (struct gw_tnl *)(uintptr_t)&s->def;
	for (i = 0; i < s->nt; i++)
		if (mc_src6_eq(&s->t[i]->key, addr))
			return s->t[i];
	return NULL;
}

/* The record a candidate came from, for logs and amtctl. */
void
site_rec_text(const struct gw_cand *c, char *buf, size_t len)
{
	struct driad_rr	 rr;

	memset(&rr, 0, sizeof(rr));
	rr.prec = c->prec;
	rr.d = c->d;
	rr.type = c->type;
	if (mc_src6_is_v4(&c->addr))
		rr.v4 = mc_src6_to_v4(&c->addr);
	else {
		rr.type = DRIAD_TYPE_IPV6;
		memcpy(rr.v6, c->addr.a, 16);
	}
	if (c->type == DRIAD_TYPE_NAME || c->via != NULL) {
		rr.type = DRIAD_TYPE_NAME;
		snprintf(rr.name, sizeof(rr.name), "%s", c->via != NULL ?
		    c->via : c->name);
	}
	if (driad_format(&rr, buf, len) == -1)
		snprintf(buf, len, "AMTRELAY %u %u %u", rr.prec, rr.d,
		    rr.type);
	else if (c->via != NULL && strlen(buf) + 44 < len)
		snprintf(buf + strlen(buf), len - strlen(buf), " (%s)",
		    addr6_ntoa(c->addr.a));
}

/*
 * The tunnel for candidate c: one already going there (revived if it
 * was leaving for want of groups), or a new one.  NULL: none may be
 * had (dead, or tunnels-max).
 */
static struct gw_tnl *
tnl_get(struct gw_site *s, uint64_t now, const struct gw_cand *c)
{
	struct gw_tnl	*t = site_tunnel(s, &c->addr), **nv;

	if ((t != NULL && t->dead) || s->stopping)
		return NULL;
	if (t != NULL) {
		if (t->fsm.state == GW_STA_STOPPING ||
		    t->fsm.state == GW_STA_DONE)
			gw_restart(&t->fsm, now);
		return t;
	}
	if (s->nt + 1 >= s->conf->tunnels_max) {
		s->ctr[GW_SITE_TUNNELS_LIMIT]++;
		log_warnx_rl(&s->lim, "tunnels-max %u reached: relay %s not "
		    "used, its sources go to the default relay (raise "
		    "tunnels-max)", s->conf->tunnels_max,
		    addr6_ntoa(c->addr.a));
		return NULL;
	}
	if ((nv = reallocarray(s->t, s->nt + 1, sizeof(*nv))) == NULL)
		return NULL;
	s->t = nv;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	(void)gw_init(&t->fsm, s->conf, &s->tops, s);
	/* 8777 4.2.2: D=0, discovery at the address first. */
	gw_set_target(&t->fsm, c->d, &c->addr, 1);
	t->how = GW_HOW_DRIAD;
	t->key = c->addr;
	site_rec_text(c, t->rec, sizeof(t->rec));
	s->t[s->nt++] = t;
	s->ctr[GW_SITE_TUNNELS_OPENED]++;
	log_info("tunnel to relay %s (%s)", addr6_ntoa(c->addr.a), t->rec);
	gw_start(&t->fsm, now);
	return t;
}

static void
tnl_free(struct gw_site *s, size_t i)
{
	struct gw_tnl	*t = s->t[i];

	gw_free(&t->fsm);
	free(t);
	s->t[i] = s->t[--s->nt];
	s->ctr[GW_SITE_TUNNELS_CLOSED]++;
}

/* ---- sources ---- */

/* Sources of both families in one table, in the order of their keys. */
static size_t
src_pos(const struct gw_site *s, const struct mc_src6 *a)
{
	size_t	 lo = 0, hi = s->nsrc, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (memcmp(s->src[mid].addr.a, a->a, sizeof(a->a)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct gw_src *
site_source(const struct gw_site *s, const struct mc_src6 *a)
{
	size_t	 i = src_pos(s, a);

	return i < s->nsrc && mc_src6_eq(&s->src[i].addr, a) ? &s->src[i] :
	    NULL;
}

static void
cands_free(struct gw_src *e)
{
	unsigned	 i;

	for (i = 0; i < e->nc; i++) {
		free(e->c[i].name);
		free(e->c[i].via);
	}
	e->nc = e->cur = 0;
}

static void
src_due(struct gw_site *s, uint64_t at)
{
	if (at != 0 && (s->src_due == 0 || at < s->src_due))
		s->src_due = at;
}

/* The source's entry, made (and its lookup started) if new. */
static struct gw_src *
src_get(struct gw_site *s, uint64_t now, const struct mc_src6 *a)
{
	struct gw_src	*nv, *e;
	size_t		 i = src_pos(s, a), ncap;

	if (i < s->nsrc && mc_src6_eq(&s->src[i].addr, a))
		return &s->src[i];
	if (s->nsrc == GW_SRCS_MAX) {
		s->ctr[GW_SITE_SOURCES_LIMIT]++;
		log_warnx_rl(&s->lim, "%d sources with DRIAD state: source %s "
		    "goes to the default relay", GW_SRCS_MAX, addr6_ntoa(a->a));
		return NULL;
	}
	if (s->nsrc == s->srccap) {
		ncap = s->srccap == 0 ? 16 : s->srccap * 2;
		if ((nv = reallocarray(s->src, ncap, sizeof(*nv))) == NULL)
			return NULL;
		s->src = nv;
		s->srccap = ncap;
	}
	memmove(&s->src[i + 1], &s->src[i], (s->nsrc - i) * sizeof(*e));
	s->nsrc++;
	e = &s->src[i];
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	e->st = GW_SRC_QUEUED;
	src_due(s, now);
	return e;
}

static void
src_del(struct gw_site *s, struct gw_src *e)
{
	size_t	 i = (size_t)(e - s->src);

	cands_free(e);
	memmove(&s->src[i], &s->src[i + 1], (s->nsrc - i - 1) * sizeof(*e));
	s->nsrc--;
}

/* Whether some INCLUDE group of the host side names source a. */
static int
src_used(const struct gw_site *s, const struct mc_src6 *a)
{
	size_t	 i;

	if (!mc_src6_is_v4(a)) {
		for (i = 0; i < s->subs6.n; i++)
			if (s->subs6.v[i].st.mode == MC_INCLUDE &&
			    srclist_has6(&s->subs6.v[i].st.srcs, *a))
				return 1;
		return 0;
	}
	for (i = 0; i < s->subs.n; i++)
		if (s->subs.v[i].st.mode == MC_INCLUDE &&
		    srclist_has(&s->subs.v[i].st.srcs, mc_src6_to_v4(a)))
			return 1;
	return 0;
}

static void
to_default(struct gw_src *e, const char *why)
{
	e->t = NULL;
	e->st = GW_SRC_DEFAULT;
	e->why = why;
}

/* ---- lookups ---- */

static int
lk_slot(struct gw_site *s)
{
	unsigned	 i;

	for (i = 0; i < s->conf->lookups_max && i < s->nlk; i++)
		if (s->lk[i].kind == GW_LK_FREE)
			return (int)i;
	return -1;
}

/* A lookup out through the daemon's resolver; -1: no slot, -2: refused. */
static int
lk_start(struct gw_site *s, enum gw_lk_kind kind, const struct mc_src6 *src,
    const char *name, uint16_t type)
{
	int	 id = lk_slot(s);

	if (id == -1) {
		s->ctr[GW_SITE_LOOKUP_QUEUED]++;
		return -1;
	}
	s->lk[id].kind = (uint8_t)kind;
	s->lk[id].src = src != NULL ? *src : (struct mc_src6){ { 0 } };
	if (s->ops->lookup(s->ctx, (unsigned)id, name, type) == -1) {
		s->lk[id].kind = GW_LK_FREE;
		s->ctr[GW_SITE_DNS_FAILED]++;
		return -2;
	}
	s->ctr[GW_SITE_LOOKUPS]++;
	log_debug("lookup %s %s", name, type == DRIAD_RRTYPE ? "AMTRELAY" :
	    "A");
	return 0;
}

/* A failed lookup again after 1 s, doubling up to 5 minutes. */
static uint64_t
retry_after(unsigned tries)
{
	uint64_t	 ms = GW_DNS_RETRY_MIN_MS;

	while (tries-- > 1 && ms < GW_DNS_RETRY_MAX_MS)
		ms *= 2;
	return ms > GW_DNS_RETRY_MAX_MS ? GW_DNS_RETRY_MAX_MS : ms;
}

/* The AMTRELAY lookup of a source (new, failed before, or renewing). */
static void
src_lookup(struct gw_site *s, uint64_t now, struct gw_src *e)
{
	char	 name[DRIAD_REVNAME_MAX];
	int	 r;

	if (e->inflight)
		return;
	if (mc_src6_is_v4(&e->addr))
		(void)driad_revname(mc_src6_to_v4(&e->addr), name,
		    sizeof(name));
	else
		(void)driad_revname6(e->addr.a, name, sizeof(name));
	r = lk_start(s, GW_LK_SOURCE, &e->addr, name, DRIAD_RRTYPE);
	if (r == 0) {
		e->inflight = 1;
		e->retry_at = 0;
		if (e->st == GW_SRC_QUEUED)
			e->st = GW_SRC_LOOKUP;
	} else if (r == -2) {
		/* The resolver refused: as a failed lookup. */
		e->tries++;
		e->retry_at = now + retry_after(e->tries);
		src_due(s, e->retry_at);
		if (e->st == GW_SRC_QUEUED)
			to_default(e, "DNS lookup failed");
	}
}

/* The A lookup of the name of candidate e->c[e->cur]. */
static void
name_lookup(struct gw_site *s, struct gw_src *e)
{
	if (e->inflight)
		return;
	if (lk_start(s, GW_LK_NAME, &e->addr, e->c[e->cur].name,
	    GW_DNS_ADDR) == 0)
		e->inflight = 1;
}

/* ---- choosing a relay (RFC 8777 4.1.2, 4.2) ---- */

/*
 * From candidate i on: the first that can be had.  A name is resolved
 * first (its addresses take its place, in random order), a type 0
 * record means no relay, past the end is the default tunnel.
 */
static void
select_relay(struct gw_site *s, uint64_t now, struct gw_src *e, unsigned i)
{
	struct gw_tnl	*t;

	e->t = NULL;
	for (; i < e->nc; i++) {
		e->cur = i;
		switch (e->c[i].type) {
		case DRIAD_TYPE_NONE:
			e->st = GW_SRC_UNSERVED;
			return;
		case DRIAD_TYPE_NAME:
			e->st = GW_SRC_NAME;
			name_lookup(s, e);
			return;
		default:
			if ((t = tnl_get(s, now, &e->c[i])) == NULL)
				continue;
			e->st = GW_SRC_RELAY;
			e->t = t;
			return;
		}
	}
	e->cur = e->nc;
	to_default(e, e->nc == 0 ? "no AMTRELAY records" :
	    "no relay of its records answers");
}

/* The candidate now in use, after a new answer: kept if still listed. */
static int
keep_current(struct gw_src *e, const struct mc_src6 *addr)
{
	unsigned	 i;

	for (i = 0; i < e->nc; i++)
		if ((e->c[i].type == DRIAD_TYPE_IPV4 ||
		    e->c[i].type == DRIAD_TYPE_IPV6) &&
		    mc_src6_eq(&e->c[i].addr, addr)) {
			e->cur = i;
			return 1;
		}
	return 0;
}

/* An RRset into e's candidates, ordered; returns how many are usable. */
static unsigned
cands_from(struct gw_site *s, struct gw_src *e,
    const struct gw_dns_answer *a)
{
	struct driad_rr	 rr[GW_DRIAD_CANDS], x;
	uint32_t	 rnd[GW_DRIAD_CANDS] = { 0 };
	size_t		 i, n = 0;
	enum driad_err	 err;

	for (i = 0; i < a->n; i++) {
		if ((err = driad_decode(a->rr[i], a->len[i], &x)) != DRIAD_OK) {
			s->ctr[GW_SITE_RR_MALFORMED]++;
			log_debug_rl(&s->lim, "AMTRELAY record of %s dropped: "
			    "%s", addr6_ntoa(e->addr.a), driad_strerror(err));
			continue;
		}
		/* An IPv6 relay that is no global unicast; a full set. */
		if ((x.type == DRIAD_TYPE_IPV6 && !driad_unicast6(x.v6)) ||
		    n == GW_DRIAD_CANDS) {
			s->ctr[GW_SITE_RR_SKIPPED]++;
			continue;
		}
		rr[n] = x;
		rnd[n] = s->ops->random(s->ctx);
		n++;
	}
	driad_order(rr, n, rnd);
	cands_free(e);
	for (i = 0; i < n; i++) {
		e->c[i].prec = rr[i].prec;
		e->c[i].d = rr[i].d;
		e->c[i].type = rr[i].type;
		if (rr[i].type == DRIAD_TYPE_IPV6)
			memcpy(e->c[i].addr.a, rr[i].v6, 16);
		else
			e->c[i].addr = mc_src6_v4(rr[i].v4);
		e->c[i].name = e->c[i].via = NULL;
		if (rr[i].type == DRIAD_TYPE_NAME &&
		    (e->c[i].name = strdup(rr[i].name)) == NULL)
			e->c[i].type = DRIAD_TYPE_NONE;
	}
	e->nc = (unsigned)n;
	return e->nc;
}

/* The answer to a source's AMTRELAY lookup. */
static void
source_answer(struct gw_site *s, uint64_t now, struct gw_src *e,
    const struct gw_dns_answer *a)
{
	uint32_t	 ttl = a->ttl;
	static const struct mc_src6	 none;
	struct mc_src6	 was = e->t != NULL ? e->t->key : none;

	e->refresh = 0;
	if (a->status == GW_DNS_FAIL || a->status == GW_DNS_BOGUS) {
		s->ctr[a->status == GW_DNS_BOGUS ? GW_SITE_DNS_BOGUS :
		    GW_SITE_DNS_FAILED]++;
		e->tries++;
		e->retry_at = now + retry_after(e->tries);
		src_due(s, e->retry_at);
		if (a->status == GW_DNS_BOGUS)
			log_warnx_rl(&s->lim, "AMTRELAY of %s: DNSSEC "
			    "validation failed; not used",
			    addr6_ntoa(e->addr.a));
		/* A tunnel that works stays; a new source waits no more. */
		if (e->st == GW_SRC_LOOKUP || e->st == GW_SRC_QUEUED)
			to_default(e, "DNS lookup failed");
		return;
	}
	e->tries = 0;
	e->retry_at = 0;
	s->ctr[GW_SITE_ANSWERS]++;
	if (a->status == GW_DNS_NONE || cands_from(s, e, a) == 0) {
		if (a->status == GW_DNS_NONE)
			s->ctr[GW_SITE_NO_RECORDS]++;
		cands_free(e);
		if (ttl > GW_DNS_NEG_TTL_MAX_S)
			ttl = GW_DNS_NEG_TTL_MAX_S;
		e->expires = now + (uint64_t)(ttl == 0 ? 1 : ttl) * 1000;
		src_due(s, e->expires);
		to_default(e, "no AMTRELAY records");
		return;
	}
	if (ttl > GW_DNS_TTL_MAX_S)
		ttl = GW_DNS_TTL_MAX_S;
	e->expires = now + (uint64_t)(ttl == 0 ? 1 : ttl) * 1000;
	src_due(s, e->expires);
	if (e->st == GW_SRC_RELAY && !mc_src6_is_any(&was) &&
	    keep_current(e, &was))
		return;
	select_relay(s, now, e, 0);
}

/*
 * A record of an address answer (A or AAAA): a unicast host of either
 * family into *out, or 0.
 */
static int
addr_rr(const uint8_t *rr, size_t len, struct mc_src6 *out)
{
	if (len == 4 && driad_unicast(be32_load(rr))) {
		*out = mc_src6_v4(be32_load(rr));
		return 1;
	}
	if (len == 16 && driad_unicast6(rr)) {
		memcpy(out->a, rr, 16);
		return 1;
	}
	return 0;
}

/*
 * The answer to a type 3 relay's address lookup (A and AAAA): its
 * addresses replace it.
 */
static void
name_answer(struct gw_site *s, uint64_t now, struct gw_src *e,
    const struct gw_dns_answer *a)
{
	struct gw_cand	 c = e->c[e->cur], tail[GW_DRIAD_CANDS];
	struct mc_src6	 ra;
	unsigned	 ntail = e->nc - e->cur - 1, k = 0, j;
	size_t		 i;

	if (e->st != GW_SRC_NAME)
		return;
	memcpy(tail, &e->c[e->cur + 1], ntail * sizeof(tail[0]));
	e->nc = e->cur;
	for (i = 0; a->status == GW_DNS_OK && i < a->n; i++) {
		if (e->nc == GW_DRIAD_CANDS || !addr_rr(a->rr[i], a->len[i],
		    &ra)) {
			s->ctr[GW_SITE_RR_SKIPPED]++;
			continue;
		}
		/* 8777 4.2.3: the D bit and precedence carry over. */
		e->c[e->nc] = (struct gw_cand){ .prec = c.prec, .d = c.d,
		    .type = mc_src6_is_v4(&ra) ? DRIAD_TYPE_IPV4 :
		    DRIAD_TYPE_IPV6, .addr = ra, .via = strdup(c.name) };
		e->nc++;
		k++;
	}
	for (j = 1; j < k; j++) {	/* random order among them */
		unsigned	 r = e->cur + s->ops->random(s->ctx) % (j + 1);
		struct gw_cand	 x = e->c[e->cur + j];

		e->c[e->cur + j] = e->c[r];
		e->c[r] = x;
	}
	for (j = 0; j < ntail && e->nc < GW_DRIAD_CANDS; j++)
		e->c[e->nc++] = tail[j];
	for (; j < ntail; j++) {
		free(tail[j].name);
		free(tail[j].via);
	}
	free(c.name);
	free(c.via);
	if (a->status != GW_DNS_OK)
		s->ctr[GW_SITE_DNS_FAILED]++;
	select_relay(s, now, e, e->cur);
}

/* The configured relay's name: the default tunnel starts with it. */
static void
relay_answer(struct gw_site *s, uint64_t now, const struct gw_dns_answer *a)
{
	struct gw	*d = &s->def.fsm;
	size_t		 i, n = 0;
	struct mc_src6	 v[16];

	for (i = 0; a->status == GW_DNS_OK && i < a->n && n < 16; i++)
		if (addr_rr(a->rr[i], a->len[i], &v[n]))
			n++;
	if (n == 0) {
		s->relay_tries++;
		s->relay_retry = now + retry_after(s->relay_tries);
		log_warnx("relay %s: no address (%s); again in %llu s",
		    s->conf->relay_name, a->status == GW_DNS_NONE ?
		    "no such name" : "lookup failed", (unsigned long long)
		    (s->relay_retry - now) / 1000);
		return;
	}
	s->relay_tries = 0;
	gw_set_target(d, 1, &v[s->ops->random(s->ctx) % n], 0);
	log_info("relay %s is %s", s->conf->relay_name,
	    addr6_ntoa(d->cfg_relay.a));
	if (!s->stopping)
		gw_restart(d, now);
}

/* A lookup's answer, from the daemon's resolver. */
void
site_dns(struct gw_site *s, uint64_t now, unsigned id,
    const struct gw_dns_answer *a)
{
	struct gw_lookup	 l;
	struct gw_src		*e;

	if (id >= s->nlk || s->lk[id].kind == GW_LK_FREE)
		return;
	l = s->lk[id];
	s->lk[id].kind = GW_LK_FREE;
	if (l.kind == GW_LK_RELAY) {
		relay_answer(s, now, a);
	} else if ((e = site_source(s, &l.src)) != NULL) {
		e->inflight = 0;
		if (l.kind == GW_LK_SOURCE)
			source_answer(s, now, e, a);
		else
			name_answer(s, now, e, a);
		reproject_source(s, now, &e->addr);
	}
	lookups_kick(s, now);
}

/* ---- the split ---- */

/* The tunnel serving source a, or NULL while none does. */
static struct gw *
route(const struct gw_site *s, const struct mc_src6 *a)
{
	const struct gw_src	*e;

	if (!s->conf->driad)
		return (struct gw *)(uintptr_t)&s->def.fsm;
	/* Past GW_SRCS_MAX sources: the default relay, not nowhere. */
	if ((e = site_source(s, a)) == NULL)
		return s->nsrc >= GW_SRCS_MAX ?
		    (struct gw *)(uintptr_t)&s->def.fsm : NULL;
	if (e->st == GW_SRC_RELAY)
		return &e->t->fsm;
	if (e->st == GW_SRC_DEFAULT)
		return (struct gw *)(uintptr_t)&s->def.fsm;
	return NULL;
}

/* A tunnel with groups of either family is in use; else idle since. */
static void
tnl_use(struct gw_tnl *t, uint64_t now)
{
	if (t->fsm.subs.n > 0 || t->fsm.mld.subs.n > 0)
		t->idle_since = 0;
	else if (t->idle_since == 0)
		t->idle_since = now;
}

/* The split, for IPv4 groups (IGMP) and for IPv6 groups (MLD). */
#define SP(n)			n##4
#define SP_KEY			uint32_t
#define SP_SUB			struct gw_sub
#define SP_REC			struct mc_rec
#define SP_SITE(s)		(&(s)->subs)
#define SP_TBL(t)		(&(t)->fsm.subs)
#define SP_FIND(tbl, g)		subs_find(tbl, g)
#define SP_RECORD(tbl, r, now)	subs_record(tbl, r, now)
#define SP_AGE(tbl, a, out)	subs_age(tbl, a, out)
#define SP_SRCKEY(x)		mc_src6_v4(x)
#define SP_EQ			srclist_eq
#define SP_HAS			srclist_has
#define SP_DIFF			hstate_diff
#define SP_RECORDS		gw_records
#define SP_WANT(s)		((s)->want)
#define SP_SA(s)		((s)->sa)
#define SP_SB(s)		((s)->sb)
#define SP_GROUPS(s)		((s)->groups)
#define SP_CTR_AGED		GW_SITE_GROUPS_AGED
#define SP_CTR_FULL		GW_SITE_GROUPS_FULL
#define SP_WHAT			""
#include "gw_split_impl.h"

static struct gw_sub6 *
find6_by_value(const struct gw_subs6 *t, struct mc_src6 g)
{
	return subs6_find(t, &g);
}

#define SP(n)			n##6
#define SP_KEY			struct mc_src6
#define SP_SUB			struct gw_sub6
#define SP_REC			struct mc_rec6
#define SP_SITE(s)		(&(s)->subs6)
#define SP_TBL(t)		(&(t)->fsm.mld.subs)
#define SP_FIND(tbl, g)		find6_by_value(tbl, g)
#define SP_RECORD(tbl, r, now)	subs6_record(tbl, r, now)
#define SP_AGE(tbl, a, out)	subs6_age(tbl, a, out)
#define SP_SRCKEY(x)		(x)
#define SP_EQ			srclist_eq6
#define SP_HAS			srclist_has6
#define SP_DIFF			hstate_diff6
#define SP_RECORDS		gw_mld_records
#define SP_WANT(s)		((s)->want6)
#define SP_SA(s)		((s)->sa6)
#define SP_SB(s)		((s)->sb6)
#define SP_GROUPS(s)		((s)->groups6)
#define SP_CTR_AGED		GW_SITE_MLD_GROUPS_AGED
#define SP_CTR_FULL		GW_SITE_MLD_GROUPS_FULL
#define SP_WHAT			" IPv6"
#include "gw_split_impl.h"

/* The groups naming source a, after its route changed. */
static void
reproject_source(struct gw_site *s, uint64_t now, const struct mc_src6 *a)
{
	if (mc_src6_is_v4(a))
		reproject_source4(s, now, mc_src6_to_v4(a));
	else
		reproject_source6(s, now, *a);
}

/* Every group (the configuration changed). */
static void
reproject_all(struct gw_site *s, uint64_t now)
{
	reproject_all4(s, now);
	reproject_all6(s, now);
}

/*
 * The records of one host report go out together, in one Update per
 * tunnel and family: hold_all(s, 1) before them, hold_all(s, 0) after.
 */
static void
hold_all(struct gw_site *s, int hold)
{
	size_t	 i;

	if (hold)
		gw_hold(&s->def.fsm);
	else
		gw_flush(&s->def.fsm);
	for (i = 0; i < s->nt; i++) {
		if (hold)
			gw_hold(&s->t[i]->fsm);
		else
			gw_flush(&s->t[i]->fsm);
	}
}

/* A group worth a record: multicast wider than the link (RFC 4291). */
static int
routable6(const uint8_t *g)
{
	return ip6_is_multicast(g) && (g[1] & 0x0f) > 2;
}

/*
 * An IPv6 datagram the host stack wrote into the pseudo-interface:
 * MLDv1 and MLDv2 reports and dones are taken (with every check of RFC
 * 3810 5, a source of :: allowed: a TUN may have no link-local address,
 * and the kernel then reports from ::, 5.2.13); anything else is
 * ignored and counted, and all of it with "mld off".
 */
static void
tun_packet6(struct gw_site *s, uint64_t now, const uint8_t *p, size_t len)
{
	struct ip6_info		 ip;
	struct mld_msg		 m;
	struct mld_recs		 it;
	struct mc_rec6		 r;

	if (!s->conf->mld || mld_decode_packet(p, len, &ip, &m) != MLD_OK ||
	    (m.type != MLD_V1_REPORT && m.type != MLD_V1_DONE &&
	    m.type != MLD_V2_REPORT)) {
		s->ctr[GW_SITE_MLD_TUN_IGNORED]++;
		return;
	}
	s->ctr[GW_SITE_MLD_REPORT_RCVD]++;
	if (s->stopping)
		return;
	hold_all(s, 1);
	mld_recs_init(&it, &m, ip.src);
	while (mld_recs_next(&it, s->scratch6, GW_SUBS_MAX_SRCS, &r) == 1)
		if (MC_REC_VALID(r.type) && routable6(r.group.a))
			host_record6(s, now, &r); /* RFC 3810 5.2.12; scope */
	hold_all(s, 0);
}

/*
 * A datagram the host stack wrote into the pseudo-interface.  IPv4
 * IGMPv2 reports and leaves and IGMPv3 reports are taken (RFC 7450
 * 5.2.3.6.1), IPv6 MLD ones by tun_packet6(); everything else is
 * ignored and counted.  The records update the site's mirror; each
 * tunnel gets its share's change.
 */
void
site_tun_packet(struct gw_site *s, uint64_t now, const uint8_t *p,
    size_t len)
{
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	struct igmp_recs	 it;
	struct mc_rec		 r;

	if (len > 0 && p[0] >> 4 == 6) {
		tun_packet6(s, now, p, len);
		return;
	}
	if (igmp_decode_packet(p, len, &ip, &m) != IGMP_OK ||
	    (m.type != IGMP_V2_REPORT && m.type != IGMP_V2_LEAVE &&
	    m.type != IGMP_V3_REPORT)) {
		s->ctr[GW_SITE_TUN_IGNORED]++;
		return;
	}
	s->ctr[GW_SITE_REPORT_RCVD]++;
	if (s->stopping)
		return;
	hold_all(s, 1);
	igmp_recs_init(&it, &m, ip.src);
	while (igmp_recs_next(&it, s->subs.scratch, GW_SUBS_MAX_SRCS,
	    &r) == 1)
		if (MC_REC_VALID(r.type))	/* RFC 3376 4.2.12 */
			host_record4(s, now, &r);
	hold_all(s, 0);
}

/* ---- timers ---- */

/* Lookups that wait: queued sources, names, failures due again. */
static void
lookups_kick(struct gw_site *s, uint64_t now)
{
	size_t	 i;

	for (i = 0; i < s->nsrc && lk_slot(s) != -1; i++) {
		struct gw_src	*e = &s->src[i];

		if (e->st == GW_SRC_QUEUED)
			src_lookup(s, now, e);
		else if (e->st == GW_SRC_NAME)
			name_lookup(s, e);
		else if ((e->retry_at != 0 && now >= e->retry_at) ||
		    e->refresh)
			src_lookup(s, now, e);
	}
}

/* TTLs that ran out: looked up again if used, forgotten if not. */
static void
source_timer(struct gw_site *s, uint64_t now)
{
	size_t	 i = 0;

	if (s->src_due == 0 || now < s->src_due)
		return;
	s->src_due = 0;
	while (i < s->nsrc) {
		struct gw_src	*e = &s->src[i];

		if (e->expires != 0 && now >= e->expires && !e->inflight) {
			e->expires = 0;
			if (!src_used(s, &e->addr)) {
				src_del(s, e);
				continue;
			}
			e->refresh = 1;
		}
		src_due(s, e->expires);
		src_due(s, e->retry_at);
		if (e->st == GW_SRC_QUEUED || e->st == GW_SRC_NAME)
			src_due(s, now + GW_DNS_RETRY_MIN_MS);
		i++;
	}
	lookups_kick(s, now);
}

/*
 * Tunnels: their own timers; an unused one (no groups for tunnel-hold)
 * leaves its relay, its sources keep their records; one done is freed.
 */
static void
tunnels_timer(struct gw_site *s, uint64_t now)
{
	size_t	 i = 0, k;

	gw_timer(&s->def.fsm, now);
	while (i < s->nt) {
		struct gw_tnl	*t = s->t[i];

		gw_timer(&t->fsm, now);
		if (t->fsm.state == GW_STA_DONE && !s->stopping) {
			tnl_evacuate(s, now, t, 0);
			tnl_free(s, i);
			continue;
		}
		if (t->fsm.state != GW_STA_STOPPING && t->idle_since != 0 &&
		    now - t->idle_since >= s->conf->tunnel_hold_ms) {
			log_info("tunnel to relay %s unused for %s: closing",
			    addr6_ntoa(t->key.a),
			    conf_time_str(s->conf->tunnel_hold_ms));
			for (k = 0; k < s->nsrc; k++)
				if (s->src[k].t == t) {
					s->src[k].t = NULL;
					s->src[k].st = GW_SRC_IDLE;
				}
			gw_stop(&t->fsm, now);
		}
		i++;
	}
}

void
site_timer(struct gw_site *s, uint64_t now)
{
	if (s->relay_retry != 0 && now >= s->relay_retry) {
		s->relay_retry = 0;
		if (lk_start(s, GW_LK_RELAY, 0, s->conf->relay_name,
		    GW_DNS_ADDR) == -1)
			s->relay_retry = now + GW_DNS_RETRY_MIN_MS;
	}
	sweep4(s, now);
	sweep6(s, now);
	source_timer(s, now);
	tunnels_timer(s, now);
}

static uint64_t
min_nz(uint64_t a, uint64_t b)
{
	return b != 0 && b < a ? b : a;
}

uint64_t
site_next_deadline(const struct gw_site *s)
{
	uint64_t	 d = gw_next_deadline(&s->def.fsm), h;
	size_t		 i;

	d = min_nz(d, s->subs.sweep_at);
	d = min_nz(d, s->subs6.sweep_at);
	d = min_nz(d, s->src_due);
	d = min_nz(d, s->relay_retry);
	for (i = 0; i < s->nt; i++) {
		const struct gw_tnl *t = s->t[i];

		d = min_nz(d, gw_next_deadline(&t->fsm));
		if (t->fsm.state == GW_STA_DONE && !s->stopping)
			d = 1;		/* to be freed */
		h = t->idle_since + s->conf->tunnel_hold_ms;
		if (t->idle_since != 0 && t->fsm.state != GW_STA_STOPPING)
			d = min_nz(d, h);
	}
	return d;
}

/* ---- life ---- */

int
site_init(struct gw_site *s, const struct gw_conf *conf,
    const struct gw_site_ops *ops, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->conf = conf;
	s->ops = ops;
	s->ctx = ctx;
	s->tops = (struct gw_ops){ t_send, t_tun_write, t_random, t_asked,
	    t_asked6, t_failed, t_failed6 };
	s->lim = (struct ratelimit)RATELIMIT_INIT(1000, 10);
	s->nlk = 1024;
	if ((s->lk = calloc(s->nlk, sizeof(*s->lk))) == NULL)
		return -1;
	subs_init(&s->subs);
	s->def.how = conf->fixed_relay ? GW_HOW_CONF : GW_HOW_DISCOVERY;
	return gw_init(&s->def.fsm, conf, &s->tops, s);
}

void
site_free(struct gw_site *s)
{
	size_t	 i;

	while (s->nt > 0)
		tnl_free(s, 0);
	free(s->t);
	for (i = 0; i < s->nsrc; i++)
		cands_free(&s->src[i]);
	free(s->src);
	free(s->lk);
	subs6_free(&s->subs6);
	free(s->acc);
	gw_free(&s->def.fsm);
	subs_clear(&s->subs);
	memset(s, 0, sizeof(*s));
}

/* The default tunnel towards the configuration (a name: looked up). */
static void
def_target(struct gw_site *s, uint64_t now)
{
	static const struct mc_src6	 none;
	const struct gw_conf		*c = s->conf;

	s->def.how = c->fixed_relay ? GW_HOW_CONF : GW_HOW_DISCOVERY;
	s->relay_retry = 0;
	if (c->relay_name[0] != '\0') {
		gw_set_target(&s->def.fsm, 1, &none, 0);
		if (lk_start(s, GW_LK_RELAY, 0, c->relay_name,
		    GW_DNS_ADDR) == -1)
			s->relay_retry = now + GW_DNS_RETRY_MIN_MS;
	} else
		gw_set_target(&s->def.fsm, c->fixed_relay, c->fixed_relay ?
		    &c->relay : &c->discovery, 0);
	s->def.key = s->def.fsm.fixed ? s->def.fsm.cfg_relay :
	    s->def.fsm.disc_addr;
}

void
site_start(struct gw_site *s, uint64_t now)
{
	s->started = 1;
	def_target(s, now);
	gw_start(&s->def.fsm, now);
}

/* 5.2.3.8 on every tunnel. */
void
site_stop(struct gw_site *s, uint64_t now)
{
	size_t	 i;

	s->stopping = 1;
	gw_stop(&s->def.fsm, now);
	for (i = 0; i < s->nt; i++)
		gw_stop(&s->t[i]->fsm, now);
}

int
site_done(const struct gw_site *s)
{
	size_t	 i;

	if (!gw_done(&s->def.fsm))
		return 0;
	for (i = 0; i < s->nt; i++)
		if (!gw_done(&s->t[i]->fsm))
			return 0;
	return 1;
}

/*
 * SIGHUP.  The default tunnel starts over if its relay changed; the
 * others keep their relays; driad on or off moves sources at once.
 */
void
site_reconfigure(struct gw_site *s, const struct gw_conf *conf,
    uint64_t now)
{
	const struct gw_conf	*old = s->conf;
	size_t			 i;

	s->conf = conf;
	if (gw_relay_changed(old, conf) && !s->stopping) {
		def_target(s, now);
		gw_reconfigure(&s->def.fsm, conf, now);
	} else
		s->def.fsm.conf = conf;
	for (i = 0; i < s->nt; i++)
		gw_reconfigure(&s->t[i]->fsm, conf, now);
	if (old->driad != conf->driad)
		reproject_all(s, now);
}

/* A control message: to the tunnel(s) it can be for. */
void
site_recv_amt(struct gw_site *s, uint64_t now, const struct mc_src6 *src,
    uint16_t sport, const uint8_t *p, size_t len)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < s->nt; i++) {
		struct gw	*g = &s->t[i]->fsm;

		if ((g->have_relay && mc_src6_eq(&g->relay, src)) ||
		    (!g->fixed && mc_src6_eq(&g->disc_addr, src))) {
			gw_recv_amt(g, now, src, sport, p, len);
			n++;
		}
	}
	if (n == 0)
		gw_recv_amt(&s->def.fsm, now, src, sport, p, len);
}

/* ---- the data path's view ---- */

static int
acc_cmp(const struct gw_acc *x, const struct mc_src6 *src,
    const struct mc_src6 *relay)
{
	int	 c = memcmp(x->src.a, src->a, sizeof(src->a));

	return c != 0 ? c : memcmp(x->relay.a, relay->a, sizeof(relay->a));
}

/*
 * What Multicast Data is accepted: anything from the default tunnel's
 * relay, and from another relay only for the sources it serves.  The
 * sources are kept in address order, so the entries (source, relay)
 * come out sorted.
 */
void
site_accept(struct gw_site *s, struct gw_accept *a)
{
	struct gw_acc	*nv;
	struct mc_src6	 r;
	size_t		 i;

	a->def_ok = gw_relay(&s->def.fsm, &a->def_relay);
	s->nacc = 0;
	if (s->nsrc > s->acccap) {
		if ((nv = reallocarray(s->acc, s->nsrc, sizeof(*nv))) != NULL) {
			s->acc = nv;
			s->acccap = s->nsrc;
		}
	}
	for (i = 0; i < s->nsrc && s->nacc < s->acccap; i++) {
		const struct gw_src *e = &s->src[i];

		if (e->st == GW_SRC_RELAY && gw_relay(&e->t->fsm, &r)) {
			s->acc[s->nacc].src = e->addr;
			s->acc[s->nacc++].relay = r;
		}
	}
	a->keys = s->acc;
	a->n = s->nacc;
	a->nrelays = 0;
	for (i = 0; i < s->nt; i++)
		if (gw_relay(&s->t[i]->fsm, &r))
			s->accrelays[a->nrelays++] = r;
	a->relays = s->accrelays;
}

/* The data path's verdict on Data from relay for source (pure). */
enum gw_verdict
gw_accept_data(const struct gw_accept *a, const struct mc_src6 *relay,
    const struct mc_src6 *source)
{
	size_t	 lo = 0, hi = a->n, mid;

	if (a->def_ok && mc_src6_eq(relay, &a->def_relay))
		return GW_DATA_OK;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (acc_cmp(&a->keys[mid], source, relay) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < a->n && acc_cmp(&a->keys[lo], source, relay) == 0)
		return GW_DATA_OK;
	for (lo = 0; lo < a->nrelays; lo++)	/* the drop path only */
		if (mc_src6_eq(&a->relays[lo], relay))
			return GW_DATA_NOT_SERVED;
	return GW_DATA_NOT_RELAY;
}
