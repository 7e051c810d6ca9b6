/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * IPv4 datagrams (RFC 791): the header read into a view, in full (the
 * checksum and the options too) or quickly for the data paths; the
 * fragmenter a relay needs when a datagram is larger than its tunnel
 * (RFC 7450 5.3.3.6.2.1); and the completion of a UDP checksum the
 * kernel left to the NIC.  Pure: no sockets, clocks or allocation.
 */

#ifndef AMT_IP4_H
#define AMT_IP4_H

#include <stddef.h>
#include <stdint.h>

#define IP4_HDR_LEN	20		/* without options */
#define IP4_PROTO_IGMP	2
#define IP4_PROTO_UDP	17
#define IP4_DF		0x4000		/* don't fragment */
#define IP4_MF		0x2000		/* more fragments */
#define IP4_OFFMASK	0x1fff		/* fragment offset, 8-byte units */

enum ip4_err {
	IP4_OK = 0,
	IP4_ERR_SHORT,		/* fewer bytes than the header says */
	IP4_ERR_VERSION,	/* not version 4 */
	IP4_ERR_HDRLEN,		/* header or total length inconsistent */
	IP4_ERR_CKSUM,		/* bad header checksum */
	IP4_ERR_OPTIONS,	/* malformed options */
};

/* A decoded IPv4 header. */
struct ip4_info {
	uint8_t		 hlen;		/* header length in bytes */
	uint8_t		 tos;
	uint8_t		 ttl;
	uint8_t		 proto;
	uint16_t	 tot_len;
	uint16_t	 frag;		/* flags and offset */
	uint32_t	 src;		/* host order */
	uint32_t	 dst;
	int		 router_alert;	/* set by ip4_decode() only */
	size_t		 payload_len;	/* tot_len - hlen */
};

enum ip4_err	 ip4_view(const uint8_t *, size_t, struct ip4_info *);
enum ip4_err	 ip4_decode(const uint8_t *, size_t, struct ip4_info *);
const char	*ip4_strerror(enum ip4_err);

/* Is it a fragment (offset or more-fragments set)? */
static inline int
ip4_is_fragment(const struct ip4_info *ip)
{
	return (ip->frag & (IP4_MF | IP4_OFFMASK)) != 0;
}

/*
 * Cutting a datagram into fragments of at most mtu bytes each: the
 * state of the walk; ip4_frag_next() writes one fragment at a time.
 */
struct ip4_frag {
	const uint8_t	*pkt;
	struct ip4_info	 ip;
	size_t		 chunk;		/* payload bytes per fragment */
	size_t		 off;		/* payload bytes done */
};

int	 ip4_frag_init(struct ip4_frag *, const uint8_t *, size_t, size_t);
size_t	 ip4_frag_next(struct ip4_frag *, uint8_t *, size_t);

int	 ip4_udp_csum_fill(uint8_t *, size_t);

#define ICMP4_UNREACH		3	/* Destination Unreachable */
#define ICMP4_FRAG_NEEDED	4	/* ... fragmentation needed, DF set */
#define ICMP4_PORT_UNREACH	3	/* ... port unreachable */
#define ICMP4_QUOTE		8	/* payload bytes quoted after the header */

size_t	 ip4_icmp_frag_needed(uint8_t *, size_t, const uint8_t *, size_t,
	    uint16_t);

#endif
