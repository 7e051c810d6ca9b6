/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Logging for the daemons: syslog (facility daemon) when detached, stderr
 * in the foreground.  log_debug() prints only with -v; log_debug_rl(),
 * for what single packets cause, only with -vv, and rate-limited.
 * Until a detached daemon is ready, warnings also go to the process
 * that started it (log_startup_fd()), so that init scripts show them.
 */

#ifndef AMT_LOG_H
#define AMT_LOG_H

#include <stdarg.h>
#include <stdint.h>

#define LOG_PRINTF(a, b)	__attribute__((__format__(__printf__, a, b)))

void	log_init(int foreground, int facility);
void	log_procname(const char *);
void	log_discard_all(int);
void	log_setverbose(int);
void	log_startup_fd(int);
int	log_getverbose(void);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	vlog(int, const char *, va_list) LOG_PRINTF(2, 0);
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((__noreturn__));
void	fatalx(const char *, ...) LOG_PRINTF(1, 2) __attribute__((__noreturn__));

/*
 * A token bucket for messages caused by the network: at most `burst'
 * messages per `interval_ms', then a single line saying how many were
 * suppressed when the next window opens.
 */
struct ratelimit {
	uint64_t	 window;	/* start of the current window, ms */
	uint32_t	 interval_ms;
	uint32_t	 burst;
	uint32_t	 used;
	uint32_t	 suppressed;
};

#define RATELIMIT_INIT(ms, n)	{ 0, (ms), (n), 0, 0 }

int	ratelimit_ok(struct ratelimit *, uint64_t);
void	log_debug_rl(struct ratelimit *, const char *, ...) LOG_PRINTF(2, 3);
void	log_warnx_rl(struct ratelimit *, const char *, ...) LOG_PRINTF(2, 3);
void	log_info_rl(struct ratelimit *, const char *, ...) LOG_PRINTF(2, 3);

/* Cheap tests for the hot path: build a message only if it prints. */
#define log_debug_enabled()	(log_getverbose() > 0)
#define log_packet_enabled()	(log_getverbose() > 1)	/* -vv */

#endif
