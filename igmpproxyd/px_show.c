/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The proxy's state as amtctl and the SIGUSR1 dump show it: the
 * interfaces ("amtctl proxy interfaces") and the groups, database and
 * forwarding entries ("amtctl proxy groups").
 */

#include "emit.h"
#include "px.h"
#include "util.h"

/* "amtctl proxy interfaces". */
void
px_show_interfaces(const struct proxy *px, uint64_t now, struct emit *e)
{
	unsigned	 i;

	emit_obj(e, "upstream");
	emit_str(e, "name", px->upif.name);
	emit_bool(e, "up", px->upif.active);
	emit_i64(e, "ifindex", px->upif.ifindex);
	if (px->v6)
		emit_u64(e, "mld-version", up_version(&px->up, now) - 1);
	else
		emit_u64(e, "igmp-version", up_version(&px->up, now));
	emit_u64(e, "records", px->up.n);
	emit_u64(e, "mtu", px->up.mtu);
	emit_u64(e, "reports-sent", px->up.ctr_reports);
	emit_u64(e, "report-send-errors", px->up.ctr_send_err);
	emit_u64(e, "queries-heard", px->up.ctr_queries);
	emit_end(e);
	emit_arr(e, "downstream");
	for (i = 0; i < px->nds; i++) {
		const struct px_iface *ifp = &px->ds[i];

		emit_obj(e, NULL);
		emit_str(e, "name", ifp->name);
		emit_bool(e, "up", ifp->active);
		emit_u64(e, "ifindex", ifp->ifindex > 0 ?
		    (uint64_t)ifp->ifindex : 0);
		if (ifp->vif >= 0)
			emit_u64(e, "vif", (uint64_t)ifp->vif);
		emit_u64(e, ifp->v6 ? "mld-version" : "igmp-version",
		    PX_VER(ifp, ifp->version));
		emit_str(e, "address", if_has_addr(ifp) ?
		    addr6_ntoa(ifp->addr.a) : "none");
		emit_bool(e, "querier", ifp->querier);
		emit_str(e, "querier-address",
		    !mc_src6_is_any(&ifp->querier_addr) ?
		    addr6_ntoa(ifp->querier_addr.a) : "none");
		emit_i64(e, "other-querier-ms", ms_until(ifp->oqp, now));
		emit_u64(e, "groups", ifp->ngroups);
		emit_u64(e, "reports", ifp->ctr_reports);
		emit_u64(e, "queries-sent", ifp->ctr_queries_sent);
		emit_u64(e, "queries-heard", ifp->ctr_queries_heard);
		emit_u64(e, "ignored", ifp->ctr_ignored);
		emit_u64(e, "forwarded-not-sent", ifp->ctr_out_lost);
		emit_end(e);
	}
	emit_end(e);
	emit_obj(e, "counters");
	emit_u64(e, "packets", px->ctr_rx);
	emit_u64(e, "malformed", px->ctr_bad);
	emit_u64(e, "own", px->ctr_own);
	emit_u64(e, "unknown-interface", px->ctr_unknown_if);
	emit_u64(e, "denied-by-acl", px->ctr_acl_denied);
	emit_u64(e, "upcalls", px->mfc.ctr_upcalls);
	emit_u64(e, "mfc-added", px->mfc.ctr_add);
	emit_u64(e, "mfc-removed", px->mfc.ctr_del);
	emit_u64(e, "mfc-idle", px->mfc.ctr_expired);
	emit_end(e);
}

static void
show_group(const struct px_group *g, uint64_t now, struct emit *e)
{
	unsigned	 k;

	emit_str(e, "group", addr6_ntoa(g->group.a));
	emit_str(e, "mode", g->rs.mode == MC_EXCLUDE ? "exclude" : "include");
	emit_i64(e, "group-timer-ms", g->rs.mode == MC_EXCLUDE ?
	    ms_until(g->rs.gtimer, now) : 0);
	emit_u64(e, "compat", grp_compat(g, now));
	emit_arr(e, "sources");
	for (k = 0; k < g->rs.nsrcs; k++) {
		emit_obj(e, NULL);
		emit_str(e, "source", addr6_ntoa(g->rs.srcs[k].addr.a));
		emit_i64(e, "timer-ms", ms_until(g->rs.srcs[k].timer, now));
		emit_bool(e, "forwarding", grp_forwards(g,
		    &g->rs.srcs[k].addr, now));
		emit_end(e);
	}
	emit_end(e);
	emit_arr(e, "hosts");
	for (k = 0; k < g->nhosts; k++) {
		emit_obj(e, NULL);
		emit_str(e, "host", addr6_ntoa(g->hosts[k].addr.a));
		emit_str(e, "mode", g->hosts[k].st.mode == MC_EXCLUDE ?
		    "exclude" : "include");
		emit_u64(e, "sources", g->hosts[k].st.srcs.n);
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
	unsigned		 i;
	size_t			 j, k;

	emit_arr(e, "database");
	for (j = 0; j < px->up.n; j++) {
		const struct px_urec *r = px->up.recs[j];

		if (!r->present)
			continue;
		emit_obj(e, NULL);
		emit_str(e, "group", addr6_ntoa(r->group.a));
		emit_str(e, "mode", r->mode == MC_EXCLUDE ? "exclude" :
		    "include");
		emit_arr(e, "sources");
		for (k = 0; k < r->srcs.n; k++)
			emit_str(e, NULL, addr6_ntoa(r->srcs.v[k].a));
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
	mfc_show(&px->mfc, e);
}
