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
#include "srcset6.h"

#define PX_MAX_SRCS		1024	/* per group and interface */
#define PX_MAX_HOSTS		256	/* explicitly tracked, per group */
#define PX_REPORT_MAX		1500	/* largest report the proxy builds */

struct px_iface;

/*
 * Groups, sources and hosts are 16-byte keys (srcset6.h): IPv6
 * addresses for MLD, IPv4-mapped ones (::ffff:a.b.c.d) for IGMP, whose
 * state tables are the same (RFC 3810 7 is RFC 3376 6 for IPv6).  The
 * all-zero key is "no group" (a general query) and "no host".
 */

/* Working space for one engine; nothing in it outlives a call. */
struct px_scratch {
	uint32_t	 rec4[PX_MAX_SRCS];	/* an IGMP record's sources */
	struct mc_src6	 rec[PX_MAX_SRCS];	/* a record's sources */
	struct mc_src6	 q[PX_MAX_SRCS];	/* sources to query */
	struct mc_src6	 hi[PX_MAX_SRCS];	/* Q(G,S) with S set */
	struct mc_src6	 lo[PX_MAX_SRCS];	/* Q(G,S) with S clear */
	struct mc_src6	 exp[PX_MAX_DOWNSTREAM][PX_MAX_SRCS];	/* exports */
	struct mc_src6	 merge[3][PX_MAX_SRCS];	/* src_merge() */
	struct mc_src6	 out[PX_MAX_SRCS];	/* a merged membership */
	struct mc_src6	 up[PX_MAX_SRCS];	/* an upstream record */
	uint32_t	 up4[PX_MAX_SRCS];	/* the same as IPv4 */
	uint8_t		 report[PX_REPORT_MAX];	/* an upstream report */
};

/* What the decision-making code asks of the engine. */
struct px_ops {
	/* A query on a downstream interface: group NULL is general. */
	void	 (*send_query)(void *, struct px_iface *,
		    const struct mc_src6 *, int, const struct mc_src6 *,
		    unsigned);
	/* Something that forwarding or the database depend on changed. */
	void	 (*group_changed)(void *, const struct mc_src6 *);
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
	struct mc_src6	 addr;
	uint64_t	 expires;
	struct hstate6	 st;
};

struct px_group {
	struct mc_src6	 group;
	struct rstate6	 rs;		/* RFC 3376 6: mode, timers, sources */
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
	struct prefix4	 ssm;		/* IPv4's; IPv6's is ff3x::/32 */
};

int	 px_is_ssm(const struct prefix4 *, const struct mc_src6 *);
int	 px_routable(const struct mc_src6 *);
struct px_group *grp_new(const struct mc_src6 *);
void	 grp_free(struct px_group *);
int	 grp_record(struct px_group *, const struct px_params *, uint64_t,
	    const struct mc_rec6 *, struct px_iface *, const struct px_env *);
void	 grp_query_heard(struct px_group *, const struct px_params *,
	    uint64_t, const struct mc_query6 *);
int	 grp_timers(struct px_group *, const struct px_params *, uint64_t,
	    struct px_iface *, const struct px_env *);
uint64_t grp_next_deadline(const struct px_group *);
int	 grp_forwards(const struct px_group *, const struct mc_src6 *,
	    uint64_t);
int	 grp_is_empty(const struct px_group *, uint64_t);
unsigned grp_compat(const struct px_group *, uint64_t);

#endif
