/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The proxy engine.  Packets from the IGMP socket go to the downstream
 * interface they arrived on (router part) or to the upstream host part;
 * every group whose state may have changed is marked dirty, and
 * px_flush() then merges it into the membership database (RFC 4605
 * 4.1), reports the change upstream, and has the forwarding cache
 * bring the group's entries up to date.  Interfaces come and go with
 * rtnetlink events; the upstream may vanish and return with a new
 * ifindex, after which its VIF is added again, the cache rebuilt and
 * the database reported afresh.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "igmp_proto.h"
#include "mld_proto.h"
#include "px.h"

static void	 ops_send_query(void *, struct px_iface *,
		    const struct mc_src6 *, int, const struct mc_src6 *,
		    unsigned);
static void	 ops_group_changed(void *, const struct mc_src6 *);
static void	 ops_send_upstream(void *, const uint8_t *, size_t);
static uint32_t	 ops_random(void *);
static void	 px_oifs(void *, uint64_t, const struct mc_src6 *,
		    const struct mc_src6 *, int, uint8_t[PX_MAXVIFS]);

static const struct px_ops px_ops = {
	ops_send_query, ops_group_changed, ops_send_upstream, ops_random,
};

/* A downstream interface as this engine's family has it. */
static void
ds_init(const struct proxy *px, struct px_iface *ifp,
    const struct px_dsconf *d)
{
	/* MLDv1 and MLDv2 run as IGMPv2 and IGMPv3 (iface.h). */
	if_init(ifp, d->name, px->v6 ? d->mld_version + 1 : d->version);
	ifp->v6 = (uint8_t)px->v6;
}

/*
 * An engine for IGMP (v6 0) or for MLD (v6 1): the same tables, the
 * family's messages and kernel interface.
 */
int
px_init(struct proxy *px, const struct px_conf *c, const struct px_os *os,
    void *arg, int v6)
{
	unsigned	 i;

	memset(px, 0, sizeof(*px));
	px->v6 = v6;
	if ((px->scratch = malloc(sizeof(*px->scratch))) == NULL)
		return -1;
	px->conf = c;
	px->os = os;
	px->os_arg = arg;
	px->env.ops = &px_ops;
	px->env.arg = px;
	px->env.s = px->scratch;
	px->lim = (struct ratelimit)RATELIMIT_INIT(1000, 10);
	px->lim_refused = (struct ratelimit)RATELIMIT_INIT(60000, 5);
	for (i = 0; i < c->nds; i++)
		ds_init(px, &px->ds[i], &c->ds[i]);
	px->nds = c->nds;
	snprintf(px->upif.name, IFNAMSIZ, "%s", c->upstream);
	px->upif.vif = -1;
	up_init(&px->up);
	px->up.v6 = v6;
	mfc_init(&px->mfc, os, arg, px_oifs, px);
	return 0;
}

void
px_free(struct proxy *px)
{
	unsigned	 i;

	mfc_flush(&px->mfc);
	for (i = 0; i < px->nds; i++)
		if_free(&px->ds[i]);
	up_free(&px->up);
	free(px->dirty);
	px->dirty = NULL;
	free(px->scratch);
	px->scratch = NULL;
}

struct px_iface *
px_iface_by_index(struct proxy *px, int ifindex)
{
	unsigned	 i;

	if (ifindex <= 0)
		return NULL;
	for (i = 0; i < px->nds; i++)
		if (px->ds[i].ifindex == ifindex)
			return &px->ds[i];
	return NULL;
}

/* ---- the services group.c, iface.c and upstream.c use ---- */

static void
ops_group_changed(void *arg, const struct mc_src6 *g)
{
	struct proxy	*px = arg;
	struct mc_src6	*nv;
	size_t		 ncap;

	if (px->all_dirty)
		return;
	if (px->ndirty > 0 && mc_src6_eq(&px->dirty[px->ndirty - 1], g))
		return;
	if (px->ndirty == px->dirtycap) {
		ncap = px->dirtycap == 0 ? 64 : px->dirtycap * 2;
		if ((nv = reallocarray(px->dirty, ncap, sizeof(*nv))) == NULL) {
			px->all_dirty = 1;
			return;
		}
		px->dirty = nv;
		px->dirtycap = ncap;
	}
	px->dirty[px->ndirty++] = *g;
}

/* Sources one query datagram of PX_REPORT_MAX bytes holds. */
#define QUERY_SRCS_MAX	((PX_REPORT_MAX - IGMP_IP_HDR_LEN - \
			    IGMP_V3_QUERY_MIN) / 4)

