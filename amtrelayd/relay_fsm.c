/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The relay's control plane, RFC 7450 5.3.3: Discovery -> Advertisement,
 * Request -> Membership Query (MAC, G fields, L at the tunnel limit),
 * Membership Update -> per-gateway membership, Teardown -> the gateway
 * is gone, and the state timers of 5.3.3.7.
 *
 * Reports are handled as a router handles them (5.3.1, RFC 3376 6.4)
 * with the queries left out: behind one tunnel endpoint (gateway
 * address and port) each reporter, known by its inner source address,
 * is tracked with its own filter and timer, (Robustness * Query
 * Interval) + Query Response Interval, longer than the interval the
 * relay announces; the tunnel's subscription to a group is the merge
 * of its reporters'.  From that the relay keeps the forwarding table
 * (group -> endpoints, each with its filter) and the native joins,
 * reference-counted so that the upstream sees one (*,G) or (S,G)
 * membership however many gateways want it.  No sockets and no clock:
 * time comes in, actions go out through struct relay_ops.
 */

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "relay.h"
#include "igmp_proto.h"
#include "mld_proto.h"
#include "util.h"

#define RUNNING(t, now)	((t) > (now))

const char *const relay_ctr_names[RELAY_CTR_MAX] = {
	[RELAY_CTR_DISCOVERY] = "discovery",
	[RELAY_CTR_REQUEST] = "request",
	[RELAY_CTR_REQUEST_MLD] = "request-mld-unsupported",
	[RELAY_CTR_QUERY_SENT] = "query-sent",
	[RELAY_CTR_QUERY_LIMIT] = "query-limit-flag",
	[RELAY_CTR_UPDATE] = "update",
	[RELAY_CTR_UPDATE_BAD_MAC] = "update-bad-mac",
	[RELAY_CTR_UPDATE_BAD_IGMP] = "update-bad-igmp",
	[RELAY_CTR_UPDATE_BAD_MLD] = "update-bad-mld",
	[RELAY_CTR_UPDATE_LIMIT] = "update-refused-limit",
	[RELAY_CTR_TEARDOWN] = "teardown",
	[RELAY_CTR_TEARDOWN_BAD_MAC] = "teardown-bad-mac",
	[RELAY_CTR_MALFORMED] = "malformed",
	[RELAY_CTR_WRONG_TYPE] = "type-not-for-relay",
	[RELAY_CTR_GW_EXPIRED] = "gateway-expired",
	[RELAY_CTR_GW_PAUSED] = "gateway-paused-unreachable",
	[RELAY_CTR_TEARDOWN_OFF] = "teardown-ignored",
	[RELAY_CTR_SSM_EXCLUDE] = "ssm-exclude-ignored",
	[RELAY_CTR_REPORTERS_FULL] = "reporters-full",
	[RELAY_CTR_JOIN] = "native-join",
	[RELAY_CTR_JOIN_FAILED] = "native-join-refused",
	[RELAY_CTR_LEAVE] = "native-leave",
	[RELAY_CTR_SECRET_ROTATED] = "secret-rotated",
	[RELAY_CTR_RATE_LIMITED] = "request-rate-limited",
};

static unsigned
hash_ep(const struct mc_src6 *a, uint16_t p)
{
	uint32_t	 h = mc_src6_hash(a) ^ (uint32_t)p * 40503U;

	return (h ^ h >> 16) % RELAY_HASH;
}

static unsigned
hash_join(const struct mc_src6 *g, const struct mc_src6 *s)
{
	uint32_t	 h = mc_src6_hash(g) ^ mc_src6_hash(s) * 2246822519U;

	return (h ^ h >> 13) % RELAY_HASH;
}

static uint32_t
gmi(const struct relay *r)
{
	return r->conf->robustness * r->conf->qi_ms + r->conf->qri_ms;
}

int
relay_init(struct relay *r, const struct relay_conf *c, const struct relay_ops *ops,
    void *arg, uint64_t now)
{
	uint8_t	 key[MAC_KEYLEN];

	memset(r, 0, sizeof(*r));
	r->conf = c;
	r->ops = ops;
	r->arg = arg;
	r->lim = (struct ratelimit)RATELIMIT_INIT(1000, 10);
	r->lim_gw = (struct ratelimit)RATELIMIT_INIT(10000, 20);
	r->lim_rate = (struct ratelimit)RATELIMIT_INIT(10000, 1);
	r->next_exp = UINT64_MAX;
	ops->random(arg, key, sizeof(key));
	mac_init(&r->mac, key, now);
	return 0;
}

/* ---- native joins, reference-counted ---- */

