/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtrelayd: an AMT relay (RFC 7450 section 5.3), IPv4 underlay.  The
 * configuration (config.c), the Response MAC (mac.c, SipHash-2-4 from
 * libsodium with a rotating secret), the per-gateway membership state
 * and the forwarding table (relay_fsm.c, no sockets or clocks), and the
 * I/O glue: control on UDP 2268, native multicast in through a packet
 * socket, Multicast Data out with sendmmsg (relay_io.c).
 */

#ifndef AMTRELAYD_H
#define AMTRELAYD_H

#include <net/if.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "conf.h"
#include "amt_proto.h"
#include "log.h"

#define RL_CONF_FILE		SYSCONFDIR "/amtrelayd.conf"
#define RL_PIDFILE		RUNDIR "/amtrelayd.pid"
#define RL_CTLSOCK		RUNDIR "/amtrelayd.sock"
#define RL_MAX_DISC		8
#define RL_MAX_SRCS		256	/* per gateway and group */
#define RL_MAX_GROUPS		1024	/* per gateway */
#define RL_HASH			4096

struct rl_conf {
	uint32_t	 disc[RL_MAX_DISC];	/* discovery addresses */
	unsigned	 ndisc;
	uint32_t	 relay;			/* relay (unicast) address */
	char		 upstream[IFNAMSIZ];	/* native multicast arrives */
	uint32_t	 qi_ms;
	uint32_t	 qri_ms;
	uint32_t	 mrt_ms;		/* the query's Max Resp Code */
	unsigned	 robustness;
	uint32_t	 secret_ms;		/* secret lifetime */
	unsigned	 tunnel_limit;		/* 0: none */
	unsigned	 path_mtu;
	unsigned	 sndbuf_kb;
	struct conf_daemon d;		/* user, pidfile, control socket */
};

void	 rl_conf_defaults(struct rl_conf *);
int	 rl_conf_parse(struct rl_conf *, FILE *, const char *);
int	 rl_conf_load(struct rl_conf *, const char *);
void	 rl_conf_print(const struct rl_conf *, FILE *);

/* ---- Response MAC (mac.c) ---- */

#define RL_KEYLEN	16

struct rl_mac {
	uint8_t		 cur[RL_KEYLEN];
	uint8_t		 prev[RL_KEYLEN];
	int		 have_prev;
	uint64_t	 rotated;	/* when cur became current, ms */
};

void	 mac_init(struct rl_mac *, const uint8_t *, uint64_t);
void	 mac_rotate(struct rl_mac *, const uint8_t *, uint64_t);
void	 mac_compute(const uint8_t *, uint32_t, uint16_t, uint32_t,
	    uint8_t[AMT_MAC_LEN]);
int	 mac_verify(const struct rl_mac *, uint64_t, uint32_t, uint32_t,
	    uint16_t, uint32_t, const uint8_t[AMT_MAC_LEN]);

/* ---- per-gateway state and the forwarding table (relay_fsm.c) ---- */

/* One group as one gateway asked for it (the gateway is one host). */
struct rl_sub {
	uint32_t	 group;
	uint8_t		 exclude;
	uint16_t	 nsrcs;
	uint32_t	*srcs;		/* sorted */
	uint64_t	 timer;		/* deadline, ms */
};

struct rl_gw {
	uint32_t	 addr;		/* tunnel endpoint, host order */
	uint16_t	 port;
	struct rl_sub	**subs;
	size_t		 nsubs;
	size_t		 cap;
	uint64_t	 created;
	uint64_t	 last_update;
	uint64_t	 data_pkts;
	struct rl_gw	*next;		/* hash chain */
};

/* The forwarding table entry for a group: who wants it, and how. */
struct rl_fwd_ent {
	struct rl_gw	*gw;
	struct rl_sub	*sub;
};

struct rl_fwd {
	uint32_t	 group;
	struct rl_fwd_ent *e;
	size_t		 n;
	size_t		 cap;
	struct rl_fwd	*next;
};

/* A native join the relay holds: (*,G) when src is 0. */
struct rl_join {
	uint32_t	 group;
	uint32_t	 src;
	unsigned	 refs;
	struct rl_join	*next;
};

enum rl_ctr {
	RL_CTR_DISCOVERY,
	RL_CTR_REQUEST,
	RL_CTR_REQUEST_MLD,
	RL_CTR_QUERY_SENT,
	RL_CTR_QUERY_LIMIT,
	RL_CTR_UPDATE,
	RL_CTR_UPDATE_BAD_MAC,
	RL_CTR_UPDATE_BAD_IGMP,
	RL_CTR_UPDATE_LIMIT,
	RL_CTR_TEARDOWN,
	RL_CTR_TEARDOWN_BAD_MAC,
	RL_CTR_MALFORMED,
	RL_CTR_WRONG_TYPE,
	RL_CTR_GW_EXPIRED,
	RL_CTR_JOIN,
	RL_CTR_JOIN_FAILED,
	RL_CTR_LEAVE,
	RL_CTR_SECRET_ROTATED,
	RL_CTR_DATA_IN,
	RL_CTR_DATA_OUT,
	RL_CTR_DATA_NO_MEMBER,
	RL_CTR_DATA_TOO_BIG,
	RL_CTR_DATA_FRAGMENTED,
	RL_CTR_DATA_SEND_ERR,
	RL_CTR_DATA_CSUM_FIXED,
	RL_CTR_MAX
};

extern const char *const rl_ctr_names[RL_CTR_MAX];

struct rl_ops {
	/* Send a control reply from socket sock to addr:port. */
	int	 (*send)(void *, int, uint32_t, uint16_t, const uint8_t *,
		    size_t);
	/* Native membership on the upstream: src 0 for (*,G). */
	int	 (*join)(void *, uint32_t, uint32_t);
	void	 (*leave)(void *, uint32_t, uint32_t);
	void	 (*random)(void *, uint8_t *, size_t);
};

struct relay {
	const struct rl_conf	*conf;
	const struct rl_ops	*ops;
	void			*arg;
	struct rl_mac		 mac;
	struct rl_gw		*gws[RL_HASH];
	size_t			 ngws;
	struct rl_fwd		*fwd[RL_HASH];
	struct rl_join		*joins[RL_HASH];
	size_t			 njoins;
	uint64_t		 ctr[RL_CTR_MAX];
	struct ratelimit	 rl;
};

int	 rl_init(struct relay *, const struct rl_conf *, const struct rl_ops *,
	    void *, uint64_t);
void	 rl_free(struct relay *);
void	 rl_recv(struct relay *, uint64_t, int, uint32_t, uint16_t,
	    const uint8_t *, size_t);
void	 rl_timer(struct relay *, uint64_t);
uint64_t rl_next_deadline(const struct relay *);
const struct rl_fwd *rl_fwd_find(const struct relay *, uint32_t);
int	 rl_sub_wants(const struct rl_sub *, uint32_t);
struct rl_gw *rl_gw_find(const struct relay *, uint32_t, uint16_t);
struct emit;
void	 rl_show_gateways(const struct relay *, uint64_t, struct emit *);
void	 rl_show_groups(const struct relay *, uint64_t, struct emit *);

static inline unsigned
rl_hash_g(uint32_t g)
{
	uint32_t	 h = g * 2654435761U;

	return (h ^ h >> 15) % RL_HASH;
}

#endif
