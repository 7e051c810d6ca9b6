/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The AMT gateway's core (RFC 7450 section 5.2): a tunnel's state
 * machine (gw_fsm.c; no sockets or clocks: events come in with the
 * time, actions go out through struct gw_ops), the mirror of reported
 * membership (gw_subs.c), the site that splits the host side's
 * membership over tunnels and finds relays by DRIAD (gw_site.c), and
 * what amtctl is shown of them (gw_show.c).
 */

#ifndef GW_H
#define GW_H

#include <net/if.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "amt_proto.h"
#include "buf.h"
#include "gw_conf.h"
#include "igmp_proto.h"
#include "log.h"
#include "driad.h"
#include "mld_proto.h"
#include "srcset.h"
#include "srcset6.h"

#define GW_DEFAULT_QI_MS	125000	/* RFC 3376 8.2, when QQIC is 0 */
#define GW_DEFAULT_QRV		2

enum gw_state {
	GW_STA_IDLE,
	GW_STA_DISCOVERING,	/* Relay Discovery sent, no Advertisement */
	GW_STA_REQUESTING,	/* Request sent, waiting for the Query */
	GW_STA_ESTABLISHED,	/* Query held, query timer running */
	GW_STA_STOPPING,	/* shutdown: Teardown / Update repeats */
	GW_STA_DONE,
};

/* Counters, by what happened; gw_ctr_names[] in gw_fsm.c. */
enum gw_ctr {
	GW_CTR_DISC_SENT,
	GW_CTR_ADV_RCVD,
	GW_CTR_ADV_UNEXPECTED,
	GW_CTR_ADV_NONCE,
	GW_CTR_ADV_SOURCE,
	GW_CTR_ADV_FAMILY,
	GW_CTR_REQ_SENT,
	GW_CTR_QUERY_RCVD,
	GW_CTR_QUERY_UNEXPECTED,
	GW_CTR_QUERY_NONCE,
	GW_CTR_QUERY_SOURCE,
	GW_CTR_QUERY_NOT_GENERAL,
	GW_CTR_QUERY_LIMIT,
	GW_CTR_GW_ADDR_CHANGED,
	GW_CTR_UPDATE_SENT,
	GW_CTR_TEARDOWN_SENT,
	GW_CTR_REPORT_HELD,
	GW_CTR_STATE_SENT,
	GW_CTR_AMT_MALFORMED,
	GW_CTR_AMT_WRONG_TYPE,
	GW_CTR_SEND_ERR,
	GW_CTR_RELAY_CHANGE,
	GW_CTR_DISC_TIMEOUT,
	GW_CTR_REQ_TIMEOUT,
	GW_CTR_MAX
};

extern const char *const gw_ctr_names[GW_CTR_MAX];
extern const char *const gw_state_names[];

struct gw;

/*
 * Relay and discovery addresses are of either family, kept as 16-byte
 * keys (srcset6.h): IPv4 as ::ffff:a.b.c.d, which is also how a
 * dual-stack socket names IPv4 peers; all zeros is "none".
 */

/* What the state machine asks of the outside world. */
struct gw_ops {
	/* Send a UDP payload to addr:port. */
	int	 (*send)(void *, const struct mc_src6 *, uint16_t,
		    const uint8_t *, size_t);
	/* Write an IP datagram into the pseudo-interface. */
	int	 (*tun_write)(void *, const uint8_t *, size_t);
	/* A random 32-bit value (CSPRNG in the daemon). */
	uint32_t (*random)(void *);
	/* A Query went to the host side, which answers within ms. */
	void	 (*asked)(void *, uint64_t, uint32_t);
	/* The same for an MLDv2 Query. */
	void	 (*asked6)(void *, uint64_t, uint32_t);
	/* A failover tunnel gave its relay up (gw_set_target()). */
	void	 (*failed)(void *, struct gw *, uint64_t);
	/* ... or only for IPv6: it leaves Requests with P unanswered. */
	void	 (*failed6)(void *, struct gw *, uint64_t);
};

