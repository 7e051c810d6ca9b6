/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Membership state in one place: source lists kept as sorted sets of
 * IPv4 addresses (host order) and the operations on them; a decoded
 * group record and a decoded query, the same whatever protocol carried
 * them; a host's filter state and how a record changes it (RFC 3376
 * 5.1: what the gateway mirrors, what a tracked host asked for); a
 * router's state and how a record changes it (RFC 3376 6.4: the
 * proxy's LANs); and the merge of several memberships (RFC 3376 3.2,
 * RFC 4605 4.1).  Pure: no clock (time comes in), no sockets, no
 * logging; lists that grow are allocated here, scratch space is the
 * caller's.
 */

#ifndef AMT_SRCSET_H
#define AMT_SRCSET_H

#include <stddef.h>
#include <stdint.h>

/* Filter modes (RFC 3376 3.1). */
enum mc_mode {
	MC_INCLUDE = 0,
	MC_EXCLUDE = 1,
};

/* Group record types; IGMPv3 and MLDv2 use the same numbers (RFC 3376
 * 4.2.12, RFC 3810 5.2.12). */
enum mc_rec_type {
	MC_IS_IN = 1,		/* MODE_IS_INCLUDE */
	MC_IS_EX = 2,		/* MODE_IS_EXCLUDE */
	MC_TO_IN = 3,		/* CHANGE_TO_INCLUDE_MODE */
	MC_TO_EX = 4,		/* CHANGE_TO_EXCLUDE_MODE */
	MC_ALLOW = 5,		/* ALLOW_NEW_SOURCES */
	MC_BLOCK = 6,		/* BLOCK_OLD_SOURCES */
};
#define MC_REC_VALID(t)	((t) >= MC_IS_IN && (t) <= MC_BLOCK)

#define SS_CAT_(a, b)	a##b
#define SS_CAT(a, b)	SS_CAT_(a, b)
#define SSN(n)		SS_CAT(n, SS_SFX)

/* IPv4: keys are addresses in host order; names as they are. */
#define SS_T		uint32_t
#define SS_SFX
#include "srcset_decl.h"
#undef SS_T
#undef SS_SFX

#endif
