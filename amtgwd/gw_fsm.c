/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The gateway state machine, RFC 7450 section 5.2.3.  It owns relay
 * discovery (5.2.3.4), the membership update cycle (5.2.3.5), the
 * forwarding of reports from the pseudo-interface (5.2.3.6), Teardown
 * (5.2.3.7) and shutdown (5.2.3.8).  It touches no socket and reads no
 * clock: every entry point gets the time in milliseconds, and actions
 * go out through gw->ops.  Timers are deadlines the caller polls with
 * gw_next_deadline().
 *
 *	IDLE --start--> DISCOVERING --Advertisement--> REQUESTING
 *	(fixed relay: IDLE --start--> REQUESTING)
 *	REQUESTING --Query--> ESTABLISHED --query timer--> REQUESTING
 *	REQUESTING --retries exhausted--> DISCOVERING
 *	any --stop--> STOPPING --repeats sent--> DONE
 *
 * A Query, once held, keeps authorising Updates while the next Request
 * is outstanding, so a join never waits for a round trip.
 */

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "igmp_proto.h"
#include "util.h"

const char *const gw_state_names[] = {
	"idle", "discovering", "requesting", "established", "stopping",
	"done",
};

const char *const gw_ctr_names[GW_CTR_MAX] = {
	[GW_CTR_DISC_SENT] = "discovery-sent",
	[GW_CTR_ADV_RCVD] = "advertisement-accepted",
	[GW_CTR_ADV_UNEXPECTED] = "advertisement-unexpected",
	[GW_CTR_ADV_NONCE] = "advertisement-bad-nonce",
	[GW_CTR_ADV_SOURCE] = "advertisement-bad-source",
	[GW_CTR_ADV_FAMILY] = "advertisement-bad-relay-address",
	[GW_CTR_REQ_SENT] = "request-sent",
	[GW_CTR_QUERY_RCVD] = "query-accepted",
	[GW_CTR_QUERY_UNEXPECTED] = "query-unexpected",
	[GW_CTR_QUERY_NONCE] = "query-bad-nonce",
	[GW_CTR_QUERY_SOURCE] = "query-bad-source",
	[GW_CTR_QUERY_NOT_GENERAL] = "query-not-igmpv3-general",
	[GW_CTR_QUERY_LIMIT] = "query-limit-flag",
	[GW_CTR_GW_ADDR_CHANGED] = "gateway-address-changed",
	[GW_CTR_UPDATE_SENT] = "update-sent",
	[GW_CTR_TEARDOWN_SENT] = "teardown-sent",
	[GW_CTR_REPORT_HELD] = "tun-report-before-query",
	[GW_CTR_STATE_SENT] = "state-refresh-sent",
	[GW_CTR_AMT_MALFORMED] = "amt-malformed",
	[GW_CTR_AMT_WRONG_TYPE] = "amt-type-not-for-gateway",
	[GW_CTR_SEND_ERR] = "send-error",
	[GW_CTR_RELAY_CHANGE] = "relay-change",
	[GW_CTR_DISC_TIMEOUT] = "discovery-gave-up",
	[GW_CTR_REQ_TIMEOUT] = "request-gave-up",
};

static void	 gw_start_discovery(struct gw *, uint64_t, int);
static void	 gw_start_request(struct gw *, uint64_t, int);
static void	 gw_leave_relay(struct gw *, uint64_t, const char *);

/*
 * The healthy cycle (established -> requesting -> established, once a
 * query interval) is logged only with -v; the tunnel going up and down
 * is (tunnel_up(), tunnel_down()).
 */
static void
change_state(struct gw *gw, enum gw_state st, uint64_t now)
{
	int	 cycle = (gw->state == GW_STA_ESTABLISHED &&
	    st == GW_STA_REQUESTING) || (gw->state == GW_STA_REQUESTING &&
	    st == GW_STA_ESTABLISHED);

	if (gw->state == st)
		return;
	if (cycle)
		log_debug("state %s -> %s", gw_state_names[gw->state],
		    gw_state_names[st]);
	else
		log_info("state %s -> %s", gw_state_names[gw->state],
		    gw_state_names[st]);
	gw->state = st;
	gw->since = now;
}

/* The relay stopped answering (or never did): said once, until it does. */
static void
tunnel_down(struct gw *gw, uint64_t now, const char *why)
{
	uint32_t	 cap = gw->conf->max_timeout_ms < GW_RECOVER_MAX_MS ?
	    gw->conf->max_timeout_ms : GW_RECOVER_MAX_MS;

	if (gw->silent) {
		log_debug("relay %s still silent: %s", addr6_ntoa(gw->relay.a),
		    why);
		return;
	}
	gw->silent = 1;
	gw->down_since = now;
	log_warnx("%s %s: %s; trying again (every %u.%u s at most for 10 "
	    "minutes, then every %u s)", gw->up ? "tunnel down: relay" :
	    "no answer from relay", addr6_ntoa(gw->relay.a), why, cap / 1000,
	    cap % 1000 / 100, gw->conf->max_timeout_ms / 1000);
	gw->up = 0;
}