/* The fields a Membership Query leaves behind (5.2.3.5.4). */
struct gw_qinfo {
	int		 valid;
	struct mc_src6	 relay;
	uint8_t		 mac[AMT_MAC_LEN];
	uint32_t	 nonce;
	int		 g;
	uint16_t	 gw_port;
	uint8_t		 gw_addr[AMT_GWADDR_LEN];
	uint8_t		 qrv;
	uint8_t		 qqic;
	uint8_t		 mrc;
	uint8_t		 l;
	uint64_t	 when;		/* ms */
};

/* Teardown or the leaving Update, sent again until left runs out. */
struct gw_repeat {
	unsigned	 left;
	uint64_t	 next;
	int		 teardown;	/* else an Update leaving every group */
	struct gw_qinfo	 q;		/* the Query that authorises it */
};

/* One group as the host side reported it (host-side state). */
struct gw_sub {
	uint32_t	 group;
	struct hstate	 st;
	uint64_t	 seen;		/* last reported, ms */
};

#define GW_SUBS_MAX_GROUPS	4096
#define GW_SUBS_MAX_SRCS	1024

struct gw_subs {
	struct gw_sub	*v;
	size_t		 n;
	size_t		 cap;
	int		 overflow;	/* some state was not recorded */
	uint64_t	 asked;		/* a Query went to the host side */
	uint64_t	 sweep_at;	/* age what was not reported; 0: off */
	uint32_t	 scratch[GW_SUBS_MAX_SRCS];	/* a record's sources */
};

struct igmp_rb;
struct mc_rec;
void	 subs_init(struct gw_subs *);
void	 subs_clear(struct gw_subs *);
int	 subs_record(struct gw_subs *, const struct mc_rec *, uint64_t);
struct gw_sub *subs_find(const struct gw_subs *, uint32_t);
void	 subs_state(const struct gw_subs *, struct igmp_rb *);
void	 subs_leave(const struct gw_subs *, struct igmp_rb *);
size_t	 subs_age(struct gw_subs *, uint64_t, uint32_t *);

/* ---- MLD through the tunnel (gw_mld.c) ---- */

/* One IPv6 group as the host side reported it. */
struct gw_sub6 {
	struct mc_src6	 group;
	struct hstate6	 st;
	uint64_t	 seen;		/* last reported, ms */
};

/* IPv6 groups: the site's (the host side's), or a tunnel's share. */
struct gw_subs6 {
	struct gw_sub6	*v;
	size_t		 n;
	size_t		 cap;
	uint64_t	 asked;		/* an MLD Query went to the host */
	uint64_t	 sweep_at;	/* age the unreported; 0: off */
};

void	 subs6_free(struct gw_subs6 *);
struct gw_sub6 *subs6_find(const struct gw_subs6 *, const struct mc_src6 *);
int	 subs6_record(struct gw_subs6 *, const struct mc_rec6 *, uint64_t);
size_t	 subs6_age(struct gw_subs6 *, uint64_t, struct mc_src6 *);
struct emit;
void	 subs6_show(const struct gw_subs6 *, const char *, uint64_t,
	    struct emit *);

enum gw_mld_state {
	GW_MLD_IDLE,		/* no IPv6 groups, or no tunnel yet */
	GW_MLD_REQUESTING,	/* Request P=1 sent, waiting for the Query */
	GW_MLD_ESTABLISHED,	/* MLDv2 Query held, query timer running */
};

enum gw_mld_ctr {
	GW_MLD_REQ_SENT,
	GW_MLD_QUERY_RCVD,
	GW_MLD_QUERY_REJECTED,
	GW_MLD_RECORD_HELD,
	GW_MLD_UPDATE_SENT,
	GW_MLD_CTR_MAX
};

extern const char *const gw_mld_ctr_names[GW_MLD_CTR_MAX];

