/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The router's state for one group on one downstream interface, RFC
 * 3376 section 6: the state itself and the tables of 6.4 are the
 * common rstate (srcset.c); this file adds what a querier does around
 * them: the compatibility modes of 7.3.2, the SSM rule of RFC 4604,
 * the queries of 6.6.3 with their retransmissions and S flag, and
 * explicit host tracking for fast leave.
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

#include "group.h"
#include "ip6.h"

#define RUNNING(t, now)	RS_RUNNING(t, now)

/* The SSM range (RFC 4607): ssm for IPv4, ff3x::/32 for IPv6. */
int
px_is_ssm(const struct prefix4 *ssm, const struct mc_src6 *g)
{
	if (mc_src6_is_v4(g))
		return prefix4_contains(ssm, mc_src6_to_v4(g));
	return ip6_is_ssm(g->a);
}

/*
 * A group a router keeps state for: not 224.0.0.0/24 (RFC 3376 6),
 * not IPv6 scopes 0 to 2 (RFC 3810 6, RFC 4291 2.7).
 */
int
px_routable(const struct mc_src6 *g)
{
	uint32_t	 a;

	if (mc_src6_is_v4(g)) {
		a = mc_src6_to_v4(g);
		return IN4_MCAST(a) && !IN4_LOCAL_MCAST(a);
	}
	return ip6_is_multicast(g->a) && (g->a[1] & 0x0f) > 2;
}

struct px_group *
grp_new(const struct mc_src6 *group)
{
	struct px_group	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->group = *group;
	g->rs.mode = MC_INCLUDE;
	return g;
}

static void
hosts_clear(struct px_group *g)
{
	uint16_t	 i;

	for (i = 0; i < g->nhosts; i++)
		hstate_free6(&g->hosts[i].st);
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
	rstate_free6(&g->rs);
	free(g);
}

/* Group compatibility mode (7.3.2). */
unsigned
grp_compat(const struct px_group *g, uint64_t now)
{
	if (RUNNING(g->v1_host, now))
		return 1;
	if (RUNNING(g->v2_host, now))
		return 2;
	return 3;
}

/* The mode that applies: the group's, capped by the interface's. */
static unsigned
effective_compat(const struct px_group *g, const struct px_params *p,
    uint64_t now)
{
	unsigned	 c = grp_compat(g, now);

	return p->version < c ? p->version : c;
}

/* EXCLUDE -> INCLUDE (6.5), dropping the pending Q(G) repeats. */
static void
to_include(struct px_group *g, uint64_t now)
{
	rstate_to_include6(&g->rs, now);
	g->gsq_left = 0;
	g->gsq_next = 0;
}

/*
 * 6.6.3.1: Send Q(G): lower the group timer to LMQT, send now and
 * LMQC - 1 more times LMQI apart.  Only the querier sends.
 */
static void
send_q_g(struct px_group *g, const struct px_params *p, uint64_t now,
    struct px_iface *ifp, const struct px_env *env)
{
	if (!p->querier || p->version == 1)
		return;
	rstate_lower6(&g->rs, now + p->lmqt, NULL, 0);
	env->ops->send_query(env->arg, ifp, &g->group,
	    RUNNING(g->rs.gtimer, now) && g->rs.gtimer > now + p->lmqt, NULL,
	    0);
	g->gsq_left = p->lmqc > 0 ? (uint8_t)(p->lmqc - 1) : 0;
	g->gsq_next = g->gsq_left > 0 ? now + p->lmqi : 0;
}

/* Send the two Q(G,S) messages of 6.6.3.2 for sources with rexmit > 0. */
static void
send_gss(struct px_group *g, const struct px_params *p, uint64_t now,
    struct px_iface *ifp, const struct px_env *env)
{
	struct px_scratch	*s = env->s;
	unsigned		 nhi = 0, nlo = 0, i;
	int			 more = 0;

	for (i = 0; i < g->rs.nsrcs; i++) {
		struct rsrc6	*src = &g->rs.srcs[i];

		if (src->rexmit == 0)
			continue;
		if (src->timer > now + p->lmqt)
			s->hi[nhi++] = src->addr;
		else
			s->lo[nlo++] = src->addr;
		if (--src->rexmit > 0)
			more = 1;
	}
	if (nhi > 0)
		env->ops->send_query(env->arg, ifp, &g->group, 1, s->hi, nhi);
	if (nlo > 0)
		env->ops->send_query(env->arg, ifp, &g->group, 0, s->lo, nlo);
	g->gssq_next = more ? now + p->lmqi : 0;
}

/*
 * 6.6.3.2: Send Q(G,X): sources of X with timers above LMQT get LMQC
 * retransmissions and their timers lowered to LMQT; then send.
 */