/* A value in [lo, hi] from the injected random source. */
uint32_t
gw_rand_between(struct gw *gw, uint32_t lo, uint32_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + gw->ops->random(gw->ctx) % (hi - lo + 1);
}

/*
 * The retransmission timeout after n retransmissions (5.2.3.4.3,
 * 5.2.3.5.3): random in [initial, min(initial * 2^n, max)].  max is
 * retransmit-max, or GW_RECOVER_MAX_MS while the last Query is recent,
 * so a relay that comes back is found again within that.
 */
uint32_t
gw_backoff(struct gw *gw, uint64_t now, uint32_t initial, unsigned n)
{
	uint64_t	 hi = initial;
	uint32_t	 max = gw->conf->max_timeout_ms;

	if (now - gw->t_alive < GW_RECOVER_PERIOD_MS &&
	    max > GW_RECOVER_MAX_MS)
		max = GW_RECOVER_MAX_MS;

	while (n-- > 0 && hi < max)
		hi *= 2;
	if (hi > max)
		hi = max;
	if (initial > hi)
		initial = (uint32_t)hi;
	return gw_rand_between(gw, initial, (uint32_t)hi);
}

void
gw_send_msg(struct gw *gw, const struct mc_src6 *dst, const struct amt_msg *m,
    const uint8_t *inner, enum gw_ctr ctr)
{
	uint8_t		 out[GW_PKT_MAX];
	struct wbuf	 w;

	wbuf_init(&w, out, sizeof(out));
	if (amt_encode(m, inner, &w) == -1) {
		gw->ctr[GW_CTR_SEND_ERR]++;
		return;
	}
	if (gw->ops->send(gw->ctx, dst, AMT_PORT, out, w.len) == -1) {
		gw->ctr[GW_CTR_SEND_ERR]++;
		return;
	}
	gw->ctr[ctr]++;
}

/* 5.2.3.4.2: send (or resend, same nonce) the Relay Discovery. */
static void
send_discovery(struct gw *gw)
{
	struct amt_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = AMT_DISCOVERY;
	m.nonce = gw->disc_nonce;
	gw_send_msg(gw, &gw->disc_addr, &m, NULL, GW_CTR_DISC_SENT);
}

/* 5.2.3.5.2: send (or resend, same nonce) the Request, P=0 (IGMPv3). */
static void
send_request(struct gw *gw)
{
	struct amt_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = AMT_REQUEST;
	m.nonce = gw->req_nonce;
	gw_send_msg(gw, &gw->relay, &m, NULL, GW_CTR_REQ_SENT);
}


/* Encapsulate one report datagram in a Membership Update (5.2.3.6.2). */
void
gw_update_emit(void *arg, const uint8_t *pkt, size_t len)
{
	struct upd_ctx	*u = arg;
	struct gw	*gw = u->gw;
	struct amt_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = AMT_UPDATE;
	memcpy(m.mac, u->q->mac, AMT_MAC_LEN);
	m.nonce = u->q->nonce;
	m.inner_len = len;
	gw_send_msg(gw, &u->q->relay, &m, pkt, GW_CTR_UPDATE_SENT);
	/*
	 * 5.2.3.7.2: Teardown uses the Query of the last Update sent, of
	 * either cycle (the MAC covers address, port and nonce only).
	 */
	if (u->q == &gw->cur || u->q == &gw->mld.cur)
		gw->upd = *u->q;
}

/*
 * Reports to the relay: IGMPv3, from the one inner source, each small
 * enough that its Update crosses a path-mtu path unfragmented.
 */
static void
rb_start(struct gw *gw, struct igmp_rb *rb, uint8_t *buf,
    struct upd_ctx *u, const struct gw_qinfo *q)
{
	u->gw = gw;
	u->q = q;
	igmp_rb_init(rb, buf, gw->conf->path_mtu - GW_UPDATE_OVERHEAD,
	    gw->conf->report_src, gw_update_emit, u);
}

/* Whether the held Query authorises Updates to the current relay. */
int
gw_usable(const struct gw *gw)
{
	return gw->cur.valid && gw->have_relay &&
	    mc_src6_eq(&gw->cur.relay, &gw->relay);
}

/* The whole mirror as current-state records (repeats, a new relay). */
static void
send_state(struct gw *gw)
{
	uint8_t		 buf[GW_PKT_MAX];
	struct igmp_rb	 rb;
	struct upd_ctx	 u;

	if (!gw_usable(gw) || gw->subs.n == 0)
		return;
	rb_start(gw, &rb, buf, &u, &gw->cur);
	subs_state(&gw->subs, &rb);
	igmp_rb_flush(&rb);
	gw->ctr[GW_CTR_STATE_SENT]++;
}

