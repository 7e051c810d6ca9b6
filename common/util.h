/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* Monotonic time and random numbers from the kernel; time arithmetic. */

#ifndef AMT_UTIL_H
#define AMT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef AMT_VERSION
#define AMT_VERSION	"unknown"
#endif

/* Milliseconds from now until deadline t, 0 once it has passed. */
static inline int64_t
ms_until(uint64_t t, uint64_t now)
{
	return t > now ? (int64_t)(t - now) : 0;
}

uint64_t	 mono_ms(void);
uint64_t	 mono_us(void);
void		 rand_bytes(void *, size_t);
uint32_t	 rand_u32(void);
uint32_t	 rand_range(uint32_t, uint32_t);

#endif
