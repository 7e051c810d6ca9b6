/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The AMT relay's core (RFC 7450 section 5.3, relay_fsm.c): the
 * per-gateway membership state, the forwarding table the data path
 * reads, and the native joins, reference-counted.  No sockets and no
 * clock: time comes in, actions go out through struct relay_ops.
 */

#ifndef RELAY_H
#define RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "amt_proto.h"
#include "log.h"
#include "mac.h"
#include "relay_conf.h"
#include "srcset6.h"

#define RELAY_MAX_SRCS		256	/* per gateway and group */
#define RELAY_MAX_GROUPS	1024	/* per gateway */
#define RELAY_MAX_REPORTERS	32	/* per gateway and group */
#define RELAY_HASH		4096
#define RELAY_PFX_SLOTS		4096	/* per-prefix answer buckets */
#define RELAY_SWEEP_MIN_MS	100	/* expiry sweeps at most this often */

/* A token bucket (answers a second), milli-tokens for precision. */
struct relay_bucket {
	uint32_t	 key;		/* the source prefix */
	uint64_t	 milli;
	uint64_t	 when;		/* last refill, ms; 0: unused */
};

/*
 * Groups, sources and reporters of both families are kept in one form:
 * 16-byte keys, IPv4 as IPv4-mapped (srcset6.h), so that IGMPv3 and
 * MLDv2 (whose state tables are the same) share every table below.
 */

/* One reporter behind a tunnel (an inner source address): its filter,
 * refreshed by its reports, and when it runs out. */
struct relay_rep {
	struct mc_src6	 from;
	uint64_t	 timer;		/* deadline, ms */
	struct hstate6	 st;
};

/*
 * One group as one tunnel asks for it: every reporter's filter, and
 * their merge, which is what is forwarded and joined.
 */
struct relay_sub {
	struct mc_src6	 group;
	struct hstate6	 st;		/* the merge */
	struct relay_rep *reps;
	uint16_t	 nreps;
	uint16_t	 cap;
};

/* Working space of one relay. */
struct relay_scratch {
	uint32_t	 rec4[RELAY_MAX_SRCS];	/* an IGMP record's sources */
	struct mc_src6	 rec[RELAY_MAX_SRCS];	/* a record's sources */
	struct mc_src6	 merge[3][RELAY_MAX_SRCS];
	struct mc_src6	 out[RELAY_MAX_SRCS];
	struct mc_filter6 f[RELAY_MAX_REPORTERS];
};

struct relay_gw {
	struct mc_src6	 addr;		/* tunnel endpoint (IPv4 mapped) */
	uint16_t	 port;
	struct relay_sub	**subs;
	size_t		 nsubs;
	size_t		 cap;
	uint64_t	 created;
	uint64_t	 last_update;
	int		 paused;	/* unreachable: no data until heard */
	uint64_t	 data_pkts;
	struct relay_gw	*next;		/* hash chain */
};

/* The forwarding table entry for a group: who wants it, and how. */
struct relay_fwd_ent {
	struct relay_gw	*gw;
	struct relay_sub	*sub;
};

struct relay_fwd {
	struct mc_src6	 group;
	struct relay_fwd_ent *e;
	size_t		 n;
	size_t		 cap;
	struct relay_fwd	*next;
};

/* A native join the relay holds: (*,G) when src is all zeros. */
struct relay_join {
	struct mc_src6	 group;
	struct mc_src6	 src;
	unsigned	 refs;
	struct relay_join	*next;
};

enum relay_ctr {
	RELAY_CTR_DISCOVERY,
	RELAY_CTR_REQUEST,
	RELAY_CTR_REQUEST_MLD,
	RELAY_CTR_QUERY_SENT,
	RELAY_CTR_QUERY_LIMIT,
	RELAY_CTR_UPDATE,
	RELAY_CTR_UPDATE_BAD_MAC,
	RELAY_CTR_UPDATE_BAD_IGMP,
	RELAY_CTR_UPDATE_BAD_MLD,
	RELAY_CTR_UPDATE_LIMIT,
	RELAY_CTR_TEARDOWN,
	RELAY_CTR_TEARDOWN_BAD_MAC,
	RELAY_CTR_MALFORMED,
	RELAY_CTR_WRONG_TYPE,
	RELAY_CTR_GW_EXPIRED,
	RELAY_CTR_GW_PAUSED,
	RELAY_CTR_TEARDOWN_OFF,
	RELAY_CTR_SSM_EXCLUDE,
	RELAY_CTR_REPORTERS_FULL,
	RELAY_CTR_JOIN,
	RELAY_CTR_JOIN_FAILED,
	RELAY_CTR_LEAVE,
	RELAY_CTR_SECRET_ROTATED,
	RELAY_CTR_RATE_LIMITED,
	RELAY_CTR_MAX
};

extern const char *const relay_ctr_names[RELAY_CTR_MAX];

struct relay_ops {
	/* Send a control reply from socket sock to addr:port. */
	int	 (*send)(void *, int, const struct mc_src6 *, uint16_t,
		    const uint8_t *, size_t);
	/* Native membership on the upstream: src NULL for (*,G). */
	int	 (*join)(void *, const struct mc_src6 *,
		    const struct mc_src6 *);
	void	 (*leave)(void *, const struct mc_src6 *,
		    const struct mc_src6 *);
	void	 (*random)(void *, uint8_t *, size_t);
};

struct relay {
	const struct relay_conf	*conf;
	const struct relay_ops	*ops;
	void			*arg;
	struct relay_mac		 mac;
	struct relay_gw		*gws[RELAY_HASH];
	size_t			 ngws;
	struct relay_fwd		*fwd[RELAY_HASH];
	struct relay_join		*joins[RELAY_HASH];
	size_t			 njoins;
	uint64_t		 ctr[RELAY_CTR_MAX];
	struct relay_scratch	 s;
	struct ratelimit	 lim;
	struct ratelimit	 lim_gw;	/* tunnels coming and going */
	struct ratelimit	 lim_rate;	/* answers over the limit */
	struct relay_bucket	 total;
	struct relay_bucket	 pfx[RELAY_PFX_SLOTS];
	/* Expiry: a lower bound of the earliest state deadline. */
	uint64_t		 next_exp;	/* UINT64_MAX: nothing runs */
	uint64_t		 last_sweep;
};

int	 relay_init(struct relay *, const struct relay_conf *, const struct relay_ops *,
	    void *, uint64_t);
void	 relay_free(struct relay *);
void	 relay_recv(struct relay *, uint64_t, int, const struct mc_src6 *,
	    uint16_t, const uint8_t *, size_t);
void	 relay_timer(struct relay *, uint64_t);
uint64_t relay_next_deadline(const struct relay *);
const struct relay_fwd *relay_fwd_find(const struct relay *,
	    const struct mc_src6 *);
int	 relay_sub_wants(const struct relay_sub *, const struct mc_src6 *);
void	 relay_unreachable(struct relay *, const struct mc_src6 *, uint16_t);
struct relay_gw *relay_gw_find(const struct relay *, const struct mc_src6 *,
	    uint16_t);
struct emit;
void	 relay_show_counters(const struct relay *, struct emit *);
void	 relay_show_gateways(const struct relay *, uint64_t, struct emit *);
void	 relay_show_groups(const struct relay *, uint64_t, struct emit *);

static inline unsigned
relay_hash_g(const struct mc_src6 *g)
{
	return mc_src6_hash(g) % RELAY_HASH;
}

#endif
