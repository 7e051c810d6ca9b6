/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The control socket amtctl talks to: a UNIX stream socket; a client
 * sends one line ("command [json]"), the daemon answers and closes.
 */

#ifndef AMT_CTL_H
#define AMT_CTL_H

#include <event2/event.h>

#include "ctlproto.h"
#include "emit.h"

#define CTL_MAX_CLIENTS	32
#define CTL_TIMEOUT	5	/* seconds, each way */

/* Fill out for command cmd; -1 if the command is unknown. */
typedef int	(*ctl_handler)(void *, const char *, struct emit *);

struct ctl;

struct ctl	*ctl_open(struct event_base *, const char *, const char *,
		    const char *, ctl_handler, void *);
void		 ctl_close(struct ctl *);

#endif
