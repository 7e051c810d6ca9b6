/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* Logging to syslog or stderr, in the manner of OpenBSD's daemons. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int		 log_foreground = 1;
static int		 log_discard;
static int		 log_verbose;
static const char	*log_name = "amt";
static int		 log_startup = -1;

/* Start logging; foreground sends everything to stderr. */
void
log_init(int foreground, int facility)
{
	log_foreground = foreground;
	if (!foreground)
		openlog(log_name, LOG_PID | LOG_NDELAY, facility);
	tzset();
}

/* Name used as the syslog ident and the stderr prefix. */
void
log_procname(const char *name)
{
	log_name = name;
}

/* Drop every message (fuzzing harnesses). */
void
log_discard_all(int on)
{
	log_discard = on;
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

/* Warnings and worse also to fd until it is -1 (a detached start). */
void
log_startup_fd(int fd)
{
	log_startup = fd;
}

int
log_getverbose(void)
{
	return log_verbose;
}

/* Write one message at priority pri; errno is preserved. */
void
vlog(int pri, const char *fmt, va_list ap)
{
	int	 saved_errno = errno;

	if (log_discard)
		return;
	if (log_startup >= 0 && pri <= LOG_WARNING && !log_foreground) {
		va_list	 aq;

		va_copy(aq, ap);
		dprintf(log_startup, "%s: ", log_name);
		vdprintf(log_startup, fmt, aq);
		dprintf(log_startup, "\n");
		va_end(aq);
	}
	if (log_foreground) {
		flockfile(stderr);
		fprintf(stderr, "%s: ", log_name);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		funlockfile(stderr);
		fflush(stderr);
	} else
		vsyslog(pri, fmt, ap);
	errno = saved_errno;
}

static void
logit(int pri, const char *fmt, ...) LOG_PRINTF(2, 3);

static void
logit(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

static void
vlog_errno(int, const char *, va_list) LOG_PRINTF(2, 0);

/* Log with ": strerror(errno)" appended. */
static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char	 msg[1024];
	int	 saved_errno = errno;

	if (fmt == NULL) {
		logit(pri, "%s", strerror(saved_errno));
	} else {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		logit(pri, "%s: %s", msg, strerror(saved_errno));
	}
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * Decide whether a rate-limited message may be logged at time now (ms).
 * When a new window opens after suppression, say how much was dropped.
 */
int
ratelimit_ok(struct ratelimit *rl, uint64_t now)
{
	if (rl->window == 0 || now - rl->window >= rl->interval_ms) {
		if (rl->suppressed > 0)
			logit(LOG_INFO, "%u similar messages suppressed",
			    rl->suppressed);
		rl->window = now == 0 ? 1 : now;
		rl->used = 0;
		rl->suppressed = 0;
	}
	if (rl->used < rl->burst) {
		rl->used++;
		return 1;
	}
	rl->suppressed++;
	return 0;
}

static uint64_t
log_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
log_debug_rl(struct ratelimit *rl, const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose < 2 || !ratelimit_ok(rl, log_now_ms()))
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
log_warnx_rl(struct ratelimit *rl, const char *fmt, ...)
{
	va_list	 ap;

	if (!ratelimit_ok(rl, log_now_ms()))
		return;
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info_rl(struct ratelimit *rl, const char *fmt, ...)
{
	va_list	 ap;

	if (!ratelimit_ok(rl, log_now_ms()))
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}
