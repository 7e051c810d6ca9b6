/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The clock and the random source, the two things state machines are
 * handed rather than reaching for themselves.  Randomness comes from
 * getrandom(2), the kernel's CSPRNG (RFC 7450 5.2.3.4.5, 5.2.3.5.6).
 */

#include <sys/random.h>

#include <errno.h>
#include <time.h>

#include "log.h"
#include "util.h"

uint64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
mono_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Fill p with n random bytes; the kernel's pool never runs dry. */
void
rand_bytes(void *p, size_t n)
{
	unsigned char	*b = p;
	ssize_t		 r;

	while (n > 0) {
		r = getrandom(b, n, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			fatal("getrandom");
		}
		b += r;
		n -= (size_t)r;
	}
}

uint32_t
rand_u32(void)
{
	uint32_t	 v;

	rand_bytes(&v, sizeof(v));
	return v;
}

/* A uniform value in [lo, hi], without modulo bias. */
uint32_t
rand_range(uint32_t lo, uint32_t hi)
{
	uint32_t	 span, v, lim;

	if (hi <= lo)
		return lo;
	span = hi - lo + 1;
	if (span == 0)
		return rand_u32();
	lim = UINT32_MAX - UINT32_MAX % span;
	do
		v = rand_u32();
	while (v >= lim);
	return lo + v % span;
}