/* An Update under the Query q, for the report builder. */
struct upd_ctx {
	struct gw		*gw;
	const struct gw_qinfo	*q;
};

/* IPv6 records that go out together (gw_hold(), gw_flush()). */
struct gw_batch6 {
	int		 hold;
	int		 open;
	struct mld_rb	 rb;
	struct upd_ctx	 u;
	uint8_t		 buf[GW_PKT_MAX];
};

/*
 * The IPv6 side of a tunnel: its own Request (P=1) / MLDv2 Query cycle
 * to the tunnel's relay, run while its share of the host side's IPv6
 * groups is not empty, and that share, whose records go out in MLDv2
 * Reports.
 */
struct gw_mld {
	enum gw_mld_state	 state;
	uint32_t		 nonce;
	unsigned		 tries;
	unsigned		 backoff_n;
	uint64_t		 t_state;	/* retransmit or query timer */
	struct gw_qinfo		 cur;		/* the last MLDv2 Query */
	uint32_t		 qi_ms;
	struct gw_subs6		 subs;
	struct gw_batch6	 batch;
	uint64_t		 ctr[GW_MLD_CTR_MAX];
};

/* Records that go out together (gw_hold(), gw_flush()). */
struct gw_batch {
	int		 hold;
	int		 open;
	struct igmp_rb	 rb;
	struct upd_ctx	 u;
	uint8_t		 buf[GW_PKT_MAX];
};

/*
 * While the tunnel is being found again, retransmissions wait at most
 * GW_RECOVER_MAX_MS for GW_RECOVER_PERIOD_MS after the last Query (or
 * the start), then up to retransmit-max (amtgwd(8)).
 */
#define GW_RECOVER_MAX_MS	10000
#define GW_RECOVER_PERIOD_MS	600000

struct gw {
	const struct gw_conf	*conf;
	const struct gw_ops	*ops;
	void			*ctx;
	enum gw_state		 state;
	uint64_t		 since;		/* state entered, ms */

	int			 fixed;		/* a relay, no discovery */
	struct mc_src6		 cfg_relay;	/* that relay; 0: not yet */
	struct mc_src6		 disc_addr;	/* else discovery from here */
	int			 failover;	/* give up, don't insist */

	struct mc_src6		 relay;		/* current Relay Address */
	int			 have_relay;
	uint32_t		 disc_nonce;
	unsigned		 disc_tries;
	int			 disc_held;	/* first Discovery held back */
	unsigned		 disc_backoff_n;
	uint32_t		 req_nonce;
	unsigned		 req_tries;
	unsigned		 req_backoff_n;
	unsigned		 limit_n;	/* consecutive L-flag Queries */
	uint64_t		 t_state;	/* retransmit or query timer */
	uint64_t		 t_alive;	/* last Query, or the start */
	uint64_t		 t_refresh;	/* state repeat; 0: off */
	unsigned		 refresh_k;	/* its slot in the cycle */
	uint32_t		 qi_ms;		/* current query interval */
	int			 up;		/* the tunnel is established */
	int			 silent;	/* its silence was said */
	uint64_t		 down_since;	/* since when, ms */

	struct gw_qinfo		 cur;		/* last accepted Query */
	struct gw_qinfo		 upd;		/* Query of the last Update */
	struct gw_repeat	 rep;
	struct gw_subs		 subs;
	struct gw_batch		 batch;
	struct gw_mld		 mld;

	uint64_t		 ctr[GW_CTR_MAX];
	struct ratelimit	 lim;
};

int	 gw_init(struct gw *, const struct gw_conf *, const struct gw_ops *,
	    void *);
void	 gw_free(struct gw *);
void	 gw_start(struct gw *, uint64_t);
void	 gw_restart(struct gw *, uint64_t);
void	 gw_stop(struct gw *, uint64_t);
int	 gw_done(const struct gw *);
void	 gw_reconfigure(struct gw *, const struct gw_conf *, uint64_t);
void	 gw_timer(struct gw *, uint64_t);
uint64_t gw_next_deadline(const struct gw *);
void	 gw_recv_amt(struct gw *, uint64_t, const struct mc_src6 *, uint16_t,
	    const uint8_t *, size_t);
