/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd: an RFC 4605 IGMP proxy.  The downstream interfaces run the
 * router part of IGMPv3 (RFC 3376 section 6, with the IGMPv1/v2
 * compatibility of section 7); their state is merged (merge.c) into one
 * membership database that the host part expresses on the upstream
 * interface (upstream.c); the kernel's multicast forwarding cache is
 * programmed from the same state (mfc.c, mroute.c).
 *
 * Decision-making files (group.c, iface.c, merge.c, upstream.c, mfc.c)
 * take the time as an argument and act through struct px_ops, so the
 * unit tests drive them with a fake clock.
 */

#ifndef IGMPPROXYD_H
#define IGMPPROXYD_H

#include <net/if.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "conf.h"
#include "log.h"

#define PX_CONF_FILE		SYSCONFDIR "/igmpproxyd.conf"
#define PX_PIDFILE		RUNDIR "/igmpproxyd.pid"
#define PX_CTLSOCK		RUNDIR "/igmpproxyd.sock"
#define PX_MAX_DOWNSTREAM	31	/* MAXVIFS 32, one is upstream */
#define PX_MAX_ACL		256
#define PX_MAX_SRCS		1024	/* per group and interface */
#define PX_MAX_HOSTS		256	/* explicitly tracked, per group */

/* An access list rule: group prefix, optional source prefix. */
struct px_acl {
	int		 allow;
	struct prefix4	 group;
	int		 has_source;
	struct prefix4	 source;
};

struct px_dsconf {
	char		 name[IFNAMSIZ];
	unsigned	 version;	/* 1, 2 or 3 */
};

struct px_conf {
	char		 upstream[IFNAMSIZ];
	struct px_dsconf ds[PX_MAX_DOWNSTREAM];
	unsigned	 nds;
	uint32_t	 qi_ms;		/* Query Interval */
	uint32_t	 qri_ms;	/* Query Response Interval */
	unsigned	 robustness;
	uint32_t	 sqi_ms;	/* Startup Query Interval, 0: QI/4 */
	unsigned	 sqc;		/* Startup Query Count, 0: RV */
	uint32_t	 lmqi_ms;
	unsigned	 lmqc;		/* 0: RV */
	uint32_t	 uri_ms;	/* Unsolicited Report Interval (host) */
	int		 fast_leave;
	int		 fwd_not_querier;
	struct prefix4	 ssm;
	struct px_acl	 acl[PX_MAX_ACL];
	unsigned	 nacl;
	unsigned	 mrt_table;	/* 0: the default table */
	uint32_t	 mfc_idle_ms;
	struct conf_daemon d;		/* user, pidfile, control socket */
};

void	 px_conf_defaults(struct px_conf *);
int	 px_conf_parse(struct px_conf *, FILE *, const char *);
int	 px_conf_load(struct px_conf *, const char *);
void	 px_conf_print(const struct px_conf *, FILE *);
uint32_t px_sqi(const struct px_conf *);
unsigned px_sqc(const struct px_conf *);
unsigned px_lmqc(const struct px_conf *);
int	 px_acl_permit(const struct px_conf *, uint32_t, int, uint32_t);

/* ---- router state on a downstream interface (group.c) ---- */

#define PX_INCLUDE	0
#define PX_EXCLUDE	1

/*
 * Timers are absolute deadlines in ms; 0 means "not running" (the RFC's
 * "timer = 0").  Expired timers are set to 0 by the timer walk.
 */
struct px_src {
	uint32_t	 addr;
	uint64_t	 timer;
	uint8_t		 rexmit;	/* GSS query retransmissions left */
};

/* A host's own state for a group, from its reports (fast leave). */
struct px_host {
	uint32_t	 addr;
	uint8_t		 exclude;
	uint64_t	 expires;
	uint16_t	 nsrcs;
	uint32_t	*srcs;		/* sorted */
};

