/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The proxy's copy of the kernel's multicast forwarding cache (mfc.c):
 * one entry per (S,G) the kernel asked about, with the VIFs it goes
 * out of.  Which VIFs those are is the engine's decision, asked for
 * through a callback; this file keeps the entries, installs them
 * through struct px_os, refreshes them when their group changes and
 * removes those that carry nothing.
 */

#ifndef MFC_H
#define MFC_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "mrtmsg.h"
#include "px_os.h"
#include "srcset6.h"

#define MFC_BUCKETS	4096

struct mfc_ent {
	struct mc_src6	 src;
	struct mc_src6	 grp;
	int		 iif;		/* vif */
	uint8_t		 ttls[PX_MAXVIFS];
	uint64_t	 pkts;		/* at the last idle check */
	uint64_t	 created;
	struct mfc_ent	*next;		/* hash chain */
};

/* Fill ttls: the VIFs (S,G) arriving on iif goes out of. */
typedef void	 (*mfc_oifs_fn)(void *, uint64_t, const struct mc_src6 *,
		    const struct mc_src6 *, int,
		    uint8_t[PX_MAXVIFS]);

struct mfc {
	const struct px_os	*os;
	void			*os_arg;
	mfc_oifs_fn		 oifs;
	void			*oifs_arg;
	struct mfc_ent		*b[MFC_BUCKETS];
	size_t			 n;
	uint64_t		 next_check;	/* next idle check, 0: unset */
	struct ratelimit	 lim;
	uint64_t		 ctr_upcalls;
	uint64_t		 ctr_add;
	uint64_t		 ctr_del;
	uint64_t		 ctr_expired;
};

struct emit;

void	 mfc_init(struct mfc *, const struct px_os *, void *, mfc_oifs_fn,
	    void *);
void	 mfc_upcall(struct mfc *, uint64_t, enum mrt_msg_type, unsigned,
	    const struct mc_src6 *, const struct mc_src6 *);
void	 mfc_refresh(struct mfc *, uint64_t, const struct mc_src6 *, size_t,
	    int);
void	 mfc_timer(struct mfc *, uint64_t, uint32_t);
uint64_t mfc_next_deadline(const struct mfc *);
void	 mfc_flush(struct mfc *);
const struct mfc_ent *mfc_find(const struct mfc *, const struct mc_src6 *,
	    const struct mc_src6 *);
void	 mfc_show(const struct mfc *, struct emit *);

#endif
