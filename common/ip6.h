/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * IPv6 datagrams (RFC 8200): the fixed header read into a view for the
 * data paths, and a full decode that walks the extension headers to the
 * upper layer and reads the Hop-by-Hop Router Alert option (RFC 2711)
 * MLD needs; the upper-layer checksum over the pseudo-header (8.1).
 * Pure: no sockets, clocks or allocation.  Addresses stay in network
 * order, 16 bytes.
 */

#ifndef AMT_IP6_H
#define AMT_IP6_H

#include <stddef.h>
#include <stdint.h>

#define IP6_HDR_LEN		40
#define IP6_ADDR_LEN		16
#define IP6_NH_HOPOPTS		0
#define IP6_NH_UDP		17
#define IP6_NH_ROUTING		43
#define IP6_NH_FRAGMENT		44
#define IP6_NH_ICMP6		58
#define IP6_NH_NONE		59
#define IP6_NH_DSTOPTS		60
#define IP6_OPT_PAD1		0
#define IP6_OPT_PADN		1
#define IP6_OPT_ROUTER_ALERT	5	/* RFC 2711 */
#define IP6_RA_MLD		0	/* its value for MLD */
#define IP6_EXT_MAX		8	/* extension headers walked at most */
#define IP6_MIN_MTU		1280	/* RFC 8200 5 */
#define ICMP6_TOO_BIG		2	/* RFC 4443 3.2 */

enum ip6_err {
	IP6_OK = 0,
	IP6_ERR_SHORT,		/* fewer bytes than the header says */
	IP6_ERR_VERSION,	/* not version 6 */
	IP6_ERR_LEN,		/* payload length inconsistent */
	IP6_ERR_EXT,		/* a malformed or endless extension chain */
	IP6_ERR_OPTION,		/* a malformed Hop-by-Hop option */
};
#define IP6_ERR_MAX		IP6_ERR_OPTION

struct ip6_info {
	uint8_t		 tclass;
	uint32_t	 flow;
	uint16_t	 plen;		/* payload length field */
	uint8_t		 hlim;
	uint8_t		 src[IP6_ADDR_LEN];
	uint8_t		 dst[IP6_ADDR_LEN];
	uint8_t		 nh;		/* the first next header */
	/* set by ip6_decode() only */
	uint8_t		 proto;		/* upper layer, after extensions */
	size_t		 hlen;		/* fixed header and extensions */
	size_t		 payload_len;	/* upper-layer bytes */
	int		 router_alert;	/* a Router Alert option */
	uint16_t	 ra_value;
	int		 fragment;	/* a Fragment header was met */
};

enum ip6_err	 ip6_view(const uint8_t *, size_t, struct ip6_info *);
enum ip6_err	 ip6_decode(const uint8_t *, size_t, struct ip6_info *);
const char	*ip6_strerror(enum ip6_err);
uint16_t	 ip6_upper_cksum(const uint8_t *, const uint8_t *, uint8_t,
		    const uint8_t *, size_t);
int		 ip6_udp_csum_fill(uint8_t *, size_t);
size_t		 ip6_icmp_too_big(uint8_t *, size_t, const uint8_t *, size_t,
		    uint32_t);
int		 ip6_is_multicast(const uint8_t *);
int		 ip6_is_linklocal(const uint8_t *);
int		 ip6_is_unspecified(const uint8_t *);
int		 ip6_is_ssm(const uint8_t *);

#endif
