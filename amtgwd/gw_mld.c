/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * IPv6 multicast through a tunnel (RFC 7450 5.2.1, 5.2.3.5 and 5.2.3.6
 * with the P flag set): the tunnel's share of the host side's IPv6
 * membership (the site splits it, gw_site.c) is kept in a mirror of
 * IPv6 groups and sent to the relay as MLDv2 Reports in Updates, under
 * the MAC and nonce of an MLDv2 Query the tunnel earns with its own
 * Requests (P=1).
 *
 * The IPv6 cycle runs beside the IPv4 one, to the relay that one found,
 * and only while the tunnel has IPv6 groups: a site without IPv6
 * receivers costs the relay nothing more.  Each MLDv2 Query goes into
 * the pseudo-interface, so the host stack reports its whole IPv6
 * membership again; the site leaves what it leaves out (ops->asked6).
 * Our own reports come from fe80::a.b.c.d, the inner source (fe80::1
 * without one): any source will do (RFC 7450 5.2.1), but a link-local
 * one is what every MLD router accepts.
 *
 * The mirror's table (subs6_*) is the site's too.
 */

#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "gw.h"
#include "mld_proto.h"
#include "util.h"

const char *const gw_mld_ctr_names[GW_MLD_CTR_MAX] = {
	[GW_MLD_REQ_SENT] = "mld-request-sent",
	[GW_MLD_QUERY_RCVD] = "mld-query-received",
	[GW_MLD_QUERY_REJECTED] = "mld-query-rejected",
	[GW_MLD_RECORD_HELD] = "mld-record-held",
	[GW_MLD_UPDATE_SENT] = "mld-update-sent",
};

static const char *const mld_state_names[] = {
	"idle", "requesting", "established",
};

void
gw_mld_init(struct gw_mld *m)
{
	memset(m, 0, sizeof(*m));
}

void
gw_mld_free(struct gw_mld *m)
{
	subs6_free(&m->subs);
}

/* ---- a table of IPv6 groups (RFC 3810 6.1's host state) ---- */

void
subs6_free(struct gw_subs6 *t)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		hstate_free6(&t->v[i].st);
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

struct gw_sub6 *
subs6_find(const struct gw_subs6 *t, const struct mc_src6 *g)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (mc_src6_eq(&t->v[i].group, g))
			return &t->v[i];
	return NULL;
}