static void
join_ref(struct relay *r, const struct mc_src6 *g, const struct mc_src6 *s,
    int delta)
{
	unsigned		 h = hash_join(g, s);
	struct relay_join	**pp = &r->joins[h], *j;
	const struct mc_src6	*os = mc_src6_is_any(s) ? NULL : s;

	for (; (j = *pp) != NULL; pp = &j->next)
		if (mc_src6_eq(&j->group, g) && mc_src6_eq(&j->src, s))
			break;
	if (delta > 0) {
		if (j != NULL) {
			j->refs++;
			return;
		}
		if ((j = calloc(1, sizeof(*j))) == NULL)
			return;
		j->group = *g;
		j->src = *s;
		j->refs = 1;
		j->next = r->joins[h];
		r->joins[h] = j;
		r->njoins++;
		if (r->ops->join(r->arg, g, os) == -1) {
			r->ctr[RELAY_CTR_JOIN_FAILED]++;
			log_warnx_rl(&r->lim, "native join (%s, %s) refused",
			    os ? addr6_ntoa(s->a) : "*", addr6_ntoa(g->a));
		} else
			r->ctr[RELAY_CTR_JOIN]++;
		return;
	}
	if (j == NULL || --j->refs > 0)
		return;
	r->ops->leave(r->arg, g, os);
	r->ctr[RELAY_CTR_LEAVE]++;
	*pp = j->next;
	free(j);
	r->njoins--;
}

/* What one subscription asks of the upstream: (*,G) or each (S,G). */
static void
sub_joins(struct relay *r, const struct mc_src6 *g, const struct hstate6 *st,
    int delta)
{
	static const struct mc_src6	 any;
	uint16_t			 i;

	if (st->mode == MC_EXCLUDE)
		join_ref(r, g, &any, delta);
	else
		for (i = 0; i < st->srcs.n; i++)
			join_ref(r, g, &st->srcs.v[i], delta);
}

/* ---- the forwarding table ---- */

