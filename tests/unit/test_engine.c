/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The proxy engine (igmpproxyd/px.c and all it drives) against a fake
 * kernel, the way chrony tests its NTP core: VIFs, the forwarding
 * cache and the sockets are stubs behind struct px_os; three LANs of
 * IGMPv1, v2 and v3 hosts answer every query they hear with the
 * reports a host would send; an independent querier comes and goes;
 * links go down, come back and are replaced; the upstream is replaced;
 * multicast arrives for every (S,G).  After each random event the
 * world runs long enough for every timer to settle, and then the
 * forwarding cache, the membership database and what the upstream
 * heard are each compared with a small reference model of who should
 * receive what.
 */

#include <string.h>

#include "igmp_proto.h"
#include "px.h"
#include "unit.h"

#define NLAN		3
#define NHOST		3		/* per LAN */
#define NGRP		3
#define NSRC		3
#define LAN(l, a)	(0x0a000000U | (uint32_t)((l) + 1) << 16 | (a))
#define PROXY_ADDR(l)	LAN(l, 5)
#define OQ_ADDR(l)	LAN(l, 2)	/* a lower address wins */
#define HOST_ADDR(l, h)	LAN(l, 10 + (h))
#define SRC(i)		(0x0a630001U + (i))	/* 10.99.0.1.. */
#define SETTLE_MS	25000		/* > OHPI + 3 GMI with these timers */
#define PROMPT_MS	1500		/* a join is served by then */
#define TICK_MS		500		/* multicast arrives this often */
#define ROUNDS		150		/* random events per configuration */

static const uint32_t	 groups[NGRP] = {
	0xef010101U, 0xef010102U,	/* 239.1.1.1, 239.1.1.2 */
	0xe8010101U,			/* 232.1.1.1, SSM */
};

struct host {
	unsigned	 version;
	struct hstate	 st[NGRP];	/* v1/v2: EXCLUDE({}) if joined */
};

struct lan {
	char		 name[IFNAMSIZ];
	int		 ifindex;
	int		 up;
	int		 has_addr;
	int		 oq;		/* the other querier is there */
	uint64_t	 oq_next;
	struct host	 h[NHOST];
};

struct kmfc {
	int		 used;
	uint32_t	 s, g;
	int		 iif;
	uint8_t		 ttls[PX_MAXVIFS];
	uint64_t	 pkts;
};

struct pending {
	int		 lan;
	size_t		 len;
	uint8_t		 pkt[PX_REPORT_MAX];
};

static struct world {
	uint64_t	 now;
	uint32_t	 seed;
	struct px_conf	 conf;
	struct proxy	 px;
	struct lan	 lan[NLAN];
	int		 up_ifindex;
	int		 up_active;
	int		 next_ifindex;
	int		 vif[PX_MAXVIFS];	/* ifindex, 0: free */
	struct kmfc	 mfc[NGRP * NSRC];
	struct hstate	 relay[NGRP];		/* what the upstream heard */
	struct pending	 q[64];			/* queries to answer */
	unsigned	 nq;
	uint32_t	 scratch[PX_MAX_SRCS];
	uint64_t	 routed[PX_MAXVIFS];	/* sent to the VIF by routing */
	uint64_t	 lost[PX_MAXVIFS];	/* of those, never sent */
} W;

static int
is_ssm(unsigned gi)
{
	return (groups[gi] & 0xff000000U) == 0xe8000000U;
}

static int
gindex(uint32_t g)
{
	unsigned	 i;

	for (i = 0; i < NGRP; i++)
		if (groups[i] == g)
			return (int)i;
	return -1;
}

static int
lan_by_ifindex(int ifindex)
{
	int	 l;

	for (l = 0; l < NLAN; l++)
		if (W.lan[l].ifindex == ifindex)
			return l;
	return -1;
}

/* ---- the fake kernel ---- */

