/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * A downstream interface (iface.c): querier election, the general
 * queries, and the group records it holds, sorted by group.
 */

#ifndef IFACE_H
#define IFACE_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "group.h"
#include "log.h"
#include "px_conf.h"

#define PX_ADDR_GRACE_MS	5000	/* a new link's address may follow */

struct px_iface {
	char		 name[IFNAMSIZ];
	unsigned	 version;
	int		 ifindex;	/* 0: absent */
	int		 active;	/* up, running and known */
	uint8_t		 v6;		/* MLD (else IGMP) */
	struct mc_src6	 addr;		/* ours (IPv6: link-local); 0: none */
	uint8_t		 plen;
	int		 vif;		/* -1: none */
	int		 querier;
	struct mc_src6	 querier_addr;	/* the elected querier */
	uint64_t	 oqp;		/* Other Querier Present deadline */
	unsigned	 startup_left;
	uint64_t	 gq_next;
	uint8_t		 qrv;		/* adopted from the querier */
	uint32_t	 qi_ms;
	uint64_t	 since;
	struct px_group **groups;	/* sorted by group */
	size_t		 ngroups;
	size_t		 gcap;
	uint64_t	 older_query_warned;
	uint64_t	 no_addr_warn;	/* say it has no address; 0: no */
	struct ratelimit lim_member;	/* joins and leaves */
	struct ratelimit lim_refused;	/* joins not served */
	/* What routing sent to the VIF and what left (px_out_check()). */
	uint64_t	 out_routed;
	uint64_t	 out_sent;
	int		 out_known;
	uint64_t	 ctr_out_lost;
	uint64_t	 ctr_reports;
	uint64_t	 ctr_queries_sent;
	uint64_t	 ctr_queries_heard;
	uint64_t	 ctr_ignored;
};

void	 if_init(struct px_iface *, const char *, unsigned);
void	 if_free(struct px_iface *);
void	 if_params(const struct px_iface *, const struct px_conf *,
	    struct px_params *);
void	 if_start(struct px_iface *, const struct px_conf *, uint64_t,
	    const struct px_env *);
void	 if_stop(struct px_iface *, uint64_t, const struct px_env *);
struct px_group *if_group(struct px_iface *, const struct mc_src6 *, int);
struct px_group *if_group_find(const struct px_iface *,
	    const struct mc_src6 *);
void	 if_query_heard(struct px_iface *, const struct px_conf *, uint64_t,
	    const struct mc_query6 *, const struct px_env *);
void	 if_report(struct px_iface *, const struct px_conf *, uint64_t,
	    const struct mc_rec6 *, const struct px_env *);
void	 if_timers(struct px_iface *, const struct px_conf *, uint64_t,
	    const struct px_env *);
uint64_t if_next_deadline(const struct px_iface *);
int	 if_forwards(const struct px_iface *, const struct px_conf *,
	    const struct mc_src6 *, const struct mc_src6 *, uint64_t);
int	 if_has_addr(const struct px_iface *);

/* "IGMP" or "MLD", and a version as that protocol numbers it (MLDv1
 * and MLDv2 are kept as IGMPv2 and IGMPv3, whose tables they share). */
#define PX_PROTO(ifp)		((ifp)->v6 ? "MLD" : "IGMP")
#define PX_VER(ifp, v)		((ifp)->v6 ? (unsigned)(v) - 1 : (unsigned)(v))

#endif
