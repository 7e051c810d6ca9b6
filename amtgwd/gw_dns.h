/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd's resolver (gw_dns.c): libunbound in the libevent loop.
 */

#ifndef GW_DNS_H
#define GW_DNS_H

#include <stdint.h>

#include "gw.h"

#define GWDNS_SLOTS	1024	/* lookup ids: driad-lookups-max at most */

struct event_base;
struct gwdns;

typedef void	 (*gwdns_answer_fn)(void *, unsigned,
		    const struct gw_dns_answer *);

struct gwdns	*gwdns_open(struct event_base *, const char *, gwdns_answer_fn,
		    void *);
void		 gwdns_close(struct gwdns *);
int		 gwdns_lookup(struct gwdns *, unsigned, const char *, uint16_t);

#endif
