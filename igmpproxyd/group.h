/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The router's state for one group on one downstream interface
 * (group.c), and what every decision-making file of the proxy shares:
 * the services the engine lends them (struct px_env: send a query,
 * note a changed group, send upstream, random numbers) and the scratch
 * space the engine owns.  None of these files reads a clock or touches
 * a socket.
 */

#ifndef GROUP_H
#define GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "px_conf.h"
#include "srcset.h"

#define PX_MAX_SRCS		1024	/* per group and interface */
#define PX_MAX_HOSTS		256	/* explicitly tracked, per group */
#define PX_REPORT_MAX		1500	/* largest report the proxy builds */

struct px_iface;

/* Working space for one engine; nothing in it outlives a call. */
struct px_scratch {
	uint32_t	 rec[PX_MAX_SRCS];	/* a record's sources */
	uint32_t	 q[PX_MAX_SRCS];	/* sources to query */
	uint32_t	 hi[PX_MAX_SRCS];	/* Q(G,S) with S set */
	uint32_t	 lo[PX_MAX_SRCS];	/* Q(G,S) with S clear */
	uint32_t	 exp[PX_MAX_DOWNSTREAM][PX_MAX_SRCS];	/* exports */
	uint32_t	 merge[3][PX_MAX_SRCS];	/* src_merge() */
	uint32_t	 out[PX_MAX_SRCS];	/* a merged membership */
	uint32_t	 up[PX_MAX_SRCS];	/* an upstream record */
	uint8_t		 report[PX_REPORT_MAX];	/* an upstream report */
};

/* What the decision-making code asks of the engine. */
struct px_ops {
	/* A query on a downstream interface: group 0 is general. */
	void	 (*send_query)(void *, struct px_iface *, uint32_t, int,
		    const uint32_t *, unsigned);
	/* Something that forwarding or the database depend on changed. */
	void	 (*group_changed)(void *, uint32_t);
	/* A report to send on the upstream interface (a full datagram). */
	void	 (*send_upstream)(void *, const uint8_t *, size_t);
	uint32_t (*random)(void *);
};

struct px_env {
	const struct px_ops	*ops;
	void			*arg;
	struct px_scratch	*s;
};

/* A host's own state for a group, from its reports (fast leave). */
struct px_host {
	uint32_t	 addr;
	uint64_t	 expires;
	struct hstate	 st;
};

struct px_group {
	uint32_t	 group;
	struct rstate	 rs;		/* RFC 3376 6: mode, timers, sources */
	uint64_t	 v1_host;	/* Older Host Present timers */
	uint64_t	 v2_host;
	uint8_t		 gsq_left;	/* Q(G) retransmissions left */
	uint64_t	 gsq_next;
	uint64_t	 gssq_next;	/* next Q(G,S) transmission */
	struct px_host	*hosts;
	uint16_t	 nhosts;
	uint16_t	 hostcap;
	uint8_t		 untracked;	/* a member we cannot track */
};

/* Interface-wide parameters the group machine needs. */
struct px_params {
	uint32_t	 gmi;		/* Group Membership Interval */
	uint32_t	 lmqt;		/* Last Member Query Time */
	uint32_t	 lmqi;
	unsigned	 lmqc;
	uint32_t	 ohpi;		/* Older Host Present Interval */
	unsigned	 version;	/* interface's configured version */
	int		 querier;
	int		 fast_leave;
	struct prefix4	 ssm;
};

struct px_group *grp_new(uint32_t);
void	 grp_free(struct px_group *);
int	 grp_record(struct px_group *, const struct px_params *, uint64_t,
	    const struct mc_rec *, struct px_iface *, const struct px_env *);
void	 grp_query_heard(struct px_group *, const struct px_params *,
	    uint64_t, const struct mc_query *);
int	 grp_timers(struct px_group *, const struct px_params *, uint64_t,
	    struct px_iface *, const struct px_env *);
uint64_t grp_next_deadline(const struct px_group *);
int	 grp_forwards(const struct px_group *, uint32_t, uint64_t);
int	 grp_is_empty(const struct px_group *, uint64_t);
unsigned grp_compat(const struct px_group *, uint64_t);

#endif
