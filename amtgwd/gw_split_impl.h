/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The split of the host side's membership over the tunnels, for one
 * address family: included by gw_site.c twice, for IPv4 (IGMP, the
 * tunnels' gw_subs) and IPv6 (MLD, the tunnels' gw_mld tables), with
 * these defined (no include guard: it is a template, as srcset_impl.h;
 * it undefines them at its end):
 *
 *	SP(name)	the function's name for the family
 *	SP_KEY		a group or source (by value)
 *	SP_SUB, SP_REC	a table's group, a record
 *	SP_SITE(s)	the site's table; SP_TBL(t) tunnel t's
 *	SP_FIND(tbl, g)	the group g of a table, or NULL
 *	SP_RECORD(tbl, r, now)	a record into a table: 0, or -1 if full
 *	SP_AGE(tbl, asked, out)	the groups not reported since asked
 *	SP_SRCKEY(x)	a source as the DRIAD table keys it
 *	SP_EQ, SP_HAS, SP_DIFF	srclist_eq, srclist_has, hstate_diff
 *	SP_RECORDS	to a tunnel: gw_records() or gw_mld_records()
 *	SP_WANT, SP_SA, SP_SB, SP_GROUPS	the site's scratch arrays
 *	SP_CTR_AGED, SP_WHAT	the ageing counter, "" or " IPv6"
 *
 * Each tunnel keeps its share of every group: ASM (EXCLUDE) groups go
 * to the default tunnel, each INCLUDE source to the tunnel route()
 * names.  When the host's membership or a source's route changes, the
 * share is computed again and the difference goes to the tunnel as
 * records (hstate_diff(), RFC 3376 5.1 and RFC 3810 6.1).
 */

/* Tunnel t's share of group g (NULL: the host left it) into SP_WANT. */
static unsigned
SP(share)(struct gw_site *s, const struct gw *t, const SP_SUB *g,
    uint8_t *mode)
{
	unsigned	 i, n = 0;

	*mode = MC_INCLUDE;
	if (g == NULL)
		return 0;
	if (g->st.mode == MC_EXCLUDE) {
		if (t != &s->def.fsm)
			return 0;
		*mode = MC_EXCLUDE;
		for (i = 0; i < g->st.srcs.n; i++)
			SP_WANT(s)[i] = g->st.srcs.v[i];
		return g->st.srcs.n;
	}
	for (i = 0; i < g->st.srcs.n; i++)
		if (s->rt[i] == t)	/* route(), once per group: project() */
			SP_WANT(s)[n++] = g->st.srcs.v[i];
	return n;
}

/* Whether t holds all of the host's state for group (g, NULL: none). */
static int
SP(holds_all)(const struct gw_tnl *t, SP_KEY group, const SP_SUB *g)
{
	const SP_SUB	*o = SP_FIND(SP_TBL(t), group);

	if (g == NULL || o == NULL)
		return g == o;
	return o->st.mode == g->st.mode && SP_EQ(&o->st.srcs, g->st.srcs.v,
	    g->st.srcs.n);
}

/*
 * Tunnel t's share of group, as it is now, to t as records.  When the
 * tunnel held all of the group before the host's record rec and holds
 * all of it after, the record goes as it is (host semantics give the
 * same state at the relay); otherwise the difference does.
 */
static void
SP(project_one)(struct gw_site *s, uint64_t now, struct gw_tnl *t,
    const SP_REC *rec, SP_KEY group, const SP_SUB *g)
{
	SP_REC		 r[2];
	const SP_SUB	*old;
	uint8_t		 mode;
	unsigned	 n, k;

	if (t->fsm.state == GW_STA_STOPPING || t->fsm.state == GW_STA_DONE)
		return;
	n = SP(share)(s, &t->fsm, g, &mode);
	old = SP_FIND(SP_TBL(t), group);
	if (rec != NULL && t->whole && (g == NULL || (n == g->st.srcs.n &&
	    mode == g->st.mode)) && (old != NULL || n > 0 || t == &s->def))
		SP_RECORDS(&t->fsm, now, rec, 1);
	else {
		k = SP_DIFF(old != NULL ? &old->st : NULL, group, mode,
		    SP_WANT(s), n, SP_SA(s), SP_SB(s), r);
		SP_RECORDS(&t->fsm, now, r, k);
	}
	tnl_use(t, now);
}

/*
 * Every tunnel's share of group, after the host's record rec (NULL: a
 * route changed).  The sources of an INCLUDE group get their DRIAD
 * state (a lookup, or a relay chosen again) on the way.
 */
