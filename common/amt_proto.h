/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Encoding and decoding of the seven AMT messages of RFC 7450 section
 * 5.1.  Pure: no sockets, clocks, globals or allocation.  A decoded
 * message refers to its encapsulated datagram by offset and length in
 * the caller's buffer; nothing is copied.
 */

#ifndef AMT_PROTO_H
#define AMT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ip4.h"

#define AMT_PORT		2268	/* RFC 7450 7.2 */
#define AMT_MAC_LEN		6
#define AMT_GWADDR_LEN		16
#define AMT_GWFIELDS_LEN	18	/* port + 16-byte address */
#define AMT_DISCOVERY_LEN	8
#define AMT_REQUEST_LEN		8
#define AMT_QUERY_HDR_LEN	12
#define AMT_UPDATE_HDR_LEN	12
#define AMT_DATA_HDR_LEN	2
#define AMT_TEARDOWN_LEN	30

/* Flag bits, in byte 1 of the message. */
#define AMT_FLAG_P		0x01	/* Request: MLDv2 query wanted */
#define AMT_FLAG_G		0x01	/* Query: gateway address fields */
#define AMT_FLAG_L		0x02	/* Query: relay at its tunnel limit */

enum amt_type {
	AMT_DISCOVERY = 1,
	AMT_ADVERTISEMENT = 2,
	AMT_REQUEST = 3,
	AMT_QUERY = 4,
	AMT_UPDATE = 5,
	AMT_DATA = 6,
	AMT_TEARDOWN = 7,
};
#define AMT_TYPE_MAX		7

enum amt_err {
	AMT_OK = 0,
	AMT_ERR_VERSION,	/* version field is not 0 */
	AMT_ERR_TYPE,		/* not one of the seven types */
	AMT_ERR_SHORT,		/* shorter than its type requires */
	AMT_ERR_ADDRLEN,	/* Advertisement address neither 4 nor 16 */
	AMT_ERR_INNER_LEN,	/* encapsulated IP length exceeds message */
	AMT_ERR_INNER,		/* encapsulated datagram not IPv4/IPv6 */
};
#define AMT_ERR_MAX		AMT_ERR_INNER

struct amt_msg {
	uint8_t		 type;
	uint8_t		 flags;		/* P, or L and G; reserved bits 0 */
	uint32_t	 nonce;		/* discovery or request nonce */
	uint8_t		 mac[AMT_MAC_LEN];
	int		 relay_af;	/* Advertisement: AF_INET(6) */
	uint8_t		 relay_addr[16];
	uint8_t		 inner_ver;	/* 4 or 6 */
	size_t		 inner_off;	/* encapsulated datagram */
	size_t		 inner_len;
	uint16_t	 gw_port;	/* Query with G, Teardown */
	uint8_t		 gw_addr[AMT_GWADDR_LEN];
};

/* Why a Multicast Data message's datagram is refused (5.2.3.3). */
enum amt_data_err {
	AMT_DATA_OK = 0,
	AMT_DATA_SHORT,		/* no room for an IP header */
	AMT_DATA_NOT_IP,	/* neither IPv4 nor IPv6 */
	AMT_DATA_BAD_LEN,	/* lengths inconsistent or cut short */
	AMT_DATA_NOT_MCAST,	/* not to a multicast group */
};

/* Is this UDP payload a Multicast Data message (version 0, type 6)?
 * The data paths split it from control traffic by this byte alone. */
static inline int
amt_is_data(const uint8_t *p, size_t n)
{
	return n > 0 && p[0] == AMT_DATA;
}

enum amt_err	 amt_decode(const uint8_t *, size_t, struct amt_msg *);
int		 amt_encode(const struct amt_msg *, const uint8_t *,
		    struct wbuf *);
int		 amt_ip_len(const uint8_t *, size_t, size_t *, uint8_t *);
enum amt_data_err amt_data_view(const uint8_t *, size_t, size_t *,
		    size_t *);
const char	*amt_type_name(unsigned);
const char	*amt_strerror(enum amt_err);

#endif
