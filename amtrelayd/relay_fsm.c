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
 * Each tunnel endpoint (gateway address and port) is one host to the
 * relay: its reports say exactly what it wants, so records apply with
 * host semantics (IS_IN/TO_IN(B) means INCLUDE(B), IS_EX/TO_EX(B)
 * EXCLUDE(B), ALLOW and BLOCK edit the list), and each group it reports
 * is refreshed for (Robustness * Query Interval) + Query Response
 * Interval, longer than the query interval the relay announces.  From
 * that state the relay keeps the forwarding table (group -> endpoints,
 * each with its filter) and the native joins, reference-counted so that
 * the upstream sees one (*,G) or (S,G) membership however many gateways
 * want it.  No sockets and no clock: time comes in, actions go out
 * through struct rl_ops.
 */

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "amtrelayd.h"
#include "emit.h"
#include "igmp_proto.h"
#include "util.h"

#define RUNNING(t, now)	((t) > (now))

const char *const rl_ctr_names[RL_CTR_MAX] = {
	[RL_CTR_DISCOVERY] = "discovery",
	[RL_CTR_REQUEST] = "request",
	[RL_CTR_REQUEST_MLD] = "request-mld-unsupported",
	[RL_CTR_QUERY_SENT] = "query-sent",
	[RL_CTR_QUERY_LIMIT] = "query-limit-flag",
	[RL_CTR_UPDATE] = "update",
	[RL_CTR_UPDATE_BAD_MAC] = "update-bad-mac",
	[RL_CTR_UPDATE_BAD_IGMP] = "update-bad-igmp",
	[RL_CTR_UPDATE_LIMIT] = "update-refused-limit",
	[RL_CTR_TEARDOWN] = "teardown",
	[RL_CTR_TEARDOWN_BAD_MAC] = "teardown-bad-mac",
	[RL_CTR_MALFORMED] = "malformed",
	[RL_CTR_WRONG_TYPE] = "type-not-for-relay",
	[RL_CTR_GW_EXPIRED] = "gateway-expired",
	[RL_CTR_JOIN] = "native-join",
	[RL_CTR_JOIN_FAILED] = "native-join-refused",
	[RL_CTR_LEAVE] = "native-leave",
	[RL_CTR_SECRET_ROTATED] = "secret-rotated",
	[RL_CTR_DATA_IN] = "data-in",
	[RL_CTR_DATA_OUT] = "data-out",
	[RL_CTR_DATA_NO_MEMBER] = "data-no-member",
	[RL_CTR_DATA_TOO_BIG] = "data-too-big-df",
	[RL_CTR_DATA_FRAGMENTED] = "data-fragmented",
	[RL_CTR_DATA_SEND_ERR] = "data-send-error",
	[RL_CTR_DATA_CSUM_FIXED] = "data-checksum-completed",
};

static unsigned
hash_ep(uint32_t a, uint16_t p)
{
	uint32_t	 h = a * 2654435761U ^ (uint32_t)p * 40503U;

	return (h ^ h >> 16) % RL_HASH;
}

static unsigned
hash_join(uint32_t g, uint32_t s)
{
	uint32_t	 h = g * 2654435761U ^ s * 2246822519U;

	return (h ^ h >> 13) % RL_HASH;
}

static uint32_t
gmi(const struct relay *r)
{
	return r->conf->robustness * r->conf->qi_ms + r->conf->qri_ms;
}

int
rl_init(struct relay *r, const struct rl_conf *c, const struct rl_ops *ops,
    void *arg, uint64_t now)
{
	uint8_t	 key[RL_KEYLEN];

	memset(r, 0, sizeof(*r));
	r->conf = c;
	r->ops = ops;
	r->arg = arg;
	r->rl = (struct ratelimit)RATELIMIT_INIT(1000, 10);
	ops->random(arg, key, sizeof(key));
	mac_init(&r->mac, key, now);
	return 0;
}

/* ---- native joins, reference-counted ---- */