/* One query datagram out of ifp. */
static void
query_out(struct proxy *px, struct px_iface *ifp, const struct igmp_query *q)
{
	uint8_t		 buf[PX_REPORT_MAX];
	struct wbuf	 w;

	wbuf_init(&w, buf, sizeof(buf));
	if (igmp_build_query(&w, q) == -1)
		return;
	if (px->os->send(px->os_arg, ifp->ifindex, buf, w.len) == -1)
		log_debug_rl(&px->lim, "%s: cannot send query", ifp->name);
	else if (q->group != 0)
		ifp->ctr_queries_sent++;
}

/*
 * An MLD query (RFC 3810 5.1, RFC 2710 3.6), from our link-local
 * address: MLDv2 with the Maximum Response Code from the Query Response
 * Interval (general) or the Last Member Query Interval (specific), QRV
 * and QQIC; MLDv1 the Maximum Response Delay in ms.  Sources beyond
 * one datagram go out in several, as for IGMPv3.
 */
static void
query6(struct proxy *px, struct px_iface *ifp, const struct mc_src6 *gk,
    int s_flag, const struct mc_src6 *srcs, unsigned n)
{
	const struct px_conf	*c = px->conf;
	static const uint8_t	 any[IP6_ADDR_LEN];
	struct mld_query	 q;
	uint8_t			 buf[PX_REPORT_MAX];
	struct wbuf		 w;
	uint32_t		 mrt = gk == NULL ? c->qri_ms : c->lmqi_ms;
	unsigned		 done = 0, max = (PX_REPORT_MAX -
	    MLD_IP_HDR_LEN - MLD_V2_QUERY_MIN) / IP6_ADDR_LEN;

	memset(&q, 0, sizeof(q));
	q.version = ifp->version >= 3 ? 2 : 1;
	q.src = ifp->addr.a;
	q.dst = gk == NULL ? mld_all_nodes : gk->a;
	q.group = gk == NULL ? any : gk->a;
	q.mrc = q.version == 2 ? mld_value_to_code(mrt) :
	    (uint16_t)(mrt > 65535 ? 65535 : mrt);
	q.s_flag = (uint8_t)(s_flag != 0 && q.version == 2);
	q.qrv = (uint8_t)(c->robustness > 7 ? 0 : c->robustness);
	q.qqic = igmp_value_to_code(c->qi_ms / 1000);
	do {
		q.srcs = q.version == 2 && n > 0 ? srcs[done].a : NULL;
		q.nsrcs = q.version == 2 ? (uint16_t)(n - done > max ? max :
		    n - done) : 0;
		wbuf_init(&w, buf, sizeof(buf));
		if (mld_build_query(&w, &q) == -1)
			return;
		if (px->os->send(px->os_arg, ifp->ifindex, buf, w.len) == -1)
			log_debug_rl(&px->lim, "%s: cannot send MLD query",
			    ifp->name);
		else if (gk != NULL)
			ifp->ctr_queries_sent++;
		done += q.nsrcs;
	} while (done < n && q.nsrcs > 0);
}

/*
 * A query on a downstream interface, in its configured version: v3 with
 * Max Resp Code from the Query Response Interval (general) or the Last
 * Member Query Interval (specific), QRV and QQIC; v2 and v1 8 bytes.
 * A source list longer than one datagram holds goes out in several
 * (RFC 3376 6.6.3.2 asks for every source).
 */
static void
ops_send_query(void *arg, struct px_iface *ifp, const struct mc_src6 *gk,
    int s_flag, const struct mc_src6 *srcs6, unsigned n)
{
	struct proxy		*px = arg;
	const struct px_conf	*c = px->conf;
	struct igmp_query	 q;
	uint32_t		 mrt, group = gk != NULL ? mc_src6_to_v4(gk) : 0;
	uint32_t		 srcs[PX_MAX_SRCS];
	unsigned		 done = 0, i;

	if (ifp->ifindex <= 0 || !if_has_addr(ifp))
		return;
	if (px->v6) {
		query6(px, ifp, gk, s_flag, srcs6, n);
		return;
	}
	for (i = 0; i < n && i < PX_MAX_SRCS; i++)
		srcs[i] = mc_src6_to_v4(&srcs6[i]);
	n = i;
	memset(&q, 0, sizeof(q));
	q.src = mc_src6_to_v4(&ifp->addr);
	q.dst = group == 0 ? IN4_ALLHOSTS : group;
	q.version = (uint8_t)ifp->version;
	q.group = group;
	mrt = (group == 0 ? c->qri_ms : c->lmqi_ms) / 100;
	if (q.version != 3) {
		q.code = (uint8_t)(mrt > 255 ? 255 : mrt == 0 ? 1 : mrt);
		query_out(px, ifp, &q);
		return;
	}
	q.code = igmp_value_to_code(mrt);
	q.s_flag = (uint8_t)(s_flag != 0);
	q.qrv = (uint8_t)(c->robustness > 7 ? 0 : c->robustness);
	q.qqic = igmp_value_to_code(c->qi_ms / 1000);
	do {
		q.srcs = srcs + done;
		q.nsrcs = (uint16_t)(n - done > QUERY_SRCS_MAX ?
		    QUERY_SRCS_MAX : n - done);
		query_out(px, ifp, &q);
		done += q.nsrcs;
	} while (done < n);
}