static struct kmfc *
kmfc_find(uint32_t s, uint32_t g, int create)
{
	unsigned	 i;

	for (i = 0; i < NGRP * NSRC; i++)
		if (W.mfc[i].used && W.mfc[i].s == s && W.mfc[i].g == g)
			return &W.mfc[i];
	if (!create)
		return NULL;
	for (i = 0; i < NGRP * NSRC; i++)
		if (!W.mfc[i].used) {
			memset(&W.mfc[i], 0, sizeof(W.mfc[i]));
			W.mfc[i].used = 1;
			W.mfc[i].s = s;
			W.mfc[i].g = g;
			return &W.mfc[i];
		}
	ck_abort_msg("fake MFC full");
	return NULL;
}

/* What the upstream hears: one host's reports (RFC 3376 5.1). */
static void
upstream_heard(const uint8_t *p, size_t len)
{
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	struct igmp_recs	 it;
	struct mc_rec		 r;
	int			 gi;

	ck_assert_int_eq(igmp_decode_packet(p, len, &ip, &m), IGMP_OK);
	ck_assert_int_eq(ip.router_alert, 1);
	ck_assert_uint_le(len, W.px.up.mtu);
	igmp_recs_init(&it, &m, ip.src);
	while (igmp_recs_next(&it, W.scratch, PX_MAX_SRCS, &r) == 1) {
		ck_assert_int_ge(gi = gindex(r.group), 0);
		ck_assert_int_eq(hstate_apply(&W.relay[gi], &r, 64), 1);
	}
}

static int
os_send(void *arg, int ifindex, const uint8_t *p, size_t len)
{
	struct ip4_info	 ip;
	struct igmp_msg	 m;
	int		 l;

	(void)arg;
	if (ifindex == W.up_ifindex) {
		upstream_heard(p, len);
		return 0;
	}
	ck_assert_int_ge(l = lan_by_ifindex(ifindex), 0);
	ck_assert_int_eq(igmp_decode_packet(p, len, &ip, &m), IGMP_OK);
	ck_assert_uint_eq(m.type, IGMP_QUERY);
	ck_assert_uint_eq(ip.src, PROXY_ADDR(l));
	ck_assert_uint_eq(ip.ttl, 1);
	ck_assert_uint_lt(W.nq, 64);
	W.q[W.nq].lan = l;
	W.q[W.nq].len = len;
	memcpy(W.q[W.nq].pkt, p, len);
	W.nq++;
	return 0;
}

static int
os_add_vif(void *arg, int vif, int ifindex)
{
	(void)arg;
	ck_assert_int_eq(W.vif[vif], 0);
	W.vif[vif] = ifindex;
	return 0;
}

static int
os_del_vif(void *arg, int vif)
{
	(void)arg;
	if (W.vif[vif] == 0)
		return -1;	/* gone with its device, as in the kernel */
	W.vif[vif] = 0;
	return 0;
}

static int
os_mfc_add(void *arg, const struct mc_src6 *sk, const struct mc_src6 *gk,
    int iif, const uint8_t *ttls)
{
	uint32_t	 s = mc_src6_to_v4(sk), g = mc_src6_to_v4(gk);
	struct kmfc	*e = kmfc_find(s, g, 1);

	(void)arg;
	e->iif = iif;
	memcpy(e->ttls, ttls, PX_MAXVIFS);
	return 0;
}

static int
os_mfc_del(void *arg, const struct mc_src6 *sk, const struct mc_src6 *gk,
    int iif)
{
	struct kmfc	*e = kmfc_find(mc_src6_to_v4(sk), mc_src6_to_v4(gk), 0);

	(void)arg;
	if (e == NULL || e->iif != iif)
		return -1;
	e->used = 0;
	return 0;
}

static int
os_mfc_count(void *arg, const struct mc_src6 *sk, const struct mc_src6 *gk,
    uint64_t *pkts)
{
	struct kmfc	*e = kmfc_find(mc_src6_to_v4(sk), mc_src6_to_v4(gk), 0);

	(void)arg;
	if (e == NULL)
		return -1;
	*pkts = e->pkts;
	return 0;
}

static int
os_join(void *arg, int ifindex)
{
	(void)arg;
	ck_assert_int_ge(lan_by_ifindex(ifindex), 0);
	return 0;
}

static uint32_t
os_random(void *arg)
{
	(void)arg;
	return xorshift32(&W.seed);
}