static void
join_ref(struct relay *r, uint32_t g, uint32_t s, int delta)
{
	struct rl_join	**pp = &r->joins[hash_join(g, s)], *j;

	for (; (j = *pp) != NULL; pp = &j->next)
		if (j->group == g && j->src == s)
			break;
	if (delta > 0) {
		if (j != NULL) {
			j->refs++;
			return;
		}
		if ((j = calloc(1, sizeof(*j))) == NULL)
			return;
		j->group = g;
		j->src = s;
		j->refs = 1;
		j->next = r->joins[hash_join(g, s)];
		r->joins[hash_join(g, s)] = j;
		r->njoins++;
		if (r->ops->join(r->arg, g, s) == -1) {
			r->ctr[RL_CTR_JOIN_FAILED]++;
			log_warnx_rl(&r->rl, "native join (%s, %s) refused",
			    s ? addr4_ntoa(s) : "*", addr4_ntoa(g));
		} else
			r->ctr[RL_CTR_JOIN]++;
		return;
	}
	if (j == NULL || --j->refs > 0)
		return;
	r->ops->leave(r->arg, g, s);
	r->ctr[RL_CTR_LEAVE]++;
	*pp = j->next;
	free(j);
	r->njoins--;
}

/* What one subscription asks of the upstream: (*,G) or each (S,G). */
static void
sub_joins(struct relay *r, const struct rl_sub *s, int delta)
{
	uint16_t	 i;

	if (s->exclude)
		join_ref(r, s->group, 0, delta);
	else
		for (i = 0; i < s->nsrcs; i++)
			join_ref(r, s->group, s->srcs[i], delta);
}

/* ---- the forwarding table ---- */