static unsigned
qrv_of(const struct gw_qinfo *q)
{
	return q->qrv == 0 ? GW_DEFAULT_QRV : q->qrv;
}

/* One Teardown with the fields of the Query q (5.2.3.7.2). */
static void
teardown_once(struct gw *gw, const struct gw_qinfo *q)
{
	struct amt_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = AMT_TEARDOWN;
	memcpy(m.mac, q->mac, AMT_MAC_LEN);
	m.nonce = q->nonce;
	m.gw_port = q->gw_port;
	memcpy(m.gw_addr, q->gw_addr, AMT_GWADDR_LEN);
	gw_send_msg(gw, &q->relay, &m, NULL, GW_CTR_TEARDOWN_SENT);
}

/*
 * Without gateway address fields there can be no Teardown; instead
 * Updates that leave every group (5.2.3.8, second choice), IPv4 and
 * IPv6, with the MAC and nonce of the last Update's Query.
 */
static void
leave_all_once(struct gw *gw, const struct gw_qinfo *q)
{
	uint8_t		 buf[GW_PKT_MAX];
	struct igmp_rb	 rb;
	struct upd_ctx	 u;

	rb_start(gw, &rb, buf, &u, q);
	subs_leave(&gw->subs, &rb);
	igmp_rb_flush(&rb);
	gw_mld_leave_all(gw, q);
}

static void
repeat_send(struct gw *gw, uint64_t now)
{
	struct gw_repeat	*r = &gw->rep;

	if (r->teardown)
		teardown_once(gw, &r->q);
	else
		leave_all_once(gw, &r->q);
	r->left--;
	r->next = now + gw->conf->teardown_interval_ms;
}

/*
 * Teardown or the leaving Updates now and then QRV - 1 times more, a
 * teardown interval apart, as a state change is repeated (5.2.1).
 */
static void
repeat_start(struct gw *gw, uint64_t now, const struct gw_qinfo *q,
    int teardown)
{
	struct gw_repeat	*r = &gw->rep;

	r->q = *q;
	r->teardown = teardown;
	r->left = qrv_of(q);
	repeat_send(gw, now);
}

static void
repeat_timer(struct gw *gw, uint64_t now)
{
	if (gw->rep.left > 0 && now >= gw->rep.next)
		repeat_send(gw, now);
}

/*
 * Stop being a tunnel endpoint at the relay that last got an Update:
 * Teardown if it gave us gateway address fields, else an Update that
 * deletes the subscriptions.  why says what prompted it.
 */
static void
gw_leave_relay(struct gw *gw, uint64_t now, const char *why)
{
	if (!gw->upd.valid)
		return;
	log_info("leaving relay %s: %s", addr6_ntoa(gw->upd.relay.a), why);
	if (gw->upd.g) {
		log_info("teardown to relay %s (gateway %u, %u times)",
		    addr6_ntoa(gw->upd.relay.a), gw->upd.gw_port,
		    qrv_of(&gw->upd));
		repeat_start(gw, now, &gw->upd, 1);
	} else if (gw->subs.n > 0 || gw->mld.subs.n > 0) {
		log_info("update leaving %zu group(s) at relay %s",
		    gw->subs.n + gw->mld.subs.n, addr6_ntoa(gw->upd.relay.a));
		repeat_start(gw, now, &gw->upd, 0);
	}
	gw->upd.valid = 0;
}

/*
 * 5.2.3.4.1: start discovery with a fresh non-zero nonce.  With delay,
 * the first Discovery waits one back-off period (after an L flag, so a
 * full relay is not asked again at network speed).
 */
static void
gw_start_discovery(struct gw *gw, uint64_t now, int delay)
{
	do
		gw->disc_nonce = gw->ops->random(gw->ctx);
	while (gw->disc_nonce == 0);		/* 5.2.3.4.5 */
	gw->disc_tries = 0;
	change_state(gw, GW_STA_DISCOVERING, now);
	gw->disc_held = delay;
	if (delay) {
		gw->t_state = now + gw_backoff(gw, now,
		    gw->conf->disc_timeout_ms, gw->limit_n);
		return;
	}
	send_discovery(gw);
	gw->t_state = now + gw_backoff(gw, now, gw->conf->disc_timeout_ms,
	    gw->disc_backoff_n);
}

/* 5.2.3.5.2: a new membership update cycle with a new nonce. */
static void
gw_start_request(struct gw *gw, uint64_t now, int keep_backoff)
{
	gw->req_nonce = gw->ops->random(gw->ctx);	/* 5.2.3.5.6 */
	gw->req_tries = 0;
	if (!keep_backoff)
		gw->req_backoff_n = 0;
	change_state(gw, GW_STA_REQUESTING, now);
	send_request(gw);
	gw->t_state = now + gw_backoff(gw, now, gw->conf->req_timeout_ms,
	    gw->req_backoff_n);
}