static void
send_q_gs(struct px_group *g, const struct px_params *p, uint64_t now,
    const struct mc_src6 *x, unsigned nx, struct px_iface *ifp,
    const struct px_env *env)
{
	unsigned	 i;
	int		 k, any = 0;

	if (!p->querier || p->version < 3 || nx == 0)
		return;
	for (i = 0; i < nx; i++) {
		if ((k = rstate_find6(&g->rs, x[i])) < 0)
			continue;
		if (g->rs.srcs[k].timer > now + p->lmqt) {
			g->rs.srcs[k].rexmit = (uint8_t)p->lmqc;
			g->rs.srcs[k].timer = now + p->lmqt;
			any = 1;
		}
	}
	if (any)
		send_gss(g, p, now, ifp, env);
}

/* ---- explicit host tracking, for fast leave ---- */

static struct px_host *
host_get(struct px_group *g, const struct mc_src6 *addr, uint64_t now,
    uint32_t gmi)
{
	struct px_host	*nv;
	uint16_t	 i, ncap;

	for (i = 0; i < g->nhosts; i++)
		if (mc_src6_eq(&g->hosts[i].addr, addr))
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
		g->hosts[i].addr = *addr;
		g->nhosts++;
	}
	g->hosts[i].expires = now + gmi;
	return &g->hosts[i];
}

static void
host_del(struct px_group *g, uint16_t i)
{
	hstate_free6(&g->hosts[i].st);
	g->hosts[i] = g->hosts[--g->nhosts];
}

/* Apply a record to the reporting host's own state (RFC 3376 5.1). */
static void
host_record(struct px_group *g, const struct mc_rec6 *r, uint64_t now,
    uint32_t gmi)
{
	struct px_host	*h;

	if (mc_src6_is_any(&r->from) || (mc_src6_is_v4(&r->from) &&
	    mc_src6_to_v4(&r->from) == 0)) {
		g->untracked = 1;	/* cannot tell hosts apart */
		return;
	}
	if ((h = host_get(g, &r->from, now, gmi)) == NULL)
		return;
	if (hstate_apply6(&h->st, r, PX_MAX_SRCS) == -1)
		g->untracked = 1;	/* lost track of its list */
	if (!hstate_member6(&h->st))
		host_del(g, (uint16_t)(h - g->hosts));
}

/* Does any tracked host want source s? */
static int
hosts_want(const struct px_group *g, const struct mc_src6 *s)
{
	uint16_t	 k;

	for (k = 0; k < g->nhosts; k++)
		if (hstate_wants6(&g->hosts[k].st, *s))
			return 1;
	return 0;
}

/*
 * Fast leave: prune what no tracked host wants any more.  Returns 1 if
 * the state changed.
 */
static int
fast_prune(struct px_group *g, uint64_t now)
{
	struct rstate6	*rs = &g->rs;
	unsigned	 i;
	uint16_t	 k;
	int		 changed = 0, any_ex = 0;

	if (g->untracked)
		return 0;
	if (g->nhosts == 0) {
		rstate_free6(rs);
		g->gsq_left = 0;
		g->gsq_next = g->gssq_next = 0;
		return 1;
	}
	for (k = 0; k < g->nhosts; k++)
		any_ex |= g->hosts[k].st.mode == MC_EXCLUDE;
	if (rs->mode == MC_EXCLUDE && !any_ex) {
		/* 6.5 at once: INCLUDE with the running sources. */
		to_include(g, now);
		changed = 1;
	}
	i = 0;
	while (i < rs->nsrcs) {
		if (!RUNNING(rs->srcs[i].timer, now) ||
		    hosts_want(g, &rs->srcs[i].addr)) {
			i++;
			continue;
		}
		changed = 1;
		if (!rstate_stop_at6(rs, i))
			i++;
	}
	return changed;
}

/*
 * 7.3.2 and RFC 4604: the record as this group's compatibility mode
 * and the SSM range let it apply.  Returns the type to apply and sets
 * *nb, or 0 if the record is ignored.
 */
static uint8_t
translate(struct px_group *g, const struct px_params *p, uint64_t now,
    const struct mc_rec6 *r, unsigned *nb)
{
	unsigned	 compat;
	uint8_t		 type = r->type;

	/* 7.3.2: older-version Reports start the timers, a Leave not. */
	if (r->version == 1)
		g->v1_host = now + p->ohpi;
	else if (r->version == 2 && type != MC_TO_IN)
		g->v2_host = now + p->ohpi;
	compat = effective_compat(g, p, now);
	*nb = r->nsrcs;
	if (compat < 3) {
		if (type == MC_BLOCK)
			return 0;
		if (type == MC_TO_EX)
			*nb = 0;
		if (compat == 1 && type == MC_TO_IN)
			return 0;	/* leaves ignored in v1 mode */
	}
	/* RFC 4604: an SSM-aware router ignores EXCLUDE in the SSM range. */
	if (px_is_ssm(&p->ssm, &g->group) &&
	    (type == MC_IS_EX || type == MC_TO_EX))
		return 0;
	return MC_REC_VALID(type) ? type : 0;
}