static struct relay_fwd *
fwd_get(struct relay *r, const struct mc_src6 *g, int create)
{
	struct relay_fwd	*f;
	unsigned	 h = relay_hash_g(g);

	for (f = r->fwd[h]; f != NULL; f = f->next)
		if (mc_src6_eq(&f->group, g))
			return f;
	if (!create || (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->group = *g;
	f->next = r->fwd[h];
	r->fwd[h] = f;
	return f;
}

const struct relay_fwd *
relay_fwd_find(const struct relay *r, const struct mc_src6 *g)
{
	const struct relay_fwd	*f;

	for (f = r->fwd[relay_hash_g(g)]; f != NULL; f = f->next)
		if (mc_src6_eq(&f->group, g))
			return f;
	return NULL;
}

static void
fwd_add(struct relay *r, struct relay_gw *gw, struct relay_sub *s)
{
	struct relay_fwd		*f = fwd_get(r, &s->group, 1);
	struct relay_fwd_ent	*nv;
	size_t			 ncap;

	if (f == NULL)
		return;
	if (f->n == f->cap) {
		ncap = f->cap == 0 ? 4 : f->cap * 2;
		if ((nv = reallocarray(f->e, ncap, sizeof(*nv))) == NULL)
			return;
		f->e = nv;
		f->cap = ncap;
	}
	f->e[f->n].gw = gw;
	f->e[f->n].sub = s;
	f->n++;
}

static void
fwd_del(struct relay *r, const struct relay_sub *s)
{
	struct relay_fwd	*f, **pp;
	size_t		 i;
	unsigned	 h = relay_hash_g(&s->group);

	if ((f = fwd_get(r, &s->group, 0)) == NULL)
		return;
	for (i = 0; i < f->n; i++)
		if (f->e[i].sub == s) {
			f->e[i] = f->e[--f->n];
			break;
		}
	if (f->n > 0)
		return;
	for (pp = &r->fwd[h]; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	free(f->e);
	free(f);
}

/* Does this subscription want traffic from source src? */
int
relay_sub_wants(const struct relay_sub *s, const struct mc_src6 *src)
{
	return hstate_wants6(&s->st, *src);
}

/* ---- gateways ---- */

struct relay_gw *
relay_gw_find(const struct relay *r, const struct mc_src6 *a, uint16_t p)
{
	struct relay_gw	*gw;

	for (gw = r->gws[hash_ep(a, p)]; gw != NULL; gw = gw->next)
		if (mc_src6_eq(&gw->addr, a) && gw->port == p)
			return gw;
	return NULL;
}

static struct relay_gw *
gw_new(struct relay *r, const struct mc_src6 *a, uint16_t p, uint64_t now)
{
	struct relay_gw	*gw;
	unsigned	 h = hash_ep(a, p);

	if ((gw = calloc(1, sizeof(*gw))) == NULL)
		return NULL;
	gw->addr = *a;
	gw->port = p;
	gw->created = now;
	gw->next = r->gws[h];
	r->gws[h] = gw;
	r->ngws++;
	log_info_rl(&r->lim_gw, "gateway %s:%u: new tunnel (%zu in all)",
	    addr6_ntoa(a->a), p, r->ngws);
	return gw;
}

static void
sub_free(struct relay *r, struct relay_sub *s)
{
	uint16_t	 i;

	sub_joins(r, &s->group, &s->st, -1);
	fwd_del(r, s);
	hstate_free6(&s->st);
	for (i = 0; i < s->nreps; i++)
		hstate_free6(&s->reps[i].st);
	free(s->reps);
	free(s);
}

/* Remove a gateway and everything it asked for. */
static void
gw_del(struct relay *r, struct relay_gw *gw, const char *why)
{
	struct relay_gw	**pp = &r->gws[hash_ep(&gw->addr, gw->port)];
	size_t		 i;

	log_info_rl(&r->lim_gw, "gateway %s:%u: %s", addr6_ntoa(gw->addr.a),
	    gw->port, why);
	for (i = 0; i < gw->nsubs; i++)
		sub_free(r, gw->subs[i]);
	free(gw->subs);
	while (*pp != gw)
		pp = &(*pp)->next;
	*pp = gw->next;
	free(gw);
	r->ngws--;
}

/* Data flows to gw again (a Request or Update came from it). */
static void
gw_resume(struct relay_gw *gw)
{
	gw->paused = 0;
}

static struct relay_sub *
sub_find(struct relay_gw *gw, const struct mc_src6 *g, size_t *at)
{
	size_t	 i;

	for (i = 0; i < gw->nsubs; i++)
		if (mc_src6_eq(&gw->subs[i]->group, g)) {
			if (at != NULL)
				*at = i;
			return gw->subs[i];
		}
	return NULL;
}

/* Remove the subscription at index at. */
static void
sub_remove(struct relay *r, struct relay_gw *gw, size_t at)
{
	sub_free(r, gw->subs[at]);
	gw->subs[at] = gw->subs[--gw->nsubs];
}

/* A new, empty subscription to g; NULL at the limit or out of memory. */
static struct relay_sub *
sub_new(struct relay *r, struct relay_gw *gw, const struct mc_src6 *g)
{
	struct relay_sub	*s, **nv;
	size_t			 ncap;

	if (gw->nsubs >= RELAY_MAX_GROUPS)
		return NULL;
	if (gw->nsubs == gw->cap) {
		ncap = gw->cap == 0 ? 8 : gw->cap * 2;
		if ((nv = reallocarray(gw->subs, ncap, sizeof(*nv))) == NULL)
			return NULL;
		gw->subs = nv;
		gw->cap = ncap;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->group = *g;
	gw->subs[gw->nsubs++] = s;
	fwd_add(r, gw, s);
	return s;
}

/* The reporter from of s, created if need be; NULL when full. */
static struct relay_rep *
rep_get(struct relay_sub *s, const struct mc_src6 *from)
{
	struct relay_rep	*nv;
	uint16_t		 i, ncap;

	for (i = 0; i < s->nreps; i++)
		if (mc_src6_eq(&s->reps[i].from, from))
			return &s->reps[i];
	if (s->nreps == RELAY_MAX_REPORTERS)
		return NULL;
	if (s->nreps == s->cap) {
		ncap = s->cap == 0 ? 1 : (uint16_t)(s->cap * 2);
		if ((nv = reallocarray(s->reps, ncap, sizeof(*nv))) == NULL)
			return NULL;
		s->reps = nv;
		s->cap = ncap;
	}
	memset(&s->reps[s->nreps], 0, sizeof(s->reps[0]));
	s->reps[s->nreps].from = *from;
	return &s->reps[s->nreps++];
}

static void
rep_del(struct relay_sub *s, uint16_t i)
{
	hstate_free6(&s->reps[i].st);
	s->reps[i] = s->reps[--s->nreps];
}

/*
 * The subscription's merged filter from its reporters' (RFC 3376 3.2),
 * with the native joins moved over: the new ones before the old ones
 * are left, so that a join held by both never flaps.
 */
static void
sub_merge(struct relay *r, struct relay_sub *s)
{
	struct relay_scratch		*x = &r->s;
	const struct src_merge_scratch6	 ms = { x->merge[0], x->merge[1],
	    x->merge[2], RELAY_MAX_SRCS };
	struct hstate6			 st;
	unsigned			 n, nout = 0;
	uint16_t			 i;

	for (i = n = 0; i < s->nreps; i++, n++) {
		x->f[n].mode = s->reps[i].st.mode;
		x->f[n].srcs = s->reps[i].st.srcs.v;
		x->f[n].nsrcs = s->reps[i].st.srcs.n;
	}
	memset(&st, 0, sizeof(st));
	(void)src_merge6(x->f, n, &ms, x->out, &nout, &st.mode);
	if (srclist_set6(&st.srcs, x->out, nout) == -1)
		return;		/* keep the old merge; the next report tries */
	sub_joins(r, &s->group, &st, +1);
	sub_joins(r, &s->group, &s->st, -1);
	hstate_free6(&s->st);
	s->st = st;
}

/*
 * May a record make state for group g?  A routable multicast group of
 * either family: not IPv4 224.0.0/24, not IPv6 scopes 0 to 2
 * (reserved, interface- and link-local, RFC 4291 2.7).  *ssm: is it
 * in the SSM range (ssm-range for IPv4, ff3x::/32 for IPv6, RFC 4607).
 */
static int
group_ok(const struct relay *r, const struct mc_src6 *g, int *ssm)
{
	uint32_t	 g4;

	if (mc_src6_is_v4(g)) {
		g4 = mc_src6_to_v4(g);
		*ssm = prefix4_contains(&r->conf->ssm, g4);
		return IN4_MCAST(g4) && !IN4_LOCAL_MCAST(g4);
	}
	*ssm = ip6_is_ssm(g->a);
	return ip6_is_multicast(g->a) && (g->a[1] & 0x0f) > 2;
}

/*
 * Apply one record to the tunnel's state for its group, as RFC 7450
 * 5.3.1 asks (RFC 3376 6.4 and RFC 3810 7.4, without the queries):
 * each reporter behind the tunnel (by inner source address) is tracked
 * with its own filter (host semantics, 5.1), so one host's leave never
 * cuts off another, and the subscription is their merge.  In the SSM
 * range EXCLUDE-mode records are ignored (RFC 4604 3.1), so no (*,G)
 * is ever joined there.  A subscription no reporter wants any more
 * goes.
 */
static void
apply_record(struct relay *r, struct relay_gw *gw, const struct mc_rec6 *rec,
    uint64_t now)
{
	struct relay_sub	*s;
	struct relay_rep	*rp;
	size_t			 at = 0;
	int			 ssm;

	if (!group_ok(r, &rec->group, &ssm) || !MC_REC_VALID(rec->type))
		return;
	if (ssm && (rec->type == MC_IS_EX || rec->type == MC_TO_EX)) {
		r->ctr[RELAY_CTR_SSM_EXCLUDE]++;
		return;
	}
	if ((s = sub_find(gw, &rec->group, &at)) == NULL) {
		/* Only a record that makes a membership creates one. */
		if (rec->type == MC_BLOCK || (rec->type != MC_IS_EX &&
		    rec->type != MC_TO_EX && rec->nsrcs == 0))
			return;
		if ((s = sub_new(r, gw, &rec->group)) == NULL)
			return;
	}
	if ((rp = rep_get(s, &rec->from)) == NULL) {
		r->ctr[RELAY_CTR_REPORTERS_FULL]++;
		return;
	}
	(void)hstate_apply6(&rp->st, rec, RELAY_MAX_SRCS);
	rp->timer = now + gmi(r);
	if (!hstate_member6(&rp->st))
		rep_del(s, (uint16_t)(rp - s->reps));
	if (s->nreps == 0)
		sub_remove(r, gw, at);
	else
		sub_merge(r, s);
}

/* Reporters whose state ran out (5.3.3.7); 1 if the group is left. */
static int
sub_expire(struct relay *r, struct relay_sub *s, uint64_t now)
{
	uint16_t	 i = 0;
	int		 changed = 0;

	while (i < s->nreps) {
		if (RUNNING(s->reps[i].timer, now)) {
			i++;
			continue;
		}
		rep_del(s, i);
		changed = 1;
	}
	if (s->nreps == 0)
		return 1;
	if (changed)
		sub_merge(r, s);
	return 0;
}

/* The earliest reporter timer of s. */
static uint64_t
sub_deadline(const struct relay_sub *s)
{
	uint64_t	 d = UINT64_MAX;
	uint16_t	 i;

	for (i = 0; i < s->nreps; i++)
		if (s->reps[i].timer < d)
			d = s->reps[i].timer;
	return d;
}

/* The earliest deadline of gw's state. */
static uint64_t
gw_deadline(const struct relay_gw *gw)
{
	uint64_t	 d = UINT64_MAX, t;
	size_t		 i;

	for (i = 0; i < gw->nsubs; i++)
		if ((t = sub_deadline(gw->subs[i])) < d)
			d = t;
	return d;
}

/*
 * next_exp is a lower bound of every deadline: an event only lowers it
 * (O(1)), a sweep sets it exactly (O(gateways)), so that the per-event
 * cost does not grow with the crowd.
 */
static void
note_deadline(struct relay *r, uint64_t t)
{
	if (t < r->next_exp)
		r->next_exp = t;
}

/* ---- messages ---- */

/*
 * A gateway's address in the form of the Query's Gateway IP Address
 * field, which the MAC covers too: IPv4 as ::a.b.c.d, IPv6 as it is.
 */
static void
gw_field(const struct mc_src6 *a, uint8_t out[16])
{
	if (mc_src6_is_v4(a)) {
		memset(out, 0, 12);
		be32_store(out + 12, mc_src6_to_v4(a));
	} else
		memcpy(out, a->a, 16);
}

/* The endpoint a Gateway IP Address field names. */
static struct mc_src6
gw_from_field(const uint8_t f[16])
{
	static const uint8_t	 zero[12];
	struct mc_src6		 k;

	if (memcmp(f, zero, sizeof(zero)) == 0)
		return mc_src6_v4(be32_load(f + 12));
	memcpy(k.a, f, 16);
	return k;
}

static void
reply(struct relay *r, int sock, const struct mc_src6 *a, uint16_t p,
    const struct amt_msg *m, const uint8_t *inner)
{
	uint8_t		 out[256];
	struct wbuf	 w;

	wbuf_init(&w, out, sizeof(out));
	if (amt_encode(m, inner, &w) == -1)
		return;
	(void)r->ops->send(r->arg, sock, a, p, out, w.len);
}

/*
 * Token buckets: rate tokens a second, at most burst (2 s worth).
 * Returns 1 and takes a token if one is there.
 */
static int
bucket_take(struct relay_bucket *b, unsigned rate, uint64_t now)
{
	uint64_t	 cap = (uint64_t)rate * 2 * 1000;	/* milli-tokens */

	if (rate == 0)
		return 1;
	if (b->when == 0 || now < b->when)
		b->milli = cap;
	else
		b->milli += (now - b->when) * rate;
	if (b->milli > cap)
		b->milli = cap;
	b->when = now;
	if (b->milli < 1000)
		return 0;
	b->milli -= 1000;
	return 1;
}

/*
 * Every answer to a Discovery or Request is a message to an address
 * nobody proved to own (an amplification, 5.3.3.2-3): at most
 * request-rate-limit a second in all, and request-prefix-limit a second
 * per source prefix.  A gateway the relay already serves is always
 * answered, so a flood cannot cut a tunnel that runs.
 */
static int
answer_allowed(struct relay *r, const struct mc_src6 *a, uint16_t p,
    uint64_t now)
{
	const struct relay_conf	*c = r->conf;
	uint32_t		 pfx = c->prefix_len == 0 ? 0 :
	    mc_src6_to_v4(a) & ~(uint32_t)0 << (32 - c->prefix_len);
	struct relay_bucket	*b;
	uint32_t		 h;

	if (relay_gw_find(r, a, p) != NULL)
		return 1;
	if (!mc_src6_is_v4(a)) {	/* IPv6: per /64 */
		pfx = (uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 |
		    (uint32_t)a->a[2] << 8 | a->a[3];
		pfx ^= ((uint32_t)a->a[4] << 24 | (uint32_t)a->a[5] << 16 |
		    (uint32_t)a->a[6] << 8 | a->a[7]) * 40503U;
	}
	h = pfx * 2654435761U;
	b = &r->pfx[(h ^ h >> 16) % RELAY_PFX_SLOTS];
	if (b->key != pfx || b->when == 0) {
		memset(b, 0, sizeof(*b));	/* a new prefix takes the slot */
		b->key = pfx;
	}
	if (bucket_take(b, c->prefix_rate, now) &&
	    bucket_take(&r->total, c->request_rate, now))
		return 1;
	r->ctr[RELAY_CTR_RATE_LIMITED]++;
	log_warnx_rl(&r->lim_rate, "answers to Requests and Discoveries "
	    "over the limit (from %s/%u, or %u a second in all): dropped; a "
	    "flood of forged sources? (request-rate-limit, "
	    "request-prefix-limit)", mc_src6_is_v4(a) ? addr4_ntoa(pfx) :
	    addr6_ntoa(a->a), mc_src6_is_v4(a) ? c->prefix_len : 64,
	    c->request_rate);
	return 0;
}

/* 5.3.3.2: any Discovery gets our unicast address. */
static void
recv_discovery(struct relay *r, int sock, const struct mc_src6 *a, uint16_t p,
    const struct amt_msg *q, uint64_t now)
{
	struct amt_msg	 m;

	r->ctr[RELAY_CTR_DISCOVERY]++;
	if (!answer_allowed(r, a, p, now))
		return;
	memset(&m, 0, sizeof(m));
	m.type = AMT_ADVERTISEMENT;
	m.nonce = q->nonce;
	/* The relay address of the gateway's family, if there is one. */
	if (r->conf->relay != 0 && (mc_src6_is_v4(a) ||
	    !r->conf->has_relay6)) {
		m.relay_af = AF_INET;
		be32_store(m.relay_addr, r->conf->relay);
	} else {
		m.relay_af = AF_INET6;
		memcpy(m.relay_addr, r->conf->relay6, 16);
	}
	reply(r, sock, a, p, &m, NULL);
}

/* The encapsulated IGMPv3 General Query (5.3.3.3). */
static size_t
general_query(const struct relay *r, uint8_t *buf, size_t cap)
{
	const struct relay_conf	*c = r->conf;
	struct igmp_query	 q;
	struct wbuf		 w;
	uint32_t		 mrt = c->mrt_ms / 100;

	memset(&q, 0, sizeof(q));
	q.src = c->relay;
	q.dst = IN4_ALLHOSTS;
	q.version = 3;
	q.code = igmp_value_to_code(mrt == 0 ? 1 : mrt);
	q.qrv = (uint8_t)c->robustness;
	q.qqic = igmp_value_to_code(c->qi_ms / 1000);
	wbuf_init(&w, buf, cap);
	if (igmp_build_query(&w, &q) == -1)
		return 0;
	return w.len;
}

/*
 * The encapsulated MLDv2 General Query (5.3.3.3, RFC 3810 5.1): from
 * fe80::a.b.c.d (the relay's IPv4 address; a query's source must be
 * link-local) to ff02::1, the same timers as the IGMPv3 one.
 */
static size_t
general_query6(const struct relay *r, uint8_t *buf, size_t cap)
{
	const struct relay_conf	*c = r->conf;
	struct mld_query	 q;
	struct wbuf		 w;
	uint8_t			 src[IP6_ADDR_LEN] = { 0xfe, 0x80 };
	static const uint8_t	 any[IP6_ADDR_LEN];

	if (c->relay != 0)
		be32_store(src + 12, c->relay);
	else
		memcpy(src + 8, c->relay6 + 8, 8);
	memset(&q, 0, sizeof(q));
	q.version = 2;
	q.src = src;
	q.dst = mld_all_nodes;
	q.group = any;
	q.mrc = mld_value_to_code(c->mrt_ms == 0 ? 1 : c->mrt_ms);
	q.qrv = (uint8_t)c->robustness;
	q.qqic = igmp_value_to_code(c->qi_ms / 1000);
	wbuf_init(&w, buf, cap);
	if (mld_build_query(&w, &q) == -1)
		return 0;
	return w.len;
}

/*
 * 5.3.3.3: Request -> Membership Query with MAC, G fields, maybe L; an
 * IGMPv3 General Query for P=0, an MLDv2 one for P=1 (5.1.3.4), unless
 * mld is off.
 */
static void
recv_request(struct relay *r, int sock, const struct mc_src6 *a, uint16_t p,
    const struct amt_msg *q, uint64_t now)
{
	struct amt_msg	 m;
	struct relay_gw	*gw;
	uint8_t		 inner[128];
	int		 mld = (q->flags & AMT_FLAG_P) != 0;

	r->ctr[RELAY_CTR_REQUEST]++;
	if (mld && !r->conf->mld) {
		r->ctr[RELAY_CTR_REQUEST_MLD]++;
		return;
	}
	if (!answer_allowed(r, a, p, now))
		return;
	/* A gateway heard from again gets its data again. */
	if ((gw = relay_gw_find(r, a, p)) != NULL)
		gw_resume(gw);
	memset(&m, 0, sizeof(m));
	m.type = AMT_QUERY;
	/* Gateway address fields (and so Teardown) unless turned off:
	 * some gateways (VLC's) take only a 48-byte IPv4 Query. */
	m.flags = r->conf->teardown ? AMT_FLAG_G : 0;
	if (r->conf->tunnel_limit != 0 && r->ngws >= r->conf->tunnel_limit &&
	    gw == NULL) {
		m.flags |= AMT_FLAG_L;		/* 5.3.3.8 */
		r->ctr[RELAY_CTR_QUERY_LIMIT]++;
	}
	gw_field(a, m.gw_addr);
	mac_compute(r->mac.cur, m.gw_addr, p, q->nonce, m.mac);
	m.nonce = q->nonce;
	m.gw_port = p;
	m.inner_len = mld ? general_query6(r, inner, sizeof(inner)) :
	    general_query(r, inner, sizeof(inner));
	if (m.inner_len == 0)
		return;
	reply(r, sock, a, p, &m, inner);
	r->ctr[RELAY_CTR_QUERY_SENT]++;
}

/* An Update's report, its records read one by one in the common form. */
struct upd_iter {
	int			 ver;
	struct igmp_msg		 g;
	struct igmp_recs	 it4;
	struct mld_msg		 ml;
	struct mld_recs		 it6;
};

/*
 * Open the report of an Update: IGMP in an IPv4 datagram, MLD in an
 * IPv6 one, a report (or a leave or done) from any source (5.3.1).
 * -1 if it is none; *empty: nothing to change for a tunnel that does
 * not exist yet.
 */
static int
upd_open(struct relay *r, const uint8_t *p, size_t len, int ver,
    struct upd_iter *u, int *empty)
{
	struct ip4_info		 ip;
	struct ip6_info		 ip6;
	enum mld_err		 e;

	u->ver = ver;
	if (ver == 4) {
		if (igmp_decode_packet(p, len, &ip, &u->g) != IGMP_OK ||
		    (u->g.type != IGMP_V2_REPORT &&
		    u->g.type != IGMP_V2_LEAVE &&
		    u->g.type != IGMP_V3_REPORT)) {
			r->ctr[RELAY_CTR_UPDATE_BAD_IGMP]++;
			return -1;
		}
		*empty = u->g.type == IGMP_V2_LEAVE ||
		    (u->g.type == IGMP_V3_REPORT && u->g.nrecs == 0);
		igmp_recs_init(&u->it4, &u->g, ip.src);
		return 0;
	}
	e = ver == 6 ? mld_decode_packet(p, len, &ip6, &u->ml) : MLD_ERR_IP6;
	if ((e != MLD_OK && e != MLD_ERR_SRC) ||
	    (u->ml.type != MLD_V1_REPORT && u->ml.type != MLD_V1_DONE &&
	    u->ml.type != MLD_V2_REPORT)) {
		r->ctr[RELAY_CTR_UPDATE_BAD_MLD]++;
		return -1;
	}
	*empty = u->ml.type == MLD_V1_DONE ||
	    (u->ml.type == MLD_V2_REPORT && u->ml.nrecs == 0);
	mld_recs_init(&u->it6, &u->ml, ip6.src);
	return 0;
}

/* The next record (its sources in the scratch space), or 0. */
static int
upd_next(struct relay *r, struct upd_iter *u, struct mc_rec6 *rec)
{
	struct mc_rec	 rec4;

	if (u->ver == 6)
		return mld_recs_next(&u->it6, r->s.rec, RELAY_MAX_SRCS, rec);
	if (igmp_recs_next(&u->it4, r->s.rec4, RELAY_MAX_SRCS, &rec4) != 1)
		return 0;
	mc_rec_to6(&rec4, r->s.rec, rec);
	return 1;
}

/* 5.3.3.4: a Membership Update from endpoint a:p. */
static void
recv_update(struct relay *r, const struct mc_src6 *a, uint16_t p,
    const uint8_t *buf, const struct amt_msg *m, uint64_t now)
{
	struct upd_iter		 u;
	struct mc_rec6		 rec;
	struct relay_gw		*gw;
	uint8_t			 field[16];
	int			 empty;

	if (upd_open(r, buf + m->inner_off, m->inner_len, m->inner_ver, &u,
	    &empty) == -1) {
		log_debug_rl(&r->lim, "update from %s:%u: not an IGMP or MLD "
		    "report", addr6_ntoa(a->a), p);
		return;
	}
	gw = relay_gw_find(r, a, p);
	/* Nothing to change for an unknown endpoint: no MAC needed. */
	if (gw == NULL && empty)
		return;
	gw_field(a, field);
	if (!mac_verify(&r->mac, now, r->conf->qi_ms, field, p, m->nonce,
	    m->mac)) {
		r->ctr[RELAY_CTR_UPDATE_BAD_MAC]++;
		log_debug_rl(&r->lim, "update from %s:%u: bad MAC",
		    addr6_ntoa(a->a), p);
		return;
	}
	r->ctr[RELAY_CTR_UPDATE]++;
	if (gw == NULL) {
		if (r->conf->tunnel_limit != 0 &&
		    r->ngws >= r->conf->tunnel_limit) {
			r->ctr[RELAY_CTR_UPDATE_LIMIT]++;
			return;
		}
		if ((gw = gw_new(r, a, p, now)) == NULL)
			return;
	}
	gw->last_update = now;
	gw_resume(gw);
	while (upd_next(r, &u, &rec) == 1)
		apply_record(r, gw, &rec, now);
	if (gw->nsubs == 0) {
		gw_del(r, gw, "no groups left");
		return;
	}
	note_deadline(r, gw_deadline(gw));
}

/* 5.3.3.5: MAC over the Teardown's own gateway fields. */
/*
 * The endpoint a:p answered Data with ICMP port unreachable: the
 * gateway has gone without a Teardown (a crash).  Data to it stops
 * until it is heard from again; its state times out as usual.  The
 * kernel matched the ICMP's quoted header to the relay's own socket,
 * so a forged one costs a live gateway at most its next Request.
 */
void
relay_unreachable(struct relay *r, const struct mc_src6 *a, uint16_t p)
{
	struct relay_gw	*gw;

	if ((gw = relay_gw_find(r, a, p)) == NULL || gw->paused)
		return;
	gw->paused = 1;
	r->ctr[RELAY_CTR_GW_PAUSED]++;
	log_info("gateway %s:%u: port unreachable; no data until it asks "
	    "again", addr6_ntoa(a->a), p);
}

static void
recv_teardown(struct relay *r, const struct amt_msg *m, uint64_t now)
{
	struct mc_src6	 ga;
	struct relay_gw	*gw;

	if (!r->conf->teardown) {
		/* No G fields were given, so no Teardown is honoured. */
		r->ctr[RELAY_CTR_TEARDOWN_OFF]++;
		return;
	}
	if (!mac_verify(&r->mac, now, r->conf->qi_ms, m->gw_addr, m->gw_port,
	    m->nonce, m->mac)) {
		r->ctr[RELAY_CTR_TEARDOWN_BAD_MAC]++;
		return;
	}
	r->ctr[RELAY_CTR_TEARDOWN]++;
	ga = gw_from_field(m->gw_addr);
	if ((gw = relay_gw_find(r, &ga, m->gw_port)) != NULL)
		gw_del(r, gw, "teardown");
}

/* A control message on socket sock from a:p. */
void
relay_recv(struct relay *r, uint64_t now, int sock, const struct mc_src6 *a,
    uint16_t p, const uint8_t *buf, size_t len)
{
	struct amt_msg	 m;
	enum amt_err	 e;

	if ((e = amt_decode(buf, len, &m)) != AMT_OK) {
		r->ctr[RELAY_CTR_MALFORMED]++;
		log_debug_rl(&r->lim, "from %s:%u: %s", addr6_ntoa(a->a), p,
		    amt_strerror(e));
		return;
	}
	switch (m.type) {
	case AMT_DISCOVERY:
		recv_discovery(r, sock, a, p, &m, now);
		break;
	case AMT_REQUEST:
		recv_request(r, sock, a, p, &m, now);
		break;
	case AMT_UPDATE:
		recv_update(r, a, p, buf, &m, now);
		break;
	case AMT_TEARDOWN:
		recv_teardown(r, &m, now);
		break;
	default:
		r->ctr[RELAY_CTR_WRONG_TYPE]++;
		break;
	}
}

/* Expire what ran out; next_exp becomes the exact earliest deadline. */
static void
sweep(struct relay *r, uint64_t now)
{
	struct relay_gw	*gw, *next;
	uint64_t	 d = UINT64_MAX, t;
	size_t		 i;
	unsigned	 h;

	r->last_sweep = now;
	for (h = 0; h < RELAY_HASH; h++)
		for (gw = r->gws[h]; gw != NULL; gw = next) {
			next = gw->next;
			i = 0;
			while (i < gw->nsubs) {
				if (sub_expire(r, gw->subs[i], now))
					sub_remove(r, gw, i);
				else
					i++;
			}
			if (gw->nsubs == 0) {
				r->ctr[RELAY_CTR_GW_EXPIRED]++;
				gw_del(r, gw, "state timed out");
			} else if ((t = gw_deadline(gw)) < d)
				d = t;
		}
	r->next_exp = d;
}

/* Group timers (5.3.3.7) and the secret's lifetime (5.3.6). */
void
relay_timer(struct relay *r, uint64_t now)
{
	uint8_t		 key[MAC_KEYLEN];

	if (now - r->mac.rotated >= r->conf->secret_ms) {
		r->ops->random(r->arg, key, sizeof(key));
		mac_rotate(&r->mac, key, now);
		r->ctr[RELAY_CTR_SECRET_ROTATED]++;
		log_debug("secret rotated");
	}
	if (r->next_exp <= now && (r->last_sweep == 0 ||
	    now - r->last_sweep >= RELAY_SWEEP_MIN_MS))
		sweep(r, now);
}

/*
 * The earliest deadline: the secret's, or the state's, sweeps at most
 * RELAY_SWEEP_MIN_MS apart.
 */
uint64_t
relay_next_deadline(const struct relay *r)
{
	uint64_t	 d = r->mac.rotated + r->conf->secret_ms;
	uint64_t	 e = r->next_exp;

	if (e != UINT64_MAX && r->last_sweep != 0 &&
	    e < r->last_sweep + RELAY_SWEEP_MIN_MS)
		e = r->last_sweep + RELAY_SWEEP_MIN_MS;
	return e < d ? e : d;
}

void
relay_free(struct relay *r)
{
	struct relay_join	*j;
	unsigned	 h;

	for (h = 0; h < RELAY_HASH; h++)
		while (r->gws[h] != NULL)
			gw_del(r, r->gws[h], "relay stopping");
	for (h = 0; h < RELAY_HASH; h++)
		while ((j = r->joins[h]) != NULL) {
			r->joins[h] = j->next;
			free(j);
		}
}

/* "amtctl relay gateways". */
void
relay_show_gateways(const struct relay *r, uint64_t now, struct emit *e)
{
	const struct relay_gw	*gw;
	unsigned		 h;

	emit_str(e, "relay-address", r->conf->relay != 0 ?
	    addr4_ntoa(r->conf->relay) : addr6_ntoa(r->conf->relay6));
	if (r->conf->relay != 0 && r->conf->has_relay6)
		emit_str(e, "relay-address-ipv6", addr6_ntoa(r->conf->relay6));
	emit_u64(e, "secret-age-ms", now - r->mac.rotated);
	emit_u64(e, "tunnel-limit", r->conf->tunnel_limit);
	emit_arr(e, "gateways");
	for (h = 0; h < RELAY_HASH; h++)
		for (gw = r->gws[h]; gw != NULL; gw = gw->next) {
			emit_obj(e, NULL);
			emit_str(e, "address", addr6_ntoa(gw->addr.a));
			emit_u64(e, "port", gw->port);
			emit_u64(e, "groups", gw->nsubs);
			emit_u64(e, "last-update-ms", now - gw->last_update);
			emit_u64(e, "age-ms", now - gw->created);
			emit_u64(e, "data-packets", gw->data_pkts);
			emit_end(e);
		}
	emit_end(e);
}

/* The control plane's counters, into an open "counters" object. */
void
relay_show_counters(const struct relay *r, struct emit *e)
{
	unsigned	 k;

	for (k = 0; k < RELAY_CTR_MAX; k++)
		emit_u64(e, relay_ctr_names[k], r->ctr[k]);
}

/* "amtctl relay groups": the forwarding table and the native joins. */
void
relay_show_groups(const struct relay *r, uint64_t now, struct emit *e)
{
	const struct relay_fwd	*f;
	const struct relay_join	*j;
	unsigned		 h, k;
	size_t			 i;

	emit_arr(e, "groups");
	for (h = 0; h < RELAY_HASH; h++)
		for (f = r->fwd[h]; f != NULL; f = f->next) {
			emit_obj(e, NULL);
			emit_str(e, "group", addr6_ntoa(f->group.a));
			emit_arr(e, "gateways");
			for (i = 0; i < f->n; i++) {
				const struct relay_sub *s = f->e[i].sub;

				emit_obj(e, NULL);
				emit_str(e, "address",
				    addr6_ntoa(f->e[i].gw->addr.a));
				emit_u64(e, "port", f->e[i].gw->port);
				emit_str(e, "mode", s->st.mode == MC_EXCLUDE ?
				    "exclude" : "include");
				emit_arr(e, "sources");
				for (k = 0; k < s->st.srcs.n; k++)
					emit_str(e, NULL,
					    addr6_ntoa(s->st.srcs.v[k].a));
				emit_end(e);
				emit_u64(e, "reporters", s->nreps);
				emit_i64(e, "expires-ms",
				    ms_until(sub_deadline(s), now));
				emit_end(e);
			}
			emit_end(e);
			emit_end(e);
		}
	emit_end(e);
	emit_arr(e, "native-joins");
	for (h = 0; h < RELAY_HASH; h++)
		for (j = r->joins[h]; j != NULL; j = j->next) {
			emit_obj(e, NULL);
			emit_str(e, "group", addr6_ntoa(j->group.a));
			emit_str(e, "source", mc_src6_is_any(&j->src) ? "*" :
			    addr6_ntoa(j->src.a));
			emit_u64(e, "gateways", j->refs);
			emit_end(e);
		}
	emit_end(e);
}
