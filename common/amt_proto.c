/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * RFC 7450 section 5.1 message codec.  Every field is read explicitly
 * through a bounds-checked cursor.  Reserved bits are "set to zero by
 * the sender and ignored by the receiver" for every message type
 * (5.1.1.3, 5.1.2.3, 5.1.3.3, 5.1.4.3, 5.1.5.3, 5.1.6.3, 5.1.7.3), so the
 * decoder masks them off and the encoder writes zeros.  Only the
 * version must be rejected when non-zero (5.2.3.2, 5.3.3.1).
 */

#include <sys/socket.h>

#include <string.h>

#include "amt_proto.h"
#include "ip6.h"

static const char *const amt_type_names[] = {
	"unknown", "Relay Discovery", "Relay Advertisement", "Request",
	"Membership Query", "Membership Update", "Multicast Data",
	"Teardown",
};

static const char *const amt_err_names[] = {
	"ok", "non-zero version", "unknown type", "message too short",
	"bad relay address length", "encapsulated length exceeds message",
	"encapsulated datagram is not IPv4 or IPv6",
};

const char *
amt_type_name(unsigned type)
{
	if (type > AMT_TYPE_MAX)
		type = 0;
	return amt_type_names[type];
}

const char *
amt_strerror(enum amt_err e)
{
	if ((unsigned)e > AMT_ERR_MAX)
		return "unknown error";
	return amt_err_names[e];
}

/*
 * Length of the IP datagram at p from its own header(s): IPv4 Total
 * Length, or IPv6 Payload Length plus the fixed header.  avail is how
 * many bytes the message holds for it.  Returns 0, or an enum amt_err.
 */
int
amt_ip_len(const uint8_t *p, size_t avail, size_t *len, uint8_t *ver)
{
	size_t	 ihl, tot;

	if (avail < 1)
		return AMT_ERR_SHORT;
	switch (p[0] >> 4) {
	case 4:
		if (avail < 20)
			return AMT_ERR_SHORT;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		tot = be16_load(p + 2);
		if (ihl < 20 || tot < ihl)
			return AMT_ERR_INNER;
		*ver = 4;
		break;
	case 6:
		if (avail < 40)
			return AMT_ERR_SHORT;
		tot = 40 + (size_t)be16_load(p + 4);
		*ver = 6;
		break;
	default:
		return AMT_ERR_INNER;
	}
	if (tot > avail)
		return AMT_ERR_INNER_LEN;
	*len = tot;
	return AMT_OK;
}

/* Locate the encapsulated datagram that starts at off and ends by end. */
static enum amt_err
decode_inner(const uint8_t *p, size_t off, size_t end, struct amt_msg *m)
{
	int	 e;

	if (end < off)
		return AMT_ERR_SHORT;
	e = amt_ip_len(p + off, end - off, &m->inner_len, &m->inner_ver);
	if (e != AMT_OK)
		return (enum amt_err)e;
	m->inner_off = off;
	return AMT_OK;
}

/*
 * Decode one AMT message (a whole UDP payload).  On success m describes
 * it; on failure m is unspecified and the return value says why.
 */
