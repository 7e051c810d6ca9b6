/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The control protocol, shared by the daemons (ctl.c and their
 * handlers) and amtctl: where the sockets are, the commands each daemon
 * answers, and the shape of a request and of an error.  A request is
 * one line, "COMMAND", "COMMAND json" or "COMMAND prometheus"; the
 * answer is the state, as indented text, JSON or the Prometheus text
 * format, and the connection closes.  A command the daemon does not
 * know is answered with an "error" member and a "daemon" member naming
 * the daemon, so that a client at the wrong socket can say so.
 */

#ifndef AMT_CTLPROTO_H
#define AMT_CTLPROTO_H

#define CTL_SOCK_GATEWAY	RUNDIR "/amtgwd.sock"
#define CTL_SOCK_PROXY		RUNDIR "/igmpproxyd.sock"
#define CTL_SOCK_RELAY		RUNDIR "/amtrelayd.sock"

/* amtgwd */
#define CTL_CMD_GATEWAY		"gateway"
/* igmpproxyd */
#define CTL_CMD_INTERFACES	"interfaces"
#define CTL_CMD_GROUPS		"groups"
/* amtrelayd (and "groups") */
#define CTL_CMD_GATEWAYS	"gateways"

/* every daemon: who it is, its version, pid and uptime */
#define CTL_CMD_ABOUT		"about"

#define CTL_JSON		"json"		/* the last word: JSON wanted */
#define CTL_PROM		"prometheus"	/* or the Prometheus format */
#define CTL_ERROR		"error"		/* an answer that is one */
#define CTL_MAX_LINE		256		/* longest request */

#endif
