/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The router's state for one group on one downstream interface, RFC
 * 3376 section 6: (group timer, filter mode, {(source, source timer)}),
 * the actions of the tables in 6.4.1 and 6.4.2, the queries of 6.6.3,
 * the timer updates of 6.6.1, the forwarding rules of 6.3 and the
 * compatibility modes of 7.3.2.  In the comments A, B, X and Y are the
 * RFC's: A the INCLUDE list, X the EXCLUDE-mode sources with running
 * timers, Y those with stopped timers, B the record's sources, all
 * taken before the record is applied.
 *
 * With fast leave, hosts are tracked explicitly (their own state, from
 * their reports); when no tracked host still wants the group or a
 * source, it is pruned at once instead of after the last member query
 * time.  Groups with older-version hosts, reports from 0.0.0.0 or more
 * hosts than the table holds are not pruned early: the table then
 * cannot know who else is listening.
 */

#include <stdlib.h>
#include <string.h>

#include "igmp_proto.h"
#include "igmpproxyd.h"

/* A running timer: a deadline still in the future. */
#define RUNNING(t, now)	((t) > (now))

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and de-duplicate a record's sources into out; returns the count. */
static unsigned
normalize(const uint32_t *in, unsigned n, uint32_t *out)
{
	unsigned	 i, k = 0;

	if (n > PX_MAX_SRCS)
		n = PX_MAX_SRCS;
	if (n == 0)
		return 0;
	memcpy(out, in, n * sizeof(*out));
	qsort(out, n, sizeof(*out), cmp_u32);
	for (i = 0; i < n; i++)
		if (k == 0 || out[k - 1] != out[i])
			out[k++] = out[i];
	return k;
}

static int
in_set(const uint32_t *set, unsigned n, uint32_t a)
{
	if (n == 0)
		return 0;
	return bsearch(&a, set, n, sizeof(*set), cmp_u32) != NULL;
}

struct px_group *
grp_new(uint32_t group)
{
	struct px_group	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->group = group;
	g->mode = PX_INCLUDE;
	return g;
}

static void
hosts_clear(struct px_group *g)
{
	uint16_t	 i;

	for (i = 0; i < g->nhosts; i++)
		free(g->hosts[i].srcs);
	free(g->hosts);
	g->hosts = NULL;
	g->nhosts = g->hostcap = 0;
}

void
grp_free(struct px_group *g)
{
	if (g == NULL)
		return;
	hosts_clear(g);
	free(g->srcs);
	free(g);
}