/* Switch to relay addr (from an Advertisement or the configuration). */
static void
set_relay(struct gw *gw, uint64_t now, const struct mc_src6 *addr)
{
	if (gw->have_relay && mc_src6_eq(&gw->relay, addr))
		return;
	if (gw->have_relay) {
		gw->ctr[GW_CTR_RELAY_CHANGE]++;
		log_info("relay changed from %s to %s", addr6_ntoa(gw->relay.a),
		    addr6_ntoa(addr->a));
		/* 5.2.3.4.4, figure 18: Teardown to the old relay. */
		gw_leave_relay(gw, now, "relay changed");
	} else
		log_info("relay %s", addr6_ntoa(addr->a));
	gw->relay = *addr;
	gw->have_relay = 1;
	gw->cur.valid = 0;
	gw->t_refresh = 0;
	gw_mld_relay_lost(gw);
	/* The membership stays: the new relay gets it with its Query. */
}

int
gw_init(struct gw *gw, const struct gw_conf *conf, const struct gw_ops *ops,
    void *ctx)
{
	memset(gw, 0, sizeof(*gw));
	gw->conf = conf;
	gw->ops = ops;
	gw->ctx = ctx;
	gw->lim = (struct ratelimit)RATELIMIT_INIT(1000, 10);
	gw_set_target(gw, conf->fixed_relay, conf->fixed_relay ? &conf->relay :
	    &conf->discovery, 0);
	subs_init(&gw->subs);
	gw_mld_init(&gw->mld);
	return 0;
}

void
gw_free(struct gw *gw)
{
	subs_clear(&gw->subs);
	gw_mld_free(&gw->mld);
}

/* 5.2.3.1: the pseudo-interface is enabled; no start-up delay. */
void
gw_start(struct gw *gw, uint64_t now)
{
	gw->disc_backoff_n = gw->req_backoff_n = gw->limit_n = 0;
	gw->t_alive = now;
	if (gw->fixed && mc_src6_is_any(&gw->cfg_relay)) {
		change_state(gw, GW_STA_IDLE, now);	/* its name resolves */
		gw->t_state = 0;
	} else if (gw->fixed) {
		set_relay(gw, now, &gw->cfg_relay);
		gw_start_request(gw, now, 0);
	} else
		gw_start_discovery(gw, now, 0);
}

/*
 * Start again after gw_stop() (a tunnel wanted again while it was
 * leaving): what the relay held is gone, so the next Query takes the
 * whole state.
 */
void
gw_restart(struct gw *gw, uint64_t now)
{
	gw->rep.left = 0;
	gw->cur.valid = gw->upd.valid = 0;
	gw->t_refresh = 0;
	gw_mld_relay_lost(gw);
	gw_start(gw, now);
}

/* 5.2.3.8: shutdown.  Done once the repeats are out (gw_done()). */
void
gw_stop(struct gw *gw, uint64_t now)
{
	if (gw->state == GW_STA_STOPPING || gw->state == GW_STA_DONE)
		return;
	gw->rep.left = 0;
	gw_mld_relay_lost(gw);
	gw_leave_relay(gw, now, "shutting down");
	change_state(gw, GW_STA_STOPPING, now);
	gw->t_state = 0;
	if (gw->rep.left == 0)
		change_state(gw, GW_STA_DONE, now);
}

int
gw_done(const struct gw *gw)
{
	return gw->state == GW_STA_DONE;
}

/* Whether two configurations disagree on the underlay socket. */
static int
local_changed(const struct gw_conf *a, const struct gw_conf *b)
{
	return !mc_src6_eq(&a->local_addr, &b->local_addr) ||
	    a->local_port != b->local_port || strcmp(a->ifname, b->ifname) != 0;
}

/* Whether two configurations disagree on the relay or the socket. */
int
gw_relay_changed(const struct gw_conf *a, const struct gw_conf *b)
{
	return a->fixed_relay != b->fixed_relay ||
	    (a->fixed_relay && (!mc_src6_eq(&a->relay, &b->relay) ||
	    strcmp(a->relay_name, b->relay_name) != 0)) ||
	    (!a->fixed_relay && !mc_src6_eq(&a->discovery, &b->discovery)) ||
	    local_changed(a, b);
}

/*
 * Where the tunnel goes: a relay (fixed; 0 while its name resolves) or
 * a discovery address; failover: give the sources up to the owner
 * instead of trying the same relay for ever.  Before gw_start().
 */
void
gw_set_target(struct gw *gw, int fixed, const struct mc_src6 *addr,
    int failover)
{
	gw->fixed = fixed;
	static const struct mc_src6	 none;

	gw->cfg_relay = fixed ? *addr : none;
	gw->disc_addr = fixed ? none : *addr;
	gw->failover = failover;
}

