/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtrelayd's configuration (relay_conf.c): the relay and discovery
 * addresses, the upstream interface, the query timers and the limits,
 * parsed from amtrelayd.conf.
 */

#ifndef RELAY_CONF_H
#define RELAY_CONF_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>

#include "addr.h"
#include "conf.h"
#include "ctlproto.h"

#define RELAY_CONF_FILE		SYSCONFDIR "/amtrelayd.conf"
#define RELAY_PIDFILE		RUNDIR "/amtrelayd.pid"
#define RELAY_CTLSOCK		CTL_SOCK_RELAY
#define RELAY_MAX_DISC		8

struct relay_conf {
	struct {
		struct ipaddr	 addr[RELAY_MAX_DISC];
		unsigned	 n;
	}		 disc;			/* discovery addresses */
	uint32_t	 relay;			/* IPv4 relay address, or 0 */
	int		 has_relay6;
	uint8_t		 relay6[16];		/* IPv6 relay address */
	char		 upstream[IFNAMSIZ];	/* native multicast arrives */
	uint32_t	 qi_ms;
	uint32_t	 qri_ms;
	uint32_t	 mrt_ms;		/* the query's Max Resp Code */
	unsigned	 robustness;
	uint32_t	 secret_ms;		/* secret lifetime */
	unsigned	 tunnel_limit;		/* 0: none */
	unsigned	 request_rate;		/* answers/s in all; 0: none */
	unsigned	 prefix_rate;		/* answers/s per prefix */
	unsigned	 prefix_len;		/* of that prefix */
	unsigned	 path_mtu;
	unsigned	 sndbuf_kb;
	struct prefix4	 ssm;			/* the SSM range */
	int		 teardown;		/* G flag and Teardown */
	int		 mld;			/* answer P=1 Requests */
	struct conf_daemon d;		/* user, pidfile, control socket */
};

extern const struct conf_table relay_conf_table;


#endif
