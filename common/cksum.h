/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The Internet checksum (RFC 1071).  cksum_add() accumulates a partial
 * sum; only the last piece handed to it may have an odd length.
 */

#ifndef AMT_CKSUM_H
#define AMT_CKSUM_H

#include <stddef.h>
#include <stdint.h>

uint64_t	cksum_add(uint64_t, const void *, size_t);
uint16_t	cksum_finish(uint64_t);
uint16_t	in_cksum(const void *, size_t);
uint64_t	cksum_pseudo4(uint32_t, uint32_t, uint8_t, uint16_t);

#endif