/* A report out of the upstream; a failure is counted and said. */
static void
ops_send_upstream(void *arg, const uint8_t *p, size_t len)
{
	struct proxy	*px = arg;

	if (px->upif.ifindex <= 0 || !px->upif.active)
		return;
	if (px->os->send(px->os_arg, px->upif.ifindex, p, len) == -1) {
		px->up.ctr_send_err++;
		log_warnx_rl(&px->lim, "%s: cannot send a %zu-byte report: %s",
		    px->upif.name, len, strerror(errno));
	}
}

static uint32_t
ops_random(void *arg)
{
	struct proxy	*px = arg;

	return px->os->random(px->os_arg);
}

/* ---- packets ---- */

static int
own_address(const struct proxy *px, const struct mc_src6 *a)
{
	unsigned	 i;

	if (mc_src6_is_any(a))
		return 0;
	if (mc_src6_eq(a, &px->upif.addr))
		return 1;
	for (i = 0; i < px->nds; i++)
		if (mc_src6_eq(&px->ds[i].addr, a))
			return 1;
	return 0;
}

/* An IGMP query in the common form. */
static void
query_view(struct proxy *px, const struct igmp_msg *m, uint32_t from,
    struct mc_query6 *q)
{
	struct mc_query	 q4;

	igmp_query_view(m, from, px->scratch->rec4, PX_MAX_SRCS, &q4);
	mc_query_to6(&q4, px->scratch->rec, q);
}

/* A downstream interface's share of a datagram: its query or records. */
static void
ds_packet(struct proxy *px, uint64_t now, struct px_iface *ifp,
    const struct igmp_msg *m, uint32_t from)
{
	struct igmp_recs	 it;
	struct mc_query6	 q;
	struct mc_rec		 r4;
	struct mc_rec6		 r;

	if (m->type == IGMP_QUERY) {
		query_view(px, m, from, &q);
		if_query_heard(ifp, px->conf, now, &q, &px->env);
		return;
	}
	igmp_recs_init(&it, m, from);
	while (igmp_recs_next(&it, px->scratch->rec4, PX_MAX_SRCS, &r4) ==
	    1) {
		if (!MC_REC_VALID(r4.type))
			continue;	/* RFC 3376 4.2.12 */
		mc_rec_to6(&r4, px->scratch->rec, &r);
		if_report(ifp, px->conf, now, &r, &px->env);
	}
}

/* An IGMP datagram from the raw socket, with its arrival interface. */
void
px_packet(struct proxy *px, uint64_t now, int ifindex, const uint8_t *pkt,
    size_t len)
{
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	struct mc_query6	 q;
	struct mc_src6		 src;
	struct px_iface		*ifp;
	enum igmp_err		 e;

	px->ctr_rx++;
	if ((e = igmp_decode_packet(pkt, len, &ip, &m)) != IGMP_OK) {
		if (e != IGMP_ERR_TYPE) {
			px->ctr_bad++;
			log_debug_rl(&px->lim, "ifindex %d: bad IGMP from "
			    "%s: %s", ifindex, addr4_ntoa(ip.src),
			    igmp_strerror(e));
		}
		return;
	}
	src = mc_src6_v4(ip.src);
	if (ip.src != 0 && own_address(px, &src)) {
		px->ctr_own++;
		return;
	}
	if (ifindex > 0 && ifindex == px->upif.ifindex) {
		/* The host part: only queries matter upstream. */
		if (m.type == IGMP_QUERY) {
			query_view(px, &m, ip.src, &q);
			up_query(&px->up, now, px->conf, &q, &px->env);
		}
		return;
	}
	if ((ifp = px_iface_by_index(px, ifindex)) == NULL || !ifp->active) {
		px->ctr_unknown_if++;
		return;
	}
	ds_packet(px, now, ifp, &m, ip.src);
}

/* Kernel upcall: a packet of an (S,G) with no entry arrived. */
void
px_upcall(struct proxy *px, uint64_t now, const struct mrt_msg *u)
{
	struct mc_src6	 s = mc_src6_v4(u->src), g = mc_src6_v4(u->grp);

	mfc_upcall(&px->mfc, now, u->type, u->vif, &s, &g);
}

