/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The host part on the upstream interface (upstream.c): the membership
 * database, one record per group, and the state-change and
 * current-state reports that express it.
 */

#ifndef UPSTREAM_H
#define UPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "group.h"
#include "px_conf.h"

struct px_urec {
	struct mc_src6	 group;
	uint8_t		 mode;		/* current merged state */
	struct srclist6	 srcs;
	uint8_t		 fmc_left;	/* filter-mode-change repeats */
	struct mc_src6	*allow;		/* sources to ALLOW, with counts */
	uint8_t		*allow_left;
	unsigned	 nallow;
	struct mc_src6	*block;
	uint8_t		*block_left;
	unsigned	 nblock;
	int		 present;	/* in the database */
	int		 dirty;		/* send a state-change report now */
	uint8_t		 v2_left;	/* older-version report repeats */
	uint8_t		 v2_leave;	/* an older-version leave is due */
};

struct px_upstream {
	struct px_urec	**recs;		/* sorted by group */
	size_t		 n;
	size_t		 cap;
	int		 v6;		/* MLD (else IGMP) */
	struct mc_src6	 addr;		/* source of reports */
	unsigned	 mtu;
	uint8_t		 qrv;		/* from upstream queries */
	uint64_t	 v1_querier;	/* Older Version Querier Present */
	uint64_t	 v2_querier;
	uint64_t	 rexmit_at;	/* next state-change retransmission */
	uint64_t	 ctr_reports;
	uint64_t	 ctr_queries;
	uint64_t	 ctr_send_err;
};

void	 up_init(struct px_upstream *);
void	 up_free(struct px_upstream *);
void	 up_update(struct px_upstream *, const struct mc_src6 *, uint8_t,
	    const struct mc_src6 *, unsigned, uint64_t, const struct px_conf *);
void	 up_flush(struct px_upstream *, uint64_t, const struct px_conf *,
	    const struct px_env *);
void	 up_query(struct px_upstream *, uint64_t, const struct px_conf *,
	    const struct mc_query6 *, const struct px_env *);
void	 up_leave_all(struct px_upstream *, uint64_t, const struct px_conf *,
	    const struct px_env *);
void	 up_reexpress(struct px_upstream *, uint64_t, const struct px_conf *,
	    const struct px_env *);
void	 up_timers(struct px_upstream *, uint64_t, const struct px_conf *,
	    const struct px_env *);
uint64_t up_next_deadline(const struct px_upstream *);
unsigned up_version(const struct px_upstream *, uint64_t);
const struct px_urec *up_find(const struct px_upstream *,
	    const struct mc_src6 *);

#endif
