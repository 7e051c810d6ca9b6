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

#include "srcset.h"

/* An IPv6 address as a key: network order, so bytes order it. */
struct mc_src6 {
	uint8_t		 a[16];
};

#define SS_T		struct mc_src6
#define SS_SFX		6
#include "srcset_decl.h"
#undef SS_T
#undef SS_SFX

#endif