/* MRT6 upcall: a packet of an (S,G) with no entry arrived on a MIF. */
void
px_upcall6(struct proxy *px, uint64_t now, const struct mrt6_msg *u)
{
	struct mc_src6	 s, g;

	memcpy(s.a, u->src, sizeof(s.a));
	memcpy(g.a, u->grp, sizeof(g.a));
	mfc_upcall(&px->mfc, now, u->type, u->mif, &s, &g);
}

/*
 * An MLD query in the common form: MLDv1 as version 2, MLDv2 as 3
 * (iface.h); the times in ms (RFC 3810 5.1.3, 5.1.9).
 */
static void
query_view6(struct proxy *px, const struct mld_msg *m, const uint8_t *from,
    struct mc_query6 *q)
{
	unsigned	 i, n;

	memset(q, 0, sizeof(*q));
	q->version = (uint8_t)(m->version + 1);
	memcpy(q->from.a, from, IP6_ADDR_LEN);
	memcpy(q->group.a, m->group, IP6_ADDR_LEN);
	q->srcs = px->scratch->rec;
	if (m->version == 1) {
		q->mrt_ms = m->mrc;
		return;
	}
	q->mrt_ms = mld_code_to_value(m->mrc);
	q->s_flag = m->s_flag;
	q->qrv = m->qrv;
	q->qqi_ms = igmp_code_to_value(m->qqic) * 1000;
	n = m->nsrcs < PX_MAX_SRCS ? m->nsrcs : PX_MAX_SRCS;
	for (i = 0; i < n; i++)
		memcpy(px->scratch->rec[i].a, m->srcs + (size_t)i *
		    IP6_ADDR_LEN, IP6_ADDR_LEN);
	q->nsrcs = src_normalize6(px->scratch->rec, n);
}

/*
 * An MLD datagram (whole, IPv6 header and Hop-by-Hop Router Alert
 * included) with its arrival interface.  Every check of RFC 3810 5 and
 * 6.2 is the codec's; a report or done from :: is dropped here, as a
 * router does (5.2.13), and counted.
 */
void
px_packet6(struct proxy *px, uint64_t now, int ifindex, const uint8_t *pkt,
    size_t len)
{
	struct ip6_info		 ip;
	struct mld_msg		 m;
	struct mc_query6	 q;
	struct mc_rec6		 r;
	struct mld_recs		 it;
	struct mc_src6		 src;
	struct px_iface		*ifp;
	enum mld_err		 e;

	px->ctr_rx++;
	if ((e = mld_decode_packet(pkt, len, &ip, &m)) != MLD_OK) {
		if (e != MLD_ERR_TYPE && e != MLD_ERR_NOT_ICMP6) {
			px->ctr_bad++;
			log_debug_rl(&px->lim, "ifindex %d: bad MLD: %s",
			    ifindex, mld_strerror(e));
		}
		return;
	}
	memcpy(src.a, ip.src, sizeof(src.a));
	if (own_address(px, &src)) {
		px->ctr_own++;
		return;
	}
	if (ifindex > 0 && ifindex == px->upif.ifindex) {
		if (m.type == MLD_QUERY) {
			query_view6(px, &m, ip.src, &q);
			up_query(&px->up, now, px->conf, &q, &px->env);
		}
		return;
	}
	if ((ifp = px_iface_by_index(px, ifindex)) == NULL || !ifp->active) {
		px->ctr_unknown_if++;
		return;
	}
	if (m.type == MLD_QUERY) {
		query_view6(px, &m, ip.src, &q);
		if_query_heard(ifp, px->conf, now, &q, &px->env);
		return;
	}
	if (ip6_is_unspecified(ip.src)) {
		ifp->ctr_ignored++;		/* RFC 3810 5.2.13 */
		return;
	}
	mld_recs_init(&it, &m, ip.src);
	while (mld_recs_next(&it, px->scratch->rec, PX_MAX_SRCS, &r) == 1) {
		if (!MC_REC_VALID(r.type))
			continue;	/* RFC 3810 5.2.12 */
		if_report(ifp, px->conf, now, &r, &px->env);
	}
}

/* The access list, for groups and sources of either family. */
static int
acl_ok(const struct px_conf *c, const struct mc_src6 *g, int has_src,
    const struct mc_src6 *s)
{
	return px_acl_permit(c, g->a, has_src, has_src ? s->a : NULL);
}

/* ---- forwarding ---- */

