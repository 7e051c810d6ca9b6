/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* rtnetlink: links and IPv4 addresses, dumped and then followed. */

#ifndef AMT_NL_H
#define AMT_NL_H

#include <stddef.h>
#include <stdint.h>

struct nl_handler {
	/* RTM_NEWLINK: ifindex, name, IFF_* flags, MTU (0: not given). */
	void	 (*link)(void *, int, const char *, unsigned, unsigned);
	/* RTM_DELLINK. */
	void	 (*link_gone)(void *, int);
	/* RTM_NEWADDR / RTM_DELADDR: ifindex, address (host order), plen. */
	void	 (*addr)(void *, int, uint32_t, uint8_t, int);
	/* The same for IPv6 (16 bytes, network order); may be NULL. */
	void	 (*addr6)(void *, int, const uint8_t *, uint8_t, int);
};

int	 nl_open(void);
int	 nl_dump(int);
int	 nl_read(int, const struct nl_handler *, void *);
int	 nl_parse(uint8_t *, size_t, const struct nl_handler *, void *,
	    int *);

#endif
