/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* The unit test suites, one per module, and small shared helpers. */

#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdint.h>

Suite	*buf_suite(void);
Suite	*cksum_suite(void);
Suite	*addr_suite(void);
Suite	*amt_proto_suite(void);
Suite	*igmp_proto_suite(void);
Suite	*conf_suite(void);
Suite	*log_suite(void);
Suite	*replay_suite(void);
Suite	*gw_fsm_suite(void);
Suite	*gw_conf_suite(void);
Suite	*px_suite(void);
Suite	*relay_suite(void);
Suite	*emit_suite(void);
Suite	*srcset_suite(void);
Suite	*ip4_suite(void);
Suite	*engine_suite(void);
Suite	*driad_suite(void);
Suite	*gw_site_suite(void);
Suite	*mld_suite(void);
Suite	*gw_model_suite(void);
Suite	*srcset6_suite(void);
Suite	*px6_suite(void);

/* A small, seeded generator so random tests are reproducible. */
static inline uint32_t
xorshift32(uint32_t *s)
{
	uint32_t	 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

#define UNIT_SEED	0x5eed1234U

#endif
