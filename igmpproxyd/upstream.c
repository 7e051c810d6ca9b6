/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The host part on the upstream interface (RFC 4605 4.1, RFC 3376 5
 * and 7.2).  The membership database is reported as though this proxy
 * were one host: every change becomes a State-Change Report sent at
 * once and repeated Robustness Variable times, merged with pending
 * repeats as RFC 3376 5.1 says (a filter-mode change is repeated as
 * TO_IN/TO_EX with the current list; source changes as ALLOW/BLOCK with
 * per-source repeat counts); queries from upstream are answered with
 * current-state records at once (RFC 7450 5.2.1 lets a gateway ignore
 * Max Resp Code, and answering early costs nothing here).  With an
 * IGMPv1 or IGMPv2 querier upstream, only group joins and leaves are
 * reported, in that version (7.2.1, RFC 4605 4.1).  For IPv6 the same
 * in MLDv2 (RFC 3810 6) and, under an MLDv1 querier, MLDv1 (8.2).
 */

#include <stdlib.h>
#include <string.h>

#include "igmp_proto.h"
#include "mld_proto.h"
#include "upstream.h"

#define RUNNING(t, now)	RS_RUNNING(t, now)

void
up_init(struct px_upstream *up)
{
	memset(up, 0, sizeof(*up));
	up->mtu = PX_REPORT_MAX;
}

static void
urec_free(struct px_urec *r)
{
	srclist_free6(&r->srcs);
	free(r->allow);
	free(r->allow_left);
	free(r->block);
	free(r->block_left);
	free(r);
}

void
up_free(struct px_upstream *up)
{
	size_t	 i;

	for (i = 0; i < up->n; i++)
		urec_free(up->recs[i]);
	free(up->recs);
	up->recs = NULL;
	up->n = up->cap = 0;
}