static struct gw_sub6 *
subs6_add(struct gw_subs6 *t, const struct mc_src6 *g)
{
	struct gw_sub6	*nv;
	size_t		 ncap;

	if (t->n >= GW_SUBS_MAX_GROUPS)
		return NULL;
	if (t->n == t->cap) {
		ncap = t->cap == 0 ? 8 : t->cap * 2;
		if ((nv = reallocarray(t->v, ncap, sizeof(*nv))) == NULL)
			return NULL;
		t->v = nv;
		t->cap = ncap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	t->v[t->n].group = *g;
	return &t->v[t->n++];
}

static void
subs6_del(struct gw_subs6 *t, struct gw_sub6 *x)
{
	hstate_free6(&x->st);
	*x = t->v[--t->n];
}

/* One record into the table; -1 if a new group found it full. */
int
subs6_record(struct gw_subs6 *t, const struct mc_rec6 *r, uint64_t now)
{
	struct gw_sub6	*x;

	if ((x = subs6_find(t, &r->group)) == NULL) {
		if (r->type == MC_BLOCK || r->type == MC_TO_IN ||
		    (r->type == MC_IS_IN && r->nsrcs == 0) ||
		    (r->type == MC_ALLOW && r->nsrcs == 0))
			return 0;
		if ((x = subs6_add(t, &r->group)) == NULL)
			return -1;
	}
	(void)hstate_apply6(&x->st, r, GW_SUBS_MAX_SRCS);
	x->seen = now;
	if (!hstate_member6(&x->st))
		subs6_del(t, x);
	return 0;
}

/*
 * The groups not reported since asked: removed, their addresses into
 * out (room for GW_SUBS_MAX_GROUPS).  Returns how many.
 */
size_t
subs6_age(struct gw_subs6 *t, uint64_t asked, struct mc_src6 *out)
{
	size_t	 i = 0, n = 0;

	while (i < t->n) {
		if (t->v[i].seen >= asked) {
			i++;
			continue;
		}
		out[n++] = t->v[i].group;
		subs6_del(t, &t->v[i]);
	}
	return n;
}

/* A table's groups as an array named name. */
void
subs6_show(const struct gw_subs6 *t, const char *name, uint64_t now,
    struct emit *e)
{
	size_t		 i;
	uint16_t	 k;

	emit_arr(e, name);
	for (i = 0; i < t->n; i++) {
		const struct gw_sub6	*g = &t->v[i];

		emit_obj(e, NULL);
		emit_str(e, "group", addr6_ntoa(g->group.a));
		emit_str(e, "mode", g->st.mode == MC_EXCLUDE ? "exclude" :
		    "include");
		emit_u64(e, "reported-ms", now - g->seen);
		emit_arr(e, "sources");
		for (k = 0; k < g->st.srcs.n; k++)
			emit_str(e, NULL, addr6_ntoa(g->st.srcs.v[k].a));
		emit_end(e);
		emit_end(e);
	}
	emit_end(e);
}

/* ---- to the relay ---- */

/* May Updates for IPv6 go out under the held MLDv2 Query? */
static int
usable6(const struct gw *gw)
{
	return gw->mld.cur.valid && gw->have_relay &&
	    mc_src6_eq(&gw->mld.cur.relay, &gw->relay);
}

static void
emit6(void *arg, const uint8_t *pkt, size_t len)
{
	struct upd_ctx	*u = arg;

	gw_update_emit(u, pkt, len);
	u->gw->mld.ctr[GW_MLD_UPDATE_SENT]++;
}

/* Reports to the relay, each small enough for a path-mtu path. */
static void
rb6_start(struct gw *gw, struct mld_rb *rb, uint8_t *buf, size_t cap,
    struct upd_ctx *u, const struct gw_qinfo *q)
{
	uint8_t	 src[IP6_ADDR_LEN] = { 0xfe, 0x80 };
	size_t	 lim = gw->conf->path_mtu - GW_UPDATE_OVERHEAD;

	if (gw->conf->report_src != 0)
		be32_store(src + 12, gw->conf->report_src);
	else
		src[15] = 1;
	u->gw = gw;
	u->q = q;
	mld_rb_init(rb, buf, lim < cap ? lim : cap, src, emit6, u);
}

/* The whole IPv6 mirror as current-state records (a new Query). */
static void
send_state6(struct gw *gw)
{
	struct gw_subs6	*t = &gw->mld.subs;
	uint8_t		 buf[GW_PKT_MAX];
	struct mld_rb	 rb;
	struct upd_ctx	 u;
	size_t		 i;

	if (!usable6(gw) || t->n == 0)
		return;
	rb6_start(gw, &rb, buf, sizeof(buf), &u, &gw->mld.cur);
	for (i = 0; i < t->n; i++)
		mld_rb_add(&rb, t->v[i].st.mode == MC_EXCLUDE ? MC_IS_EX :
		    MC_IS_IN, t->v[i].group.a, t->v[i].st.srcs.v,
		    t->v[i].st.srcs.n);
	mld_rb_flush(&rb);
}

/* 5.2.3.5.2 with P=1: a new cycle, or the same Request again. */
static void
send_request6(struct gw *gw, uint64_t now)
{
	struct gw_mld	*m = &gw->mld;
	struct amt_msg	 a;

	memset(&a, 0, sizeof(a));
	a.type = AMT_REQUEST;
	a.flags = AMT_FLAG_P;
	a.nonce = m->nonce;
	gw_send_msg(gw, &gw->relay, &a, NULL, GW_CTR_REQ_SENT);
	m->ctr[GW_MLD_REQ_SENT]++;
	m->t_state = now + gw_backoff(gw, now, gw->conf->req_timeout_ms,
	    m->backoff_n);
}

static void
start_request6(struct gw *gw, uint64_t now)
{
	struct gw_mld	*m = &gw->mld;

	do
		m->nonce = gw->ops->random(gw->ctx);
	while (m->nonce == gw->req_nonce);	/* never the IPv4 cycle's */
	m->tries = 0;
	m->backoff_n = 0;
	m->state = GW_MLD_REQUESTING;
	send_request6(gw, now);
}

/* ---- from the site ---- */

/*
 * The tunnel's share of the host side's IPv6 membership changed by
 * these records: into the mirror and, under a held Query, to the relay
 * at once (with the IPv4 ones of the same host report: gw_hold(),
 * gw_flush()); before it, the cycle starts and its Query takes them
 * all.
 */
void
gw_mld_records(struct gw *gw, uint64_t now, const struct mc_rec6 *r,
    size_t n)
{
	struct gw_mld	*m = &gw->mld;
	struct gw_batch6 *b = &m->batch;
	int		 send = usable6(gw);
	size_t		 i;

	if (n == 0 || gw->state == GW_STA_STOPPING || gw->state == GW_STA_DONE)
		return;
	if (send && !b->open) {
		rb6_start(gw, &b->rb, b->buf, sizeof(b->buf), &b->u, &m->cur);
		b->open = 1;
	}
	for (i = 0; i < n; i++) {
		(void)subs6_record(&m->subs, &r[i], now);
		if (send)
			mld_rb_add(&b->rb, r[i].type, r[i].group.a, r[i].srcs,
			    r[i].nsrcs);
		else
			m->ctr[GW_MLD_RECORD_HELD]++;
	}
	if (send && !b->hold)
		gw_mld_flush(gw);
}

void
gw_mld_flush(struct gw *gw)
{
	struct gw_batch6 *b = &gw->mld.batch;

	b->hold = 0;
	if (!b->open)
		return;
	b->open = 0;
	if (usable6(gw))
		mld_rb_flush(&b->rb);
}

/* ---- the Query ---- */

/*
 * 5.2.3.5.4 for P=1: awaited, our nonce, from the relay, an MLDv2
 * General Query inside (its source must be link-local, RFC 3810 5).
 */
static int
query6_acceptable(struct gw *gw, const struct mc_src6 *src, uint16_t sport,
    const uint8_t *p, const struct amt_msg *a, struct mld_msg *q)
{
	struct gw_mld	*m = &gw->mld;
	struct ip6_info	 ip;
	static const uint8_t	 any[IP6_ADDR_LEN];
	const char	*why = NULL;

	if (m->state != GW_MLD_REQUESTING || a->nonce != m->nonce)
		why = "not awaited, or not our nonce";
	else if (!mc_src6_eq(src, &gw->relay) || sport != AMT_PORT)
		why = "not from the relay";
	else if (a->inner_ver != 6 || mld_decode_packet(p + a->inner_off,
	    a->inner_len, &ip, q) != MLD_OK || q->type != MLD_QUERY ||
	    q->version != 2 || memcmp(q->group, any, sizeof(any)) != 0)
		why = "not an MLDv2 general query";
	if (why == NULL)
		return 1;
	m->ctr[GW_MLD_QUERY_REJECTED]++;
	log_debug_rl(&gw->lim, "MLD query from %s:%u: %s", addr6_ntoa(src->a),
	    sport, why);
	return 0;
}

/*
 * A Membership Query: the IPv6 cycle's (its nonce, or IPv6 inside), or
 * 0 for the IPv4 cycle to look at.
 */
int
gw_mld_query(struct gw *gw, uint64_t now, const struct mc_src6 *src,
    uint16_t sport,
    const uint8_t *p, const struct amt_msg *a)
{
	struct gw_mld	*m = &gw->mld;
	struct gw_qinfo	 prev = m->cur;
	struct mld_msg	 q;
	uint32_t	 mrt;

	if (a->inner_ver != 6 && !(m->state == GW_MLD_REQUESTING &&
	    a->nonce == m->nonce))
		return 0;
	if (!query6_acceptable(gw, src, sport, p, a, &q))
		return 1;
	m->ctr[GW_MLD_QUERY_RCVD]++;
	memset(&m->cur, 0, sizeof(m->cur));
	m->cur.valid = 1;
	m->cur.relay = gw->relay;
	memcpy(m->cur.mac, a->mac, AMT_MAC_LEN);
	m->cur.nonce = a->nonce;
	m->cur.g = (a->flags & AMT_FLAG_G) != 0;
	m->cur.gw_port = a->gw_port;
	memcpy(m->cur.gw_addr, a->gw_addr, AMT_GWADDR_LEN);
	m->cur.qrv = q.qrv;
	m->cur.qqic = q.qqic;
	m->cur.when = now;
	m->qi_ms = gw_query_interval(gw, q.qqic);
	m->state = GW_MLD_ESTABLISHED;
	m->t_state = now + m->qi_ms - gw_rand_between(gw, 0, m->qi_ms / 10);
	/* The query to the host side, which reports within its delay. */
	if (gw->ops->tun_write(gw->ctx, p + a->inner_off, a->inner_len) ==
	    -1)
		gw->ctr[GW_CTR_SEND_ERR]++;
	else if (gw->ops->asked6 != NULL) {
		mrt = mld_code_to_value(q.mrc);
		gw->ops->asked6(gw->ctx, now, (mrt < 500 ? 500 : mrt) + 500);
	}
	if (!prev.valid || !mc_src6_eq(&prev.relay, &m->cur.relay))
		send_state6(gw);
	return 1;
}

/* ---- timers ---- */

void
gw_mld_timer(struct gw *gw, uint64_t now)
{
	struct gw_mld	*m = &gw->mld;

	if (gw->state == GW_STA_STOPPING || gw->state == GW_STA_DONE)
		return;
	if (m->state == GW_MLD_IDLE) {
		/* IPv6 groups and a relay that answers: start a cycle. */
		if (m->subs.n > 0 && gw_usable(gw)) {
			m->cur.valid = 0;	/* its Query takes them all */
			start_request6(gw, now);
		}
		return;
	}
	if (m->t_state == 0 || now < m->t_state)
		return;
	m->t_state = 0;
	if (m->state == GW_MLD_REQUESTING) {
		if (m->subs.n == 0) {		/* its groups went elsewhere */
			m->state = GW_MLD_IDLE;
			return;
		}
		/* Again with the same nonce, backing off (5.2.3.5.3). */
		if (++m->tries == gw->conf->req_retries + 1 && gw_usable(gw)) {
			log_warnx_rl(&gw->lim, "relay %s does not answer "
			    "Requests for IPv6 (the P flag) after %u tries, "
			    "though it answers IPv4 ones: %s (a relay with "
			    "\"mld off\", or without IPv6 multicast, never "
			    "answers them)", addr6_ntoa(gw->relay.a), m->tries,
			    gw->failover ? "its IPv6 sources move to their "
			    "next relay" : "its IPv6 groups wait");
			if (gw->failover && gw->ops->failed6 != NULL) {
				gw->ops->failed6(gw->ctx, gw, now);
				if (m->subs.n == 0) {
					m->state = GW_MLD_IDLE;
					m->t_state = 0;
					return;
				}
			}
		}
		if (m->backoff_n < 31)
			m->backoff_n++;
		send_request6(gw, now);
	} else if (m->subs.n > 0)
		start_request6(gw, now);	/* 5.2.3.5.5 */
	else
		m->state = GW_MLD_IDLE;		/* no IPv6 groups left */
}

/* The earliest deadline; now (1) when a cycle is to start. */
uint64_t
gw_mld_deadline(const struct gw *gw)
{
	const struct gw_mld	*m = &gw->mld;

	if (gw->state == GW_STA_STOPPING || gw->state == GW_STA_DONE)
		return UINT64_MAX;
	if (m->state == GW_MLD_IDLE && m->subs.n > 0 && gw_usable(gw))
		return 1;
	if (m->state != GW_MLD_IDLE && m->t_state != 0)
		return m->t_state;
	return UINT64_MAX;
}

/*
 * The tunnel's relay changed, starts over or stops: the MLDv2 Query
 * held is for the old one.  The mirror stays; the next cycle brings it
 * over.  (The groups are left at the old relay with the IPv4 ones, by
 * gw_leave_relay(): the Teardown, or the leave-all Updates.)
 */
void
gw_mld_relay_lost(struct gw *gw)
{
	struct gw_mld	*m = &gw->mld;

	m->cur.valid = 0;
	m->state = GW_MLD_IDLE;
	m->t_state = 0;
	m->batch.open = 0;
}

/*
 * Updates that leave every IPv6 group at q's relay: the IPv6 half of the
 * leave-all a gateway sends where there is no Teardown (5.2.3.8), under
 * the Query of the last Update.  The mirror stays.
 */
void
gw_mld_leave_all(struct gw *gw, const struct gw_qinfo *q)
{
	struct gw_subs6	*t = &gw->mld.subs;
	uint8_t		 buf[GW_PKT_MAX];
	struct mld_rb	 rb;
	struct upd_ctx	 u;
	size_t		 i;

	if (t->n == 0)
		return;
	rb6_start(gw, &rb, buf, sizeof(buf), &u, q);
	for (i = 0; i < t->n; i++)
		mld_rb_add(&rb, MC_TO_IN, t->v[i].group.a, NULL, 0);
	mld_rb_flush(&rb);
}

/* "mld": the IPv6 cycle and the groups of t, for amtctl and the dump. */
void
gw_mld_show(const struct gw *gw, const struct gw_subs6 *t, uint64_t now,
    struct emit *e)
{
	const struct gw_mld	*m = &gw->mld;

	emit_obj(e, "mld");
	emit_str(e, "state", mld_state_names[m->state]);
	if (m->cur.valid) {
		emit_u64(e, "last-query-age-ms", now - m->cur.when);
		emit_u64(e, "query-interval-ms", m->qi_ms);
	}
	if (m->state != GW_MLD_IDLE && m->t_state != 0)
		emit_u64(e, "next-request-ms", (uint64_t)ms_until(m->t_state,
		    now));
	subs6_show(t, "groups", now, e);
	emit_end(e);
}