/*
 * A new configuration (SIGHUP).  A different relay or underlay starts
 * over, leaving the old relay first; new timers apply from the next
 * time they are armed.
 */
void
gw_reconfigure(struct gw *gw, const struct gw_conf *conf, uint64_t now)
{
	const struct gw_conf	*old = gw->conf;
	int			 restart;

	restart = gw->failover ? local_changed(old, conf) :
	    gw_relay_changed(old, conf);
	gw->conf = conf;
	if (!restart || gw->state == GW_STA_STOPPING ||
	    gw->state == GW_STA_DONE)
		return;
	log_info("relay configuration changed: starting over");
	gw_leave_relay(gw, now, "configuration changed");
	gw->have_relay = 0;
	gw->cur.valid = 0;
	gw_mld_relay_lost(gw);
	gw_start(gw, now);
}

/*
 * A tunnel to a relay found through DNS does not insist: its sources
 * move to their next relay (RFC 8777 4.1.2).  Returns 1 if the owner
 * took over (the caller does nothing more).
 */
static int
give_up(struct gw *gw, uint64_t now, const char *why)
{
	if (!gw->failover || gw->ops->failed == NULL)
		return 0;
	log_warnx("relay %s: %s: its sources move to their next relay",
	    addr6_ntoa(gw->have_relay ? gw->relay.a : gw->disc_addr.a), why);
	gw->ops->failed(gw->ctx, gw, now);
	return 1;
}

/* Timer expiry in DISCOVERING: retransmit, or start over (5.2.3.4.3). */
static void
disc_timer(struct gw *gw, uint64_t now)
{
	if (gw->disc_held) {
		/* The held-back first Discovery: not a retransmission. */
		gw->disc_held = 0;
		send_discovery(gw);
		gw->t_state = now + gw_backoff(gw, now,
		    gw->conf->disc_timeout_ms, gw->disc_backoff_n);
		return;
	}
	gw->disc_tries++;
	if (gw->disc_tries > gw->conf->disc_retries) {
		gw->ctr[GW_CTR_DISC_TIMEOUT]++;
		if (give_up(gw, now, "no Relay Advertisement"))
			return;
		log_warnx("no Relay Advertisement from %s after %u "
		    "retransmissions; discovering again",
		    addr6_ntoa(gw->disc_addr.a), gw->conf->disc_retries);
		gw_start_discovery(gw, now, 0);
		return;
	}
	if (gw->disc_backoff_n < 31)
		gw->disc_backoff_n++;
	send_discovery(gw);
	gw->t_state = now + gw_backoff(gw, now, gw->conf->disc_timeout_ms,
	    gw->disc_backoff_n);
}

/* Timer expiry in REQUESTING: retransmit or give up (5.2.3.5.3). */
static void
req_timer(struct gw *gw, uint64_t now)
{
	gw->req_tries++;
	if (gw->req_backoff_n < 31)
		gw->req_backoff_n++;
	if (gw->req_tries > gw->conf->req_retries) {
		char	 why[64];

		gw->ctr[GW_CTR_REQ_TIMEOUT]++;
		snprintf(why, sizeof(why), "no Membership Query from it after "
		    "%u retransmissions", gw->conf->req_retries);
		tunnel_down(gw, now, why);
		if (give_up(gw, now, "no Membership Query"))
			return;
		if (!gw->fixed) {
			gw->disc_backoff_n = 0;
			gw_start_discovery(gw, now, 0);
		} else
			gw_start_request(gw, now, 1);
		return;
	}
	send_request(gw);
	gw->t_state = now + gw_backoff(gw, now, gw->conf->req_timeout_ms,
	    gw->req_backoff_n);
}

/*
 * The state again every query interval / (QRV + 1) (RFC 3376 8.1), so
 * a lost Update costs nothing: QRV copies within each cycle, and more
 * while the next cycle's Query is late, for as long as the relay holds
 * the state of the last Query (QRV query intervals).
 */
static uint64_t
refresh_slot(const struct gw *gw, unsigned k)
{
	return gw->cur.when + (uint64_t)k * gw->qi_ms /
	    (qrv_of(&gw->cur) + 1);
}

static void
refresh_arm(struct gw *gw)
{
	gw->refresh_k = 1;
	gw->t_refresh = refresh_slot(gw, 1);
}

static void
refresh_timer(struct gw *gw, uint64_t now)
{
	unsigned	 qrv = qrv_of(&gw->cur);

	if (gw->t_refresh == 0 || now < gw->t_refresh)
		return;
	gw->refresh_k++;
	gw->t_refresh = gw->refresh_k < qrv * (qrv + 1) ?
	    refresh_slot(gw, gw->refresh_k) : 0;
	if (gw->state == GW_STA_STOPPING || gw->state == GW_STA_DONE)
		return;
	/* A Request just went out: its Query brings the state anyway. */
	if (gw->state == GW_STA_REQUESTING && gw->req_tries == 0 &&
	    now - gw->since < gw->conf->req_timeout_ms)
		return;
	send_state(gw);
}