enum amt_err
amt_decode(const uint8_t *p, size_t len, struct amt_msg *m)
{
	struct buf	 b;
	uint8_t		 b0, b1, ver;
	size_t		 end;

	memset(m, 0, sizeof(*m));
	buf_init(&b, p, len);
	if (buf_get_u8(&b, &b0) == -1)
		return AMT_ERR_SHORT;
	ver = b0 >> 4;
	m->type = b0 & 0x0f;
	if (ver != 0)
		return AMT_ERR_VERSION;		/* 5.2.3.2 */
	if (m->type < AMT_DISCOVERY || m->type > AMT_TYPE_MAX)
		return AMT_ERR_TYPE;
	if (buf_get_u8(&b, &b1) == -1)
		return AMT_ERR_SHORT;

	switch (m->type) {
	case AMT_DISCOVERY:			/* 5.1.1 */
		if (buf_skip(&b, 2) == -1 || buf_get_u32(&b, &m->nonce) == -1)
			return AMT_ERR_SHORT;
		return AMT_OK;

	case AMT_ADVERTISEMENT:			/* 5.1.2 */
		if (buf_skip(&b, 2) == -1 || buf_get_u32(&b, &m->nonce) == -1)
			return AMT_ERR_SHORT;
		/* 5.1.2.5: the family is told by the length alone. */
		if (buf_left(&b) == 4)
			m->relay_af = AF_INET;
		else if (buf_left(&b) == 16)
			m->relay_af = AF_INET6;
		else
			return AMT_ERR_ADDRLEN;
		(void)buf_get_bytes(&b, m->relay_addr, buf_left(&b));
		return AMT_OK;

	case AMT_REQUEST:			/* 5.1.3 */
		m->flags = b1 & AMT_FLAG_P;
		if (buf_skip(&b, 2) == -1 || buf_get_u32(&b, &m->nonce) == -1)
			return AMT_ERR_SHORT;
		return AMT_OK;

	case AMT_QUERY:				/* 5.1.4 */
		m->flags = b1 & (AMT_FLAG_L | AMT_FLAG_G);
		if (buf_get_bytes(&b, m->mac, AMT_MAC_LEN) == -1 ||
		    buf_get_u32(&b, &m->nonce) == -1)
			return AMT_ERR_SHORT;
		end = len;
		if (m->flags & AMT_FLAG_G) {
			/* 5.1.4.9: the fields are the last 18 bytes. */
			if (len < AMT_QUERY_HDR_LEN + AMT_GWFIELDS_LEN)
				return AMT_ERR_SHORT;
			end = len - AMT_GWFIELDS_LEN;
			m->gw_port = be16_load(p + end);
			memcpy(m->gw_addr, p + end + 2, AMT_GWADDR_LEN);
		}
		return decode_inner(p, AMT_QUERY_HDR_LEN, end, m);

	case AMT_UPDATE:			/* 5.1.5 */
		if (buf_get_bytes(&b, m->mac, AMT_MAC_LEN) == -1 ||
		    buf_get_u32(&b, &m->nonce) == -1)
			return AMT_ERR_SHORT;
		return decode_inner(p, AMT_UPDATE_HDR_LEN, len, m);

	case AMT_DATA:				/* 5.1.6 */
		return decode_inner(p, AMT_DATA_HDR_LEN, len, m);

	case AMT_TEARDOWN:			/* 5.1.7 */
		if (buf_get_bytes(&b, m->mac, AMT_MAC_LEN) == -1 ||
		    buf_get_u32(&b, &m->nonce) == -1 ||
		    buf_get_u16(&b, &m->gw_port) == -1 ||
		    buf_get_bytes(&b, m->gw_addr, AMT_GWADDR_LEN) == -1)
			return AMT_ERR_SHORT;
		return AMT_OK;
	}
	return AMT_ERR_TYPE;	/* NOTREACHED */
}

/* The IPv6 datagram of a Data message: its length, to a group. */
static enum amt_data_err
data_view6(const uint8_t *p, size_t n, size_t *len)
{
	struct ip6_info	 ip;

	if (n < IP6_HDR_LEN)
		return AMT_DATA_SHORT;
	if (ip6_view(p, n, &ip) != IP6_OK)
		return AMT_DATA_BAD_LEN;
	if (!ip6_is_multicast(ip.dst))
		return AMT_DATA_NOT_MCAST;
	*len = IP6_HDR_LEN + (size_t)ip.plen;
	return AMT_DATA_OK;
}

/*
 * The datagram in a Multicast Data message of n bytes at p (5.1.6),
 * for the gateway's data path (5.2.3.3): the message type is known to
 * be Data; the datagram must be IPv4 or IPv6, of consistent length
 * within the message, to a multicast group.  Bytes after the datagram
 * are not part of it.  On success *off and *len locate the datagram
 * (its version is the high nibble of its first byte).
 */
