/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The proxy engine.  Packets from the IGMP socket go to the downstream
 * interface they arrived on (router part) or to the upstream host part;
 * every group whose state may have changed is marked dirty, and
 * px_flush() then merges it into the membership database (RFC 4605
 * 4.1), reports the change upstream, and brings every forwarding cache
 * entry of the group up to date (RFC 4605 4.2: "any time any of the
 * information used to build it changes").  Interfaces come and go with
 * rtnetlink events; the upstream may vanish and return with a new
 * ifindex, after which its VIF is added again, the cache rebuilt and
 * the database reported afresh.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "igmp_proto.h"
#include "px.h"
#include "util.h"

#define IGMPMSG_NOCACHE_	1

static void	 ops_send_query(void *, struct px_iface *, uint32_t, int,
		    const uint32_t *, unsigned);
static void	 ops_group_changed(void *, uint32_t);
static void	 ops_send_upstream(void *, const uint8_t *, size_t);
static uint32_t	 ops_random(void *);

static const struct px_ops px_ops = {
	ops_send_query, ops_group_changed, ops_send_upstream, ops_random,
};

int
px_init(struct proxy *px, const struct px_conf *c, const struct px_os *os,
    void *arg)
{
	unsigned	 i;

	memset(px, 0, sizeof(*px));
	px->conf = c;
	px->os = os;
	px->os_arg = arg;
	px->rl = (struct ratelimit)RATELIMIT_INIT(1000, 10);
	for (i = 0; i < c->nds; i++)
		if_init(&px->ds[i], c->ds[i].name, c->ds[i].version);
	px->nds = c->nds;
	snprintf(px->upif.name, IFNAMSIZ, "%s", c->upstream);
	px->upif.vif = -1;
	up_init(&px->up);
	return 0;
}

static unsigned
hash_sg(uint32_t s, uint32_t g)
{
	uint32_t	 h = s * 2654435761U ^ g * 2246822519U;

	return (h ^ h >> 16) % PX_MFC_BUCKETS;
}

static struct px_mfc *
mfc_find(const struct proxy *px, uint32_t s, uint32_t g)
{
	struct px_mfc	*e;

	for (e = px->mfc[hash_sg(s, g)]; e != NULL; e = e->next)
		if (e->src == s && e->grp == g)
			return e;
	return NULL;
}

/* Remove one entry from the kernel and the table. */
static void
mfc_remove(struct proxy *px, struct px_mfc *e)
{
	struct px_mfc	**pp = &px->mfc[hash_sg(e->src, e->grp)];

	(void)px->os->mfc_del(px->os_arg, e->src, e->grp, e->iif);
	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	free(e);
	px->nmfc--;
	px->ctr_mfc_del++;
}

static void
mfc_flush_all(struct proxy *px)
{
	unsigned	 b;

	for (b = 0; b < PX_MFC_BUCKETS; b++)
		while (px->mfc[b] != NULL)
			mfc_remove(px, px->mfc[b]);
}

void
px_free(struct proxy *px)
{
	unsigned	 i;

	mfc_flush_all(px);
	for (i = 0; i < px->nds; i++) {
		while (px->ds[i].ngroups > 0) {
			grp_free(px->ds[i].groups[px->ds[i].ngroups - 1]);
			px->ds[i].ngroups--;
		}
		free(px->ds[i].groups);
		px->ds[i].groups = NULL;
	}
	up_free(&px->up);
	free(px->dirty);
	px->dirty = NULL;
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

/* ---- the callbacks group.c, iface.c and upstream.c use ---- */

static void
ops_group_changed(void *arg, uint32_t g)
{
	struct proxy	*px = arg;
	uint32_t	*nv;
	size_t		 ncap;

	if (px->all_dirty)
		return;
	if (px->ndirty > 0 && px->dirty[px->ndirty - 1] == g)
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
	px->dirty[px->ndirty++] = g;
}

/*
 * A query on a downstream interface, in its configured version: v3 with
 * Max Resp Code from the Query Response Interval (general) or the Last
 * Member Query Interval (specific), QRV and QQIC; v2 and v1 8 bytes.
 */
static void
ops_send_query(void *arg, struct px_iface *ifp, uint32_t group, int s_flag,
    const uint32_t *srcs, unsigned n)
{
	struct proxy		*px = arg;
	const struct px_conf	*c = px->conf;
	struct igmp_query	 q;
	uint8_t			 buf[1500];
	struct wbuf		 w;
	uint32_t		 mrt;

	if (ifp->ifindex <= 0 || ifp->addr == 0)
		return;
	memset(&q, 0, sizeof(q));
	q.src = ifp->addr;
	q.dst = group == 0 ? IN4_ALLHOSTS : group;
	q.version = (uint8_t)ifp->version;
	q.group = group;
	mrt = (group == 0 ? c->qri_ms : c->lmqi_ms) / 100;
	if (q.version == 3) {
		q.code = igmp_value_to_code(mrt);
		q.s_flag = (uint8_t)(s_flag != 0);
		q.qrv = (uint8_t)(c->robustness > 7 ? 0 : c->robustness);
		q.qqic = igmp_value_to_code(c->qi_ms / 1000);
		q.srcs = srcs;
		q.nsrcs = (uint16_t)(n > 366 ? 366 : n);	/* fits 1500 */
	} else
		q.code = (uint8_t)(mrt > 255 ? 255 : mrt == 0 ? 1 : mrt);
	wbuf_init(&w, buf, sizeof(buf));
	if (igmp_build_query(&w, &q) == -1)
		return;
	if (px->os->send(px->os_arg, ifp->ifindex, buf, w.len) == -1)
		log_debug_rl(&px->rl, "%s: cannot send query", ifp->name);
	else if (group != 0)
		ifp->ctr_queries_sent++;
}

static void
ops_send_upstream(void *arg, const uint8_t *p, size_t len)
{
	struct proxy	*px = arg;

	if (px->upif.ifindex <= 0 || !px->upif.up)
		return;
	if (px->os->send(px->os_arg, px->upif.ifindex, p, len) == -1)
		log_debug_rl(&px->rl, "%s: cannot send report",
		    px->upif.name);
}

static uint32_t
ops_random(void *arg)
{
	struct proxy	*px = arg;

	return px->os->random(px->os_arg);
}

/* ---- packets ---- */

static int
own_address(const struct proxy *px, uint32_t a)
{
	unsigned	 i;

	if (a == 0)
		return 0;
	if (a == px->upif.addr)
		return 1;
	for (i = 0; i < px->nds; i++)
		if (px->ds[i].addr == a)
			return 1;
	return 0;
}

/* Copy a validated source list out of a packet. */
static unsigned
srcs_of(const uint8_t *p, unsigned n, uint32_t *out)
{
	unsigned	 i;

	if (n > PX_MAX_SRCS)
		n = PX_MAX_SRCS;
	for (i = 0; i < n; i++)
		out[i] = igmp_src(p, i);
	return n;
}

/* An IGMP datagram from the raw socket, with its arrival interface. */
void
px_packet(struct proxy *px, uint64_t now, int ifindex, const uint8_t *pkt,
    size_t len)
{
	static uint32_t		 srcs[PX_MAX_SRCS];
	const struct px_conf	*c = px->conf;
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;
	struct px_iface		*ifp;
	enum igmp_err		 e;
	unsigned		 n;

	px->ctr_rx++;
	if ((e = igmp_decode_packet(pkt, len, &ip, &m)) != IGMP_OK) {
		if (e != IGMP_ERR_TYPE) {
			px->ctr_bad++;
			log_debug_rl(&px->rl, "ifindex %d: bad IGMP from %s: %s",
			    ifindex, addr4_ntoa(ip.src), igmp_strerror(e));
		}
		return;
	}
	if (own_address(px, ip.src)) {
		px->ctr_own++;
		return;
	}
	if (ifindex > 0 && ifindex == px->upif.ifindex) {
		/* The host part: only queries matter upstream. */
		if (m.type == IGMP_QUERY) {
			n = srcs_of(m.srcs, m.nsrcs, srcs);
			up_query(&px->up, now, c, m.version, m.code, m.group,
			    m.qrv, m.qqic, srcs, n, &px_ops, px);
		}
		return;
	}
	if ((ifp = px_iface_by_index(px, ifindex)) == NULL || !ifp->up) {
		px->ctr_unknown_if++;
		return;
	}
	switch (m.type) {
	case IGMP_QUERY:
		n = srcs_of(m.srcs, m.nsrcs, srcs);
		if_query_heard(ifp, c, now, ip.src, m.version, m.code, m.group,
		    m.s_flag, m.qrv, m.qqic, srcs, n, &px_ops, px);
		break;
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
		/* 7.3.2: IS_EX({}) in any compatibility mode. */
		if_report(ifp, c, now, ip.src, PX_IS_EX, m.group, NULL, 0,
		    m.version, &px_ops, px);
		break;
	case IGMP_V2_LEAVE:
		if_report(ifp, c, now, ip.src, PX_TO_IN, m.group, NULL, 0, 2,
		    &px_ops, px);
		break;
	case IGMP_V3_REPORT:
		igmp_rec_iter_init(&it, &m);
		while (igmp_rec_next(&it, &r) == 1) {
			if (r.type < PX_IS_IN || r.type > PX_BLOCK)
				continue;	/* 4.2.12 */
			n = srcs_of(r.srcs, r.nsrcs, srcs);
			if_report(ifp, c, now, ip.src, r.type, r.group, srcs,
			    n, 3, &px_ops, px);
		}
		break;
	}
}

/* ---- the forwarding cache ---- */

/* Which VIFs (S,G) arriving on iif goes out of (RFC 4605 4.2). */
static void
mfc_oifs(const struct proxy *px, uint64_t now, uint32_t s, uint32_t g,
    int iif, uint8_t ttls[PX_MAXVIFS])
{
	const struct px_conf	*c = px->conf;
	unsigned		 i;

	memset(ttls, 0, PX_MAXVIFS);
	if (IN4_LOCAL_MCAST(g) || !px_acl_permit(c, g, 1, s))
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

/* Kernel upcall: a packet of an unknown (S,G) arrived on vif. */
void
px_upcall(struct proxy *px, uint64_t now, int type, int vif, uint32_t s,
    uint32_t g)
{
	struct px_mfc	*e;
	unsigned	 b;

	px->ctr_upcalls++;
	if (type != IGMPMSG_NOCACHE_ || vif < 0 || vif >= PX_MAXVIFS)
		return;
	if ((e = mfc_find(px, s, g)) != NULL) {
		if (e->iif == vif)
			return;
		mfc_remove(px, e);	/* arrived elsewhere: rebuild */
	}
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return;
	e->src = s;
	e->grp = g;
	e->iif = vif;
	e->created = now;
	mfc_oifs(px, now, s, g, vif, e->ttls);
	if (px->os->mfc_add(px->os_arg, s, g, vif, e->ttls) == -1) {
		log_warnx_rl(&px->rl, "cannot add forwarding entry (%s, %s)",
		    addr4_ntoa(s), addr4_ntoa(g));
		free(e);
		return;
	}
	b = hash_sg(s, g);
	e->next = px->mfc[b];
	px->mfc[b] = e;
	px->nmfc++;
	px->ctr_mfc_add++;
	log_debug("mfc (%s, %s) from vif %d", addr4_ntoa(s), addr4_ntoa(g),
	    vif);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Bring entries up to date: all of them, or those of dirty groups. */
static void
mfc_refresh(struct proxy *px, uint64_t now, int all)
{
	struct px_mfc	*e;
	uint8_t		 ttls[PX_MAXVIFS];
	unsigned	 b;

	for (b = 0; b < PX_MFC_BUCKETS; b++)
		for (e = px->mfc[b]; e != NULL; e = e->next) {
			if (!all && (px->ndirty == 0 || bsearch(&e->grp,
			    px->dirty, px->ndirty, sizeof(*px->dirty),
			    cmp_u32) == NULL))
				continue;
			mfc_oifs(px, now, e->src, e->grp, e->iif, ttls);
			if (memcmp(ttls, e->ttls, sizeof(ttls)) == 0)
				continue;
			memcpy(e->ttls, ttls, sizeof(ttls));
			if (px->os->mfc_add(px->os_arg, e->src, e->grp, e->iif,
			    e->ttls) == -1)
				log_warnx_rl(&px->rl, "cannot update (%s, %s)",
				    addr4_ntoa(e->src), addr4_ntoa(e->grp));
		}
}

/* Idle entries go (the kernel never expires resolved ones itself). */
static void
mfc_expire(struct proxy *px, uint64_t now)
{
	struct px_mfc	*e, *next;
	uint64_t	 pkts;
	unsigned	 b;

	for (b = 0; b < PX_MFC_BUCKETS; b++)
		for (e = px->mfc[b]; e != NULL; e = next) {
			next = e->next;
			if (px->os->mfc_count(px->os_arg, e->src, e->grp,
			    &pkts) == -1)
				continue;
			if (pkts == e->pkts && now - e->created >=
			    px->conf->mfc_idle_ms) {
				px->ctr_mfc_expired++;
				mfc_remove(px, e);
				continue;
			}
			e->pkts = pkts;
		}
}

/* ---- the membership database ---- */

/* Merge group g over the downstream interfaces; report a change. */
static void
db_update(struct proxy *px, uint64_t now, uint32_t g)
{
	static uint32_t		 bufs[PX_MAX_DOWNSTREAM][PX_MAX_SRCS];
	static uint32_t		 out[PX_MAX_SRCS], kept[PX_MAX_SRCS];
	struct px_sub		 subs[PX_MAX_DOWNSTREAM];
	const struct px_group	*grp;
	unsigned		 i, n = 0, nout, k, j;
	uint8_t			 mode;

	if (px_acl_permit(px->conf, g, 0, 0)) {
		for (i = 0; i < px->nds; i++) {
			if (!px->ds[i].up ||
			    (grp = if_group_find(&px->ds[i], g)) == NULL ||
			    grp_is_empty(grp, now))
				continue;
			subs[n].mode = (uint8_t)grp_export(grp, now, bufs[n],
			    PX_MAX_SRCS, &subs[n].nsrcs);
			subs[n].srcs = bufs[n];
			n++;
		}
	} else
		px->ctr_acl_denied++;
	if (!px_merge(subs, n, out, PX_MAX_SRCS, &nout, &mode)) {
		up_update(&px->up, g, PX_INCLUDE, NULL, 0, now, px->conf);
		return;
	}
	if (mode == PX_INCLUDE) {
		/* Sources the access list refuses are not asked for. */
		for (j = k = 0; j < nout; j++)
			if (px_acl_permit(px->conf, g, 1, out[j]))
				kept[k++] = out[j];
		if (k == 0) {
			up_update(&px->up, g, PX_INCLUDE, NULL, 0, now,
			    px->conf);
			return;
		}
		up_update(&px->up, g, mode, kept, k, now, px->conf);
		return;
	}
	up_update(&px->up, g, mode, out, nout, now, px->conf);
}

/* Every group known anywhere is dirty (interfaces changed). */
static void
all_groups_dirty(struct proxy *px)
{
	unsigned	 i;
	size_t		 k;

	for (i = 0; i < px->nds; i++)
		for (k = 0; k < px->ds[i].ngroups; k++)
			ops_group_changed(px, px->ds[i].groups[k]->group);
	for (k = 0; k < px->up.n; k++)
		ops_group_changed(px, px->up.recs[k]->group);
	px->all_dirty = 1;
}

/*
 * After a batch of events: database, upstream reports, forwarding.
 */
void
px_flush(struct proxy *px, uint64_t now)
{
	size_t	 i, k;

	if (px->ndirty == 0 && !px->all_dirty)
		return;
	if (px->ndirty > 0)
		qsort(px->dirty, px->ndirty, sizeof(*px->dirty), cmp_u32);
	for (i = k = 0; i < px->ndirty; i++)
		if (k == 0 || px->dirty[k - 1] != px->dirty[i])
			px->dirty[k++] = px->dirty[i];
	px->ndirty = k;
	for (i = 0; i < px->ndirty; i++)
		db_update(px, now, px->dirty[i]);
	mfc_refresh(px, now, px->all_dirty);
	up_flush(&px->up, now, px->conf, &px_ops, px);
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
		log_warnx("%s: cannot join 224.0.0.22 and 224.0.0.2",
		    ifp->name);
	ifp->up = 1;
	log_info("%s: downstream up (ifindex %d, vif %d, IGMPv%u, %s)",
	    ifp->name, ifp->ifindex, ifp->vif, ifp->version,
	    ifp->addr ? addr4_ntoa(ifp->addr) : "no address");
	if_start(ifp, px->conf, now, &px_ops, px);
	all_groups_dirty(px);
}

static void
ds_deactivate(struct proxy *px, struct px_iface *ifp, uint64_t now,
    const char *why)
{
	if (!ifp->up && ifp->vif < 0)
		return;
	log_info("%s: downstream %s", ifp->name, why);
	if_stop(ifp, now, &px_ops, px);
	ifp->up = 0;
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
	px->upif.up = 1;
	log_info("%s: upstream up (ifindex %d): reporting %zu group(s)",
	    px->upif.name, px->upif.ifindex, px->up.n);
	up_reexpress(&px->up, now, px->conf, &px_ops, px);
}

static void
up_deactivate(struct proxy *px, const char *why)
{
	if (!px->upif.up && px->upif.vif < 0)
		return;
	log_info("%s: upstream %s", px->upif.name, why);
	px->upif.up = 0;
	if (px->upif.vif >= 0) {
		(void)px->os->del_vif(px->os_arg, 0);
		px->upif.vif = -1;
	}
	/* Entries from the old upstream VIF mean nothing any more. */
	mfc_flush_all(px);
}

/*
 * A link exists (RTM_NEWLINK or the initial dump): name, ifindex and
 * whether it is up.
 */
void
px_link(struct proxy *px, uint64_t now, int ifindex, const char *name,
    int up)
{
	struct px_iface	*ifp = NULL;
	unsigned	 i;

	if (strcmp(name, px->upif.name) == 0) {
		if (px->upif.ifindex != ifindex && px->upif.ifindex > 0)
			up_deactivate(px, "replaced");
		px->upif.ifindex = ifindex;
		if (up && !px->upif.up)
			up_activate(px, now);
		else if (!up && px->upif.up)
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
		ifp->addr = 0;
	}
	ifp->ifindex = ifindex;
	if (up && !ifp->up)
		ds_activate(px, ifp, now);
	else if (!up && ifp->up)
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
		px->upif.addr = 0;
		px->up.addr = 0;
		return;
	}
	if ((ifp = px_iface_by_index(px, ifindex)) != NULL) {
		ds_deactivate(px, ifp, now, "removed");
		ifp->ifindex = 0;
		ifp->addr = 0;
	}
}

/* An IPv4 address appeared (add) or went away on ifindex. */
void
px_addr(struct proxy *px, uint64_t now, int ifindex, uint32_t a, uint8_t plen,
    int add)
{
	struct px_iface	*ifp;

	if (ifindex == px->upif.ifindex && ifindex > 0) {
		if (add && px->upif.addr == 0)
			px->upif.addr = a;
		else if (!add && px->upif.addr == a)
			px->upif.addr = 0;
		px->up.addr = px->upif.addr;
		return;
	}
	if ((ifp = px_iface_by_index(px, ifindex)) == NULL)
		return;
	if (add && ifp->addr == 0) {
		ifp->addr = a;
		ifp->plen = plen;
		log_info("%s: address %s", ifp->name, addr4_ntoa(a));
		if (ifp->up)
			if_start(ifp, px->conf, now, &px_ops, px);
	} else if (!add && ifp->addr == a) {
		log_info("%s: address %s removed", ifp->name, addr4_ntoa(a));
		ifp->addr = 0;
		if (ifp->querier) {
			ifp->querier = 0;
			all_groups_dirty(px);
		}
	}
}

/* ---- time ---- */

void
px_timer(struct proxy *px, uint64_t now)
{
	unsigned	 i;

	for (i = 0; i < px->nds; i++)
		if (px->ds[i].up && if_next_deadline(&px->ds[i]) <= now)
			if_timers(&px->ds[i], px->conf, now, &px_ops, px);
	up_timers(&px->up, now, px->conf, &px_ops, px);
	if (px->mfc_check == 0)
		px->mfc_check = now + px->conf->mfc_idle_ms;
	else if (px->mfc_check <= now) {
		mfc_expire(px, now);
		px->mfc_check = now + px->conf->mfc_idle_ms;
	}
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
	if (px->mfc_check != 0 && px->mfc_check < d)
		d = px->mfc_check;
	if (px->mfc_check == 0 && d == UINT64_MAX)
		d = 0;		/* arm the first idle check */
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
			nds[j].version = c->ds[j].version;
			kept[i] = 1;
		} else {
			if_init(&nds[j], c->ds[j].name, c->ds[j].version);
			log_info("%s: downstream added", c->ds[j].name);
		}
	}
	for (i = 0; i < px->nds; i++) {
		if (kept[i])
			continue;
		ds_deactivate(px, &px->ds[i], now, "removed from the "
		    "configuration");
		free(px->ds[i].groups);
	}
	memcpy(px->ds, nds, sizeof(nds));
	px->nds = c->nds;
	px->conf = c;
	if (strcmp(px->upif.name, c->upstream) != 0) {
		up_deactivate(px, "replaced in the configuration");
		memset(&px->upif, 0, sizeof(px->upif));
		snprintf(px->upif.name, IFNAMSIZ, "%s", c->upstream);
		px->upif.vif = -1;
		px->up.addr = 0;
	}
	all_groups_dirty(px);
	px_flush(px, now);
}

/* Leave the kernel clean: entries and VIFs. */
void
px_shutdown(struct proxy *px)
{
	unsigned	 i;

	mfc_flush_all(px);
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

/* ---- state for amtctl and the SIGUSR1 dump ---- */

/* "amtctl proxy interfaces". */
void
px_show_interfaces(const struct proxy *px, uint64_t now, struct emit *e)
{
	unsigned	 i;

	emit_obj(e, "upstream");
	emit_str(e, "name", px->upif.name);
	emit_bool(e, "up", px->upif.up);
	emit_i64(e, "ifindex", px->upif.ifindex);
	emit_u64(e, "igmp-version", up_version(&px->up, now));
	emit_u64(e, "records", px->up.n);
	emit_u64(e, "reports-sent", px->up.ctr_reports);
	emit_u64(e, "queries-heard", px->up.ctr_queries);
	emit_end(e);
	emit_arr(e, "downstream");
	for (i = 0; i < px->nds; i++) {
		const struct px_iface *ifp = &px->ds[i];

		emit_obj(e, NULL);
		emit_str(e, "name", ifp->name);
		emit_bool(e, "up", ifp->up);
		emit_i64(e, "ifindex", ifp->ifindex);
		emit_i64(e, "vif", ifp->vif);
		emit_u64(e, "igmp-version", ifp->version);
		emit_str(e, "address", ifp->addr ? addr4_ntoa(ifp->addr) :
		    "none");
		emit_bool(e, "querier", ifp->querier);
		emit_str(e, "querier-address", ifp->querier_addr ?
		    addr4_ntoa(ifp->querier_addr) : "none");
		emit_i64(e, "other-querier-ms", ms_until(ifp->oqp, now));
		emit_u64(e, "groups", ifp->ngroups);
		emit_u64(e, "reports", ifp->ctr_reports);
		emit_u64(e, "queries-sent", ifp->ctr_queries_sent);
		emit_u64(e, "queries-heard", ifp->ctr_queries_heard);
		emit_u64(e, "ignored", ifp->ctr_ignored);
		emit_end(e);
	}
	emit_end(e);
	emit_obj(e, "counters");
	emit_u64(e, "packets", px->ctr_rx);
	emit_u64(e, "malformed", px->ctr_bad);
	emit_u64(e, "own", px->ctr_own);
	emit_u64(e, "unknown-interface", px->ctr_unknown_if);
	emit_u64(e, "denied-by-acl", px->ctr_acl_denied);
	emit_u64(e, "upcalls", px->ctr_upcalls);
	emit_u64(e, "mfc-added", px->ctr_mfc_add);
	emit_u64(e, "mfc-removed", px->ctr_mfc_del);
	emit_u64(e, "mfc-idle", px->ctr_mfc_expired);
	emit_end(e);
}

static void
show_group(const struct px_group *g, uint64_t now, struct emit *e)
{
	unsigned	 k;

	emit_str(e, "group", addr4_ntoa(g->group));
	emit_str(e, "mode", g->mode == PX_EXCLUDE ? "exclude" : "include");
	emit_i64(e, "group-timer-ms", g->mode == PX_EXCLUDE ?
	    ms_until(g->gtimer, now) : 0);
	emit_u64(e, "compat", grp_compat(g, now));
	emit_arr(e, "sources");
	for (k = 0; k < g->nsrcs; k++) {
		emit_obj(e, NULL);
		emit_str(e, "source", addr4_ntoa(g->srcs[k].addr));
		emit_i64(e, "timer-ms", ms_until(g->srcs[k].timer, now));
		emit_bool(e, "forwarding", grp_forwards(g, g->srcs[k].addr,
		    now));
		emit_end(e);
	}
	emit_end(e);
	emit_arr(e, "hosts");
	for (k = 0; k < g->nhosts; k++) {
		emit_obj(e, NULL);
		emit_str(e, "host", addr4_ntoa(g->hosts[k].addr));
		emit_str(e, "mode", g->hosts[k].exclude ? "exclude" :
		    "include");
		emit_u64(e, "sources", g->hosts[k].nsrcs);
		emit_end(e);
	}
	emit_end(e);
	if (g->untracked)
		emit_bool(e, "untracked-members", 1);
}

/* "amtctl proxy groups". */
void
px_show_groups(const struct proxy *px, uint64_t now, struct emit *e)
{
	const struct px_mfc	*m;
	unsigned		 i, b, v;
	size_t			 j, k;

	emit_arr(e, "database");
	for (j = 0; j < px->up.n; j++) {
		const struct px_urec *r = px->up.recs[j];

		if (!r->present)
			continue;
		emit_obj(e, NULL);
		emit_str(e, "group", addr4_ntoa(r->group));
		emit_str(e, "mode", r->mode == PX_EXCLUDE ? "exclude" :
		    "include");
		emit_arr(e, "sources");
		for (k = 0; k < r->nsrcs; k++)
			emit_str(e, NULL, addr4_ntoa(r->srcs[k]));
		emit_end(e);
		emit_end(e);
	}
	emit_end(e);
	emit_arr(e, "interfaces");
	for (i = 0; i < px->nds; i++) {
		emit_obj(e, NULL);
		emit_str(e, "name", px->ds[i].name);
		emit_arr(e, "groups");
		for (j = 0; j < px->ds[i].ngroups; j++) {
			emit_obj(e, NULL);
			show_group(px->ds[i].groups[j], now, e);
			emit_end(e);
		}
		emit_end(e);
		emit_end(e);
	}
	emit_end(e);
	emit_arr(e, "forwarding");
	for (b = 0; b < PX_MFC_BUCKETS; b++)
		for (m = px->mfc[b]; m != NULL; m = m->next) {
			emit_obj(e, NULL);
			emit_str(e, "source", addr4_ntoa(m->src));
			emit_str(e, "group", addr4_ntoa(m->grp));
			emit_i64(e, "iif-vif", m->iif);
			emit_arr(e, "oif-vifs");
			for (v = 0; v < PX_MAXVIFS; v++)
				if (m->ttls[v])
					emit_u64(e, NULL, v);
			emit_end(e);
			emit_end(e);
		}
	emit_end(e);
}
