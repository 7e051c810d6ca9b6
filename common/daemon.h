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

#include <limits.h>
#include <stdint.h>

#include <event2/event.h>

#include "conf.h"
#include "ctl.h"

#define DAEMON_NSIGS	4

struct daemon_opts {
	const char	*name;
	const char	*conf_path;	/* as given, for messages */
	const char	*conf_abs;	/* absolute: reloads work after chdir */
	const char	*pidfile;	/* -p (absolute), or NULL */
	int		 debug;
	int		 verbose;
	int		 check;
	char		 conf_buf[PATH_MAX];
	char		 pid_buf[PATH_MAX];
};

void	 daemon_options(int, char *[], const char *, const char *,
	    struct daemon_opts *);
void	*daemon_load(const struct daemon_opts *, const struct conf_table *);
struct event_base *daemon_enter(const struct daemon_opts *,
	    const struct conf_daemon *, struct ctl **, ctl_handler, void *);
void	 daemon_drop(const struct conf_daemon *, const cap_value_t *, int);
struct pcapw;
int	 daemon_pcap(struct event_base *, const struct conf_daemon *,
	    struct pcapw *);
/* What a daemon does on signals. */
struct daemon_hooks {
	struct event_base	*base;
	void			(*reload)(void *);	/* SIGHUP */
	void			(*stop)(void *);	/* NULL: leave the loop */
	ctl_handler		 show;			/* SIGUSR1 logs */
	const char *const	*views;			/* these views */
	void			*arg;
};

void	 daemon_signals(struct event **, const struct daemon_hooks *);
void	 daemon_leave(struct event_base *, struct ctl *, struct event **);
void	 daemon_arm(struct event *, uint64_t, uint64_t);
void	 daemon_dump(ctl_handler, void *, const char *const *);
void	*daemon_reload(const struct daemon_opts *, const struct conf_table *,
	    const void *);
int	 daemon_detach(void);
void	 daemon_ready(void);
void	 daemon_usage(const char *, int) __attribute__((__noreturn__));
void	 daemon_version(const char *) __attribute__((__noreturn__));
int	 rundir_create(const char *, const char *);
int	 daemon_rundir(const char *, const char *, const char *,
	    const char *);
int	 pidfile_create(const char *, const char *);
void	 pidfile_remove(void);
int	 privdrop(const char *, const cap_value_t *, int);
void	 daemon_libevent_logging(void);

#endif