enum amt_data_err
amt_data_view(const uint8_t *p, size_t n, size_t *off, size_t *len)
{
	struct ip4_info	 ip;
	enum amt_data_err e;

	if (n <= AMT_DATA_HDR_LEN)
		return AMT_DATA_SHORT;
	*off = AMT_DATA_HDR_LEN;
	if (p[AMT_DATA_HDR_LEN] >> 4 == 6) {
		e = data_view6(p + AMT_DATA_HDR_LEN, n - AMT_DATA_HDR_LEN,
		    len);
		return e;
	}
	if (p[AMT_DATA_HDR_LEN] >> 4 != 4)
		return AMT_DATA_NOT_IP;
	if (n < AMT_DATA_HDR_LEN + IP4_HDR_LEN)
		return AMT_DATA_SHORT;
	if (ip4_view(p + AMT_DATA_HDR_LEN, n - AMT_DATA_HDR_LEN, &ip) !=
	    IP4_OK)
		return AMT_DATA_BAD_LEN;
	if ((ip.dst & 0xf0000000U) != 0xe0000000U)
		return AMT_DATA_NOT_MCAST;
	*len = ip.tot_len;
	return AMT_DATA_OK;
}

/*
 * Encode m into w.  inner is the encapsulated datagram (m->inner_len
 * bytes) for Query, Update and Data, and ignored otherwise.  Reserved
 * bits are written as zero.  Returns -1 if w is too small or m is not
 * encodable; w may then hold a partial message.
 */
int
amt_encode(const struct amt_msg *m, const uint8_t *inner, struct wbuf *w)
{
	int	 rv = 0;

	if (m->type < AMT_DISCOVERY || m->type > AMT_TYPE_MAX)
		return -1;
	rv |= wbuf_put_u8(w, m->type);		/* version 0 */
	switch (m->type) {
	case AMT_DISCOVERY:
	case AMT_ADVERTISEMENT:
		rv |= wbuf_put_zero(w, 3);
		rv |= wbuf_put_u32(w, m->nonce);
		if (m->type == AMT_DISCOVERY)
			break;
		if (m->relay_af == AF_INET)
			rv |= wbuf_put_bytes(w, m->relay_addr, 4);
		else if (m->relay_af == AF_INET6)
			rv |= wbuf_put_bytes(w, m->relay_addr, 16);
		else
			return -1;
		break;
	case AMT_REQUEST:
		rv |= wbuf_put_u8(w, m->flags & AMT_FLAG_P);
		rv |= wbuf_put_zero(w, 2);
		rv |= wbuf_put_u32(w, m->nonce);
		break;
	case AMT_QUERY:
	case AMT_UPDATE:
		rv |= wbuf_put_u8(w, m->type == AMT_QUERY ?
		    m->flags & (AMT_FLAG_L | AMT_FLAG_G) : 0);
		rv |= wbuf_put_bytes(w, m->mac, AMT_MAC_LEN);
		rv |= wbuf_put_u32(w, m->nonce);
		if (inner == NULL && m->inner_len > 0)
			return -1;
		rv |= wbuf_put_bytes(w, inner, m->inner_len);
		if (m->type == AMT_QUERY && (m->flags & AMT_FLAG_G)) {
			rv |= wbuf_put_u16(w, m->gw_port);
			rv |= wbuf_put_bytes(w, m->gw_addr, AMT_GWADDR_LEN);
		}
		break;
	case AMT_DATA:
		rv |= wbuf_put_u8(w, 0);
		if (inner == NULL && m->inner_len > 0)
			return -1;
		rv |= wbuf_put_bytes(w, inner, m->inner_len);
		break;
	case AMT_TEARDOWN:
		rv |= wbuf_put_u8(w, 0);
		rv |= wbuf_put_bytes(w, m->mac, AMT_MAC_LEN);
		rv |= wbuf_put_u32(w, m->nonce);
		rv |= wbuf_put_u16(w, m->gw_port);
		rv |= wbuf_put_bytes(w, m->gw_addr, AMT_GWADDR_LEN);
		break;
	}
	return rv == 0 ? 0 : -1;
}