/* What a firewall after the routing would do: lost never leaves. */
static int
os_out_counts(void *arg, int vif, const char *ifname, uint64_t *routed,
    uint64_t *sent)
{
	(void)arg;
	(void)ifname;
	*routed = W.routed[vif];
	*sent = W.routed[vif] - W.lost[vif];
	return 0;
}

static const struct px_os fake_os = {
	os_send, os_add_vif, os_del_vif, os_mfc_add, os_mfc_del, os_mfc_count,
	os_join, os_random, os_out_counts,
};

/* ---- hosts ---- */

/* A datagram from a LAN to the proxy, if the link is up. */
static void
inject(int l, const uint8_t *p, size_t len)
{
	if (W.lan[l].up)
		px_packet(&W.px, W.now, W.lan[l].ifindex, p, len);
}

static void
send_v12(int l, int h, uint8_t type, uint32_t g)
{
	uint8_t		 b[64];
	struct wbuf	 w;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_v12(&w, HOST_ADDR(l, h), type ==
	    IGMP_V2_LEAVE ? IN4_ALLROUTERS : g, type, 0, g), 0);
	inject(l, b, w.len);
}

/* One v3 report of up to two records for group g. */
static void
send_v3(int l, int h, uint32_t g, uint8_t t1, const uint32_t *s1,
    unsigned n1, uint8_t t2, const uint32_t *s2, unsigned n2)
{
	uint8_t		 b[256];
	struct wbuf	 w;

	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_report_begin(&w, HOST_ADDR(l, h)), 0);
	if (t1 != 0)
		ck_assert_int_eq(igmp_report_add(&w, t1, g, s1,
		    (uint16_t)n1), 0);
	if (t2 != 0)
		ck_assert_int_eq(igmp_report_add(&w, t2, g, s2,
		    (uint16_t)n2), 0);
	ck_assert_int_eq(igmp_report_finish(&w), 0);
	inject(l, b, w.len);
}

/* A host's current state for group gi (RFC 3376 5.2), if any. */
static void
answer_group(int l, int h, unsigned gi, const struct igmp_msg *q)
{
	struct host	*ho = &W.lan[l].h[h];
	struct hstate	*st = &ho->st[gi];
	uint32_t	 want[NSRC];
	unsigned	 i, n = 0;

	if (!hstate_member(st))
		return;
	if (ho->version < 3) {
		send_v12(l, h, ho->version == 1 ? IGMP_V1_REPORT :
		    IGMP_V2_REPORT, groups[gi]);
		return;
	}
	if (q->nsrcs == 0) {
		send_v3(l, h, groups[gi], st->mode == MC_EXCLUDE ? MC_IS_EX :
		    MC_IS_IN, st->srcs.v, st->srcs.n, 0, NULL, 0);
		return;
	}
	for (i = 0; i < q->nsrcs && n < NSRC; i++)
		if (hstate_wants(st, igmp_src(q->srcs, i)))
			want[n++] = igmp_src(q->srcs, i);
	if (n > 0)
		send_v3(l, h, groups[gi], MC_IS_IN, want, src_normalize(want, n),
		    0, NULL, 0);
}

/* Every host of LAN l answers the query at p. */
static void
answer(int l, const uint8_t *p, size_t len)
{
	struct ip4_info	 ip;
	struct igmp_msg	 m;
	unsigned	 gi;
	int		 h;

	ck_assert_int_eq(igmp_decode_packet(p, len, &ip, &m), IGMP_OK);
	for (h = 0; h < NHOST; h++)
		for (gi = 0; gi < NGRP; gi++)
			if (m.group == 0 || m.group == groups[gi])
				answer_group(l, h, gi, &m);
}

/* A general query from the other querier of LAN l, heard by all. */
static void
other_query(int l)
{
	struct igmp_query	 q;
	uint8_t			 b[64];
	struct wbuf		 w;

	memset(&q, 0, sizeof(q));
	q.src = OQ_ADDR(l);
	q.dst = IN4_ALLHOSTS;
	q.version = 3;
	q.code = 10;
	q.qrv = 2;
	q.qqic = 2;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_query(&w, &q), 0);
	inject(l, b, w.len);
	answer(l, b, w.len);
}