/* Index of source a, or -1. */
static int
src_find(const struct px_group *g, uint32_t a)
{
	int	 lo = 0, hi = (int)g->nsrcs - 1, mid;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (g->srcs[mid].addr == a)
			return mid;
		if (g->srcs[mid].addr < a)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* The record for a, created with a stopped timer if new; NULL if full. */
static struct px_src *
src_get(struct px_group *g, uint32_t a)
{
	struct px_src	*nv;
	int		 i = src_find(g, a);
	unsigned	 at;
	uint16_t	 ncap;

	if (i >= 0)
		return &g->srcs[i];
	if (g->nsrcs >= PX_MAX_SRCS)
		return NULL;
	if (g->nsrcs == g->srccap) {
		ncap = g->srccap == 0 ? 4 : (uint16_t)(g->srccap * 2);
		if ((nv = reallocarray(g->srcs, ncap, sizeof(*nv))) == NULL)
			return NULL;
		g->srcs = nv;
		g->srccap = ncap;
	}
	for (at = 0; at < g->nsrcs && g->srcs[at].addr < a; at++)
		;
	memmove(&g->srcs[at + 1], &g->srcs[at],
	    (g->nsrcs - at) * sizeof(*g->srcs));
	memset(&g->srcs[at], 0, sizeof(*g->srcs));
	g->srcs[at].addr = a;
	g->nsrcs++;
	return &g->srcs[at];
}

static void
src_del_at(struct px_group *g, unsigned i)
{
	memmove(&g->srcs[i], &g->srcs[i + 1],
	    (g->nsrcs - i - 1) * sizeof(*g->srcs));
	g->nsrcs--;
}

/*
 * EXCLUDE -> INCLUDE (6.5): keep the sources whose timers still run,
 * drop the group timer and the pending Q(G) retransmissions.
 */
static void
to_include(struct px_group *g, uint64_t now)
{
	unsigned	 i = 0;

	g->mode = PX_INCLUDE;
	g->gtimer = 0;
	g->gsq_left = 0;
	g->gsq_next = 0;
	while (i < g->nsrcs) {
		if (!RUNNING(g->srcs[i].timer, now))
			src_del_at(g, i);
		else
			i++;
	}
}

/* Set the timers of the sources in B to deadline t (adding them). */
static void
set_timers(struct px_group *g, const uint32_t *b, unsigned nb, uint64_t t)
{
	struct px_src	*s;
	unsigned	 i;

	for (i = 0; i < nb; i++)
		if ((s = src_get(g, b[i])) != NULL)
			s->timer = t;
}

/* Delete the sources for which keep() is false. */
static void
src_filter(struct px_group *g, const uint32_t *b, unsigned nb, int in_b)
{
	unsigned	 i = 0;

	while (i < g->nsrcs) {
		if (in_set(b, nb, g->srcs[i].addr) != in_b)
			src_del_at(g, i);
		else
			i++;
	}
}

/* Group compatibility mode (7.3.2), capped by the interface version. */
unsigned
grp_compat(const struct px_group *g, uint64_t now)
{
	if (RUNNING(g->v1_host, now))
		return 1;
	if (RUNNING(g->v2_host, now))
		return 2;
	return 3;
}

static unsigned
effective_compat(const struct px_group *g, const struct px_params *p,
    uint64_t now)
{
	unsigned	 c = grp_compat(g, now);

	return p->version < c ? p->version : c;
}

/*
 * 6.6.3.1: Send Q(G): lower the group timer to LMQT, send now and
 * LMQC - 1 more times LMQI apart.  Only the querier sends.
 */
static void
send_q_g(struct px_group *g, const struct px_params *p, uint64_t now,
    struct px_iface *ifp, const struct px_ops *ops, void *arg)
{
	if (!p->querier || p->version == 1)
		return;
	if (g->gtimer > now + p->lmqt)
		g->gtimer = now + p->lmqt;
	ops->send_query(arg, ifp, g->group, RUNNING(g->gtimer, now) &&
	    g->gtimer > now + p->lmqt, NULL, 0);
	g->gsq_left = p->lmqc > 0 ? (uint8_t)(p->lmqc - 1) : 0;
	g->gsq_next = g->gsq_left > 0 ? now + p->lmqi : 0;
}

/* Send the two Q(G,S) messages of 6.6.3.2 for sources with rexmit > 0. */
static void
send_gss(struct px_group *g, const struct px_params *p, uint64_t now,
    struct px_iface *ifp, const struct px_ops *ops, void *arg)
{
	uint32_t	 hi[PX_MAX_SRCS], lo[PX_MAX_SRCS];
	unsigned	 nhi = 0, nlo = 0, i;
	int		 more = 0;

	for (i = 0; i < g->nsrcs; i++) {
		struct px_src	*s = &g->srcs[i];

		if (s->rexmit == 0)
			continue;
		if (s->timer > now + p->lmqt)
			hi[nhi++] = s->addr;
		else
			lo[nlo++] = s->addr;
		if (--s->rexmit > 0)
			more = 1;
	}
	if (nhi > 0)
		ops->send_query(arg, ifp, g->group, 1, hi, nhi);
	if (nlo > 0)
		ops->send_query(arg, ifp, g->group, 0, lo, nlo);
	g->gssq_next = more ? now + p->lmqi : 0;
}

/*
 * 6.6.3.2: Send Q(G,X): sources of X with timers above LMQT get LMQC
 * retransmissions and their timers lowered to LMQT; then send.
 */
static void
send_q_gs(struct px_group *g, const struct px_params *p, uint64_t now,
    const uint32_t *x, unsigned nx, struct px_iface *ifp,
    const struct px_ops *ops, void *arg)
{
	unsigned	 i;
	int		 k, any = 0;

	if (!p->querier || p->version < 3 || nx == 0)
		return;
	for (i = 0; i < nx; i++) {
		if ((k = src_find(g, x[i])) < 0)
			continue;
		if (g->srcs[k].timer > now + p->lmqt) {
			g->srcs[k].rexmit = (uint8_t)p->lmqc;
			g->srcs[k].timer = now + p->lmqt;
			any = 1;
		}
	}
	if (any)
		send_gss(g, p, now, ifp, ops, arg);
}

/* ---- explicit host tracking, for fast leave ---- */

static struct px_host *
host_get(struct px_group *g, uint32_t addr, uint64_t now, uint32_t gmi)
{
	struct px_host	*nv;
	uint16_t	 i, ncap;

	for (i = 0; i < g->nhosts; i++)
		if (g->hosts[i].addr == addr)
			break;
	if (i == g->nhosts) {
		if (g->nhosts >= PX_MAX_HOSTS) {
			g->untracked = 1;
			return NULL;
		}
		if (g->nhosts == g->hostcap) {
			ncap = g->hostcap == 0 ? 4 : (uint16_t)(g->hostcap * 2);
			if ((nv = reallocarray(g->hosts, ncap, sizeof(*nv))) ==
			    NULL) {
				g->untracked = 1;
				return NULL;
			}
			g->hosts = nv;
			g->hostcap = ncap;
		}
		memset(&g->hosts[i], 0, sizeof(g->hosts[i]));
		g->hosts[i].addr = addr;
		g->nhosts++;
	}
	g->hosts[i].expires = now + gmi;
	return &g->hosts[i];
}

static void
host_del(struct px_group *g, uint16_t i)
{
	free(g->hosts[i].srcs);
	g->hosts[i] = g->hosts[--g->nhosts];
}

/* Replace a host's list with b (sorted). */
static int
host_set(struct px_host *h, uint8_t exclude, const uint32_t *b, unsigned nb)
{
	uint32_t	*nv = NULL;

	if (nb > 0 && (nv = malloc(nb * sizeof(*nv))) == NULL)
		return -1;
	if (nb > 0)
		memcpy(nv, b, nb * sizeof(*nv));
	free(h->srcs);
	h->srcs = nv;
	h->nsrcs = (uint16_t)nb;
	h->exclude = exclude;
	return 0;
}

/* Add (add=1) or remove b from a host's list. */
static int
host_edit(struct px_host *h, const uint32_t *b, unsigned nb, int add)
{
	uint32_t	 tmp[PX_MAX_SRCS];
	unsigned	 n = 0, i, j = 0;

	/* Both lists are sorted: merge or subtract. */
	for (i = 0; i < h->nsrcs || (add && j < nb);) {
		if (n == PX_MAX_SRCS)
			break;
		if (i < h->nsrcs && (j >= nb || h->srcs[i] < b[j]))
			tmp[n++] = h->srcs[i++];
		else if (i < h->nsrcs && h->srcs[i] == b[j]) {
			if (add)
				tmp[n++] = h->srcs[i];
			i++;
			j++;
		} else {
			if (add)
				tmp[n++] = b[j];
			j++;
		}
	}
	return host_set(h, h->exclude, tmp, n);
}

/* Apply a record to the reporting host's own state (RFC 3376 5.1). */
static void
host_record(struct px_group *g, uint32_t from, int type, const uint32_t *b,
    unsigned nb, uint64_t now, uint32_t gmi)
{
	struct px_host	*h;
	uint16_t	 i;

	if (from == 0) {
		g->untracked = 1;	/* cannot tell hosts apart */
		return;
	}
	if ((h = host_get(g, from, now, gmi)) == NULL)
		return;
	i = (uint16_t)(h - g->hosts);
	switch (type) {
	case PX_IS_IN:
	case PX_TO_IN:
		if (nb == 0) {
			host_del(g, i);
			return;
		}
		(void)host_set(h, 0, b, nb);
		break;
	case PX_IS_EX:
	case PX_TO_EX:
		(void)host_set(h, 1, b, nb);
		break;
	case PX_ALLOW:
		(void)host_edit(h, b, nb, !h->exclude);
		break;
	case PX_BLOCK:
		(void)host_edit(h, b, nb, h->exclude);
		if (!h->exclude && h->nsrcs == 0)
			host_del(g, i);
		break;
	}
}

static int
host_wants(const struct px_host *h, uint32_t s)
{
	int	 listed = in_set(h->srcs, h->nsrcs, s);

	return h->exclude ? !listed : listed;
}

/*
 * Fast leave: prune what no tracked host wants any more.  Returns 1 if
 * the state changed.
 */
static int
fast_prune(struct px_group *g, uint64_t now)
{
	unsigned	 i;
	uint16_t	 k;
	int		 changed = 0, any_ex = 0, wanted;

	if (g->untracked)
		return 0;
	if (g->nhosts == 0) {
		g->mode = PX_INCLUDE;
		g->gtimer = 0;
		g->nsrcs = 0;
		g->gsq_left = 0;
		g->gsq_next = g->gssq_next = 0;
		return 1;
	}
	for (k = 0; k < g->nhosts; k++)
		any_ex |= g->hosts[k].exclude;
	if (g->mode == PX_EXCLUDE && !any_ex) {
		/* 6.5 at once: INCLUDE with the running sources. */
		to_include(g, now);
		changed = 1;
	}
	i = 0;
	while (i < g->nsrcs) {
		if (!RUNNING(g->srcs[i].timer, now)) {
			i++;
			continue;
		}
		for (wanted = 0, k = 0; k < g->nhosts && !wanted; k++)
			wanted = host_wants(&g->hosts[k], g->srcs[i].addr);
		if (wanted) {
			i++;
			continue;
		}
		changed = 1;
		if (g->mode == PX_INCLUDE)
			src_del_at(g, i);
		else {
			g->srcs[i].timer = 0;
			g->srcs[i].rexmit = 0;
			i++;
		}
	}
	return changed;
}

/*
 * Apply one (translated) IGMPv3 record of type rec with sources b, from
 * host `from', per the tables of 6.4.1 and 6.4.2.  version is the
 * version of the message that carried it.  Returns 1 if the state was
 * touched (the caller recomputes forwarding and the database).
 */
int
grp_record(struct px_group *g, const struct px_params *p, uint64_t now,
    uint32_t from, int rec, const uint32_t *bin, unsigned nbin,
    unsigned version, struct px_iface *ifp, const struct px_ops *ops,
    void *arg)
{
	static uint32_t	 b[PX_MAX_SRCS], q[PX_MAX_SRCS];
	unsigned	 nb, nq = 0, i, compat;
	uint64_t	 gmi = now + p->gmi;
	int		 k;

	/* 7.3.2: older host present timers, then translations. */
	if (version == 1)
		g->v1_host = now + p->ohpi;
	else if (version == 2)
		g->v2_host = now + p->ohpi;
	compat = effective_compat(g, p, now);
	nb = normalize(bin, nbin, b);
	if (compat < 3) {
		if (rec == PX_BLOCK)
			return 0;
		if (rec == PX_TO_EX)
			nb = 0;
		if (compat == 1 && rec == PX_TO_IN)
			return 0;	/* leaves ignored in v1 mode */
	}
	/* RFC 4604: an SSM-aware router ignores EXCLUDE in the SSM range. */
	if (prefix4_contains(&p->ssm, g->group) &&
	    (rec == PX_IS_EX || rec == PX_TO_EX))
		return 0;

	if (g->mode == PX_INCLUDE) {
		switch (rec) {
		case PX_IS_IN:			/* INCLUDE(A+B); (B)=GMI */
		case PX_ALLOW:
			set_timers(g, b, nb, gmi);
			break;
		case PX_IS_EX:			/* EXCLUDE(A*B, B-A) */
		case PX_TO_EX:
			for (i = 0; i < nb; i++)	/* A*B, for Q */
				if (src_find(g, b[i]) >= 0)
					q[nq++] = b[i];
			src_filter(g, b, nb, 1);	/* Delete(A-B) */
			for (i = 0; i < nb; i++)	/* (B-A)=0 */
				if (src_find(g, b[i]) < 0 &&
				    src_get(g, b[i]) != NULL)
					g->srcs[src_find(g, b[i])].timer = 0;
			g->mode = PX_EXCLUDE;
			g->gtimer = gmi;
			if (rec == PX_TO_EX)
				send_q_gs(g, p, now, q, nq, ifp, ops, arg);
			break;
		case PX_BLOCK:			/* INCLUDE(A); Q(G,A*B) */
			for (i = 0; i < nb; i++)
				if (src_find(g, b[i]) >= 0)
					q[nq++] = b[i];
			send_q_gs(g, p, now, q, nq, ifp, ops, arg);
			break;
		case PX_TO_IN:			/* INCLUDE(A+B); Q(G,A-B) */
			for (i = 0; i < g->nsrcs; i++)
				if (!in_set(b, nb, g->srcs[i].addr))
					q[nq++] = g->srcs[i].addr;
			set_timers(g, b, nb, gmi);
			send_q_gs(g, p, now, q, nq, ifp, ops, arg);
			break;
		default:
			return 0;	/* 4.2.12: unknown types ignored */
		}
	} else {
		switch (rec) {
		case PX_IS_IN:			/* EXCLUDE(X+A, Y-A); (A)=GMI */
		case PX_ALLOW:
			set_timers(g, b, nb, gmi);
			break;
		case PX_IS_EX:			/* EXCLUDE(A-Y, Y*A) */
		case PX_TO_EX:
			for (i = 0; i < nb; i++) {
				k = src_find(g, b[i]);
				if (k < 0 || RUNNING(g->srcs[k].timer, now))
					q[nq++] = b[i];		/* A-Y */
			}
			src_filter(g, b, nb, 1);	/* Delete(X-A, Y-A) */
			for (i = 0; i < nb; i++) {	/* (A-X-Y) */
				if (src_find(g, b[i]) >= 0)
					continue;
				set_timers(g, &b[i], 1, rec == PX_IS_EX ? gmi :
				    g->gtimer);
			}
			if (rec == PX_TO_EX)
				send_q_gs(g, p, now, q, nq, ifp, ops, arg);
			g->gtimer = gmi;
			break;
		case PX_BLOCK:		/* EXCLUDE(X+(A-Y), Y); (A-X-Y)=GT */
			for (i = 0; i < nb; i++) {
				k = src_find(g, b[i]);
				if (k < 0) {
					set_timers(g, &b[i], 1, g->gtimer);
					q[nq++] = b[i];
				} else if (RUNNING(g->srcs[k].timer, now))
					q[nq++] = b[i];		/* A-Y */
			}
			send_q_gs(g, p, now, q, nq, ifp, ops, arg);
			break;
		case PX_TO_IN:		/* EXCLUDE(X+A, Y-A); Q(G,X-A); Q(G) */
			for (i = 0; i < g->nsrcs; i++)
				if (RUNNING(g->srcs[i].timer, now) &&
				    !in_set(b, nb, g->srcs[i].addr))
					q[nq++] = g->srcs[i].addr;
			set_timers(g, b, nb, gmi);
			send_q_gs(g, p, now, q, nq, ifp, ops, arg);
			send_q_g(g, p, now, ifp, ops, arg);
			break;
		default:
			return 0;
		}
	}

	if (p->fast_leave) {
		if (compat < 3)
			g->untracked = 1;
		else
			host_record(g, from, rec, b, nb, now, p->gmi);
		(void)fast_prune(g, now);
	}
	return 1;
}

/*
 * 6.6.1: a query heard (or sent by another querier) with S=0 lowers
 * the timers: Q(G) the group timer, Q(G,A) the timers of A, to LMQT.
 */
void
grp_query_heard(struct px_group *g, const struct px_params *p, uint64_t now,
    const uint32_t *a, unsigned na)
{
	unsigned	 i;
	int		 k;

	if (na == 0) {
		if (g->gtimer > now + p->lmqt)
			g->gtimer = now + p->lmqt;
		return;
	}
	for (i = 0; i < na; i++)
		if ((k = src_find(g, a[i])) >= 0 &&
		    g->srcs[k].timer > now + p->lmqt)
			g->srcs[k].timer = now + p->lmqt;
}

/*
 * Fire what is due: source and group timers (6.2.2, 6.2.3, 6.5), host
 * present timers, query retransmissions.  Returns 1 if forwarding or
 * the database may have changed.
 */
int
grp_timers(struct px_group *g, const struct px_params *p, uint64_t now,
    struct px_iface *ifp, const struct px_ops *ops, void *arg)
{
	unsigned	 i;
	uint16_t	 k;
	int		 changed = 0;

	/* Group timer expiry in EXCLUDE mode: INCLUDE(X) (6.5). */
	if (g->mode == PX_EXCLUDE && g->gtimer != 0 && g->gtimer <= now) {
		to_include(g, now);
		changed = 1;
	}
	/* Source timers: INCLUDE deletes, EXCLUDE stops forwarding. */
	i = 0;
	while (i < g->nsrcs) {
		struct px_src	*s = &g->srcs[i];

		if (s->timer != 0 && s->timer <= now) {
			changed = 1;
			if (g->mode == PX_INCLUDE) {
				src_del_at(g, i);
				continue;
			}
			s->timer = 0;
			s->rexmit = 0;
		}
		i++;
	}
	if (g->v1_host != 0 && g->v1_host <= now)
		g->v1_host = 0;
	if (g->v2_host != 0 && g->v2_host <= now)
		g->v2_host = 0;
	for (k = 0; k < g->nhosts;) {
		if (g->hosts[k].expires <= now) {
			host_del(g, k);
			changed = 1;
		} else
			k++;
	}
	if (g->nhosts == 0 && g->mode == PX_INCLUDE && g->nsrcs == 0)
		g->untracked = 0;
	/* Retransmissions of Q(G) (6.6.3.1) and Q(G,S) (6.6.3.2). */
	if (g->gsq_next != 0 && g->gsq_next <= now) {
		if (g->gsq_left > 0 && p->querier && g->mode == PX_EXCLUDE) {
			ops->send_query(arg, ifp, g->group,
			    g->gtimer > now + p->lmqt, NULL, 0);
			g->gsq_left--;
		} else
			g->gsq_left = 0;
		g->gsq_next = g->gsq_left > 0 ? now + p->lmqi : 0;
	}
	if (g->gssq_next != 0 && g->gssq_next <= now) {
		if (p->querier)
			send_gss(g, p, now, ifp, ops, arg);
		else
			g->gssq_next = 0;
	}
	return changed;
}

/* The earliest deadline of anything this group runs (UINT64_MAX: none). */
uint64_t
grp_next_deadline(const struct px_group *g)
{
	uint64_t	 d = UINT64_MAX;
	unsigned	 i;
	uint16_t	 k;

#define LOWER(t)	do { if ((t) != 0 && (t) < d) d = (t); } while (0)
	if (g->mode == PX_EXCLUDE)
		LOWER(g->gtimer);
	for (i = 0; i < g->nsrcs; i++)
		LOWER(g->srcs[i].timer);
	LOWER(g->v1_host);
	LOWER(g->v2_host);
	LOWER(g->gsq_next);
	LOWER(g->gssq_next);
	for (k = 0; k < g->nhosts; k++)
		LOWER(g->hosts[k].expires);
#undef LOWER
	return d;
}

/* 6.3: does this interface's state ask for traffic from s? */
int
grp_forwards(const struct px_group *g, uint32_t s, uint64_t now)
{
	int	 k = src_find(g, s);

	if (g->mode == PX_INCLUDE)
		return k >= 0 && RUNNING(g->srcs[k].timer, now);
	return k < 0 || RUNNING(g->srcs[k].timer, now);
}

/* INCLUDE with nothing running: the record can go. */
int
grp_is_empty(const struct px_group *g, uint64_t now)
{
	unsigned	 i;

	if (g->mode == PX_EXCLUDE)
		return 0;
	for (i = 0; i < g->nsrcs; i++)
		if (RUNNING(g->srcs[i].timer, now))
			return 0;
	return g->gsq_left == 0 && g->gssq_next == 0;
}

/*
 * RFC 4605 4.1 preprocessing: the subscription without timers; in
 * EXCLUDE mode only the sources whose timers are 0.  Returns the mode.
 */
int
grp_export(const struct px_group *g, uint64_t now, uint32_t *out,
    unsigned cap, unsigned *n)
{
	unsigned	 i;
	int		 running;

	*n = 0;
	for (i = 0; i < g->nsrcs && *n < cap; i++) {
		running = RUNNING(g->srcs[i].timer, now);
		if ((g->mode == PX_INCLUDE) == (running != 0))
			out[(*n)++] = g->srcs[i].addr;
	}
	return g->mode;
}
