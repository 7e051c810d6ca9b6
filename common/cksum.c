/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Internet checksum: a one's complement sum of 16-bit big-endian words.
 * Words are summed eight bytes at a time into a 64-bit accumulator and
 * folded at the end; the byte order of the machine does not matter for
 * the folded result as long as it is stored back the same way, but we
 * keep the value in host order of the big-endian words for clarity.
 */

#include <string.h>

#include "buf.h"
#include "cksum.h"

/* Add len bytes at p to the running sum. */
uint64_t
cksum_add(uint64_t sum, const void *p, size_t len)
{
	const uint8_t	*b = p;

	while (len >= 8) {
		sum += (uint64_t)be32_load(b) + be32_load(b + 4);
		b += 8;
		len -= 8;
	}
	while (len >= 2) {
		sum += be16_load(b);
		b += 2;
		len -= 2;
	}
	if (len == 1)
		sum += (uint64_t)b[0] << 8;
	return sum;
}

/* Fold the sum to 16 bits and complement it: the checksum field value. */
uint16_t
cksum_finish(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The checksum of one contiguous block. */
uint16_t
in_cksum(const void *p, size_t len)
{
	return cksum_finish(cksum_add(0, p, len));
}

/* Partial sum of the IPv4 pseudo-header (addresses in host order). */
uint64_t
cksum_pseudo4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	return (uint64_t)(src >> 16) + (src & 0xffff) + (dst >> 16) +
	    (dst & 0xffff) + proto + len;
}