/* The retransmission or query timer of the current state. */
static void
state_timer(struct gw *gw, uint64_t now)
{
	if (gw->t_state == 0 || now < gw->t_state)
		return;
	gw->t_state = 0;
	switch (gw->state) {
	case GW_STA_DISCOVERING:
		disc_timer(gw, now);
		break;
	case GW_STA_REQUESTING:
		req_timer(gw, now);
		break;
	case GW_STA_ESTABLISHED:
		/* 5.2.3.5.5: query timer: the next cycle, new nonce. */
		gw_start_request(gw, now, 0);
		break;
	default:
		break;
	}
}

void
gw_timer(struct gw *gw, uint64_t now)
{
	repeat_timer(gw, now);
	if (gw->state == GW_STA_STOPPING && gw->rep.left == 0) {
		change_state(gw, GW_STA_DONE, now);
		return;
	}
	state_timer(gw, now);
	refresh_timer(gw, now);		/* after: it looks at the state */
	gw_mld_timer(gw, now);
}

/* The earliest deadline, or UINT64_MAX if no timer runs. */
uint64_t
gw_next_deadline(const struct gw *gw)
{
	uint64_t	 d = UINT64_MAX;

	if (gw->t_state != 0)
		d = gw->t_state;
	if (gw->rep.left > 0 && gw->rep.next < d)
		d = gw->rep.next;
	if (gw->t_refresh != 0 && gw->t_refresh < d)
		d = gw->t_refresh;
	if (gw_mld_deadline(gw) < d)
		d = gw_mld_deadline(gw);
	return d;
}

/* 5.2.3.4.4: accept an Advertisement only if it answers our Discovery. */
static void
recv_advertisement(struct gw *gw, uint64_t now, const struct mc_src6 *src,
    uint16_t sport,
    const struct amt_msg *m)
{
	struct mc_src6	 addr;

	if (gw->state != GW_STA_DISCOVERING || gw->disc_held) {
		gw->ctr[GW_CTR_ADV_UNEXPECTED]++;
		return;
	}
	if (m->nonce != gw->disc_nonce) {
		gw->ctr[GW_CTR_ADV_NONCE]++;
		log_debug_rl(&gw->lim, "advertisement from %s: wrong nonce",
		    addr6_ntoa(src->a));
		return;
	}
	if (!mc_src6_eq(src, &gw->disc_addr) || sport != AMT_PORT) {
		gw->ctr[GW_CTR_ADV_SOURCE]++;
		log_debug_rl(&gw->lim, "advertisement from %s:%u: not the "
		    "discovery address", addr6_ntoa(src->a), sport);
		return;
	}
	/* A relay address of either family, a unicast host (5.1.2.4). */
	if (m->relay_af == AF_INET && driad_unicast(be32_load(m->relay_addr)))
		addr = mc_src6_v4(be32_load(m->relay_addr));
	else if (m->relay_af == AF_INET6 && driad_unicast6(m->relay_addr))
		memcpy(addr.a, m->relay_addr, 16);
	else {
		gw->ctr[GW_CTR_ADV_FAMILY]++;
		log_debug_rl(&gw->lim, "advertisement from %s: no usable "
		    "relay address", addr6_ntoa(src->a));
		return;
	}
	gw->ctr[GW_CTR_ADV_RCVD]++;
	gw->disc_backoff_n = 0;
	set_relay(gw, now, &addr);
	gw_start_request(gw, now, 0);
}

/*
 * The encapsulated datagram must be an IPv4 IGMPv3 General Query
 * (5.2.3.5.4; P was 0).  Its source address does not matter (5.2.1).
 */
static int
inner_general_query(const uint8_t *p, size_t len, struct igmp_msg *g)
{
	struct ip4_info	 ip;

	if (igmp_decode_packet(p, len, &ip, g) != IGMP_OK)
		return 0;
	return g->type == IGMP_QUERY && g->version == 3 && g->group == 0;
}

/*
 * 5.2.3.5.4: the checks a Query must pass: awaited, our nonce, from the
 * relay, an IGMPv3 General Query inside.  Returns 1 and g if it does.
 */
static int
query_acceptable(struct gw *gw, const struct mc_src6 *src, uint16_t sport,
    const uint8_t *p, const struct amt_msg *m, struct igmp_msg *g)
{
	if (gw->state != GW_STA_REQUESTING) {
		gw->ctr[GW_CTR_QUERY_UNEXPECTED]++;
		return 0;
	}
	if (m->nonce != gw->req_nonce) {
		gw->ctr[GW_CTR_QUERY_NONCE]++;
		log_debug_rl(&gw->lim, "query from %s: wrong nonce",
		    addr6_ntoa(src->a));
		return 0;
	}
	if (!mc_src6_eq(src, &gw->relay) || sport != AMT_PORT) {
		gw->ctr[GW_CTR_QUERY_SOURCE]++;
		log_debug_rl(&gw->lim, "query from %s:%u: not the relay",
		    addr6_ntoa(src->a), sport);
		return 0;
	}
	if (m->inner_ver != 4 ||
	    !inner_general_query(p + m->inner_off, m->inner_len, g)) {
		gw->ctr[GW_CTR_QUERY_NOT_GENERAL]++;
		log_debug_rl(&gw->lim, "query from %s: not an IGMPv3 general "
		    "query", addr6_ntoa(src->a));
		return 0;
	}
	return 1;
}