/* Answer what the proxy asked, until it asks nothing more. */
static void
answer_pending(void)
{
	struct pending	 p;

	while (W.nq > 0) {
		p = W.q[0];
		memmove(&W.q[0], &W.q[1], --W.nq * sizeof(W.q[0]));
		if (W.lan[p.lan].up)
			answer(p.lan, p.pkt, p.len);
		px_flush(&W.px, W.now);
	}
}

/* ---- the world's clock ---- */

/* Multicast arrives upstream for every (S,G). */
static void
data_tick(void)
{
	struct mrt_msg	 u;
	struct kmfc	*e;
	unsigned	 gi, si;

	if (!W.up_active)
		return;
	for (gi = 0; gi < NGRP; gi++)
		for (si = 0; si < NSRC; si++) {
			if ((e = kmfc_find(SRC(si), groups[gi], 0)) != NULL &&
			    e->iif == 0) {
				e->pkts++;
				continue;
			}
			memset(&u, 0, sizeof(u));
			u.type = MRT_MSG_NOCACHE;
			u.vif = 0;
			u.src = SRC(si);
			u.grp = groups[gi];
			px_upcall(&W.px, W.now, &u);
		}
}

/* Run the world for ms milliseconds. */
static void
run(uint64_t ms)
{
	uint64_t	 end = W.now + ms, next_tick = W.now, t, d;
	int		 l;

	answer_pending();
	while (W.now < end) {
		t = end;
		if ((d = px_next_deadline(&W.px)) < t)
			t = d < W.now ? W.now : d;
		if (next_tick < t)
			t = next_tick;
		for (l = 0; l < NLAN; l++)
			if (W.lan[l].oq && W.lan[l].oq_next < t)
				t = W.lan[l].oq_next;
		W.now = t;
		if (px_next_deadline(&W.px) <= W.now)
			px_timer(&W.px, W.now);
		answer_pending();
		for (l = 0; l < NLAN; l++)
			if (W.lan[l].oq && W.lan[l].oq_next <= W.now) {
				other_query(l);
				W.lan[l].oq_next = W.now + 2000;
				px_flush(&W.px, W.now);
			}
		answer_pending();
		if (next_tick <= W.now) {
			data_tick();
			next_tick = W.now + TICK_MS;
		}
		if (W.now == end)
			break;
	}
}

/* ---- the reference model ---- */

/* Does host h of LAN l want source s of group gi? */
static int
host_wants(int l, int h, unsigned gi, uint32_t s)
{
	const struct host	*ho = &W.lan[l].h[h];
	const struct hstate	*st = &ho->st[gi];

	if (!hstate_member(st))
		return 0;
	if (st->mode == MC_EXCLUDE && is_ssm(gi))
		return 0;		/* RFC 4604: no EXCLUDE, no v1/v2 */
	return hstate_wants(st, s);
}

/* Does anybody keep LAN l's membership alive (someone queries)? */
static int
lan_kept(int l)
{
	return W.lan[l].up && (W.lan[l].has_addr || W.lan[l].oq);
}

/* Should (s, g) be forwarded onto LAN l (RFC 4605 3, 4.2)? */
static int
expect_forward(int l, unsigned gi, uint32_t s)
{
	const struct lan	*ln = &W.lan[l];
	int			 querier = ln->has_addr && !ln->oq, h;

	if (!lan_kept(l) || (!querier && !W.conf.fwd_not_querier))
		return 0;
	for (h = 0; h < NHOST; h++)
		if (host_wants(l, h, gi, s))
			return 1;
	return 0;
}

/* The membership database the model expects for gi: merged filters. */
static int
expect_db(unsigned gi, uint8_t *mode, uint32_t *out, unsigned *nout)
{
	static uint32_t			 ex[NSRC], in[NSRC], tmp[NSRC];
	const struct src_merge_scratch	 ms = { ex, in, tmp, NSRC };
	struct mc_filter		 f[NLAN * NHOST];
	unsigned			 n = 0;
	int				 l, h;

	for (l = 0; l < NLAN; l++)
		for (h = 0; h < NHOST && lan_kept(l); h++) {
			const struct hstate *st = &W.lan[l].h[h].st[gi];

			if (!hstate_member(st) || (st->mode == MC_EXCLUDE &&
			    is_ssm(gi)))
				continue;
			f[n].mode = st->mode;
			f[n].srcs = st->srcs.v;
			f[n].nsrcs = st->srcs.n;
			n++;
		}
	return src_merge(f, n, &ms, out, nout, mode);
}

