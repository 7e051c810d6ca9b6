/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * A downstream interface: querier election (RFC 3376 6.6.2, RFC 2236
 * 3), startup and periodic general queries, the older-querier warnings
 * of 7.3.1, and the dispatch of reports and queries to the group
 * records it holds.  Like group.c it reads no clock and sends nothing
 * itself.
 */

#include <stdlib.h>
#include <string.h>

#include "iface.h"
#include "log.h"

#define RUNNING(t, now)	RS_RUNNING(t, now)

void
if_init(struct px_iface *ifp, const char *name, unsigned version)
{
	memset(ifp, 0, sizeof(*ifp));
	snprintf(ifp->name, IFNAMSIZ, "%s", name);
	ifp->version = version;
	ifp->vif = -1;
	ifp->lim_member = (struct ratelimit)RATELIMIT_INIT(10000, 20);
	ifp->lim_refused = (struct ratelimit)RATELIMIT_INIT(60000, 3);
}

/* Release what the interface holds, telling no one (at the end). */
void
if_free(struct px_iface *ifp)
{
	size_t	 i;

	for (i = 0; i < ifp->ngroups; i++)
		grp_free(ifp->groups[i]);
	free(ifp->groups);
	ifp->groups = NULL;
	ifp->ngroups = ifp->gcap = 0;
}

/* Interface-wide values (RFC 3376 8), with QRV/QQI adopted from the
 * querier when we are not it (4.1.6, 4.1.7). */
void
if_params(const struct px_iface *ifp, const struct px_conf *c,
    struct px_params *p)
{
	unsigned	 rv = ifp->qrv != 0 ? ifp->qrv : c->robustness;
	uint32_t	 qi = ifp->qi_ms != 0 ? ifp->qi_ms : c->qi_ms;

	memset(p, 0, sizeof(*p));
	p->gmi = rv * qi + c->qri_ms;			/* 8.4 */
	p->lmqi = c->lmqi_ms;
	p->lmqc = c->lmqc != 0 ? c->lmqc : rv;		/* 8.9 */
	p->lmqt = p->lmqi * p->lmqc;			/* 8.10 */
	p->ohpi = rv * qi + c->qri_ms;			/* 8.13 */
	p->version = ifp->version;
	p->querier = ifp->querier;
	p->fast_leave = c->fast_leave;
	p->ssm = c->ssm;
}

/* Does the interface have an address to query from? */
int
if_has_addr(const struct px_iface *ifp)
{
	return !mc_src6_is_any(&ifp->addr);
}

static int
gcmp(const void *key, const void *elem)
{
	const struct mc_src6		*g = key;
	const struct px_group *const	*e = elem;

	return memcmp(g->a, (*e)->group.a, sizeof(g->a));
}