/* Which VIFs (S,G) arriving on iif goes out of (RFC 4605 4.2). */
static void
px_oifs(void *arg, uint64_t now, const struct mc_src6 *s,
    const struct mc_src6 *g, int iif, uint8_t ttls[PX_MAXVIFS])
{
	const struct proxy	*px = arg;
	const struct px_conf	*c = px->conf;
	unsigned		 i;

	memset(ttls, 0, PX_MAXVIFS);
	if (!px_routable(g) || !acl_ok(c, g, 1, s))
		return;
	for (i = 0; i < px->nds; i++) {
		const struct px_iface	*ifp = &px->ds[i];

		if (ifp->vif < 0 || ifp->vif == iif)
			continue;
		if (if_forwards(ifp, c, g, s, now))
			ttls[ifp->vif] = 1;
	}
	/* Never back to the upstream (vif 0): ttls[0] stays 0. */
}

/* ---- the membership database ---- */

/* The access list's say on a merged INCLUDE list: what it refuses goes. */
static unsigned
acl_filter(const struct px_conf *c, const struct mc_src6 *g,
    struct mc_src6 *srcs, unsigned n)
{
	unsigned	 j, k;

	for (j = k = 0; j < n; j++)
		if (acl_ok(c, g, 1, &srcs[j]))
			srcs[k++] = srcs[j];
	return k;
}

/* Merge group g over the downstream interfaces; report a change. */
static void
db_update(struct proxy *px, uint64_t now, const struct mc_src6 *g)
{
	struct px_scratch		*s = px->scratch;
	struct mc_filter6		 f[PX_MAX_DOWNSTREAM];
	const struct src_merge_scratch6	 ms = { s->merge[0], s->merge[1],
	    s->merge[2], PX_MAX_SRCS };
	const struct px_group		*grp;
	unsigned			 i, n = 0, nout = 0;
	uint8_t				 mode = MC_INCLUDE;

	if (!acl_ok(px->conf, g, 0, NULL)) {
		px->ctr_acl_denied++;
		for (i = 0; i < px->nds; i++)
			if (px->ds[i].active &&
			    (grp = if_group_find(&px->ds[i], g)) != NULL &&
			    !grp_is_empty(grp, now)) {
				log_warnx_rl(&px->lim_refused, "%s: %s wanted "
				    "but denied by the configuration (allow/"
				    "deny): not asked for upstream",
				    px->ds[i].name, addr6_ntoa(g->a));
				break;
			}
	} else
		for (i = 0; i < px->nds; i++) {
			if (!px->ds[i].active ||
			    (grp = if_group_find(&px->ds[i], g)) == NULL ||
			    grp_is_empty(grp, now))
				continue;
			f[n].mode = grp->rs.mode;
			f[n].srcs = s->exp[n];
			f[n].nsrcs = rstate_export6(&grp->rs, now, s->exp[n],
			    PX_MAX_SRCS);
			n++;
		}
	if (src_merge6(f, n, &ms, s->out, &nout, &mode) && mode == MC_INCLUDE)
		nout = acl_filter(px->conf, g, s->out, nout);
	up_update(&px->up, g, mode, s->out, nout, now, px->conf);
}

/* Every group known anywhere is dirty (interfaces changed). */
static void
all_groups_dirty(struct proxy *px)
{
	unsigned	 i;
	size_t		 k;

	for (i = 0; i < px->nds; i++)
		for (k = 0; k < px->ds[i].ngroups; k++)
			ops_group_changed(px, &px->ds[i].groups[k]->group);
	for (k = 0; k < px->up.n; k++)
		ops_group_changed(px, &px->up.recs[k]->group);
	px->all_dirty = 1;
}

/*
 * After a batch of events: database, upstream reports, forwarding.
 */
void
px_flush(struct proxy *px, uint64_t now)
{
	size_t	 i;

	if (px->ndirty == 0 && !px->all_dirty)
		return;
	px->ndirty = src_normalize6(px->dirty, (unsigned)px->ndirty);
	for (i = 0; i < px->ndirty; i++)
		db_update(px, now, &px->dirty[i]);
	mfc_refresh(&px->mfc, now, px->dirty, px->ndirty, px->all_dirty);
	up_flush(&px->up, now, px->conf, &px->env);
	px->ndirty = 0;
	px->all_dirty = 0;
}

/* ---- interfaces ---- */

static int
vif_alloc(const struct proxy *px)
{
	int		 v;
	unsigned	 i;

	for (v = 1; v < PX_MAXVIFS; v++) {
		for (i = 0; i < px->nds; i++)
			if (px->ds[i].vif == v)
				break;
		if (i == px->nds)
			return v;
	}
	return -1;
}