/*
 * Soon after an event, whatever is wanted already flows (leaving may
 * take the last member query time, or longer in compatibility modes,
 * and a querier that went away is replaced only after the Other
 * Querier Present Interval).
 */
static void
check_prompt(const char *what)
{
	struct kmfc	*e;
	unsigned	 gi, si, v;
	int		 l;

	for (gi = 0; gi < NGRP; gi++)
		for (si = 0; si < NSRC && W.up_active; si++) {
			e = kmfc_find(SRC(si), groups[gi], 0);
			ck_assert_msg(e != NULL, "%s: no entry", what);
			for (v = 1; v < PX_MAXVIFS; v++) {
				l = W.vif[v] ? lan_by_ifindex(W.vif[v]) : -1;
				/* Without an address the proxy sends no
				 * startup queries: it learns at the other
				 * querier's next one. */
				ck_assert_msg(l < 0 || !W.lan[l].has_addr ||
				    !expect_forward(l, gi, SRC(si)) ||
				    e->ttls[v] != 0,
				    "%s: (10.99.0.%u, group %u) not yet on "
				    "LAN %d", what, si + 1, gi, l);
			}
		}
}

/* An engine source list (IPv4-mapped keys) against IPv4 sources. */
static int
srcs_eq4(const struct srclist6 *l, const uint32_t *v, unsigned n)
{
	unsigned	 i;

	if (l->n != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!mc_src6_is_v4(&l->v[i]) || mc_src6_to_v4(&l->v[i]) != v[i])
			return 0;
	return 1;
}

static void
check_world(const char *what)
{
	const struct px_urec	*r;
	struct mc_src6		 gk;
	struct kmfc		*e;
	uint32_t		 out[NSRC];
	unsigned		 gi, si, nout, v;
	uint8_t			 mode;
	int			 l, member, want;

	for (gi = 0; gi < NGRP; gi++) {
		/* Forwarding: every VIF of every entry. */
		for (si = 0; si < NSRC && W.up_active; si++) {
			e = kmfc_find(SRC(si), groups[gi], 0);
			ck_assert_msg(e != NULL, "%s: no entry", what);
			ck_assert_int_eq(e->iif, 0);
			for (v = 1; v < PX_MAXVIFS; v++) {
				l = W.vif[v] ? lan_by_ifindex(W.vif[v]) : -1;
				want = l >= 0 && expect_forward(l, gi,
				    SRC(si));
				ck_assert_msg((e->ttls[v] != 0) == want,
				    "%s: (10.99.0.%u, group %u) on LAN %d: "
				    "forwarded %d, expected %d", what, si + 1,
				    gi, l, e->ttls[v] != 0, want);
			}
		}
		/* The database is the merge. */
		member = expect_db(gi, &mode, out, &nout);
		gk = mc_src6_v4(groups[gi]);
		r = up_find(&W.px.up, &gk);
		ck_assert_msg((r != NULL && r->present) == member,
		    "%s: group %u in the database: %d, expected %d", what, gi,
		    r != NULL && r->present, member);
		if (member) {
			ck_assert_msg(r->mode == mode && srcs_eq4(&r->srcs,
			    out, nout), "%s: group %u merged wrong", what, gi);
			if (W.up_active)
				ck_assert_msg(W.relay[gi].mode == mode &&
				    srclist_eq(&W.relay[gi].srcs, out, nout),
				    "%s: upstream heard group %u wrong", what,
				    gi);
		} else if (W.up_active)
			ck_assert_msg(!hstate_member(&W.relay[gi]),
			    "%s: upstream still has group %u", what, gi);
	}
}

/* ---- events ---- */