/* What a Query leaves behind (5.2.3.5.4). */
static void
query_info(struct gw *gw, uint64_t now, const struct amt_msg *m,
    const struct igmp_msg *g, struct gw_qinfo *q)
{
	memset(q, 0, sizeof(*q));
	q->valid = 1;
	q->relay = gw->relay;
	memcpy(q->mac, m->mac, AMT_MAC_LEN);
	q->nonce = m->nonce;
	q->g = (m->flags & AMT_FLAG_G) != 0;
	q->gw_port = m->gw_port;
	memcpy(q->gw_addr, m->gw_addr, AMT_GWADDR_LEN);
	q->qrv = g->qrv;
	q->qqic = g->qqic;
	q->mrc = g->code;
	q->l = (m->flags & AMT_FLAG_L) != 0;
	q->when = now;
}

/*
 * L flag: a relay at its limit ignores Updates from new endpoints.
 * Without subscriptions there (or from a new address), look for
 * another relay; otherwise we may stay (5.2.3.5.4).  Returns 1 if the
 * gateway went looking.
 */
static int
query_limit(struct gw *gw, uint64_t now, const struct gw_qinfo *q,
    int moved)
{
	if (!q->l || (gw->subs.n > 0 && !moved && gw->upd.valid)) {
		gw->limit_n = 0;
		return 0;
	}
	gw->ctr[GW_CTR_QUERY_LIMIT]++;
	if (give_up(gw, now, "not accepting new tunnels (L flag)"))
		return 1;
	if (gw->fixed) {
		log_warnx_rl(&gw->lim, "relay %s is not accepting new tunnels "
		    "(L flag) and no other relay is configured",
		    addr6_ntoa(q->relay.a));
		return 0;
	}
	log_info("relay %s is not accepting new tunnels (L flag): "
	    "discovering another", addr6_ntoa(q->relay.a));
	if (gw->limit_n < 31)
		gw->limit_n++;
	gw_start_discovery(gw, now, 1);
	return 1;
}

/* The next cycle after the querier's interval (QQIC, RFC 3376 4.1.7). */
uint32_t
gw_query_interval(const struct gw *gw, uint8_t qqic)
{
	uint32_t	 qi = igmp_code_to_value(qqic) * 1000;

	if (qi == 0)
		qi = GW_DEFAULT_QI_MS;
	if (gw->conf->nat_keepalive_ms != 0 &&
	    gw->conf->nat_keepalive_ms < qi)
		qi = gw->conf->nat_keepalive_ms;
	return qi < GW_MIN_QI_MS ? GW_MIN_QI_MS : qi;
}

/*
 * The Query went to the host side, which reports its whole membership
 * within the Max Resp Time: age what it leaves out after that, with
 * half a second's grace.
 */
static void
ask_host(struct gw *gw, uint64_t now, const struct gw_qinfo *q)
{
	uint64_t	 mrt = (uint64_t)igmp_code_to_value(q->mrc) * 100;

	if (gw->ops->asked != NULL)
		gw->ops->asked(gw->ctx, now, (uint32_t)(mrt < 500 ? 500 : mrt) +
		    500);
}

