/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * What the test tools and benchmark programs share: clocks, big-endian
 * fields, the Internet checksum and a stop flag for SIGTERM/SIGINT.
 * Header only and libc only: nothing here comes from the daemons, so the
 * tools check the daemons' encoders and decoders independently.
 */

#ifndef AMT_TOOL_H
#define AMT_TOOL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static inline uint64_t
now_ms(void)
{
	return now_us() / 1000;
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Internet checksum of p[0..n) on top of a partial sum (0, or a pseudo-header). */
static inline uint16_t
csum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t	 i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Set by SIGTERM or SIGINT once stop_on_signals() has run. */
static volatile sig_atomic_t stop;

static inline void
on_stop(int s)
{
	(void)s;
	stop = 1;
}

static inline void
stop_on_signals(void)
{
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
}

#endif
