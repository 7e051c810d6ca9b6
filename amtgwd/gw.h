/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The AMT gateway's core (RFC 7450 section 5.2): the state machine
 * (gw_fsm.c; no sockets or clocks: events come in with the time,
 * actions go out through struct gw_ops) and the mirror of the
 * membership it has reported (gw_subs.c).
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
#include "log.h"
#include "srcset.h"

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
	GW_CTR_REPORT_RCVD,
	GW_CTR_REPORT_HELD,
	GW_CTR_STATE_SENT,
	GW_CTR_GROUPS_AGED,
	GW_CTR_TUN_IGNORED,
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

/* What the state machine asks of the outside world. */
struct gw_ops {
	/* Send a UDP payload to addr:port (addr in host order). */
	int	 (*send)(void *, uint32_t, uint16_t, const uint8_t *, size_t);
	/* Write an IP datagram into the pseudo-interface. */
	int	 (*tun_write)(void *, const uint8_t *, size_t);
	/* A random 32-bit value (CSPRNG in the daemon). */
	uint32_t (*random)(void *);
};

/* The fields a Membership Query leaves behind (5.2.3.5.4). */
struct gw_qinfo {
	int		 valid;
	uint32_t	 relay;
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
void	 subs_record(struct gw_subs *, const struct mc_rec *, uint64_t);
void	 subs_state(const struct gw_subs *, struct igmp_rb *);
void	 subs_leave(const struct gw_subs *, struct igmp_rb *);
size_t	 subs_age(struct gw_subs *, uint64_t, struct igmp_rb *);

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

	uint32_t		 relay;		/* current Relay Address */
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
	int			 silent;	/* the relay's silence was said */
	uint64_t		 down_since;	/* since when, ms */

	struct gw_qinfo		 cur;		/* last accepted Query */
	struct gw_qinfo		 upd;		/* Query of the last Update */
	struct gw_repeat	 rep;
	struct gw_subs		 subs;

	uint64_t		 ctr[GW_CTR_MAX];
	struct ratelimit	 lim;
};

int	 gw_init(struct gw *, const struct gw_conf *, const struct gw_ops *,
	    void *);
void	 gw_free(struct gw *);
void	 gw_start(struct gw *, uint64_t);
void	 gw_stop(struct gw *, uint64_t);
int	 gw_done(const struct gw *);
void	 gw_reconfigure(struct gw *, const struct gw_conf *, uint64_t);
void	 gw_timer(struct gw *, uint64_t);
uint64_t gw_next_deadline(const struct gw *);
void	 gw_recv_amt(struct gw *, uint64_t, uint32_t, uint16_t,
	    const uint8_t *, size_t);
void	 gw_tun_packet(struct gw *, uint64_t, const uint8_t *, size_t);
struct emit;
void	 gw_show(const struct gw *, uint64_t, struct emit *);
void	 gw_show_counters(const struct gw *, struct emit *);
int	 gw_relay(const struct gw *, uint32_t *);
int	 gw_relay_changed(const struct gw_conf *, const struct gw_conf *);

#endif
