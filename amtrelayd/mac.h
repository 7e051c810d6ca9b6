/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The Response MAC (mac.c): a keyed hash of a gateway's address, port
 * and Request nonce under a secret that rotates (RFC 7450 5.3.5,
 * 5.3.6).
 */

#ifndef MAC_H
#define MAC_H

#include <stdint.h>

#include "amt_proto.h"

#define MAC_KEYLEN	16

struct relay_mac {
	uint8_t		 cur[MAC_KEYLEN];
	uint8_t		 prev[MAC_KEYLEN];
	int		 have_prev;
	uint64_t	 rotated;	/* when cur became current, ms */
};

void	 mac_init(struct relay_mac *, const uint8_t *, uint64_t);
void	 mac_rotate(struct relay_mac *, const uint8_t *, uint64_t);
void	 mac_compute(const uint8_t *, const uint8_t *, uint16_t, uint32_t,
	    uint8_t[AMT_MAC_LEN]);
int	 mac_verify(const struct relay_mac *, uint64_t, uint32_t,
	    const uint8_t *, uint16_t, uint32_t, const uint8_t[AMT_MAC_LEN]);

#endif