/* A v3 host moves to a new filter and reports the change (5.1). */
static void
v3_change(int l, int h, unsigned gi)
{
	struct hstate	*st = &W.lan[l].h[h].st[gi];
	uint32_t	 nv[NSRC], add[NSRC], del[NSRC];
	unsigned	 n = 0, i, na, nd;
	uint8_t		 mode;
	uint32_t	 pick = xorshift32(&W.seed);

	for (i = 0; i < NSRC; i++)
		if (pick & (1U << i))
			nv[n++] = SRC(i);
	mode = (pick >> 8) % 3 == 0 ? MC_EXCLUDE : MC_INCLUDE;
	if ((pick >> 12) % 4 == 0) {
		mode = MC_INCLUDE;	/* leave */
		n = 0;
	}
	if (mode != st->mode)
		send_v3(l, h, groups[gi], mode == MC_EXCLUDE ? MC_TO_EX :
		    MC_TO_IN, nv, n, 0, NULL, 0);
	else {
		na = src_diff(nv, n, st->srcs.v, st->srcs.n, add);
		nd = src_diff(st->srcs.v, st->srcs.n, nv, n, del);
		if (mode == MC_EXCLUDE)
			send_v3(l, h, groups[gi], na ? MC_BLOCK : 0, add, na,
			    nd ? MC_ALLOW : 0, del, nd);
		else if (na + nd > 0)
			send_v3(l, h, groups[gi], na ? MC_ALLOW : 0, add, na,
			    nd ? MC_BLOCK : 0, del, nd);
	}
	st->mode = mode;
	ck_assert_int_eq(srclist_set(&st->srcs, nv, n), 0);
}

/* A v1 or v2 host joins or leaves. */
static void
v12_toggle(int l, int h, unsigned gi)
{
	struct host	*ho = &W.lan[l].h[h];
	struct hstate	*st = &ho->st[gi];

	if (hstate_member(st)) {
		st->mode = MC_INCLUDE;
		if (ho->version == 2)
			send_v12(l, h, IGMP_V2_LEAVE, groups[gi]);
		return;			/* v1 hosts leave silently */
	}
	st->mode = MC_EXCLUDE;
	send_v12(l, h, ho->version == 1 ? IGMP_V1_REPORT : IGMP_V2_REPORT,
	    groups[gi]);
}

/* A link appears (with its address, if it has one). */
static void
lan_appear(int l)
{
	struct lan	*ln = &W.lan[l];

	px_link(&W.px, W.now, ln->ifindex, ln->name, 1, 1500);
	if (ln->has_addr)
		px_addr(&W.px, W.now, ln->ifindex, PROXY_ADDR(l), 24, 1);
}

/* The device goes away (the kernel drops its VIF) and maybe returns. */
static void
lan_replace(int l)
{
	struct lan	*ln = &W.lan[l];
	int		 v;

	for (v = 0; v < PX_MAXVIFS; v++)
		if (W.vif[v] == ln->ifindex)
			W.vif[v] = 0;
	px_link_gone(&W.px, W.now, ln->ifindex);
	ln->ifindex = W.next_ifindex++;
	lan_appear(l);
}

static void
upstream_replace(void)
{
	unsigned	 gi;

	W.vif[0] = 0;
	px_link_gone(&W.px, W.now, W.up_ifindex);
	for (gi = 0; gi < NGRP; gi++)
		hstate_free(&W.relay[gi]);	/* a new tunnel */
	W.up_ifindex = W.next_ifindex++;
	px_link(&W.px, W.now, W.up_ifindex, "amt0", 1, 1500);
}

/* A general query from upstream, answered with current state. */
static void
upstream_query(void)
{
	struct igmp_query	 q;
	uint8_t			 b[64];
	struct wbuf		 w;

	memset(&q, 0, sizeof(q));
	q.src = 0x0aff0001U;
	q.dst = IN4_ALLHOSTS;
	q.version = 3;
	q.code = 10;
	q.qrv = 2;
	q.qqic = 20;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_build_query(&w, &q), 0);
	px_packet(&W.px, W.now, W.up_ifindex, b, w.len);
}