static void
ds_activate(struct proxy *px, struct px_iface *ifp, uint64_t now)
{
	int	 v;

	if (ifp->vif < 0) {
		if ((v = vif_alloc(px)) < 0 ||
		    px->os->add_vif(px->os_arg, v, ifp->ifindex) == -1) {
			log_warnx("%s: cannot add a VIF", ifp->name);
			return;
		}
		ifp->vif = v;
	}
	if (px->os->join_routers(px->os_arg, ifp->ifindex) == -1)
		log_warnx("%s: cannot join the %s router groups", ifp->name,
		    PX_PROTO(ifp));
	ifp->active = 1;
	log_info("%s: downstream up (ifindex %d, vif %d, %sv%u, %s)",
	    ifp->name, ifp->ifindex, ifp->vif, PX_PROTO(ifp),
	    PX_VER(ifp, ifp->version), if_has_addr(ifp) ?
	    addr6_ntoa(ifp->addr.a) : "no address");
	if_start(ifp, px->conf, now, &px->env);
	all_groups_dirty(px);
}

static void
ds_deactivate(struct proxy *px, struct px_iface *ifp, uint64_t now,
    const char *why)
{
	if (!ifp->active && ifp->vif < 0)
		return;
	log_info("%s: downstream %s", ifp->name, why);
	if_stop(ifp, now, &px->env);
	ifp->active = 0;
	if (ifp->vif >= 0) {
		(void)px->os->del_vif(px->os_arg, ifp->vif);
		ifp->vif = -1;
	}
	all_groups_dirty(px);
}

static void
up_activate(struct proxy *px, uint64_t now)
{
	if (px->upif.vif < 0) {
		if (px->os->add_vif(px->os_arg, 0, px->upif.ifindex) == -1) {
			log_warnx("%s: cannot add the upstream VIF",
			    px->upif.name);
			return;
		}
		px->upif.vif = 0;
	}
	px->upif.active = 1;
	log_info("%s: upstream up (ifindex %d): reporting %zu group(s)",
	    px->upif.name, px->upif.ifindex, px->up.n);
	up_reexpress(&px->up, now, px->conf, &px->env);
}

static void
up_deactivate(struct proxy *px, const char *why)
{
	if (!px->upif.active && px->upif.vif < 0)
		return;
	log_info("%s: upstream %s", px->upif.name, why);
	px->upif.active = 0;
	if (px->upif.vif >= 0) {
		(void)px->os->del_vif(px->os_arg, 0);
		px->upif.vif = -1;
	}
	/* Entries from the old upstream VIF mean nothing any more. */
	mfc_flush(&px->mfc);
}

/*
 * The upstream's MTU: reports are sized to it (RFC 3376 4.2.16), so
 * that the raw socket never refuses one, and a gateway never has to
 * fragment what carries it.
 */
static void
up_mtu(struct proxy *px, unsigned mtu)
{
	unsigned	 min = px->v6 ? MLD_RB_MIN : IGMP_RB_MIN;

	if (mtu == 0 || mtu == px->up.mtu)
		return;
	if (mtu < min)
		log_warnx("%s: MTU %u is below %u; reports are built for %u",
		    px->upif.name, mtu, min, min);
	px->up.mtu = mtu;
	log_info("%s: MTU %u: %s reports of up to %u bytes", px->upif.name,
	    mtu, px->v6 ? "MLD" : "IGMP", mtu < PX_REPORT_MAX ? (mtu < min ?
	    min : mtu) : PX_REPORT_MAX);
}

/*
 * A link exists (RTM_NEWLINK or the initial dump): name, ifindex and
 * whether it is up.
 */
void
px_link(struct proxy *px, uint64_t now, int ifindex, const char *name,
    int up, unsigned mtu)
{
	struct px_iface	*ifp = NULL;
	unsigned	 i;

	if (strcmp(name, px->upif.name) == 0) {
		up_mtu(px, mtu);
		if (px->upif.ifindex != ifindex && px->upif.ifindex > 0)
			up_deactivate(px, "replaced");
		px->upif.ifindex = ifindex;
		if (up && !px->upif.active)
			up_activate(px, now);
		else if (!up && px->upif.active)
			up_deactivate(px, "down");
		return;
	}
	for (i = 0; i < px->nds; i++)
		if (strcmp(name, px->ds[i].name) == 0)
			ifp = &px->ds[i];
	if (ifp == NULL)
		return;
	if (ifp->ifindex != ifindex && ifp->ifindex > 0) {
		ds_deactivate(px, ifp, now, "replaced");
		memset(&ifp->addr, 0, sizeof(ifp->addr));
	}
	ifp->ifindex = ifindex;
	if (up && !ifp->active)
		ds_activate(px, ifp, now);
	else if (!up && ifp->active)
		ds_deactivate(px, ifp, now, "down");
}

