/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * IPv6 headers, read field by field with bounds checks.  The extension
 * chain is walked at most IP6_EXT_MAX headers deep; Hop-by-Hop options
 * are checked for length (Pad1, PadN, Router Alert of length 2, any
 * other skipped by its length).  A Fragment header ends the walk: what
 * follows is not a whole upper-layer message.
 */

#include <string.h>

#include "buf.h"
#include "cksum.h"
#include "ip6.h"

static const char *const ip6_errs[IP6_ERR_MAX + 1] = {
	[IP6_OK] = "ok",
	[IP6_ERR_SHORT] = "shorter than its header says",
	[IP6_ERR_VERSION] = "not IPv6",
	[IP6_ERR_LEN] = "payload length inconsistent",
	[IP6_ERR_EXT] = "malformed extension headers",
	[IP6_ERR_OPTION] = "malformed hop-by-hop option",
};

const char *
ip6_strerror(enum ip6_err e)
{
	return (unsigned)e <= IP6_ERR_MAX ? ip6_errs[e] : "?";
}

/* The fixed header; the payload length must fit what is there. */
enum ip6_err
ip6_view(const uint8_t *p, size_t len, struct ip6_info *ip)
{
	uint32_t	 w;

	memset(ip, 0, sizeof(*ip));
	if (len < IP6_HDR_LEN)
		return IP6_ERR_SHORT;
	w = be32_load(p);
	if (w >> 28 != 6)
		return IP6_ERR_VERSION;
	ip->tclass = (uint8_t)(w >> 20);
	ip->flow = w & 0xfffff;
	ip->plen = be16_load(p + 4);
	ip->nh = p[6];
	ip->hlim = p[7];
	memcpy(ip->src, p + 8, IP6_ADDR_LEN);
	memcpy(ip->dst, p + 24, IP6_ADDR_LEN);
	if ((size_t)ip->plen > len - IP6_HDR_LEN)
		return IP6_ERR_LEN;	/* jumbograms (plen 0) refused too */
	if (ip->plen == 0 && ip->nh != IP6_NH_NONE)
		return IP6_ERR_LEN;
	ip->proto = ip->nh;
	ip->hlen = IP6_HDR_LEN;
	ip->payload_len = ip->plen;
	return IP6_OK;
}

/* The options of a Hop-by-Hop header (its body, after the two bytes). */
static enum ip6_err
hop_options(struct buf *b, struct ip6_info *ip)
{
	uint8_t		 t, l;
	uint16_t	 v;

	while (buf_left(b) > 0) {
		(void)buf_get_u8(b, &t);
		if (t == IP6_OPT_PAD1)
			continue;
		if (buf_get_u8(b, &l) == -1 || buf_left(b) < l)
			return IP6_ERR_OPTION;
		if (t == IP6_OPT_ROUTER_ALERT) {
			if (l != 2 || ip->router_alert)
				return IP6_ERR_OPTION;
			(void)buf_get_u16(b, &v);
			ip->router_alert = 1;
			ip->ra_value = v;
			continue;
		}
		(void)buf_skip(b, l);
	}
	return IP6_OK;
}

static int
is_ext(uint8_t nh)
{
	return nh == IP6_NH_HOPOPTS || nh == IP6_NH_ROUTING ||
	    nh == IP6_NH_DSTOPTS || nh == IP6_NH_FRAGMENT;
}

/* The fixed header and the extension chain up to the upper layer. */
enum ip6_err
ip6_decode(const uint8_t *p, size_t len, struct ip6_info *ip)
{
	enum ip6_err	 e;
	struct buf	 b, h;
	uint8_t		 nh, cur, hl;
	unsigned	 n;
	size_t		 l;

	if ((e = ip6_view(p, len, ip)) != IP6_OK)
		return e;
	buf_init(&b, p + IP6_HDR_LEN, ip->plen);
	nh = ip->nh;
	for (n = 0; n < IP6_EXT_MAX && is_ext(nh); n++) {
		/* RFC 8200 4.3: Hop-by-Hop only right after the header. */
		if (nh == IP6_NH_HOPOPTS && n != 0)
			return IP6_ERR_EXT;
		if (buf_peek_u8(&b, 1, &hl) == -1)
			return IP6_ERR_EXT;
		l = nh == IP6_NH_FRAGMENT ? 8 : ((size_t)hl + 1) * 8;
		if (buf_get_sub(&b, l, &h) == -1)
			return IP6_ERR_EXT;
		cur = nh;
		(void)buf_get_u8(&h, &nh);
		(void)buf_skip(&h, 1);
		if (cur == IP6_NH_HOPOPTS && (e = hop_options(&h, ip)) !=
		    IP6_OK)
			return e;
		if (cur == IP6_NH_FRAGMENT) {
			ip->fragment = 1;
			break;
		}
	}
	if (!ip->fragment && is_ext(nh))
		return IP6_ERR_EXT;	/* deeper than IP6_EXT_MAX */
	ip->proto = nh;
	ip->payload_len = buf_left(&b);
	ip->hlen = IP6_HDR_LEN + ((size_t)ip->plen - ip->payload_len);
	return IP6_OK;
}

