/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The proxy engine (px.c): the downstream interfaces, the upstream host
 * part and the forwarding cache glued together.  It is driven by
 * events (IGMP datagrams, upcalls, link and address changes, the
 * clock) and acts through struct px_os, so that the unit tests run it
 * against a fake kernel.
 */

#ifndef PX_H
#define PX_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "group.h"
#include "iface.h"
#include "log.h"
#include "mfc.h"
#include "mrtmsg.h"
#include "px_conf.h"
#include "px_os.h"
#include "upstream.h"

/* The upstream interface as the engine tracks it. */
struct px_upif {
	char		 name[IFNAMSIZ];
	int		 ifindex;
	int		 active;
	struct mc_src6	 addr;		/* 0: none */
	int		 vif;		/* 0 when present, else -1 */
};

/*
 * Every PX_OUT_CHECK_MS, a downstream interface that multicast routing
 * sent PX_OUT_MIN datagrams or more but that transmitted less than half
 * of them loses them after the routing: a firewall's forward chain, most
 * likely.  Said (rate-limited) and counted.
 */
#define PX_OUT_CHECK_MS		10000
#define PX_OUT_MIN		50

struct proxy {
	int			 v6;		/* MLD and MRT6, else IGMP */
	const struct px_conf	*conf;
	const struct px_os	*os;
	void			*os_arg;
	struct px_env		 env;		/* for group, iface, upstream */
	struct px_scratch	*scratch;
	struct px_iface		 ds[PX_MAX_DOWNSTREAM];
	unsigned		 nds;
	struct px_upif		 upif;
	struct px_upstream	 up;
	struct mfc		 mfc;
	struct mc_src6		*dirty;		/* groups to bring up to date */
	size_t			 ndirty;
	size_t			 dirtycap;
	int			 all_dirty;
	struct ratelimit	 lim;
	uint64_t		 out_check_at;	/* next px_out_check() */
	struct ratelimit	 lim_refused;	/* joins not served */
	uint64_t		 ctr_rx;
	uint64_t		 ctr_bad;
	uint64_t		 ctr_own;
	uint64_t		 ctr_unknown_if;
	uint64_t		 ctr_acl_denied;
};

int	 px_init(struct proxy *, const struct px_conf *, const struct px_os *,
	    void *, int);
void	 px_free(struct proxy *);
void	 px_reconfigure(struct proxy *, const struct px_conf *, uint64_t);
void	 px_packet(struct proxy *, uint64_t, int, const uint8_t *, size_t);
void	 px_upcall(struct proxy *, uint64_t, const struct mrt_msg *);
void	 px_packet6(struct proxy *, uint64_t, int, const uint8_t *, size_t);
void	 px_upcall6(struct proxy *, uint64_t, const struct mrt6_msg *);
void	 px_addr6(struct proxy *, uint64_t, int, const uint8_t *, int);
void	 px_link(struct proxy *, uint64_t, int, const char *, int, unsigned);
void	 px_link_gone(struct proxy *, uint64_t, int);
void	 px_addr(struct proxy *, uint64_t, int, uint32_t, uint8_t, int);
void	 px_timer(struct proxy *, uint64_t);
uint64_t px_next_deadline(const struct proxy *);
void	 px_flush(struct proxy *, uint64_t);
void	 px_shutdown(struct proxy *, uint64_t);
struct px_iface *px_iface_by_index(struct proxy *, int);

struct emit;
void	 px_show_interfaces(const struct proxy *, uint64_t, struct emit *);
void	 px_show_groups(const struct proxy *, uint64_t, struct emit *);

#endif