static void
SP(project)(struct gw_site *s, uint64_t now, const SP_REC *rec,
    SP_KEY group)
{
	const SP_SUB	*g = SP_FIND(SP_SITE(s), group);
	struct mc_src6	 k;
	size_t		 i;

	if (g != NULL && g->st.mode == MC_INCLUDE && s->conf->driad)
		for (i = 0; i < g->st.srcs.n; i++) {
			struct gw_src	*e;

			k = SP_SRCKEY(g->st.srcs.v[i]);
			if ((e = src_get(s, now, &k)) != NULL &&
			    e->st == GW_SRC_IDLE)
				select_relay(s, now, e, 0);
			else if (e != NULL && e->st == GW_SRC_QUEUED)
				src_lookup(s, now, e);
		}
	for (i = 0; g != NULL && g->st.mode == MC_INCLUDE &&
	    i < g->st.srcs.n; i++) {
		k = SP_SRCKEY(g->st.srcs.v[i]);
		s->rt[i] = route(s, &k);
	}
	SP(project_one)(s, now, &s->def, rec, group, g);
	for (i = 0; i < s->nt; i++)
		SP(project_one)(s, now, s->t[i], rec, group, g);
}

/* One record of a host report: into the site's table, then the split. */
static void
SP(host_record)(struct gw_site *s, uint64_t now, const SP_REC *r)
{
	const SP_SUB	*g = SP_FIND(SP_SITE(s), r->group);
	size_t		 i;

	s->def.whole = SP(holds_all)(&s->def, r->group, g);
	for (i = 0; i < s->nt; i++)
		s->t[i]->whole = SP(holds_all)(s->t[i], r->group, g);
	if (SP_RECORD(SP_SITE(s), r, now) == -1) {
		s->ctr[SP_CTR_FULL]++;
		log_warnx_rl(&s->lim, "%d%s groups reported: the rest not "
		    "taken", GW_SUBS_MAX_GROUPS, SP_WHAT);
		return;
	}
	SP(project)(s, now, r, r->group);
}

/* The groups naming source a (of this family), after its route changed. */
static void
SP(reproject_source)(struct gw_site *s, uint64_t now, SP_KEY a)
{
	size_t	 i, n = 0;

	for (i = 0; i < SP_SITE(s)->n; i++)
		if (SP_SITE(s)->v[i].st.mode == MC_INCLUDE &&
		    SP_HAS(&SP_SITE(s)->v[i].st.srcs, a))
			SP_GROUPS(s)[n++] = SP_SITE(s)->v[i].group;
	for (i = 0; i < n; i++)
		SP(project)(s, now, NULL, SP_GROUPS(s)[i]);
}

/* Every group (the configuration changed). */
static void
SP(reproject_all)(struct gw_site *s, uint64_t now)
{
	size_t	 i, n = SP_SITE(s)->n;

	for (i = 0; i < n; i++)
		SP_GROUPS(s)[i] = SP_SITE(s)->v[i].group;
	for (i = 0; i < n; i++)
		SP(project)(s, now, NULL, SP_GROUPS(s)[i]);
}

/*
 * The host side had a Query at asked and answers within its Max Resp
 * Time: a group it did not report since is no longer wanted (as a
 * router's group timer runs out, RFC 3376 6.5, RFC 3810 7.2.2).  Leave
 * it everywhere.
 */
static void
SP(sweep)(struct gw_site *s, uint64_t now)
{
	size_t	 i, n;

	if (SP_SITE(s)->sweep_at == 0 || now < SP_SITE(s)->sweep_at)
		return;
	SP_SITE(s)->sweep_at = 0;
	if ((n = SP_AGE(SP_SITE(s), SP_SITE(s)->asked, SP_GROUPS(s))) == 0)
		return;
	for (i = 0; i < n; i++)
		SP(project)(s, now, NULL, SP_GROUPS(s)[i]);
	s->ctr[SP_CTR_AGED] += n;
	log_info("%zu%s group(s) not reported after the relay's query: left",
	    n, SP_WHAT);
}

#undef SP
#undef SP_KEY
#undef SP_SUB
#undef SP_REC
#undef SP_SITE
#undef SP_TBL
#undef SP_FIND
#undef SP_RECORD
#undef SP_AGE
#undef SP_SRCKEY
#undef SP_EQ
#undef SP_HAS
#undef SP_DIFF
#undef SP_RECORDS
#undef SP_WANT
#undef SP_SA
#undef SP_SB
#undef SP_GROUPS
#undef SP_CTR_AGED
#undef SP_CTR_FULL
#undef SP_WHAT