/*
 * The checksum of an upper-layer message (ICMPv6, UDP) over the
 * pseudo-header of RFC 8200 8.1: a message whose checksum field holds
 * its checksum sums to 0.
 */
uint16_t
ip6_upper_cksum(const uint8_t *src, const uint8_t *dst, uint8_t nh,
    const uint8_t *msg, size_t len)
{
	uint8_t		 ph[8];
	uint64_t	 sum = 0;

	be32_store(ph, (uint32_t)len);
	ph[4] = ph[5] = ph[6] = 0;
	ph[7] = nh;
	sum = cksum_add(sum, src, IP6_ADDR_LEN);
	sum = cksum_add(sum, dst, IP6_ADDR_LEN);
	sum = cksum_add(sum, ph, sizeof(ph));
	sum = cksum_add(sum, msg, len);
	return cksum_finish(sum);
}

/*
 * Fill in the UDP checksum of an IPv6 datagram whose UDP header comes
 * right after the fixed one (a checksum the kernel left to the NIC);
 * -1 if it carries no such UDP.  Never 0 (RFC 8200 8.1).
 */
int
ip6_udp_csum_fill(uint8_t *p, size_t len)
{
	struct ip6_info	 ip;
	uint16_t	 c, ulen;

	if (ip6_view(p, len, &ip) != IP6_OK || ip.nh != IP6_NH_UDP ||
	    ip.plen < 8)
		return -1;
	ulen = be16_load(p + IP6_HDR_LEN + 4);
	if (ulen < 8 || ulen > ip.plen)
		return -1;
	be16_store(p + IP6_HDR_LEN + 6, 0);
	c = ip6_upper_cksum(ip.src, ip.dst, IP6_NH_UDP, p + IP6_HDR_LEN, ulen);
	be16_store(p + IP6_HDR_LEN + 6, c == 0 ? 0xffff : c);
	return 0;
}

/*
 * An ICMPv6 Packet Too Big message (RFC 4443 3.2) for the datagram pkt
 * and the MTU mtu, into out (which holds cap): the message only, as a
 * raw ICMPv6 socket sends it (the kernel adds the IPv6 header and the
 * checksum), with as much of pkt as keeps the whole within the minimum
 * MTU.  Returns its length, or 0 if pkt is no IPv6 datagram.
 */
size_t
ip6_icmp_too_big(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len,
    uint32_t mtu)
{
	struct ip6_info	 ip;
	size_t		 quote, n;

	if (ip6_view(pkt, len, &ip) != IP6_OK)
		return 0;
	quote = IP6_HDR_LEN + (size_t)ip.plen;
	if (quote > IP6_MIN_MTU - IP6_HDR_LEN - 8)
		quote = IP6_MIN_MTU - IP6_HDR_LEN - 8;
	n = 8 + quote;
	if (n > cap)
		return 0;
	out[0] = ICMP6_TOO_BIG;
	out[1] = 0;
	be16_store(out + 2, 0);
	be32_store(out + 4, mtu);
	memcpy(out + 8, pkt, quote);
	return n;
}

int
ip6_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

/* fe80::/10 */
int
ip6_is_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

int
ip6_is_unspecified(const uint8_t *a)
{
	static const uint8_t	 zero[IP6_ADDR_LEN];

	return memcmp(a, zero, IP6_ADDR_LEN) == 0;
}

/* ff3x::/32, the source-specific range (RFC 4607 1). */
int
ip6_is_ssm(const uint8_t *a)
{
	return a[0] == 0xff && (a[1] & 0xf0) == 0x30 && a[2] == 0 &&
	    a[3] == 0;
}