struct px_group {
	uint32_t	 group;
	uint8_t		 mode;		/* PX_INCLUDE / PX_EXCLUDE */
	uint64_t	 gtimer;
	struct px_src	*srcs;		/* sorted by address */
	uint16_t	 nsrcs;
	uint16_t	 srccap;
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

struct px_iface;

/* What the decision-making code asks of the outside world. */
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

enum px_rec {		/* record types as in RFC 3376 4.2.12 */
	PX_IS_IN = 1, PX_IS_EX, PX_TO_IN, PX_TO_EX, PX_ALLOW, PX_BLOCK,
};

struct px_group *grp_new(uint32_t);
void	 grp_free(struct px_group *);
int	 grp_record(struct px_group *, const struct px_params *, uint64_t,
	    uint32_t, int, const uint32_t *, unsigned, unsigned,
	    struct px_iface *, const struct px_ops *, void *);
void	 grp_query_heard(struct px_group *, const struct px_params *,
	    uint64_t, const uint32_t *, unsigned);
int	 grp_timers(struct px_group *, const struct px_params *, uint64_t,
	    struct px_iface *, const struct px_ops *, void *);
uint64_t grp_next_deadline(const struct px_group *);
int	 grp_forwards(const struct px_group *, uint32_t, uint64_t);
int	 grp_is_empty(const struct px_group *, uint64_t);
unsigned grp_compat(const struct px_group *, uint64_t);
int	 grp_export(const struct px_group *, uint64_t, uint32_t *, unsigned,
	    unsigned *);

/* ---- a downstream interface: querier election, queries (iface.c) ---- */

struct px_iface {
	char		 name[IFNAMSIZ];
	unsigned	 version;
	int		 ifindex;	/* 0: absent */
	int		 up;
	uint32_t	 addr;		/* host order, 0: none */
	uint8_t		 plen;
	int		 vif;		/* -1: none */
	int		 querier;
	uint32_t	 querier_addr;	/* the elected querier */
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
	uint64_t	 ctr_reports;
	uint64_t	 ctr_queries_sent;
	uint64_t	 ctr_queries_heard;
	uint64_t	 ctr_ignored;
};

void	 if_init(struct px_iface *, const char *, unsigned);
void	 if_params(const struct px_iface *, const struct px_conf *,
	    struct px_params *);
void	 if_start(struct px_iface *, const struct px_conf *, uint64_t,
	    const struct px_ops *, void *);
void	 if_stop(struct px_iface *, uint64_t, const struct px_ops *, void *);
struct px_group *if_group(struct px_iface *, uint32_t, int);
struct px_group *if_group_find(const struct px_iface *, uint32_t);
void	 if_group_remove(struct px_iface *, size_t, const struct px_ops *,
	    void *);
void	 if_query_heard(struct px_iface *, const struct px_conf *, uint64_t,
	    uint32_t, unsigned, uint8_t, uint32_t, int, uint8_t, uint8_t,
	    const uint32_t *, unsigned, const struct px_ops *, void *);
void	 if_report(struct px_iface *, const struct px_conf *, uint64_t,
	    uint32_t, int, uint32_t, const uint32_t *, unsigned, unsigned,
	    const struct px_ops *, void *);
void	 if_timers(struct px_iface *, const struct px_conf *, uint64_t,
	    const struct px_ops *, void *);
uint64_t if_next_deadline(const struct px_iface *);
int	 if_forwards(const struct px_iface *, const struct px_conf *,
	    uint32_t, uint32_t, uint64_t);

/* ---- merge (merge.c), pure ---- */

struct px_sub {		/* one interface's preprocessed subscription */
	uint8_t		 mode;
	const uint32_t	*srcs;
	unsigned	 nsrcs;
};

int	 px_merge(const struct px_sub *, unsigned, uint32_t *, unsigned,
	    unsigned *, uint8_t *);

/* ---- the upstream host part (upstream.c) ---- */

struct px_urec {
	uint32_t	 group;
	uint8_t		 mode;		/* current merged state */
	uint32_t	*srcs;
	unsigned	 nsrcs;
	uint8_t		 fmc_left;	/* filter-mode-change repeats */
	uint32_t	*allow;		/* sources to ALLOW, with counts */
	uint8_t		*allow_left;
	unsigned	 nallow;
	uint32_t	*block;
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
	uint32_t	 addr;		/* source of reports, host order */
	unsigned	 mtu;
	uint8_t		 qrv;		/* from upstream queries */
	uint64_t	 v1_querier;	/* Older Version Querier Present */
	uint64_t	 v2_querier;
	uint64_t	 rexmit_at;	/* next state-change retransmission */
	uint64_t	 ctr_reports;
	uint64_t	 ctr_queries;
};

void	 up_init(struct px_upstream *);
void	 up_free(struct px_upstream *);
void	 up_update(struct px_upstream *, uint32_t, uint8_t, const uint32_t *,
	    unsigned, uint64_t, const struct px_conf *);
void	 up_flush(struct px_upstream *, uint64_t, const struct px_conf *,
	    const struct px_ops *, void *);
void	 up_query(struct px_upstream *, uint64_t, const struct px_conf *,
	    unsigned, uint8_t, uint32_t, uint8_t, uint8_t, const uint32_t *,
	    unsigned, const struct px_ops *, void *);
void	 up_reexpress(struct px_upstream *, uint64_t, const struct px_conf *,
	    const struct px_ops *, void *);
void	 up_timers(struct px_upstream *, uint64_t, const struct px_conf *,
	    const struct px_ops *, void *);
uint64_t up_next_deadline(const struct px_upstream *);
unsigned up_version(const struct px_upstream *, uint64_t);
const struct px_urec *up_find(const struct px_upstream *, uint32_t);

#endif
