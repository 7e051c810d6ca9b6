/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The proxy engine (px.c): interfaces, the upstream host part and the
 * forwarding cache glued together.  It is driven by events (packets,
 * upcalls, link and address changes, the clock) and acts through
 * struct px_os, so that it runs the same under the unit tests.
 */

#ifndef PX_H
#define PX_H

#include "igmpproxyd.h"

#define PX_MAXVIFS	32

struct px_os {
	/* Send an IP datagram (IGMP, full header) out of ifindex. */
	int	 (*send)(void *, int, const uint8_t *, size_t);
	int	 (*add_vif)(void *, int, int);
	int	 (*del_vif)(void *, int);
	/* Install (S,G) from vif iif to the vifs with ttls[v] != 0. */
	int	 (*mfc_add)(void *, uint32_t, uint32_t, int, const uint8_t *);
	int	 (*mfc_del)(void *, uint32_t, uint32_t, int);
	int	 (*mfc_count)(void *, uint32_t, uint32_t, uint64_t *);
	/* Receive the IGMP router groups (224.0.0.2, .22) on ifindex. */
	int	 (*join_routers)(void *, int);
	uint32_t (*random)(void *);
};

struct px_mfc {
	uint32_t	 src;
	uint32_t	 grp;
	int		 iif;		/* vif */
	uint8_t		 ttls[PX_MAXVIFS];
	uint64_t	 pkts;		/* at the last idle check */
	uint64_t	 created;
	struct px_mfc	*next;		/* hash chain */
};

#define PX_MFC_BUCKETS	4096

struct px_upif {
	char		 name[IFNAMSIZ];
	int		 ifindex;
	int		 up;
	uint32_t	 addr;
	int		 vif;		/* 0 when present, else -1 */
};

struct proxy {
	const struct px_conf	*conf;
	const struct px_os	*os;
	void			*os_arg;
	struct px_iface		 ds[PX_MAX_DOWNSTREAM];
	unsigned		 nds;
	struct px_upif		 upif;
	struct px_upstream	 up;
	struct px_mfc		*mfc[PX_MFC_BUCKETS];
	size_t			 nmfc;
	uint32_t		*dirty;
	size_t			 ndirty;
	size_t			 dirtycap;
	int			 all_dirty;
	uint64_t		 mfc_check;	/* next idle check */
	struct ratelimit	 rl;
	uint64_t		 ctr_rx;
	uint64_t		 ctr_bad;
	uint64_t		 ctr_own;
	uint64_t		 ctr_unknown_if;
	uint64_t		 ctr_upcalls;
	uint64_t		 ctr_mfc_add;
	uint64_t		 ctr_mfc_del;
	uint64_t		 ctr_mfc_expired;
	uint64_t		 ctr_acl_denied;
};

int	 px_init(struct proxy *, const struct px_conf *, const struct px_os *,
	    void *);
void	 px_free(struct proxy *);
void	 px_reconfigure(struct proxy *, const struct px_conf *, uint64_t);
void	 px_packet(struct proxy *, uint64_t, int, const uint8_t *, size_t);
void	 px_upcall(struct proxy *, uint64_t, int, int, uint32_t, uint32_t);
void	 px_link(struct proxy *, uint64_t, int, const char *, int);
void	 px_link_gone(struct proxy *, uint64_t, int);
void	 px_addr(struct proxy *, uint64_t, int, uint32_t, uint8_t, int);
void	 px_timer(struct proxy *, uint64_t);
uint64_t px_next_deadline(const struct proxy *);
void	 px_flush(struct proxy *, uint64_t);
void	 px_shutdown(struct proxy *);
struct emit;
void	 px_show_interfaces(const struct proxy *, uint64_t, struct emit *);
void	 px_show_groups(const struct proxy *, uint64_t, struct emit *);
struct px_iface *px_iface_by_index(struct proxy *, int);

#endif
