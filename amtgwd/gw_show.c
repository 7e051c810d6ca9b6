/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd's state for amtctl and the SIGUSR1 dump: one tunnel (its
 * state machine, its last Query, its counters), a mirror's groups, and
 * the site (the default tunnel at the top, the host side's groups,
 * every tunnel, every source with its DRIAD records, the counters).
 */

#include <stdio.h>

#include "emit.h"
#include "gw.h"
#include "util.h"

static const char *const site_ctr_names[GW_SITE_CTR_MAX] = {
	[GW_SITE_REPORT_RCVD] = "tun-report",
	[GW_SITE_TUN_IGNORED] = "tun-ignored",
	[GW_SITE_GROUPS_AGED] = "groups-aged",
	[GW_SITE_LOOKUPS] = "driad-lookups",
	[GW_SITE_LOOKUP_QUEUED] = "driad-lookups-queued",
	[GW_SITE_ANSWERS] = "driad-answers",
	[GW_SITE_NO_RECORDS] = "driad-no-records",
	[GW_SITE_DNS_FAILED] = "driad-lookup-failed",
	[GW_SITE_DNS_BOGUS] = "driad-dnssec-bogus",
	[GW_SITE_RR_MALFORMED] = "driad-record-malformed",
	[GW_SITE_RR_SKIPPED] = "driad-record-skipped",
	[GW_SITE_FAILOVERS] = "driad-failovers",
	[GW_SITE_TUNNELS_LIMIT] = "tunnels-max-reached",
	[GW_SITE_SOURCES_LIMIT] = "driad-sources-max-reached",
	[GW_SITE_TUNNELS_OPENED] = "tunnels-opened",
	[GW_SITE_TUNNELS_CLOSED] = "tunnels-closed",
	[GW_SITE_MLD_REPORT_RCVD] = "mld-tun-report",
	[GW_SITE_MLD_TUN_IGNORED] = "mld-tun-ignored",
	[GW_SITE_MLD_GROUPS_AGED] = "mld-groups-aged",
	[GW_SITE_MLD_GROUPS_FULL] = "mld-groups-max-reached",
	[GW_SITE_GROUPS_FULL] = "groups-max-reached",
};

static const char *const src_state_names[] = {
	"queued", "looking-up", "resolving-relay", "relay", "default",
	"unserved", "idle",
};

/* The state, for amtctl and the SIGUSR1 dump. */
void
gw_show(const struct gw *gw, uint64_t now, struct emit *e)
{
	struct ipaddr	 a;

	emit_str(e, "state", gw_state_names[gw->state]);
	emit_str(e, "pseudo-interface", gw->conf->tunnel);
	emit_u64(e, "state-ms", now - gw->since);
	emit_str(e, "relay", gw->have_relay ? addr6_ntoa(gw->relay.a) :
	    "none");
	if (!gw->fixed)
		emit_str(e, "discovery-address", addr6_ntoa(gw->disc_addr.a));
	if (gw->cur.valid) {
		emit_obj(e, "last-query");
		emit_u64(e, "age-ms", now - gw->cur.when);
		emit_u64(e, "nonce", gw->cur.nonce);
		emit_u64(e, "qqic", gw->cur.qqic);
		emit_u64(e, "qrv", gw->cur.qrv);
		emit_u64(e, "max-resp-code", gw->cur.mrc);
		emit_bool(e, "g-flag", gw->cur.g);
		emit_bool(e, "l-flag", gw->cur.l);
		if (gw->cur.g) {
			(void)ipaddr_from_v4compat(gw->cur.gw_addr, &a);
			emit_str(e, "gateway-address", ipaddr_ntoa(&a));
			emit_u64(e, "gateway-port", gw->cur.gw_port);
		}
		emit_end(e);
		emit_u64(e, "query-interval-ms", gw->qi_ms);
	}
	if (gw->state == GW_STA_ESTABLISHED)
		emit_u64(e, "next-request-ms", (uint64_t)ms_until(gw->t_state,
		    now));
}

/* A mirror's groups as an array named name. */
void
subs_show(const struct gw_subs *s, const char *name, uint64_t now,
    struct emit *e)
{
	size_t		 i;
	uint16_t	 k;