/*
 * Apply one record, per the tables of 6.4.1 and 6.4.2, and send the
 * queries they ask for.  Returns 1 if the state was touched (the
 * caller recomputes forwarding and the database).
 */
int
grp_record(struct px_group *g, const struct px_params *p, uint64_t now,
    const struct mc_rec6 *r, struct px_iface *ifp, const struct px_env *env)
{
	struct rs_queries6	 q;
	struct mc_rec6		 t = *r;
	unsigned		 nb;
	uint8_t			 type;

	if ((type = translate(g, p, now, r, &nb)) == 0)
		return 0;
	q.srcs = env->s->q;
	q.cap = PX_MAX_SRCS;
	(void)rstate_record6(&g->rs, now, now + p->gmi, type, r->srcs, nb,
	    PX_MAX_SRCS, &q);
	send_q_gs(g, p, now, q.srcs, q.nsrcs, ifp, env);
	if (q.group)
		send_q_g(g, p, now, ifp, env);
	if (p->fast_leave) {
		if (effective_compat(g, p, now) < 3)
			g->untracked = 1;
		else {
			t.type = type;
			t.nsrcs = nb;
			host_record(g, &t, now, p->gmi);
		}
		(void)fast_prune(g, now);
	}
	return 1;
}

/*
 * 6.6.1: a query heard (or sent by another querier) with S clear
 * lowers the timers: Q(G) the group timer, Q(G,A) the timers of A, to
 * LMQT.
 */
void
grp_query_heard(struct px_group *g, const struct px_params *p, uint64_t now,
    const struct mc_query6 *q)
{
	rstate_lower6(&g->rs, now + p->lmqt, q->srcs, q->nsrcs);
}

/* Host present timers and tracked hosts that ran out. */
static int
hosts_expire(struct px_group *g, uint64_t now)
{
	uint16_t	 k;
	int		 changed = 0;

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
	if (g->nhosts == 0 && g->rs.mode == MC_INCLUDE && g->rs.nsrcs == 0)
		g->untracked = 0;
	return changed;
}

/*
 * Fire what is due: source and group timers (6.2.2, 6.2.3, 6.5), host
 * present timers, query retransmissions.  Returns 1 if forwarding or
 * the database may have changed.
 */
int
grp_timers(struct px_group *g, const struct px_params *p, uint64_t now,
    struct px_iface *ifp, const struct px_env *env)
{
	int	 changed = 0;

	if (g->rs.mode == MC_EXCLUDE && g->rs.gtimer != 0 &&
	    g->rs.gtimer <= now) {
		to_include(g, now);
		changed = 1;
	}
	changed |= rstate_expire6(&g->rs, now);
	changed |= hosts_expire(g, now);
	/* Retransmissions of Q(G) (6.6.3.1) and Q(G,S) (6.6.3.2). */
	if (g->gsq_next != 0 && g->gsq_next <= now) {
		if (g->gsq_left > 0 && p->querier && g->rs.mode == MC_EXCLUDE) {
			env->ops->send_query(env->arg, ifp, &g->group,
			    g->rs.gtimer > now + p->lmqt, NULL, 0);
			g->gsq_left--;
		} else
			g->gsq_left = 0;
		g->gsq_next = g->gsq_left > 0 ? now + p->lmqi : 0;
	}
	if (g->gssq_next != 0 && g->gssq_next <= now) {
		if (p->querier)
			send_gss(g, p, now, ifp, env);
		else
			g->gssq_next = 0;
	}
	return changed;
}

/* The earliest deadline of anything this group runs (UINT64_MAX: none). */
uint64_t
grp_next_deadline(const struct px_group *g)
{
	uint64_t	 d = rstate_next_deadline6(&g->rs);
	uint16_t	 k;

#define LOWER(t)	do { if ((t) != 0 && (t) < d) d = (t); } while (0)
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
grp_forwards(const struct px_group *g, const struct mc_src6 *s,
    uint64_t now)
{
	return rstate_forwards6(&g->rs, *s, now);
}

/* INCLUDE with nothing running and no query pending: the record can go. */
int
grp_is_empty(const struct px_group *g, uint64_t now)
{
	return !rstate_live6(&g->rs, now) && g->gsq_left == 0 &&
	    g->gssq_next == 0;
}