void	 gw_records(struct gw *, uint64_t, const struct mc_rec *, size_t);
void	 gw_hold(struct gw *);
void	 gw_flush(struct gw *);
void	 gw_set_target(struct gw *, int, const struct mc_src6 *, int);
struct emit;
void	 gw_show(const struct gw *, uint64_t, struct emit *);
void	 subs_show(const struct gw_subs *, const char *, uint64_t,
	    struct emit *);
void	 gw_show_counters(const struct gw *, struct emit *);
int	 gw_relay(const struct gw *, struct mc_src6 *);
/* for gw_mld.c */
void	 gw_send_msg(struct gw *, const struct mc_src6 *,
	    const struct amt_msg *,
	    const uint8_t *, enum gw_ctr);
void	 gw_update_emit(void *, const uint8_t *, size_t);
uint32_t gw_backoff(struct gw *, uint64_t, uint32_t, unsigned);
uint32_t gw_rand_between(struct gw *, uint32_t, uint32_t);
int	 gw_usable(const struct gw *);
uint32_t gw_query_interval(const struct gw *, uint8_t);

void	 gw_mld_init(struct gw_mld *);
void	 gw_mld_free(struct gw_mld *);
void	 gw_mld_records(struct gw *, uint64_t, const struct mc_rec6 *,
	    size_t);
void	 gw_mld_flush(struct gw *);
int	 gw_mld_query(struct gw *, uint64_t, const struct mc_src6 *, uint16_t,
	    const uint8_t *, const struct amt_msg *);
void	 gw_mld_timer(struct gw *, uint64_t);
uint64_t gw_mld_deadline(const struct gw *);
void	 gw_mld_relay_lost(struct gw *);
void	 gw_mld_leave_all(struct gw *, const struct gw_qinfo *);
void	 gw_mld_show(const struct gw *, const struct gw_subs6 *, uint64_t,
	    struct emit *);
int	 gw_relay_changed(const struct gw_conf *, const struct gw_conf *);

/* ---- the site: the host side's membership and many tunnels ---- */

/*
 * gw_site.c splits what the host side reports on the pseudo-interface
 * over tunnels: ASM groups and sources without AMTRELAY records go to
 * the default tunnel (relay or discovery in the configuration); every
 * other source to a tunnel to the relay DNS names for it (RFC 8777).
 */

#define GW_DRIAD_CANDS		16	/* relays kept per source */
#define GW_SRCS_MAX		4096	/* sources with DRIAD state */
#define GW_DNS_RETRY_MIN_MS	1000	/* a failed lookup again after */
#define GW_DNS_RETRY_MAX_MS	300000	/* ... doubling up to */
#define GW_DNS_TTL_MAX_S	86400	/* answers kept at most */
#define GW_DNS_NEG_TTL_MAX_S	3600	/* "no records" kept at most */

enum gw_how {
	GW_HOW_CONF,		/* relay in the configuration */
	GW_HOW_DISCOVERY,	/* discovery address in it */
	GW_HOW_DRIAD,		/* an AMTRELAY record */
};

struct gw_tnl {
	struct gw	 fsm;
	enum gw_how	 how;
	struct mc_src6	 key;		/* the record's address */
	char		 rec[128];	/* the record, presentation form */
	uint64_t	 idle_since;	/* no groups since; 0: in use */
	int		 dead;		/* gave its relay up */
	int		 whole;		/* holds all of a group */
};

/* One relay of a source's RRset, in the order tried. */
struct gw_cand {
	uint8_t		 prec;
	uint8_t		 d;
	uint8_t		 type;		/* enum driad_type */
	struct mc_src6	 addr;
	char		*name;		/* type 3 until resolved */
	char		*via;		/* the type 3 name it came from */
};

