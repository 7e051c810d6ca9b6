/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The kernel's multicast routing upcalls (struct igmpmsg of
 * linux/mroute.h), which arrive on the mroute socket among the IGMP
 * datagrams, told apart by a zero where an IP header has its protocol.
 * IPv6's (struct mrt6msg of linux/mroute6.h) arrive on the mroute6
 * socket, a zero where ICMPv6 has its type.  Pure: bytes in, a decoded
 * message out.
 */

#ifndef AMT_MRTMSG_H
#define AMT_MRTMSG_H

#include <stddef.h>
#include <stdint.h>

enum mrt_msg_type {
	MRT_MSG_NOCACHE,	/* a packet of an (S,G) with no entry */
	MRT_MSG_WRONGVIF,	/* arrived on another VIF than the entry's */
	MRT_MSG_WHOLEPKT,	/* PIM register: not used here */
	MRT_MSG_OTHER,		/* a type this program does not know */
};

struct mrt_msg {
	enum mrt_msg_type type;
	unsigned	 vif;
	uint32_t	 src;		/* host order */
	uint32_t	 grp;
};

/* The IPv6 one (struct mrt6msg of linux/mroute6.h). */
struct mrt6_msg {
	enum mrt_msg_type type;
	unsigned	 mif;
	uint8_t		 src[16];
	uint8_t		 grp[16];
};

int		 mrt_msg_decode(const uint8_t *, size_t, struct mrt_msg *);
int		 mrt6_msg_decode(const uint8_t *, size_t, struct mrt6_msg *);
const char	*mrt_msg_name(enum mrt_msg_type);

#endif