/* 5.2.3.5.4: every check, then keep the Query and use it. */
static void
recv_query(struct gw *gw, uint64_t now, const struct mc_src6 *src,
    uint16_t sport,
    const uint8_t *p, const struct amt_msg *m)
{
	struct igmp_msg	 g;
	struct gw_qinfo	 q, prev = gw->cur;
	int		 moved;

	if (!query_acceptable(gw, src, sport, p, m, &g))
		return;
	query_info(gw, now, m, &g, &q);
	gw->ctr[GW_CTR_QUERY_RCVD]++;
	/* 5.2.3.5.4, 5.2.3.7.1: our address as the relay sees it moved. */
	moved = q.g && prev.valid && prev.g && (prev.gw_port != q.gw_port ||
	    memcmp(prev.gw_addr, q.gw_addr, AMT_GWADDR_LEN) != 0);
	if (moved) {
		gw->ctr[GW_CTR_GW_ADDR_CHANGED]++;
		log_info("relay sees this gateway at a new address (port %u "
		    "-> %u)", prev.gw_port, q.gw_port);
		gw_leave_relay(gw, now, "gateway address changed");
	}
	if (query_limit(gw, now, &q, moved))
		return;
	gw->cur = q;
	gw->req_backoff_n = 0;
	gw->t_alive = now;
	gw->qi_ms = gw_query_interval(gw, g.qqic);
	/*
	 * The next cycle a little early, at random (up to a tenth): a
	 * crowd of gateways that arrived together does not keep asking
	 * together (RFC 7450 leaves the moment open).
	 */
	gw->t_state = now + gw->qi_ms - gw_rand_between(gw, 0, gw->qi_ms / 10);
	/* Hand the query to the host side; only its own bytes. */
	if (gw->ops->tun_write(gw->ctx, p + m->inner_off, m->inner_len) == -1)
		gw->ctr[GW_CTR_SEND_ERR]++;
	else
		ask_host(gw, now, &q);
	refresh_arm(gw);
	/* A new tunnel gets the membership now (held or kept). */
	if (!prev.valid || !mc_src6_eq(&prev.relay, &q.relay) || moved)
		send_state(gw);
	if (!prev.valid || !gw->up)
		log_info("tunnel to relay %s established (query interval "
		    "%u s, QRV %u%s%s)%s", addr6_ntoa(gw->relay.a),
		    gw->qi_ms / 1000, qrv_of(&q), q.g ? ", G" : "",
		    q.l ? ", L" : "", prev.valid ? ": up again" : "");
	if (gw->silent)
		log_info("relay %s answers again after %llu s",
		    addr6_ntoa(gw->relay.a),
		    (unsigned long long)(now - gw->down_since) / 1000);
	gw->up = 1;
	gw->silent = 0;
	gw->down_since = 0;
	change_state(gw, GW_STA_ESTABLISHED, now);
}

/* Control messages from the UDP socket (data has its own path). */
void
gw_recv_amt(struct gw *gw, uint64_t now, const struct mc_src6 *src,
    uint16_t sport,
    const uint8_t *p, size_t len)
{
	struct amt_msg	 m;
	enum amt_err	 e;

	if (gw->state == GW_STA_STOPPING || gw->state == GW_STA_DONE)
		return;
	if ((e = amt_decode(p, len, &m)) != AMT_OK) {
		gw->ctr[GW_CTR_AMT_MALFORMED]++;
		log_debug_rl(&gw->lim, "from %s:%u: %s", addr6_ntoa(src->a),
		    sport, amt_strerror(e));
		return;
	}
	switch (m.type) {
	case AMT_ADVERTISEMENT:
		recv_advertisement(gw, now, src, sport, &m);
		break;
	case AMT_QUERY:
		if (!gw_mld_query(gw, now, src, sport, p, &m))
			recv_query(gw, now, src, sport, p, &m);
		break;
	default:
		/* 5.2.3.2: only Advertisement, Query and Data are ours. */
		gw->ctr[GW_CTR_AMT_WRONG_TYPE]++;
		break;
	}
}

/*
 * Records for this tunnel's share of the membership (the site splits
 * the host's reports, gw_site.c): into the tunnel's mirror, and to the
 * relay at once (no round trip) in reports of our own; before the
 * first Query the mirror keeps them and the Query takes all of it.
 */
void
gw_records(struct gw *gw, uint64_t now, const struct mc_rec *r, size_t n)
{
	struct gw_batch	*b = &gw->batch;
	int		 send = gw_usable(gw);
	size_t		 i;

	if (n == 0 || gw->state == GW_STA_STOPPING || gw->state == GW_STA_DONE)
		return;
	if (!send)
		gw->ctr[GW_CTR_REPORT_HELD]++;
	else if (!b->open) {
		rb_start(gw, &b->rb, b->buf, &b->u, &gw->cur);
		b->open = 1;
	}
	for (i = 0; i < n; i++) {
		(void)subs_record(&gw->subs, &r[i], now);
		if (send)
			igmp_rb_add(&b->rb, r[i].type, r[i].group, r[i].srcs,
			    r[i].nsrcs);
	}
	if (send && !b->hold)
		gw_flush(gw);
}

/*
 * Records of one host report go out together: gw_hold() before them,
 * gw_flush() after (both cheap when there were none).
 */
void
gw_hold(struct gw *gw)
{
	gw->batch.hold = 1;
	gw->mld.batch.hold = 1;
}

void
gw_flush(struct gw *gw)
{
	struct gw_batch	*b = &gw->batch;

	gw_mld_flush(gw);
	b->hold = 0;
	if (!b->open)
		return;
	b->open = 0;
	if (gw_usable(gw))
		igmp_rb_flush(&b->rb);
}

/* The relay Multicast Data must come from: 1 and *addr, or 0 if none. */
int
gw_relay(const struct gw *gw, struct mc_src6 *addr)
{
	if (!gw->have_relay)
		return 0;
	*addr = gw->relay;
	return 1;
}