/* RTM_DELLINK. */
void
px_link_gone(struct proxy *px, uint64_t now, int ifindex)
{
	struct px_iface	*ifp;

	if (ifindex == px->upif.ifindex) {
		up_deactivate(px, "removed");
		/* The kernel deleted the VIF with the device. */
		px->upif.ifindex = 0;
		memset(&px->upif.addr, 0, sizeof(px->upif.addr));
		px->up.addr = px->upif.addr;
		return;
	}
	if ((ifp = px_iface_by_index(px, ifindex)) != NULL) {
		ds_deactivate(px, ifp, now, "removed");
		ifp->ifindex = 0;
		memset(&ifp->addr, 0, sizeof(ifp->addr));
	}
}

/* An IPv4 address appeared (add) or went away on ifindex. */
void
px_addr(struct proxy *px, uint64_t now, int ifindex, uint32_t a4,
    uint8_t plen, int add)
{
	struct px_iface	*ifp;
	struct mc_src6	 a = mc_src6_v4(a4);

	if (a4 == 0)
		return;
	if (ifindex == px->upif.ifindex && ifindex > 0) {
		if (add && mc_src6_is_any(&px->upif.addr))
			px->upif.addr = a;
		else if (!add && mc_src6_eq(&px->upif.addr, &a))
			memset(&px->upif.addr, 0, sizeof(px->upif.addr));
		px->up.addr = px->upif.addr;
		return;
	}
	if ((ifp = px_iface_by_index(px, ifindex)) == NULL)
		return;
	if (add && !if_has_addr(ifp)) {
		ifp->addr = a;
		ifp->plen = plen;
		log_info("%s: address %s", ifp->name, addr6_ntoa(a.a));
		if (ifp->active)
			if_start(ifp, px->conf, now, &px->env);
	} else if (!add && mc_src6_eq(&ifp->addr, &a)) {
		log_info("%s: address %s removed", ifp->name, addr6_ntoa(a.a));
		memset(&ifp->addr, 0, sizeof(ifp->addr));
		if (ifp->querier) {
			ifp->querier = 0;
			all_groups_dirty(px);
		}
	}
}

/*
 * An IPv6 address appeared (add) or went away on ifindex: a link-local
 * one is what MLD speaks from (RFC 3810 5); others do not matter.
 */
void
px_addr6(struct proxy *px, uint64_t now, int ifindex, const uint8_t *a6,
    int add)
{
	struct px_iface	*ifp;
	struct mc_src6	 a;

	if (!ip6_is_linklocal(a6))
		return;
	memcpy(a.a, a6, sizeof(a.a));
	if (ifindex == px->upif.ifindex && ifindex > 0) {
		if (add && mc_src6_is_any(&px->upif.addr))
			px->upif.addr = a;
		else if (!add && mc_src6_eq(&px->upif.addr, &a))
			memset(&px->upif.addr, 0, sizeof(px->upif.addr));
		px->up.addr = px->upif.addr;
		return;
	}
	if ((ifp = px_iface_by_index(px, ifindex)) == NULL)
		return;
	if (add && !if_has_addr(ifp)) {
		ifp->addr = a;
		ifp->plen = 64;
		log_info("%s: link-local address %s", ifp->name,
		    addr6_ntoa(a.a));
		if (ifp->active)
			if_start(ifp, px->conf, now, &px->env);
	} else if (!add && mc_src6_eq(&ifp->addr, &a)) {
		log_info("%s: link-local address %s removed", ifp->name,
		    addr6_ntoa(a.a));
		memset(&ifp->addr, 0, sizeof(ifp->addr));
		if (ifp->querier) {
			ifp->querier = 0;
			all_groups_dirty(px);
		}
	}
}

/* ---- time ---- */

/* One downstream interface's out counters against the last check. */
static void
out_check_if(struct proxy *px, struct px_iface *ifp)
{
	uint64_t	 routed, sent, dr, ds;

	if (px->os->out_counts == NULL || px->os->out_counts(px->os_arg,
	    ifp->vif, ifp->name, &routed, &sent) == -1) {
		ifp->out_known = 0;
		return;
	}
	dr = routed - ifp->out_routed;
	ds = sent - ifp->out_sent;
	if (ifp->out_known && routed >= ifp->out_routed &&
	    sent >= ifp->out_sent && dr >= PX_OUT_MIN && ds < dr / 2) {
		ifp->ctr_out_lost += dr - ds;
		log_warnx_rl(&ifp->lim_refused, "%s: multicast routing sent "
		    "%llu %s datagrams to it in %u s, but it transmitted "
		    "%llu: something after the routing drops them, most "
		    "likely a firewall's forward chain (allow what comes in "
		    "on %s and goes out on %s; amtctl doctor)", ifp->name,
		    (unsigned long long)dr, px->v6 ? "IPv6" : "IPv4",
		    PX_OUT_CHECK_MS / 1000, (unsigned long long)ds,
		    px->upif.name, ifp->name);
	}
	ifp->out_routed = routed;
	ifp->out_sent = sent;
	ifp->out_known = 1;
}

