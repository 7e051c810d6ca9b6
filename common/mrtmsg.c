/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Upcall decoding.  Every field is read at the offset of its name in
 * the kernel's struct igmpmsg, so a change of that layout shows here
 * and nowhere else; the kernel's message types are mapped to ours.
 */

#include <stddef.h>
#include <string.h>

#include <linux/mroute.h>
#include <linux/mroute6.h>

#include "buf.h"
#include "mrtmsg.h"

/*
 * Decode an upcall.  Returns 1 and fills m if p holds one, 0 if p is
 * something else (an IP datagram: its protocol byte, where im_mbz
 * stands, is not zero) or too short to be either.
 */
int
mrt_msg_decode(const uint8_t *p, size_t len, struct mrt_msg *m)
{
	if (len < sizeof(struct igmpmsg) ||
	    p[offsetof(struct igmpmsg, im_mbz)] != 0)
		return 0;
	switch (p[offsetof(struct igmpmsg, im_msgtype)]) {
	case IGMPMSG_NOCACHE:
		m->type = MRT_MSG_NOCACHE;
		break;
	case IGMPMSG_WRONGVIF:
		m->type = MRT_MSG_WRONGVIF;
		break;
	case IGMPMSG_WHOLEPKT:
	case IGMPMSG_WRVIFWHOLE:
		m->type = MRT_MSG_WHOLEPKT;
		break;
	default:
		m->type = MRT_MSG_OTHER;
		break;
	}
	m->vif = (unsigned)p[offsetof(struct igmpmsg, im_vif)] |
	    (unsigned)p[offsetof(struct igmpmsg, im_vif_hi)] << 8;
	m->src = be32_load(p + offsetof(struct igmpmsg, im_src));
	m->grp = be32_load(p + offsetof(struct igmpmsg, im_dst));
	return 1;
}

/*
 * An IPv6 upcall: 1 and m filled, or 0 for anything else (ICMPv6,
 * whose type stands where im6_mbz does, is never 0).
 */
int
mrt6_msg_decode(const uint8_t *p, size_t len, struct mrt6_msg *m)
{
	uint16_t	 mif;

	if (len < sizeof(struct mrt6msg) ||
	    p[offsetof(struct mrt6msg, im6_mbz)] != 0)
		return 0;
	switch (p[offsetof(struct mrt6msg, im6_msgtype)]) {
	case MRT6MSG_NOCACHE:
		m->type = MRT_MSG_NOCACHE;
		break;
	case MRT6MSG_WRONGMIF:
		m->type = MRT_MSG_WRONGVIF;
		break;
	case MRT6MSG_WHOLEPKT:
	case MRT6MSG_WRMIFWHOLE:
		m->type = MRT_MSG_WHOLEPKT;
		break;
	default:
		m->type = MRT_MSG_OTHER;
		break;
	}
	memcpy(&mif, p + offsetof(struct mrt6msg, im6_mif), sizeof(mif));
	m->mif = mif;			/* the kernel's byte order */
	memcpy(m->src, p + offsetof(struct mrt6msg, im6_src), 16);
	memcpy(m->grp, p + offsetof(struct mrt6msg, im6_dst), 16);
	return 1;
}

const char *
mrt_msg_name(enum mrt_msg_type t)
{
	static const char *const names[] = { "nocache", "wrongvif",
	    "wholepkt", "other" };

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] :
	    "other";
}
