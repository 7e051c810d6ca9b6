/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Daemon plumbing shared by the three daemons: detaching, the pidfile,
 * the run directory, and the privilege drop to a user that keeps only
 * the capabilities a daemon still needs.
 */

#ifndef AMT_DAEMON_H
#define AMT_DAEMON_H

#include <sys/capability.h>
#include <sys/types.h>

#include <event2/event.h>

int	 daemon_detach(void);
void	 daemon_ready(void);
int	 rundir_create(const char *, const char *);
int	 daemon_rundir(const char *, const char *, const char *,
	    const char *);
int	 pidfile_create(const char *, const char *);
void	 pidfile_remove(void);
int	 privdrop(const char *, const cap_value_t *, int);
void	 daemon_libevent_logging(void);

#endif