/* One random event; returns its name. */
static const char *
event(void)
{
	uint32_t	 r = xorshift32(&W.seed);
	int		 l = (int)(r % NLAN), h = (int)((r >> 4) % NHOST);
	unsigned	 gi = (r >> 8) % NGRP, what = (r >> 12) % 100;
	struct lan	*ln = &W.lan[l];

	if (what < 55) {
		if (ln->h[h].version == 3)
			v3_change(l, h, gi);
		else
			v12_toggle(l, h, gi);
		return "membership change";
	}
	if (what < 67) {
		ln->oq = !ln->oq;
		ln->oq_next = W.now;
		return ln->oq ? "other querier appears" : "other querier gone";
	}
	if (what < 77) {
		ln->up = !ln->up;
		if (ln->up)
			lan_appear(l);
		else
			px_link(&W.px, W.now, ln->ifindex, ln->name, 0, 1500);
		return ln->up ? "link up" : "link down";
	}
	if (what < 82 && ln->up) {
		lan_replace(l);
		return "link replaced";
	}
	if (what < 88 && ln->up) {
		ln->has_addr = !ln->has_addr;
		px_addr(&W.px, W.now, ln->ifindex, PROXY_ADDR(l), 24,
		    ln->has_addr);
		return ln->has_addr ? "address added" : "address removed";
	}
	if (what < 93) {
		upstream_replace();
		return "upstream replaced";
	}
	upstream_query();
	return "upstream query";
}

static void
world_init(uint32_t seed, int fast_leave, int fwd_nq)
{
	int	 l, h;

	memset(&W, 0, sizeof(W));
	W.seed = seed;
	W.now = 1000000;
	conf_defaults(&px_conf_table, &W.conf);
	W.conf.qi_ms = 2000;
	W.conf.qri_ms = 1000;
	W.conf.lmqi_ms = 200;
	W.conf.uri_ms = 200;
	W.conf.mfc_idle_ms = 60000;
	W.conf.fast_leave = fast_leave;
	W.conf.fwd_not_querier = fwd_nq;
	W.conf.nds = NLAN;
	W.next_ifindex = 10;
	for (l = 0; l < NLAN; l++) {
		snprintf(W.lan[l].name, IFNAMSIZ, "d%d", l + 1);
		W.conf.ds[l].version = 3;
		strcpy(W.conf.ds[l].name, W.lan[l].name);
		W.lan[l].ifindex = W.next_ifindex++;
		W.lan[l].up = W.lan[l].has_addr = 1;
		for (h = 0; h < NHOST; h++)
			W.lan[l].h[h].version = 1 + xorshift32(&W.seed) % 3;
	}
	ck_assert_int_eq(px_init(&W.px, &W.conf, &fake_os, NULL, 0), 0);
	W.up_ifindex = W.next_ifindex++;
	W.up_active = 1;
	px_link(&W.px, W.now, W.up_ifindex, "amt0", 1, 1500);
	for (l = 0; l < NLAN; l++)
		lan_appear(l);
}

static void
world_free(void)
{
	unsigned	 gi;
	int		 l, h;

	px_shutdown(&W.px, W.now);
	px_free(&W.px);
	for (gi = 0; gi < NGRP; gi++) {
		hstate_free(&W.relay[gi]);
		for (l = 0; l < NLAN; l++)
			for (h = 0; h < NHOST; h++)
				hstate_free(&W.lan[l].h[h].st[gi]);
	}
}

/* Configurations: fast leave and forward-when-not-querier, each way. */
START_TEST(engine_random)
{
	char		 what[96];
	const char	*ev;
	unsigned	 round;
	int		 fast = _i & 1, fwd = (_i >> 1) & 1;

	world_init(UNIT_SEED + (uint32_t)_i * 7919, fast, fwd);
	run(SETTLE_MS);
	check_world("start");
	for (round = 0; round < ROUNDS; round++) {
		ev = event();
		px_flush(&W.px, W.now);		/* as the daemon does */
		snprintf(what, sizeof(what), "round %u (%s, fast-leave %d, "
		    "forward-when-not-querier %d)", round, ev, fast, fwd);
		run(PROMPT_MS);
		if (strcmp(ev, "other querier gone") != 0)
			check_prompt(what);
		run(SETTLE_MS - PROMPT_MS);
		check_world(what);
	}
	/*
	 * Clean shutdown: every group left upstream (the relay's view is
	 * empty), no VIF and no entry left in the kernel.
	 */
	px_shutdown(&W.px, W.now);
	for (round = 0; round < NGRP; round++)
		ck_assert_msg(!hstate_member(&W.relay[round]), "group %u still "
		    "joined upstream after the stop", round);
	for (round = 0; round < PX_MAXVIFS; round++)
		ck_assert_int_eq(W.vif[round], 0);
	for (round = 0; round < NGRP * NSRC; round++)
		ck_assert_int_eq(W.mfc[round].used, 0);
	world_free();
}
END_TEST

