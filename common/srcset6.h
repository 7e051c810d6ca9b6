/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The source-set module for IPv6 (MLD, RFC 3810, whose records and
 * state tables are IGMPv3's): the same source as srcset.h, keyed by
 * 16-byte addresses in network order, every name with a 6 (srclist6,
 * hstate6_apply(), rstate6 ...; src_has6(), rstate_record6()).
 */

#ifndef AMT_SRCSET6_H
#define AMT_SRCSET6_H

#include <string.h>

#include "srcset.h"

/* An IPv6 address as a key: network order, so bytes order it. */
struct mc_src6 {
	uint8_t		 a[16];
};

/*
 * Keys of both families in one table: IPv4 as IPv4-mapped IPv6
 * (::ffff:a.b.c.d, RFC 4291 2.5.5.2), which orders as the IPv4
 * addresses do and is never a multicast group or a real source on the
 * wire; all zeros stands for "any source".
 */
static inline struct mc_src6
mc_src6_v4(uint32_t a)
{
	struct mc_src6	 k = { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	    (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8),
	    (uint8_t)a } };

	return k;
}

static inline int
mc_src6_is_v4(const struct mc_src6 *k)
{
	static const uint8_t	 pfx[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	return memcmp(k->a, pfx, sizeof(pfx)) == 0;
}

static inline uint32_t
mc_src6_to_v4(const struct mc_src6 *k)
{
	return (uint32_t)k->a[12] << 24 | (uint32_t)k->a[13] << 16 |
	    (uint32_t)k->a[14] << 8 | k->a[15];
}

static inline int
mc_src6_eq(const struct mc_src6 *x, const struct mc_src6 *y)
{
	return memcmp(x->a, y->a, sizeof(x->a)) == 0;
}

static inline int
mc_src6_is_any(const struct mc_src6 *k)
{
	static const struct mc_src6	 zero;

	return mc_src6_eq(k, &zero);
}

/* A hash of the key's 128 bits, for tables of either family. */
static inline uint32_t
mc_src6_hash(const struct mc_src6 *k)
{
	uint32_t	 h = 0, w;
	unsigned	 i;

	for (i = 0; i < 16; i += 4) {
		w = (uint32_t)k->a[i] << 24 | (uint32_t)k->a[i + 1] << 16 |
		    (uint32_t)k->a[i + 2] << 8 | k->a[i + 3];
		h = (h ^ w) * 2654435761U;
	}
	return h ^ h >> 15;
}

#define SS_T		struct mc_src6
#define SS_SFX		6
#include "srcset_decl.h"
#undef SS_T
#undef SS_SFX

/*
 * An IGMP record or query in that form: sources mapped in order, the
 * group and the sender mapped too, but 0 (a general query, a report
 * from 0.0.0.0) as the all-zero key.  srcs holds the record's nsrcs.
 */
void	 mc_rec_to6(const struct mc_rec *, struct mc_src6 *,
	    struct mc_rec6 *);
void	 mc_query_to6(const struct mc_query *, struct mc_src6 *,
	    struct mc_query6 *);

#endif