static size_t
slot(const struct px_upstream *up, const struct mc_src6 *g, int *found)
{
	size_t	 lo = 0, hi = up->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (memcmp(up->recs[mid]->group.a, g->a, sizeof(g->a)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < up->n && mc_src6_eq(&up->recs[lo]->group, g);
	return lo;
}

const struct px_urec *
up_find(const struct px_upstream *up, const struct mc_src6 *g)
{
	int	 found;
	size_t	 i = slot(up, g, &found);

	return found ? up->recs[i] : NULL;
}

/* IGMP version spoken upstream (7.2.1: Host Compatibility Mode). */
unsigned
up_version(const struct px_upstream *up, uint64_t now)
{
	if (RUNNING(up->v1_querier, now))
		return 1;
	if (RUNNING(up->v2_querier, now))
		return 2;
	return 3;
}

static unsigned
robustness(const struct px_upstream *up, const struct px_conf *c)
{
	return up->qrv != 0 ? up->qrv : c->robustness;
}

/* Set the pending count of source s in list (l, cnt, n) to v. */
static int
pend_set(struct mc_src6 **l, uint8_t **cnt, unsigned *n,
    const struct mc_src6 *s, uint8_t v)
{
	struct mc_src6	*nl;
	uint8_t		*nc;
	unsigned	 i;

	for (i = 0; i < *n; i++)
		if (mc_src6_eq(&(*l)[i], s)) {
			(*cnt)[i] = v;
			return 0;
		}
	if (v == 0)
		return 0;
	if ((nl = reallocarray(*l, *n + 1, sizeof(*nl))) == NULL)
		return -1;
	*l = nl;
	if ((nc = reallocarray(*cnt, *n + 1, sizeof(*nc))) == NULL)
		return -1;
	*cnt = nc;
	(*l)[*n] = *s;
	(*cnt)[*n] = v;
	(*n)++;
	return 0;
}

/* Drop pending entries whose count reached 0. */
static void
pend_compact(struct mc_src6 *l, uint8_t *cnt, unsigned *n)
{
	unsigned	 i, k = 0;

	for (i = 0; i < *n; i++)
		if (cnt[i] > 0) {
			l[k] = l[i];
			cnt[k] = cnt[i];
			k++;
		}
	*n = k;
}

static int
pending(const struct px_urec *r)
{
	unsigned	 i;

	if (r->fmc_left > 0 || r->v2_left > 0 || r->v2_leave)
		return 1;
	for (i = 0; i < r->nallow; i++)
		if (r->allow_left[i] > 0)
			return 1;
	for (i = 0; i < r->nblock; i++)
		if (r->block_left[i] > 0)
			return 1;
	return 0;
}

/* The record for group g, created (INCLUDE({}), not present) if need be. */
static struct px_urec *
urec_get(struct px_upstream *up, const struct mc_src6 *g)
{
	struct px_urec	*r, **nv;
	size_t		 at, ncap;
	int		 found;

	at = slot(up, g, &found);
	if (found)
		return up->recs[at];
	if (up->n == up->cap) {
		ncap = up->cap == 0 ? 64 : up->cap * 2;
		if ((nv = reallocarray(up->recs, ncap, sizeof(*nv))) == NULL)
			return NULL;
		up->recs = nv;
		up->cap = ncap;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->group = *g;
	r->mode = MC_INCLUDE;
	memmove(&up->recs[at + 1], &up->recs[at],
	    (up->n - at) * sizeof(*up->recs));
	up->recs[at] = r;
	up->n++;
	return r;
}

/* Pend source s for ALLOW (allow = 1) or BLOCK, rv times, and
 * cancel a pending report of the other kind for it. */
static void
pend_change(struct px_urec *r, const struct mc_src6 *s, int allow,
    uint8_t rv)
{
	(void)pend_set(allow ? &r->allow : &r->block,
	    allow ? &r->allow_left : &r->block_left,
	    allow ? &r->nallow : &r->nblock, s, rv);
	(void)pend_set(allow ? &r->block : &r->allow,
	    allow ? &r->block_left : &r->allow_left,
	    allow ? &r->nblock : &r->nallow, s, 0);
}

/*
 * Source-list change (5.1): sources new in srcs are ALLOWed in INCLUDE
 * mode and BLOCKed in EXCLUDE mode; those gone, the reverse.
 */
static void
pend_sources(struct px_urec *r, const struct mc_src6 *srcs, unsigned n,
    uint8_t rv)
{
	int		 inc = r->mode == MC_INCLUDE;
	unsigned	 i;

	for (i = 0; i < n; i++)
		if (!srclist_has6(&r->srcs, srcs[i]))
			pend_change(r, &srcs[i], inc, rv);
	for (i = 0; i < r->srcs.n; i++)
		if (!src_has6(srcs, n, r->srcs.v[i]))
			pend_change(r, &r->srcs.v[i], !inc, rv);
}

/*
 * The database record for group g is now (mode, srcs) (INCLUDE({}) when
 * it has gone).  Work out the State-Change Report (5.1) and mark it to
 * be sent by up_flush().
 */
void
up_update(struct px_upstream *up, const struct mc_src6 *g, uint8_t mode,
    const struct mc_src6 *srcs, unsigned n, uint64_t now,
    const struct px_conf *c)
{
	struct px_urec	*r;
	uint8_t		 rv = (uint8_t)robustness(up, c);
	int		 present = mode == MC_EXCLUDE || n > 0;

	if (!present && up_find(up, g) == NULL)
		return;
	if ((r = urec_get(up, g)) == NULL)
		return;
	if (r->mode == mode && r->present == present &&
	    srclist_eq6(&r->srcs, srcs, n))
		return;
	if (up_version(up, now) < 3) {
		/* Only creation and deletion matter (RFC 4605 4.1). */
		if (present && !r->present) {
			r->v2_left = rv;
			r->v2_leave = 0;
		} else if (!present && r->present) {
			r->v2_left = 0;
			r->v2_leave = 1;
		}
	} else if (r->mode != mode) {
		/* Filter-mode change: TO_IN/TO_EX, RV times. */
		r->fmc_left = rv;
		r->nallow = r->nblock = 0;
	} else
		pend_sources(r, srcs, n, rv);
	if (srclist_set6(&r->srcs, srcs, n) == -1)
		return;
	r->mode = mode;
	r->present = present;
	r->dirty = 1;
}

/* A finished report out of the upstream interface. */
static void
report_out(void *arg, const uint8_t *p, size_t len)
{
	const struct px_env	*env = arg;

	env->ops->send_upstream(env->arg, p, len);
}

/* Reports of either family: IGMPv3 or MLDv2. */
struct up_rb {
	int		 v6;
	struct igmp_rb	 r4;
	struct mld_rb	 r6;
	uint32_t	*tmp4;		/* sources as IPv4 */
};

/* Reports sized to the upstream's MTU (RFC 3376 4.2.16, 3810 5.2.15). */
static void
rb_init(struct up_rb *rb, struct px_upstream *up, const struct px_env *env)
{
	size_t	 lim = up->mtu < PX_REPORT_MAX ? up->mtu : PX_REPORT_MAX;

	rb->v6 = up->v6;
	rb->tmp4 = env->s->up4;
	if (up->v6)
		mld_rb_init(&rb->r6, env->s->report, lim, up->addr.a,
		    report_out, (void *)(uintptr_t)env);
	else
		igmp_rb_init(&rb->r4, env->s->report, lim,
		    mc_src6_to_v4(&up->addr), report_out,
		    (void *)(uintptr_t)env);
}

static void
rb_add(struct up_rb *rb, uint8_t type, const struct mc_src6 *g,
    const struct mc_src6 *srcs, unsigned n)
{
	unsigned	 i;

	if (rb->v6) {
		mld_rb_add(&rb->r6, type, g->a, srcs, n);
		return;
	}
	for (i = 0; i < n && i < PX_MAX_SRCS; i++)
		rb->tmp4[i] = mc_src6_to_v4(&srcs[i]);
	igmp_rb_add(&rb->r4, type, mc_src6_to_v4(g), rb->tmp4, i);
}

/* Count the reports rb sent. */
static void
rb_done(struct up_rb *rb, struct px_upstream *up)
{
	if (rb->v6) {
		mld_rb_flush(&rb->r6);
		up->ctr_reports += rb->r6.reports;
	} else {
		igmp_rb_flush(&rb->r4);
		up->ctr_reports += rb->r4.reports;
	}
}

/* MLDv1 report to the group, or done to ff02::2 (RFC 2710 3). */
static int
build_v1_mld(struct wbuf *w, const struct px_upstream *up, int leave,
    const struct mc_src6 *g)
{
	static const uint8_t	 routers[IP6_ADDR_LEN] = { 0xff, 0x02,
	    [15] = 0x02 };

	return mld_build_v1(w, up->addr.a, leave ? routers : g->a,
	    leave ? MLD_V1_DONE : MLD_V1_REPORT, g->a);
}

/* v1/v2 report or v2 leave for group g (MLD: v2 is MLDv1). */
static void
send_v12(struct px_upstream *up, unsigned version, int leave,
    const struct mc_src6 *gk, const struct px_env *env)
{
	uint8_t		 buf[128];
	struct wbuf	 w;
	uint32_t	 g = mc_src6_to_v4(gk);
	uint32_t	 src = mc_src6_to_v4(&up->addr);

	wbuf_init(&w, buf, sizeof(buf));
	if (up->v6) {
		if (build_v1_mld(&w, up, leave, gk) == -1)
			return;
	} else if (leave) {
		if (version == 1)
			return;		/* v1 has no leave */
		if (igmp_build_v12(&w, src, IN4_ALLROUTERS, IGMP_V2_LEAVE,
		    0, g) == -1)
			return;
	} else if (igmp_build_v12(&w, src, g, version == 1 ?
	    IGMP_V1_REPORT : IGMP_V2_REPORT, 0, g) == -1)
		return;
	env->ops->send_upstream(env->arg, buf, w.len);
	up->ctr_reports++;
}

/* The records one State-Change Report carries for r; counts go down. */
static void
emit_change(struct up_rb *rb, struct px_urec *r, struct mc_src6 *tmp)
{
	unsigned	 i, k;

	if (r->fmc_left > 0) {
		rb_add(rb, r->mode == MC_EXCLUDE ? MC_TO_EX : MC_TO_IN,
		    &r->group, r->srcs.v, r->srcs.n);
		r->fmc_left--;
		return;
	}
	for (i = k = 0; i < r->nallow; i++)
		if (r->allow_left[i] > 0 && k < PX_MAX_SRCS) {
			tmp[k++] = r->allow[i];
			r->allow_left[i]--;
		}
	if (k > 0)
		rb_add(rb, MC_ALLOW, &r->group, tmp, k);
	for (i = k = 0; i < r->nblock; i++)
		if (r->block_left[i] > 0 && k < PX_MAX_SRCS) {
			tmp[k++] = r->block[i];
			r->block_left[i]--;
		}
	if (k > 0)
		rb_add(rb, MC_BLOCK, &r->group, tmp, k);
	pend_compact(r->allow, r->allow_left, &r->nallow);
	pend_compact(r->block, r->block_left, &r->nblock);
}

/* Drop records that are gone and have nothing left to say. */
static void
gc(struct px_upstream *up)
{
	size_t	 i = 0;

	while (i < up->n) {
		if (!up->recs[i]->present && !pending(up->recs[i])) {
			urec_free(up->recs[i]);
			memmove(&up->recs[i], &up->recs[i + 1],
			    (up->n - i - 1) * sizeof(*up->recs));
			up->n--;
		} else
			i++;
	}
}

/* Send what one round (only_dirty: the fresh changes) has to say. */
static void
send_round(struct px_upstream *up, uint64_t now, const struct px_conf *c,
    const struct px_env *env, int only_dirty)
{
	struct up_rb		 rb;
	unsigned		 v = up_version(up, now);
	size_t			 i;
	int			 more = 0;

	rb_init(&rb, up, env);
	for (i = 0; i < up->n; i++) {
		struct px_urec	*r = up->recs[i];

		if (only_dirty && !r->dirty)
			continue;
		r->dirty = 0;
		if (v < 3) {
			if (r->v2_leave) {
				send_v12(up, v, 1, &r->group, env);
				r->v2_leave = 0;
			} else if (r->v2_left > 0) {
				send_v12(up, v, 0, &r->group, env);
				r->v2_left--;
			}
		} else
			emit_change(&rb, r, env->s->up);
		if (pending(r))
			more = 1;
	}
	rb_done(&rb, up);
	for (i = 0; i < up->n && !more; i++)
		more = pending(up->recs[i]);
	/* 5.1: the repeats, a random delay within the interval apart. */
	if (more && (up->rexmit_at == 0 || only_dirty == 0))
		up->rexmit_at = now + 1 + env->ops->random(env->arg) %
		    (c->uri_ms > 0 ? c->uri_ms : 1);
	else if (!more)
		up->rexmit_at = 0;
	gc(up);
}

/* Send the State-Change Reports for everything changed since last time. */
void
up_flush(struct px_upstream *up, uint64_t now, const struct px_conf *c,
    const struct px_env *env)
{
	size_t	 i;

	for (i = 0; i < up->n; i++)
		if (up->recs[i]->dirty)
			break;
	if (i == up->n)
		return;
	send_round(up, now, c, env, 1);
}

void
up_timers(struct px_upstream *up, uint64_t now, const struct px_conf *c,
    const struct px_env *env)
{
	if (up->v1_querier != 0 && up->v1_querier <= now)
		up->v1_querier = 0;
	if (up->v2_querier != 0 && up->v2_querier <= now)
		up->v2_querier = 0;
	if (up->rexmit_at != 0 && up->rexmit_at <= now)
		send_round(up, now, c, env, 0);
}

uint64_t
up_next_deadline(const struct px_upstream *up)
{
	uint64_t	 d = UINT64_MAX;

	if (up->rexmit_at != 0)
		d = up->rexmit_at;
	if (up->v1_querier != 0 && up->v1_querier < d)
		d = up->v1_querier;
	if (up->v2_querier != 0 && up->v2_querier < d)
		d = up->v2_querier;
	return d;
}

/*
 * A query from upstream: track older queriers (7.2.1), adopt QRV, and
 * answer with current-state records (5.2) at once.
 */
void
up_query(struct px_upstream *up, uint64_t now, const struct px_conf *c,
    const struct mc_query6 *q, const struct px_env *env)
{
	struct up_rb		 rb;
	struct mc_src6		*tmp = env->s->up;
	uint64_t		 ovqpt;
	unsigned		 v, i, k;
	size_t			 j;

	up->ctr_queries++;
	/* 8.12: Older Version Querier Present Timeout. */
	ovqpt = (uint64_t)robustness(up, c) * c->qi_ms + c->qri_ms;
	if (q->version == 1)
		up->v1_querier = now + ovqpt;
	else if (q->version == 2 && mc_src6_is_any(&q->group))
		up->v2_querier = now + ovqpt;
	else if (q->version == 3 && q->qrv != 0)
		up->qrv = q->qrv;
	v = up_version(up, now);
	rb_init(&rb, up, env);
	for (j = 0; j < up->n; j++) {
		struct px_urec	*r = up->recs[j];

		if (!r->present || (!mc_src6_is_any(&q->group) &&
		    !mc_src6_eq(&r->group, &q->group)))
			continue;
		if (v < 3) {
			send_v12(up, v, 0, &r->group, env);
			continue;
		}
		if (mc_src6_is_any(&q->group) || q->nsrcs == 0) {
			rb_add(&rb, r->mode == MC_EXCLUDE ? MC_IS_EX :
			    MC_IS_IN, &r->group, r->srcs.v, r->srcs.n);
			continue;
		}
		/* Group-and-source query: IS_IN of what we want of it. */
		for (i = k = 0; i < q->nsrcs; i++)
			if (srclist_has6(&r->srcs, q->srcs[i]) ==
			    (r->mode == MC_INCLUDE))
				tmp[k++] = q->srcs[i];
		if (k > 0)
			rb_add(&rb, MC_IS_IN, &r->group, tmp, k);
	}
	rb_done(&rb, up);
}

/*
 * The upstream interface is new (created again, say by a gateway
 * restart): report the whole database as fresh state changes.
 */
void
up_reexpress(struct px_upstream *up, uint64_t now, const struct px_conf *c,
    const struct px_env *env)
{
	uint8_t	 rv = (uint8_t)robustness(up, c);
	size_t	 i;
	unsigned k;

	up->v1_querier = up->v2_querier = 0;
	up->qrv = 0;
	for (i = 0; i < up->n; i++) {
		struct px_urec	*r = up->recs[i];

		r->nallow = r->nblock = 0;
		r->fmc_left = 0;
		r->v2_leave = 0;
		if (!r->present)
			continue;
		if (r->mode == MC_EXCLUDE)
			r->fmc_left = rv;
		else
			for (k = 0; k < r->srcs.n; k++)
				(void)pend_set(&r->allow, &r->allow_left,
				    &r->nallow, &r->srcs.v[k], rv);
		r->dirty = 1;
	}
	gc(up);
	up->rexmit_at = 0;
	up_flush(up, now, c, env);
}

/*
 * A clean stop: leave every group upstream now (TO_IN({}) records, or
 * IGMPv2 Leaves under an older querier), robustness copies back to
 * back, so the relay stops sending at once rather than when its timers
 * run out.  Nothing is left to repeat.
 */
void
up_leave_all(struct px_upstream *up, uint64_t now, const struct px_conf *c,
    const struct px_env *env)
{
	struct up_rb	 rb;
	unsigned	 v = up_version(up, now), copy, rv = robustness(up, c);
	size_t		 i;

	for (copy = 0; copy < rv; copy++) {
		rb_init(&rb, up, env);
		for (i = 0; i < up->n; i++) {
			struct px_urec	*r = up->recs[i];

			if (!r->present)
				continue;
			if (v < 3)
				send_v12(up, v, 1, &r->group, env);
			else
				rb_add(&rb, MC_TO_IN, &r->group, NULL, 0);
		}
		rb_done(&rb, up);
	}
	up->rexmit_at = 0;
}