	emit_arr(e, name);
	for (i = 0; i < s->n; i++) {
		const struct gw_sub *g = &s->v[i];

		emit_obj(e, NULL);
		emit_str(e, "group", addr4_ntoa(g->group));
		emit_str(e, "mode", g->st.mode == MC_EXCLUDE ? "exclude" :
		    "include");
		emit_u64(e, "reported-ms", now - g->seen);
		emit_arr(e, "sources");
		for (k = 0; k < g->st.srcs.n; k++)
			emit_str(e, NULL, addr4_ntoa(g->st.srcs.v[k]));
		emit_end(e);
		emit_end(e);
	}
	emit_end(e);
}

/* The state machine's counters, into an open "counters" object. */
void
gw_show_counters(const struct gw *gw, struct emit *e)
{
	unsigned	 i;

	for (i = 0; i < GW_CTR_MAX; i++)
		emit_u64(e, gw_ctr_names[i], gw->ctr[i]);
}

static const char *const how_names[] = {
	"configuration", "discovery", "driad",
};

static void
show_tunnel(const struct gw_site *s, const struct gw_tnl *t, uint64_t now,
    struct emit *e)
{
	size_t	 i;

	emit_obj(e, NULL);
	emit_str(e, "found-by", how_names[t->how]);
	if (t->how == GW_HOW_DRIAD)
		emit_str(e, "record", t->rec);
	else if (t->fsm.fixed && s->conf->relay_name[0] != '\0')
		emit_str(e, "relay-name", s->conf->relay_name);
	gw_show(&t->fsm, now, e);
	emit_arr(e, "sources");
	for (i = 0; i < s->nsrc; i++)
		if (s->src[i].t == t)
			emit_str(e, NULL, addr6_ntoa(s->src[i].addr.a));
	emit_end(e);
	subs_show(&t->fsm.subs, "groups", now, e);
	gw_mld_show(&t->fsm, &t->fsm.mld.subs, now, e);
	emit_obj(e, "counters");
	gw_show_counters(&t->fsm, e);
	for (i = 0; i < GW_MLD_CTR_MAX; i++)
		emit_u64(e, gw_mld_ctr_names[i], t->fsm.mld.ctr[i]);
	emit_end(e);
	emit_end(e);
}

static void
show_source(const struct gw_src *x, uint64_t now, struct emit *e)
{
	char		 buf[300];
	unsigned	 i;

	emit_obj(e, NULL);
	emit_str(e, "source", addr6_ntoa(x->addr.a));
	emit_str(e, "state", src_state_names[x->st]);
	if (x->st == GW_SRC_RELAY)
		emit_str(e, "relay", addr6_ntoa(x->t->key.a));
	if (x->st == GW_SRC_DEFAULT)
		emit_str(e, "why", x->why);
	if (x->expires != 0)
		emit_u64(e, "ttl-left-ms", (uint64_t)ms_until(x->expires, now));
	if (x->retry_at != 0)
		emit_u64(e, "retry-in-ms", (uint64_t)ms_until(x->retry_at,
		    now));
	emit_arr(e, "records");
	for (i = 0; i < x->nc; i++) {
		site_rec_text(&x->c[i], buf, sizeof(buf));
		emit_str(e, NULL, buf);
	}
	emit_end(e);
	emit_end(e);
}

/*
 * The default tunnel's state at the top (as before there were many),
 * the host side's groups, every tunnel, every source's DRIAD state,
 * and the counters, in an object left open for the data path's.
 */
void
site_show(const struct gw_site *s, uint64_t now, struct emit *e)
{
	size_t	 i;

	gw_show(&s->def.fsm, now, e);
	emit_str(e, "relay-from", how_names[s->def.how]);
	emit_bool(e, "driad", s->conf->driad);
	subs_show(&s->subs, "groups", now, e);
	gw_mld_show(&s->def.fsm, &s->subs6, now, e);
	emit_arr(e, "tunnels");
	show_tunnel(s, &s->def, now, e);
	for (i = 0; i < s->nt; i++)
		show_tunnel(s, s->t[i], now, e);
	emit_end(e);
	emit_arr(e, "sources");
	for (i = 0; i < s->nsrc; i++)
		show_source(&s->src[i], now, e);
	emit_end(e);
	emit_obj(e, "counters");
	for (i = 0; i < GW_SITE_CTR_MAX; i++)
		emit_u64(e, site_ctr_names[i], s->ctr[i]);
	for (i = 0; i < GW_MLD_CTR_MAX; i++)
		emit_u64(e, gw_mld_ctr_names[i], s->def.fsm.mld.ctr[i]);
	gw_show_counters(&s->def.fsm, e);
}