static struct rl_fwd *
fwd_get(struct relay *r, uint32_t g, int create)
{
	struct rl_fwd	*f;
	unsigned	 h = rl_hash_g(g);

	for (f = r->fwd[h]; f != NULL; f = f->next)
		if (f->group == g)
			return f;
	if (!create || (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->group = g;
	f->next = r->fwd[h];
	r->fwd[h] = f;
	return f;
}

const struct rl_fwd *
rl_fwd_find(const struct relay *r, uint32_t g)
{
	const struct rl_fwd	*f;

	for (f = r->fwd[rl_hash_g(g)]; f != NULL; f = f->next)
		if (f->group == g)
			return f;
	return NULL;
}

static void
fwd_add(struct relay *r, struct rl_gw *gw, struct rl_sub *s)
{
	struct rl_fwd		*f = fwd_get(r, s->group, 1);
	struct rl_fwd_ent	*nv;
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
fwd_del(struct relay *r, const struct rl_sub *s)
{
	struct rl_fwd	*f, **pp;
	size_t		 i;
	unsigned	 h = rl_hash_g(s->group);

	if ((f = fwd_get(r, s->group, 0)) == NULL)
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
rl_sub_wants(const struct rl_sub *s, uint32_t src)
{
	size_t	 lo = 0, hi = s->nsrcs, mid;
	int	 found;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (s->srcs[mid] < src)
			lo = mid + 1;
		else
			hi = mid;
	}
	found = lo < s->nsrcs && s->srcs[lo] == src;
	return s->exclude ? !found : found;
}

/* ---- gateways ---- */

struct rl_gw *
rl_gw_find(const struct relay *r, uint32_t a, uint16_t p)
{
	struct rl_gw	*gw;

	for (gw = r->gws[hash_ep(a, p)]; gw != NULL; gw = gw->next)
		if (gw->addr == a && gw->port == p)
			return gw;
	return NULL;
}

static struct rl_gw *
gw_new(struct relay *r, uint32_t a, uint16_t p, uint64_t now)
{
	struct rl_gw	*gw;
	unsigned	 h = hash_ep(a, p);

	if ((gw = calloc(1, sizeof(*gw))) == NULL)
		return NULL;
	gw->addr = a;
	gw->port = p;
	gw->created = now;
	gw->next = r->gws[h];
	r->gws[h] = gw;
	r->ngws++;
	log_info("gateway %s:%u: new tunnel (%zu in all)", addr4_ntoa(a), p,
	    r->ngws);
	return gw;
}

static void
sub_free(struct relay *r, struct rl_sub *s)
{
	sub_joins(r, s, -1);
	fwd_del(r, s);
	free(s->srcs);
	free(s);
}

/* Remove a gateway and everything it asked for. */
static void
gw_del(struct relay *r, struct rl_gw *gw, const char *why)
{
	struct rl_gw	**pp = &r->gws[hash_ep(gw->addr, gw->port)];
	size_t		 i;

	log_info("gateway %s:%u: %s", addr4_ntoa(gw->addr), gw->port, why);
	for (i = 0; i < gw->nsubs; i++)
		sub_free(r, gw->subs[i]);
	free(gw->subs);
	while (*pp != gw)
		pp = &(*pp)->next;
	*pp = gw->next;
	free(gw);
	r->ngws--;
}

static struct rl_sub *
sub_find(struct rl_gw *gw, uint32_t g, size_t *at)
{
	size_t	 i;

	for (i = 0; i < gw->nsubs; i++)
		if (gw->subs[i]->group == g) {
			if (at != NULL)
				*at = i;
			return gw->subs[i];
		}
	return NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Set a subscription's list: mode and sources (sorted, unique),
 * adjusting joins.  n == 0 in INCLUDE mode removes the subscription.
 */
static void
sub_set(struct relay *r, struct rl_gw *gw, uint32_t g, int exclude,
    const uint32_t *srcs, unsigned n, uint64_t now)
{
	struct rl_sub	*s, **nv, old;
	uint32_t	*ns = NULL;
	size_t		 at = 0, ncap;

	s = sub_find(gw, g, &at);
	if (!exclude && n == 0) {
		if (s != NULL) {
			sub_free(r, s);
			gw->subs[at] = gw->subs[--gw->nsubs];
		}
		return;
	}
	if (n > 0 && (ns = malloc(n * sizeof(*ns))) == NULL)
		return;
	if (n > 0)
		memcpy(ns, srcs, n * sizeof(*ns));
	memset(&old, 0, sizeof(old));
	if (s == NULL) {
		if (gw->nsubs >= RL_MAX_GROUPS) {
			free(ns);
			return;
		}
		if (gw->nsubs == gw->cap) {
			ncap = gw->cap == 0 ? 8 : gw->cap * 2;
			if ((nv = reallocarray(gw->subs, ncap, sizeof(*nv))) ==
			    NULL) {
				free(ns);
				return;
			}
			gw->subs = nv;
			gw->cap = ncap;
		}
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			free(ns);
			return;
		}
		s->group = g;
		gw->subs[gw->nsubs++] = s;
		fwd_add(r, gw, s);
	} else
		old = *s;
	s->srcs = ns;
	s->nsrcs = (uint16_t)n;
	s->exclude = (uint8_t)(exclude != 0);
	s->timer = now + gmi(r);
	/* New joins before old leaves: a join held on both never flaps. */
	sub_joins(r, s, +1);
	if (old.group != 0)
		sub_joins(r, &old, -1);
	free(old.srcs);
}

/* Apply one record with host semantics (see the top of the file). */
static void
apply_record(struct relay *r, struct rl_gw *gw, int type, uint32_t g,
    const uint8_t *raw, unsigned n, uint64_t now)
{
	static uint32_t	 b[RL_MAX_SRCS], out[2 * RL_MAX_SRCS];
	struct rl_sub	*s = sub_find(gw, g, NULL);
	unsigned	 i, k, nb, no = 0;
	int		 add;

	if (!IN4_MCAST(g) || IN4_LOCAL_MCAST(g))
		return;
	if (n > RL_MAX_SRCS)
		n = RL_MAX_SRCS;
	for (i = 0; i < n; i++)
		b[i] = igmp_src(raw, i);
	qsort(b, n, sizeof(*b), cmp_u32);
	for (i = k = 0; i < n; i++)
		if (k == 0 || b[k - 1] != b[i])
			b[k++] = b[i];
	nb = k;
	switch (type) {
	case IGMP_MODE_IS_INCLUDE:
	case IGMP_CHANGE_TO_INCLUDE:
		sub_set(r, gw, g, 0, b, nb, now);
		return;
	case IGMP_MODE_IS_EXCLUDE:
	case IGMP_CHANGE_TO_EXCLUDE:
		sub_set(r, gw, g, 1, b, nb, now);
		return;
	case IGMP_ALLOW_NEW_SOURCES:
	case IGMP_BLOCK_OLD_SOURCES:
		if (s == NULL) {
			if (type == IGMP_ALLOW_NEW_SOURCES)
				sub_set(r, gw, g, 0, b, nb, now);
			return;
		}
		/* ALLOW adds to INCLUDE, removes from EXCLUDE. */
		add = (type == IGMP_ALLOW_NEW_SOURCES) == !s->exclude;
		for (i = k = 0; i < s->nsrcs || (add && k < nb);) {
			if (no == RL_MAX_SRCS)
				break;
			if (i < s->nsrcs && (k >= nb || s->srcs[i] < b[k]))
				out[no++] = s->srcs[i++];
			else if (i < s->nsrcs && s->srcs[i] == b[k]) {
				if (add)
					out[no++] = s->srcs[i];
				i++;
				k++;
			} else {
				if (add)
					out[no++] = b[k];
				k++;
			}
		}
		sub_set(r, gw, g, s->exclude, out, no, now);
		return;
	default:
		return;		/* RFC 3376 4.2.12 */
	}
}

/* ---- messages ---- */

static void
reply(struct relay *r, int sock, uint32_t a, uint16_t p,
    const struct amt_msg *m, const uint8_t *inner)
{
	uint8_t		 out[256];
	struct wbuf	 w;

	wbuf_init(&w, out, sizeof(out));
	if (amt_encode(m, inner, &w) == -1)
		return;
	(void)r->ops->send(r->arg, sock, a, p, out, w.len);
}

/* 5.3.3.2: any Discovery gets our unicast address. */
static void
recv_discovery(struct relay *r, int sock, uint32_t a, uint16_t p,
    const struct amt_msg *q)
{
	struct amt_msg	 m;

	r->ctr[RL_CTR_DISCOVERY]++;
	memset(&m, 0, sizeof(m));
	m.type = AMT_ADVERTISEMENT;
	m.nonce = q->nonce;
	m.relay_af = AF_INET;
	be32_store(m.relay_addr, r->conf->relay);
	reply(r, sock, a, p, &m, NULL);
}

/* The encapsulated IGMPv3 General Query (5.3.3.3). */
static size_t
general_query(const struct relay *r, uint8_t *buf, size_t cap)
{
	const struct rl_conf	*c = r->conf;
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

/* 5.3.3.3: Request -> Membership Query with MAC, G fields, maybe L. */
static void
recv_request(struct relay *r, int sock, uint32_t a, uint16_t p,
    const struct amt_msg *q, uint64_t now)
{
	struct amt_msg	 m;
	uint8_t		 inner[64];

	r->ctr[RL_CTR_REQUEST]++;
	if (q->flags & AMT_FLAG_P) {
		/* An MLDv2 query is asked for; this relay is IPv4 only. */
		r->ctr[RL_CTR_REQUEST_MLD]++;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = AMT_QUERY;
	m.flags = AMT_FLAG_G;
	if (r->conf->tunnel_limit != 0 && r->ngws >= r->conf->tunnel_limit &&
	    rl_gw_find(r, a, p) == NULL) {
		m.flags |= AMT_FLAG_L;		/* 5.3.3.8 */
		r->ctr[RL_CTR_QUERY_LIMIT]++;
	}
	mac_compute(r->mac.cur, a, p, q->nonce, m.mac);
	m.nonce = q->nonce;
	m.gw_port = p;
	memset(m.gw_addr, 0, sizeof(m.gw_addr));
	be32_store(m.gw_addr + 12, a);
	if ((m.inner_len = general_query(r, inner, sizeof(inner))) == 0)
		return;
	(void)now;
	reply(r, sock, a, p, &m, inner);
	r->ctr[RL_CTR_QUERY_SENT]++;
}

/* 5.3.3.4: a Membership Update from endpoint a:p. */
static void
recv_update(struct relay *r, uint32_t a, uint16_t p, const uint8_t *buf,
    const struct amt_msg *m, uint64_t now)
{
	struct ip4_info		 ip;
	struct igmp_msg		 g;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 rec;
	struct rl_gw		*gw;

	if (m->inner_ver != 4 || igmp_decode_packet(buf + m->inner_off,
	    m->inner_len, &ip, &g) != IGMP_OK || (g.type != IGMP_V2_REPORT &&
	    g.type != IGMP_V2_LEAVE && g.type != IGMP_V3_REPORT)) {
		r->ctr[RL_CTR_UPDATE_BAD_IGMP]++;
		log_debug_rl(&r->rl, "update from %s:%u: not an IGMP report",
		    addr4_ntoa(a), p);
		return;
	}
	gw = rl_gw_find(r, a, p);
	/* Nothing to change for an unknown endpoint: no MAC needed. */
	if (gw == NULL && (g.type == IGMP_V2_LEAVE ||
	    (g.type == IGMP_V3_REPORT && g.nrecs == 0)))
		return;
	if (!mac_verify(&r->mac, now, r->conf->qi_ms, a, p, m->nonce,
	    m->mac)) {
		r->ctr[RL_CTR_UPDATE_BAD_MAC]++;
		log_debug_rl(&r->rl, "update from %s:%u: bad MAC",
		    addr4_ntoa(a), p);
		return;
	}
	r->ctr[RL_CTR_UPDATE]++;
	if (gw == NULL) {
		if (r->conf->tunnel_limit != 0 &&
		    r->ngws >= r->conf->tunnel_limit) {
			r->ctr[RL_CTR_UPDATE_LIMIT]++;
			return;
		}
		if ((gw = gw_new(r, a, p, now)) == NULL)
			return;
	}
	gw->last_update = now;
	switch (g.type) {
	case IGMP_V2_REPORT:
		apply_record(r, gw, IGMP_MODE_IS_EXCLUDE, g.group, NULL, 0,
		    now);
		break;
	case IGMP_V2_LEAVE:
		apply_record(r, gw, IGMP_CHANGE_TO_INCLUDE, g.group, NULL, 0,
		    now);
		break;
	default:
		igmp_rec_iter_init(&it, &g);
		while (igmp_rec_next(&it, &rec) == 1)
			apply_record(r, gw, rec.type, rec.group, rec.srcs,
			    rec.nsrcs, now);
	}
	if (gw->nsubs == 0)
		gw_del(r, gw, "no groups left");
}

/* 5.3.3.5: MAC over the Teardown's own gateway fields. */
static void
recv_teardown(struct relay *r, const struct amt_msg *m, uint64_t now)
{
	struct ipaddr	 ga;
	struct rl_gw	*gw;

	if (ipaddr_from_v4compat(m->gw_addr, &ga) != 1 ||
	    !mac_verify(&r->mac, now, r->conf->qi_ms, ga.v4, m->gw_port,
	    m->nonce, m->mac)) {
		r->ctr[RL_CTR_TEARDOWN_BAD_MAC]++;
		return;
	}
	r->ctr[RL_CTR_TEARDOWN]++;
	if ((gw = rl_gw_find(r, ga.v4, m->gw_port)) != NULL)
		gw_del(r, gw, "teardown");
}

/* A control message on socket sock from a:p. */
void
rl_recv(struct relay *r, uint64_t now, int sock, uint32_t a, uint16_t p,
    const uint8_t *buf, size_t len)
{
	struct amt_msg	 m;
	enum amt_err	 e;

	if ((e = amt_decode(buf, len, &m)) != AMT_OK) {
		r->ctr[RL_CTR_MALFORMED]++;
		log_debug_rl(&r->rl, "from %s:%u: %s", addr4_ntoa(a), p,
		    amt_strerror(e));
		return;
	}
	switch (m.type) {
	case AMT_DISCOVERY:
		recv_discovery(r, sock, a, p, &m);
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
		r->ctr[RL_CTR_WRONG_TYPE]++;
		break;
	}
}

/* Group timers (5.3.3.7) and the secret's lifetime (5.3.6). */
void
rl_timer(struct relay *r, uint64_t now)
{
	struct rl_gw	*gw, *next;
	uint8_t		 key[RL_KEYLEN];
	size_t		 i;
	unsigned	 h;

	if (now - r->mac.rotated >= r->conf->secret_ms) {
		r->ops->random(r->arg, key, sizeof(key));
		mac_rotate(&r->mac, key, now);
		r->ctr[RL_CTR_SECRET_ROTATED]++;
		log_debug("secret rotated");
	}
	for (h = 0; h < RL_HASH; h++)
		for (gw = r->gws[h]; gw != NULL; gw = next) {
			next = gw->next;
			i = 0;
			while (i < gw->nsubs) {
				if (RUNNING(gw->subs[i]->timer, now)) {
					i++;
					continue;
				}
				sub_free(r, gw->subs[i]);
				gw->subs[i] = gw->subs[--gw->nsubs];
			}
			if (gw->nsubs == 0) {
				r->ctr[RL_CTR_GW_EXPIRED]++;
				gw_del(r, gw, "state timed out");
			}
		}
}

uint64_t
rl_next_deadline(const struct relay *r)
{
	const struct rl_gw	*gw;
	uint64_t		 d = r->mac.rotated + r->conf->secret_ms;
	size_t			 i;
	unsigned		 h;

	for (h = 0; h < RL_HASH; h++)
		for (gw = r->gws[h]; gw != NULL; gw = gw->next)
			for (i = 0; i < gw->nsubs; i++)
				if (gw->subs[i]->timer < d)
					d = gw->subs[i]->timer;
	return d;
}

void
rl_free(struct relay *r)
{
	struct rl_join	*j;
	unsigned	 h;

	for (h = 0; h < RL_HASH; h++)
		while (r->gws[h] != NULL)
			gw_del(r, r->gws[h], "relay stopping");
	for (h = 0; h < RL_HASH; h++)
		while ((j = r->joins[h]) != NULL) {
			r->joins[h] = j->next;
			free(j);
		}
}

/* "amtctl relay gateways". */
void
rl_show_gateways(const struct relay *r, uint64_t now, struct emit *e)
{
	const struct rl_gw	*gw;
	unsigned		 h, k;

	emit_str(e, "relay-address", addr4_ntoa(r->conf->relay));
	emit_u64(e, "secret-age-ms", now - r->mac.rotated);
	emit_u64(e, "tunnel-limit", r->conf->tunnel_limit);
	emit_arr(e, "gateways");
	for (h = 0; h < RL_HASH; h++)
		for (gw = r->gws[h]; gw != NULL; gw = gw->next) {
			emit_obj(e, NULL);
			emit_str(e, "address", addr4_ntoa(gw->addr));
			emit_u64(e, "port", gw->port);
			emit_u64(e, "groups", gw->nsubs);
			emit_u64(e, "last-update-ms", now - gw->last_update);
			emit_u64(e, "age-ms", now - gw->created);
			emit_u64(e, "data-packets", gw->data_pkts);
			emit_end(e);
		}
	emit_end(e);
	emit_obj(e, "counters");
	for (k = 0; k < RL_CTR_MAX; k++)
		emit_u64(e, rl_ctr_names[k], r->ctr[k]);
	emit_end(e);
}

/* "amtctl relay groups": the forwarding table and the native joins. */
void
rl_show_groups(const struct relay *r, uint64_t now, struct emit *e)
{
	const struct rl_fwd	*f;
	const struct rl_join	*j;
	unsigned		 h, k;
	size_t			 i;

	emit_arr(e, "groups");
	for (h = 0; h < RL_HASH; h++)
		for (f = r->fwd[h]; f != NULL; f = f->next) {
			emit_obj(e, NULL);
			emit_str(e, "group", addr4_ntoa(f->group));
			emit_arr(e, "gateways");
			for (i = 0; i < f->n; i++) {
				const struct rl_sub *s = f->e[i].sub;

				emit_obj(e, NULL);
				emit_str(e, "address",
				    addr4_ntoa(f->e[i].gw->addr));
				emit_u64(e, "port", f->e[i].gw->port);
				emit_str(e, "mode", s->exclude ? "exclude" :
				    "include");
				emit_arr(e, "sources");
				for (k = 0; k < s->nsrcs; k++)
					emit_str(e, NULL,
					    addr4_ntoa(s->srcs[k]));
				emit_end(e);
				emit_i64(e, "expires-ms",
				    ms_until(s->timer, now));
				emit_end(e);
			}
			emit_end(e);
			emit_end(e);
		}
	emit_end(e);
	emit_arr(e, "native-joins");
	for (h = 0; h < RL_HASH; h++)
		for (j = r->joins[h]; j != NULL; j = j->next) {
			emit_obj(e, NULL);
			emit_str(e, "group", addr4_ntoa(j->group));
			emit_str(e, "source", j->src ? addr4_ntoa(j->src) :
			    "*");
			emit_u64(e, "gateways", j->refs);
			emit_end(e);
		}
	emit_end(e);
}