enum gw_src_state {
	GW_SRC_QUEUED,		/* its lookup waits for a free slot */
	GW_SRC_LOOKUP,		/* AMTRELAY lookup in flight */
	GW_SRC_NAME,		/* a relay name's A lookup */
	GW_SRC_RELAY,		/* served by tunnel t */
	GW_SRC_DEFAULT,		/* by the default tunnel (why) */
	GW_SRC_UNSERVED,	/* a type 0 record: no relay */
	GW_SRC_IDLE,		/* records known, no tunnel now */
};

struct gw_src {
	struct mc_src6	 addr;		/* IPv4 as ::ffff:a.b.c.d */
	uint8_t		 st;		/* enum gw_src_state */
	uint8_t		 inflight;	/* a lookup of ours is out */
	uint8_t		 refresh;	/* renewal wanted (TTL ran out) */
	const char	*why;		/* why the default tunnel */
	unsigned	 tries;		/* failed lookups in a row */
	uint64_t	 expires;	/* the answer's TTL; 0: none */
	uint64_t	 retry_at;	/* a failed lookup again; 0: no */
	struct gw_cand	 c[GW_DRIAD_CANDS];
	unsigned	 nc;
	unsigned	 cur;		/* the one in use */
	struct gw_tnl	*t;
};

/* A lookup of addresses of either family (A and AAAA together). */
#define GW_DNS_ADDR		0

enum gw_lk_kind {
	GW_LK_FREE,
	GW_LK_SOURCE,		/* AMTRELAY of a source's reverse name */
	GW_LK_NAME,		/* A of a type 3 relay */
	GW_LK_RELAY,		/* A of the configured relay's name */
};

struct gw_lookup {
	uint8_t		 kind;
	struct mc_src6	 src;
};

enum gw_dns_status {
	GW_DNS_OK,		/* records (rr, len) */
	GW_DNS_NONE,		/* the name or the type does not exist */
	GW_DNS_FAIL,		/* no answer, server failure */
	GW_DNS_BOGUS,		/* DNSSEC validation failed */
};

struct gw_dns_answer {
	enum gw_dns_status	 status;
	uint32_t		 ttl;	/* s */
	size_t			 n;
	const uint8_t *const	*rr;	/* RDATA of each record */
	const size_t		*len;
};

enum gw_site_ctr {
	GW_SITE_REPORT_RCVD,
	GW_SITE_TUN_IGNORED,
	GW_SITE_GROUPS_AGED,
	GW_SITE_LOOKUPS,
	GW_SITE_LOOKUP_QUEUED,
	GW_SITE_ANSWERS,
	GW_SITE_NO_RECORDS,
	GW_SITE_DNS_FAILED,
	GW_SITE_DNS_BOGUS,
	GW_SITE_RR_MALFORMED,
	GW_SITE_RR_SKIPPED,
	GW_SITE_FAILOVERS,
	GW_SITE_TUNNELS_LIMIT,
	GW_SITE_SOURCES_LIMIT,
	GW_SITE_TUNNELS_OPENED,
	GW_SITE_TUNNELS_CLOSED,
	GW_SITE_MLD_REPORT_RCVD,
	GW_SITE_MLD_TUN_IGNORED,
	GW_SITE_MLD_GROUPS_AGED,
	GW_SITE_MLD_GROUPS_FULL,
	GW_SITE_GROUPS_FULL,
	GW_SITE_CTR_MAX
};

/* What the site asks of the daemon. */
struct gw_site_ops {
	int	 (*send)(void *, const struct mc_src6 *, uint16_t,
		    const uint8_t *, size_t);
	int	 (*tun_write)(void *, const uint8_t *, size_t);
	uint32_t (*random)(void *);
	/* Look up name/type; the answer comes to site_dns() with id. */
	int	 (*lookup)(void *, unsigned, const char *, uint16_t);
};

/* A DRIAD source and the relay that serves it (the data path's). */
struct gw_acc {
	struct mc_src6	 src;
	struct mc_src6	 relay;
};