/* Forwarded datagrams that never leave: see PX_OUT_CHECK_MS. */
static void
out_check(struct proxy *px, uint64_t now)
{
	unsigned	 i;

	px->out_check_at = now + PX_OUT_CHECK_MS;
	for (i = 0; i < px->nds; i++)
		if (px->ds[i].active && px->ds[i].vif >= 0)
			out_check_if(px, &px->ds[i]);
		else
			px->ds[i].out_known = 0;
}

void
px_timer(struct proxy *px, uint64_t now)
{
	unsigned	 i;

	if (px->out_check_at <= now)
		out_check(px, now);
	for (i = 0; i < px->nds; i++)
		if (px->ds[i].active && if_next_deadline(&px->ds[i]) <= now)
			if_timers(&px->ds[i], px->conf, now, &px->env);
	up_timers(&px->up, now, px->conf, &px->env);
	if (mfc_next_deadline(&px->mfc) <= now)
		mfc_timer(&px->mfc, now, px->conf->mfc_idle_ms);
	px_flush(px, now);
}

uint64_t
px_next_deadline(const struct proxy *px)
{
	uint64_t	 d = up_next_deadline(&px->up), t;
	unsigned	 i;

	for (i = 0; i < px->nds; i++)
		if ((t = if_next_deadline(&px->ds[i])) < d)
			d = t;
	if ((t = mfc_next_deadline(&px->mfc)) < d)
		d = t;		/* 0 at first: arm the idle check */
	if (px->out_check_at < d)
		d = px->out_check_at;
	return d;
}

/*
 * A new configuration: downstream interfaces added or removed (the
 * others keep their state, their VIF and their flows), settings
 * changed.  The caller then replays the link and address dump.
 */
void
px_reconfigure(struct proxy *px, const struct px_conf *c, uint64_t now)
{
	struct px_iface	 nds[PX_MAX_DOWNSTREAM];
	unsigned	 i, j;
	int		 kept[PX_MAX_DOWNSTREAM];

	memset(kept, 0, sizeof(kept));
	for (j = 0; j < c->nds; j++) {
		for (i = 0; i < px->nds; i++)
			if (!kept[i] && strcmp(px->ds[i].name,
			    c->ds[j].name) == 0)
				break;
		if (i < px->nds) {
			nds[j] = px->ds[i];
			nds[j].version = px->v6 ? c->ds[j].mld_version + 1 :
			    c->ds[j].version;
			kept[i] = 1;
		} else {
			ds_init(px, &nds[j], &c->ds[j]);
			log_info("%s: downstream added", c->ds[j].name);
		}
	}
	for (i = 0; i < px->nds; i++) {
		if (kept[i])
			continue;
		ds_deactivate(px, &px->ds[i], now, "removed from the "
		    "configuration");
		if_free(&px->ds[i]);
	}
	memcpy(px->ds, nds, sizeof(nds));
	px->nds = c->nds;
	px->conf = c;
	if (strcmp(px->upif.name, c->upstream) != 0) {
		up_deactivate(px, "replaced in the configuration");
		memset(&px->upif, 0, sizeof(px->upif));
		snprintf(px->upif.name, IFNAMSIZ, "%s", c->upstream);
		px->upif.vif = -1;
		memset(&px->up.addr, 0, sizeof(px->up.addr));
	}
	all_groups_dirty(px);
	px_flush(px, now);
}

/* Leave the upstream (a clean stop) and the kernel clean: entries, VIFs. */
void
px_shutdown(struct proxy *px, uint64_t now)
{
	unsigned	 i;

	if (px->upif.active && px->up.n > 0) {
		log_info("%s: leaving %zu group(s) upstream", px->upif.name,
		    px->up.n);
		up_leave_all(&px->up, now, px->conf, &px->env);
	}
	mfc_flush(&px->mfc);
	for (i = 0; i < px->nds; i++)
		if (px->ds[i].vif >= 0) {
			(void)px->os->del_vif(px->os_arg, px->ds[i].vif);
			px->ds[i].vif = -1;
		}
	if (px->upif.vif >= 0) {
		(void)px->os->del_vif(px->os_arg, 0);
		px->upif.vif = -1;
	}
}