/* Index where group g is or would go. */
static size_t
group_slot(const struct px_iface *ifp, const struct mc_src6 *g, int *found)
{
	size_t	 lo = 0, hi = ifp->ngroups, mid;

	*found = 0;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (gcmp(g, &ifp->groups[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < ifp->ngroups && mc_src6_eq(&ifp->groups[lo]->group, g);
	return lo;
}

/* The record for group g, or NULL. */
struct px_group *
if_group_find(const struct px_iface *ifp, const struct mc_src6 *g)
{
	struct px_group	**e;

	if (ifp->ngroups == 0)
		return NULL;
	e = bsearch(g, ifp->groups, ifp->ngroups, sizeof(*ifp->groups),
	    gcmp);
	return e != NULL ? *e : NULL;
}

/* The record for group g; created (INCLUDE {}) if create is set. */
struct px_group *
if_group(struct px_iface *ifp, const struct mc_src6 *g, int create)
{
	struct px_group	**nv, *ng;
	size_t		 at, ncap;
	int		 found;

	if (!create)
		return if_group_find(ifp, g);
	at = group_slot(ifp, g, &found);
	if (found)
		return ifp->groups[at];
	if (ifp->ngroups == ifp->gcap) {
		ncap = ifp->gcap == 0 ? 16 : ifp->gcap * 2;
		if ((nv = reallocarray(ifp->groups, ncap, sizeof(*nv))) ==
		    NULL)
			return NULL;
		ifp->groups = nv;
		ifp->gcap = ncap;
	}
	if ((ng = grp_new(g)) == NULL)
		return NULL;
	memmove(&ifp->groups[at + 1], &ifp->groups[at],
	    (ifp->ngroups - at) * sizeof(*ifp->groups));
	ifp->groups[at] = ng;
	ifp->ngroups++;
	return ng;
}

/* Group i has no members left; why says how, NULL: not worth a line. */
static void
if_group_remove(struct px_iface *ifp, size_t i, const struct px_env *env,
    const char *why)
{
	struct mc_src6	 g = ifp->groups[i]->group;

	if (why != NULL)
		log_info_rl(&ifp->lim_member, "%s: %s %s", ifp->name,
		    addr6_ntoa(g.a), why);
	grp_free(ifp->groups[i]);
	memmove(&ifp->groups[i], &ifp->groups[i + 1],
	    (ifp->ngroups - i - 1) * sizeof(*ifp->groups));
	ifp->ngroups--;
	env->ops->group_changed(env->arg, &g);
}

static void
all_groups_changed(struct px_iface *ifp, const struct px_env *env)
{
	size_t	 i;

	for (i = 0; i < ifp->ngroups; i++)
		env->ops->group_changed(env->arg, &ifp->groups[i]->group);
}

static void
set_querier(struct px_iface *ifp, int on, uint64_t now,
    const struct px_env *env)
{
	if (ifp->querier == on)
		return;
	ifp->querier = on;
	ifp->since = now;
	if (on) {
		ifp->querier_addr = ifp->addr;
		ifp->qrv = 0;
		ifp->qi_ms = 0;
		log_info("%s: %squerier now (%s)", ifp->name,
		    ifp->v6 ? "MLD " : "", addr6_ntoa(ifp->addr.a));
	} else
		log_warnx("%s: %s is the %squerier now: this proxy stops "
		    "querying, and forwarding onto %s unless "
		    "forward-when-not-querier is on (RFC 4605 section 3)",
		    ifp->name, addr6_ntoa(ifp->querier_addr.a),
		    ifp->v6 ? "MLD " : "", ifp->name);
	all_groups_changed(ifp, env);
}

/*
 * The interface is usable: start as querier (if it has an address to
 * query from) with Startup Query Count queries, Startup Query Interval
 * apart (RFC 2236 3, RFC 3376 8.6-8.7).
 */
void
if_start(struct px_iface *ifp, const struct px_conf *c, uint64_t now,
    const struct px_env *env)
{
	ifp->oqp = 0;
	ifp->qrv = 0;
	ifp->qi_ms = 0;
	ifp->startup_left = px_sqc(c);
	ifp->gq_next = now;
	ifp->querier = 0;
	ifp->no_addr_warn = 0;
	if (if_has_addr(ifp))
		set_querier(ifp, 1, now, env);
	else	/* it may be on its way (a link comes before its address) */
		ifp->no_addr_warn = now + PX_ADDR_GRACE_MS;
}

/* The interface went away or down: its state goes with it. */
void
if_stop(struct px_iface *ifp, uint64_t now, const struct px_env *env)
{
	(void)now;
	while (ifp->ngroups > 0)
		if_group_remove(ifp, ifp->ngroups - 1, env, NULL);
	ifp->querier = 0;
	ifp->gq_next = 0;
	ifp->oqp = 0;
	ifp->startup_left = 0;
}

/*
 * A query heard on the interface (not our own).  Querier election by
 * lowest address; QRV/QQI adoption; 6.6.1 timer updates (S clear).
 */
void
if_query_heard(struct px_iface *ifp, const struct px_conf *c, uint64_t now,
    const struct mc_query6 *q, const struct px_env *env)
{
	struct px_params	 p;
	struct px_group		*g;

	ifp->ctr_queries_heard++;
	if (!mc_src6_is_any(&q->from) && mc_src6_eq(&q->from, &ifp->addr))
		return;
	if (q->version < ifp->version && (ifp->older_query_warned == 0 ||
	    now - ifp->older_query_warned > 60000)) {
		/* 7.3.1: warn, rate-limited. */
		ifp->older_query_warned = now;
		log_warnx("%s: %sv%u query from %s; configure \"downstream "
		    "%s %s %u\" if older routers are present", ifp->name,
		    PX_PROTO(ifp), PX_VER(ifp, q->version),
		    addr6_ntoa(q->from.a), ifp->name, ifp->v6 ? "mld-version" :
		    "version", PX_VER(ifp, q->version));
	}
	if (!mc_src6_is_any(&q->from) && (!if_has_addr(ifp) ||
	    memcmp(q->from.a, ifp->addr.a, sizeof(q->from.a)) < 0)) {
		/*
		 * 6.6.2: a lower address wins.  4.1.6, 4.1.7: adopt its
		 * QRV and QQI (those of this query, whatever was held
		 * before), then 8.5: the Other Querier Present Interval
		 * from them.
		 */
		ifp->querier_addr = q->from;
		set_querier(ifp, 0, now, env);
		ifp->qrv = q->version == 3 ? q->qrv : 0;
		ifp->qi_ms = q->version == 3 ? q->qqi_ms : 0;
		ifp->oqp = now + (ifp->qrv != 0 ? ifp->qrv : c->robustness) *
		    (uint64_t)(ifp->qi_ms != 0 ? ifp->qi_ms : c->qi_ms) +
		    c->qri_ms / 2;
	}
	if (mc_src6_is_any(&q->group) || q->s_flag)
		return;
	if ((g = if_group(ifp, &q->group, 0)) == NULL)
		return;
	if_params(ifp, c, &p);
	grp_query_heard(g, &p, now, q);
}

/*
 * A report on the interface, as one v3 record (v1/v2 messages come
 * translated by the caller with version set).
 */
void
if_report(struct px_iface *ifp, const struct px_conf *c, uint64_t now,
    const struct mc_rec6 *r, const struct px_env *env)
{
	struct px_params	 p;
	struct px_group		*g;
	size_t			 i;
	int			 found, was;

	if (!px_routable(&r->group)) {
		ifp->ctr_ignored++;	/* 224.0.0.0/24, ff0x::/16 x <= 2 */
		return;
	}
	if (r->version < 3 && px_is_ssm(&c->ssm, &r->group)) {
		ifp->ctr_ignored++;		/* RFC 4604 */
		if (r->type != MC_TO_IN)	/* a v2 leave: nothing lost */
			log_warnx_rl(&ifp->lim_refused, "%s: %sv%u join "
			    "of %s by %s not served: %s is in the SSM range, "
			    "where a host must join with %s and name its "
			    "source (RFC 4604); the host needs %s (Linux: "
			    "%s 0)%s", ifp->name, PX_PROTO(ifp),
			    PX_VER(ifp, r->version), addr6_ntoa(r->group.a),
			    addr6_ntoa(r->from.a), addr6_ntoa(r->group.a),
			    ifp->v6 ? "MLDv2" : "IGMPv3",
			    ifp->v6 ? "MLDv2" : "IGMPv3",
			    ifp->v6 ? "force_mld_version" :
			    "force_igmp_version", ifp->v6 ? "" :
			    ", or the group another range (ssm-range)");
		return;
	}
	ifp->ctr_reports++;
	was = if_group_find(ifp, &r->group) != NULL;
	if ((g = if_group(ifp, &r->group, 1)) == NULL) {
		log_warnx("%s: out of memory for group %s", ifp->name,
		    addr6_ntoa(r->group.a));
		return;
	}
	if_params(ifp, c, &p);
	if (grp_record(g, &p, now, r, ifp, env))
		env->ops->group_changed(env->arg, &r->group);
	if (grp_is_empty(g, now)) {
		i = group_slot(ifp, &r->group, &found);
		if (found)
			if_group_remove(ifp, i, env, was ? "left" : NULL);
	} else if (!was)
		log_info_rl(&ifp->lim_member, "%s: %s joined by %s (%sv%u)",
		    ifp->name, addr6_ntoa(r->group.a), addr6_ntoa(r->from.a),
		    PX_PROTO(ifp), PX_VER(ifp, r->version));
}

void
if_timers(struct px_iface *ifp, const struct px_conf *c, uint64_t now,
    const struct px_env *env)
{
	struct px_params	 p;
	size_t			 i;

	if (!ifp->active)
		return;
	if (ifp->no_addr_warn != 0 && ifp->no_addr_warn <= now) {
		ifp->no_addr_warn = 0;
		if (!if_has_addr(ifp))
			log_warnx("%s: no %s address: it cannot be the "
			    "%squerier, so nothing is forwarded onto it "
			    "(%s%s%s)", ifp->name, ifp->v6 ?
			    "link-local IPv6" : "IPv4", ifp->v6 ? "MLD " : "",
			    ifp->v6 ? "sysctl -w net.ipv6.conf." :
			    "ip addr add ... dev ", ifp->name, ifp->v6 ?
			    ".disable_ipv6=0" : "");
	}
	if (ifp->oqp != 0 && ifp->oqp <= now) {
		/* 6.6.2: the other querier is gone; query again. */
		ifp->oqp = 0;
		if (if_has_addr(ifp)) {
			set_querier(ifp, 1, now, env);
			ifp->gq_next = now;
		}
	}
	if (ifp->querier && ifp->gq_next != 0 && ifp->gq_next <= now) {
		env->ops->send_query(env->arg, ifp, NULL, 0, NULL, 0);
		ifp->ctr_queries_sent++;
		if (ifp->startup_left > 0)
			ifp->startup_left--;
		ifp->gq_next = now + (ifp->startup_left > 0 ? px_sqi(c) :
		    c->qi_ms);
	}
	if_params(ifp, c, &p);
	i = 0;
	while (i < ifp->ngroups) {
		struct px_group	*g = ifp->groups[i];

		if (grp_next_deadline(g) <= now &&
		    grp_timers(g, &p, now, ifp, env))
			env->ops->group_changed(env->arg, &g->group);
		if (grp_is_empty(g, now))
			if_group_remove(ifp, i, env,
			    "left (no member answered)");
		else
			i++;
	}
}

uint64_t
if_next_deadline(const struct px_iface *ifp)
{
	uint64_t	 d = UINT64_MAX, t;
	size_t		 i;

	if (!ifp->active)
		return d;
	if (ifp->oqp != 0)
		d = ifp->oqp;
	if (ifp->querier && ifp->gq_next != 0 && ifp->gq_next < d)
		d = ifp->gq_next;
	if (ifp->no_addr_warn != 0 && ifp->no_addr_warn < d)
		d = ifp->no_addr_warn;
	for (i = 0; i < ifp->ngroups; i++)
		if ((t = grp_next_deadline(ifp->groups[i])) < d)
			d = t;
	return d;
}

/*
 * RFC 4605 3 and 4.2: forward (s, g) here if the state asks for it
 * and we are the querier (or configured to forward anyway).
 */
int
if_forwards(const struct px_iface *ifp, const struct px_conf *c,
    const struct mc_src6 *g, const struct mc_src6 *s, uint64_t now)
{
	struct px_group	*grp;

	if (!ifp->active || ifp->vif < 0 ||
	    (!ifp->querier && !c->fwd_not_querier))
		return 0;
	if ((grp = if_group_find(ifp, g)) == NULL)
		return 0;
	return grp_forwards(grp, s, now);
}