struct gw_site {
	const struct gw_conf		*conf;
	const struct gw_site_ops	*ops;
	void				*ctx;
	struct gw_ops			 tops;	/* the tunnels' */
	struct gw_tnl			 def;	/* the default tunnel */
	struct gw_tnl			**t;	/* found by DRIAD */
	size_t				 nt;
	struct gw_src			*src;	/* sorted by address */
	size_t				 nsrc;
	size_t				 srccap;
	struct gw_lookup		*lk;	/* lookups in flight */
	unsigned			 nlk;
	uint64_t			 src_due;	/* a source's timer */
	uint64_t			 relay_retry;	/* relay name again */
	unsigned			 relay_tries;
	int				 started;
	int				 stopping;
	struct gw_subs			 subs;	/* the host side's */
	struct gw_subs6			 subs6;	/* ... IPv6 groups */
	struct gw_acc			*acc;	/* by source, relay */
	size_t				 nacc;
	size_t				 acccap;
	struct mc_src6			 accrelays[GW_TUNNELS_MAX];
	uint32_t			 want[GW_SUBS_MAX_SRCS];
	const struct gw		*rt[GW_SUBS_MAX_SRCS];	/* routes */
	uint32_t			 sa[GW_SUBS_MAX_SRCS];
	uint32_t			 sb[GW_SUBS_MAX_SRCS];
	uint32_t			 groups[GW_SUBS_MAX_GROUPS];
	struct mc_src6			 scratch6[GW_SUBS_MAX_SRCS];
	struct mc_src6			 want6[GW_SUBS_MAX_SRCS];
	struct mc_src6			 sa6[GW_SUBS_MAX_SRCS];
	struct mc_src6			 sb6[GW_SUBS_MAX_SRCS];
	struct mc_src6			 groups6[GW_SUBS_MAX_GROUPS];
	uint64_t			 ctr[GW_SITE_CTR_MAX];
	struct ratelimit		 lim;
};

int	 site_init(struct gw_site *, const struct gw_conf *,
	    const struct gw_site_ops *, void *);
void	 site_free(struct gw_site *);
void	 site_start(struct gw_site *, uint64_t);
void	 site_stop(struct gw_site *, uint64_t);
int	 site_done(const struct gw_site *);
void	 site_reconfigure(struct gw_site *, const struct gw_conf *, uint64_t);
void	 site_timer(struct gw_site *, uint64_t);
uint64_t site_next_deadline(const struct gw_site *);
void	 site_recv_amt(struct gw_site *, uint64_t, const struct mc_src6 *,
	    uint16_t, const uint8_t *, size_t);
void	 site_tun_packet(struct gw_site *, uint64_t, const uint8_t *, size_t);
void	 site_dns(struct gw_site *, uint64_t, unsigned,
	    const struct gw_dns_answer *);
void	 site_show(const struct gw_site *, uint64_t, struct emit *);
/* What Multicast Data is accepted, and from where (site_accept()). */
struct gw_accept {
	int		 def_ok;	/* the default relay: any source */
	struct mc_src6	 def_relay;
	const struct gw_acc *keys;	/* sorted by source, relay */
	size_t		 n;
	const struct mc_src6 *relays;	/* the other tunnels' relays */
	size_t		 nrelays;
};

enum gw_verdict {
	GW_DATA_OK,
	GW_DATA_NOT_RELAY,	/* from no relay of ours */
	GW_DATA_NOT_SERVED,	/* from a relay, not for its sources */
};

void	 site_accept(struct gw_site *, struct gw_accept *);
enum gw_verdict gw_accept_data(const struct gw_accept *,
	    const struct mc_src6 *, const struct mc_src6 *);
struct gw_src *site_source(const struct gw_site *, const struct mc_src6 *);
void	 site_rec_text(const struct gw_cand *, char *, size_t);
struct gw_tnl *site_tunnel(const struct gw_site *, const struct mc_src6 *);

#endif