/*
 * 6.6.3.2: a group-and-source-specific query longer than one packet
 * holds goes out as several, covering every source whose timer was
 * lowered.
 */
START_TEST(engine_big_gss_query)
{
	static uint32_t		 srcs[700];
	static uint8_t		 seen[700];
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	uint8_t			 b[4096];
	struct wbuf		 w;
	unsigned		 i, n, nseen = 0, queries = 0;
	uint32_t		 a;

	world_init(UNIT_SEED, 0, 0);
	run(SETTLE_MS);
	for (i = 0; i < 700; i++)
		srcs[i] = 0x0b000001U + i;
	/* One host asks for 700 sources, then blocks them in one record
	 * (a 2.8 KB report: the proxy reads what the kernel hands it). */
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_report_begin(&w, HOST_ADDR(0, 0)), 0);
	ck_assert_int_eq(igmp_report_add(&w, MC_ALLOW, groups[0], srcs, 700),
	    0);
	ck_assert_int_eq(igmp_report_finish(&w), 0);
	inject(0, b, w.len);
	W.nq = 0;
	wbuf_init(&w, b, sizeof(b));
	ck_assert_int_eq(igmp_report_begin(&w, HOST_ADDR(0, 0)), 0);
	ck_assert_int_eq(igmp_report_add(&w, MC_BLOCK, groups[0], srcs, 700),
	    0);
	ck_assert_int_eq(igmp_report_finish(&w), 0);
	inject(0, b, w.len);
	for (i = 0; i < W.nq; i++) {
		ck_assert_int_eq(igmp_decode_packet(W.q[i].pkt, W.q[i].len, &ip,
		    &m), IGMP_OK);
		ck_assert_uint_le(W.q[i].len, PX_REPORT_MAX);
		if (m.group != groups[0] || m.nsrcs == 0)
			continue;
		queries++;
		for (n = 0; n < m.nsrcs; n++) {
			a = igmp_src(m.srcs, n);
			if (a >= srcs[0] && a <= srcs[699] &&
			    !seen[a - srcs[0]]++)
				nseen++;
		}
	}
	ck_assert_uint_ge(queries, 2);
	ck_assert_uint_eq(nseen, 700);
	world_free();
}
END_TEST

/*
 * Datagrams routed to a LAN that never leave it (a firewall's forward
 * chain): counted per interface once the counters disagree by half,
 * not for a few.
 */
START_TEST(engine_forward_lost)
{
	struct px_iface	*ifp;

	world_init(UNIT_SEED, 0, 0);
	run(SETTLE_MS);
	ifp = &W.px.ds[0];
	ck_assert_int_ge(ifp->vif, 0);
	/* Fine: everything routed leaves. */
	W.routed[ifp->vif] += 1000;
	run(PX_OUT_CHECK_MS);
	ck_assert_uint_eq(ifp->ctr_out_lost, 0);
	/* A few lost (a full queue): below half, nothing said. */
	W.routed[ifp->vif] += 1000;
	W.lost[ifp->vif] += 100;
	run(PX_OUT_CHECK_MS);
	ck_assert_uint_eq(ifp->ctr_out_lost, 0);
	/* Nearly all dropped after the routing. */
	W.routed[ifp->vif] += 1000;
	W.lost[ifp->vif] += 990;
	run(PX_OUT_CHECK_MS);
	ck_assert_uint_eq(ifp->ctr_out_lost, 990);
	ck_assert_uint_eq(W.px.ds[1].ctr_out_lost, 0);
	world_free();
}
END_TEST

Suite *
engine_suite(void)
{
	Suite	*s = suite_create("engine");
	TCase	*tc = tcase_create("random");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, engine_random, 0, 8);
	tcase_add_test(tc, engine_big_gss_query);
	tcase_add_test(tc, engine_forward_lost);
	suite_add_tcase(s, tc);
	return s;
}
