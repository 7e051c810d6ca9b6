/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd's configuration (gw_conf.c): the pseudo-interface, the relay
 * or the discovery address, the underlay socket and the timers of RFC
 * 7450 5.2, parsed from amtgwd.conf.
 */

#ifndef GW_CONF_H
#define GW_CONF_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "conf.h"
#include "ctlproto.h"
#include "driad.h"
#include "srcset6.h"

#define GW_CONF_FILE		SYSCONFDIR "/amtgwd.conf"
#define GW_PIDFILE		RUNDIR "/amtgwd.pid"
#define GW_CTLSOCK		CTL_SOCK_GATEWAY
#define GW_DEFAULT_TUNNEL	"amt0"
#define GW_DEFAULT_DISCOVERY	0xc034c101U	/* 192.52.193.1, 7450 7 */
#define GW_TUNNELS_MAX		1024	/* tunnels-max at most */
#define GW_DEFAULT_MTU		1470	/* 1500 - IPv4 - UDP - AMT data */
#define GW_MIN_QI_MS		1000
#define GW_PKT_MAX		9216	/* receive buffer per datagram */
#define GW_UPDATE_OVERHEAD	40	/* IPv4, UDP, AMT Update header */
#define GW_MIN_PATH_MTU		(576 + GW_UPDATE_OVERHEAD)

/* The configuration file, parsed. */
struct gw_conf {
	char		 tunnel[IFNAMSIZ];
	struct prefix4	 tunnel_addr;	/* an address; len 0: none */
	unsigned	 tunnel_mtu;
	int		 fixed_relay;	/* relay given: no discovery */
	struct mc_src6	 relay;		/* the fixed relay; 0: none */
	char		 relay_name[DRIAD_NAME_MAX + 1];	/* or a name */
	struct mc_src6	 discovery;	/* Relay Discovery Address */
	struct mc_src6	 local_addr;	/* 0: any */
	unsigned	 local_port;	/* 0: ephemeral */
	char		 ifname[IFNAMSIZ];	/* "": no binding */
	uint32_t	 disc_timeout_ms;
	uint32_t	 req_timeout_ms;
	uint32_t	 max_timeout_ms;
	unsigned	 disc_retries;
	unsigned	 req_retries;
	uint32_t	 nat_keepalive_ms;	/* 0: off */
	uint32_t	 teardown_interval_ms;
	uint32_t	 inner_src;	/* inner-source; 0: not given */
	uint32_t	 report_src;	/* the one used (derived) */
	unsigned	 path_mtu;	/* of the underlay to the relay */
	unsigned	 rcvbuf_kb;
	int		 driad;		/* relays by source, RFC 8777 */
	int		 mld;		/* IPv6 groups through the tunnel */
	char		 trust_anchor[PATH_MAX];	/* DNSSEC; "": none */
	unsigned	 tunnels_max;
	unsigned	 lookups_max;	/* DNS lookups in flight */
	uint32_t	 tunnel_hold_ms;	/* unused tunnel kept */
	struct conf_daemon d;		/* user, pidfile, control socket */
};

extern const struct conf_table gw_conf_table;


#endif
