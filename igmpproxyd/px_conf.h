/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd's configuration (px_conf.c): the upstream and downstream
 * interfaces, the RFC 3376 timers, the access list and the kernel
 * table, parsed from igmpproxyd.conf.
 */

#ifndef PX_CONF_H
#define PX_CONF_H

#include <net/if.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "conf.h"
#include "ctlproto.h"
#include "log.h"

#define PX_CONF_FILE		SYSCONFDIR "/igmpproxyd.conf"
#define PX_PIDFILE		RUNDIR "/igmpproxyd.pid"
#define PX_CTLSOCK		CTL_SOCK_PROXY
#define PX_MAX_DOWNSTREAM	31	/* MAXVIFS 32, one is upstream */
#define PX_MAX_ACL		256

/*
 * An access list rule: group prefix, optional source prefix (of the
 * group's family), IPv4 or IPv6 in the 16-byte form.
 */
struct px_acl {
	int		 allow;
	struct prefix46	 group;
	int		 has_source;
	struct prefix46	 source;
};

struct px_dsconf {
	char		 name[IFNAMSIZ];
	unsigned	 version;	/* 1, 2 or 3 */
	unsigned	 mld_version;	/* 1 or 2 */
	int		 line;		/* in the file, for messages */
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
	int		 mld;		/* serve IPv6 (MLD, MRT6) too */
	struct prefix4	 ssm;
	struct px_acl	 acl[PX_MAX_ACL];
	unsigned	 nacl;
	unsigned	 mrt_table;	/* 0: the default table */
	uint32_t	 mfc_idle_ms;
	struct conf_daemon d;		/* user, pidfile, control socket */
};

extern const struct conf_table px_conf_table;

uint32_t px_sqi(const struct px_conf *);
unsigned px_sqc(const struct px_conf *);
unsigned px_lmqc(const struct px_conf *);
int	 px_acl_permit(const struct px_conf *, const uint8_t *, int,
	    const uint8_t *);

#endif
