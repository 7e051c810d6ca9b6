/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * IPv4 header codec.  ip4_view() checks what a forwarder needs (the
 * version and that the lengths fit the bytes at hand) and nothing
 * more; ip4_decode() also checks the header checksum and walks the
 * options, for control traffic.  The fragmenter copies the header
 * into each fragment and fixes its length, flags, offset and
 * checksum; options are copied whole into every fragment (a
 * simplification RFC 791 allows for the options a multicast source
 * sends, none of which must stay in the first fragment only).
 */

#include <string.h>

#include "buf.h"
#include "cksum.h"
#include "ip4.h"

#define IPOPT_EOL_	0
#define IPOPT_NOP_	1
#define IPOPT_RA_	0x94	/* Router Alert, RFC 2113 */

const char *
ip4_strerror(enum ip4_err e)
{
	static const char *const names[] = {
		"ok", "too short", "not IPv4", "bad IPv4 header length",
		"bad IPv4 header checksum", "malformed IP options",
	};

	return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e] :
	    "unknown error";
}

/*
 * The fixed header and the lengths.  len is the number of bytes at p;
 * bytes past the Total Length (link padding) are not part of the
 * datagram.
 */
enum ip4_err
ip4_view(const uint8_t *p, size_t len, struct ip4_info *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (len < IP4_HDR_LEN)
		return IP4_ERR_SHORT;
	if (p[0] >> 4 != 4)
		return IP4_ERR_VERSION;
	ip->hlen = (uint8_t)((p[0] & 0x0f) * 4);
	ip->tos = p[1];
	ip->tot_len = be16_load(p + 2);
	ip->frag = be16_load(p + 6);
	ip->ttl = p[8];
	ip->proto = p[9];
	ip->src = be32_load(p + 12);
	ip->dst = be32_load(p + 16);
	if (ip->hlen < IP4_HDR_LEN || ip->tot_len < ip->hlen)
		return IP4_ERR_HDRLEN;
	if (ip->tot_len > len)
		return IP4_ERR_SHORT;
	ip->payload_len = (size_t)ip->tot_len - ip->hlen;
	return IP4_OK;
}

/* Walk the options; notes a Router Alert. */
static enum ip4_err
ip4_options(const uint8_t *p, size_t hlen, int *ra)
{
	size_t	 i = IP4_HDR_LEN, olen;

	*ra = 0;
	while (i < hlen) {
		if (p[i] == IPOPT_EOL_)
			break;
		if (p[i] == IPOPT_NOP_) {
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			return IP4_ERR_OPTIONS;
		olen = p[i + 1];
		if (olen < 2 || olen > hlen - i)
			return IP4_ERR_OPTIONS;
		if (p[i] == IPOPT_RA_ && olen == 4)
			*ra = 1;
		i += olen;
	}
	return IP4_OK;
}

/* The whole header: lengths, checksum and options. */
enum ip4_err
ip4_decode(const uint8_t *p, size_t len, struct ip4_info *ip)
{
	enum ip4_err	 e;

	if ((e = ip4_view(p, len, ip)) != IP4_OK)
		return e;
	if (in_cksum(p, ip->hlen) != 0)
		return IP4_ERR_CKSUM;
	return ip4_options(p, ip->hlen, &ip->router_alert);
}

/*
 * Prepare to cut the datagram at pkt (len bytes) into fragments of at
 * most mtu bytes.  -1 if it is no good, if its offset and length go
 * past the largest datagram, or if the header leaves no room for 8
 * payload bytes.
 */
int
ip4_frag_init(struct ip4_frag *f, const uint8_t *pkt, size_t len, size_t mtu)
{
	memset(f, 0, sizeof(*f));
	if (ip4_view(pkt, len, &f->ip) != IP4_OK || mtu <= f->ip.hlen)
		return -1;
	/* A fragment ending past 65535 bytes is not a datagram part. */
	if ((size_t)(f->ip.frag & IP4_OFFMASK) * 8 + f->ip.payload_len >
	    0xffff)
		return -1;
	f->pkt = pkt;
	f->chunk = (mtu - f->ip.hlen) & ~(size_t)7;
	return f->chunk == 0 ? -1 : 0;
}

/*
 * Write the next fragment into out (cap bytes); returns its length, or
 * 0 when the datagram is done or out is too small.  A datagram that is
 * itself a fragment is cut further: offsets add up, and its own MF
 * flag stays on its last piece (RFC 791 3.2).
 */
size_t
ip4_frag_next(struct ip4_frag *f, uint8_t *out, size_t cap)
{
	size_t		 hl = f->ip.hlen, left, n;
	uint16_t	 flags;

	if (f->off >= f->ip.payload_len)
		return 0;
	left = f->ip.payload_len - f->off;
	n = left > f->chunk ? f->chunk : left;
	if (hl + n > cap)
		return 0;
	memcpy(out, f->pkt, hl);
	memcpy(out + hl, f->pkt + hl + f->off, n);
	flags = f->ip.frag & IP4_DF;
	if (n < left || (f->ip.frag & IP4_MF))
		flags |= IP4_MF;
	be16_store(out + 2, (uint16_t)(hl + n));
	be16_store(out + 6, (uint16_t)(flags | (((f->ip.frag & IP4_OFFMASK) +
	    f->off / 8) & IP4_OFFMASK)));
	be16_store(out + 10, 0);
	be16_store(out + 10, in_cksum(out, hl));
	f->off += n;
	return hl + n;
}

/*
 * The ICMP message a router sends back for a datagram it cannot pass
 * on without fragmenting while DF is set (RFC 792, RFC 1191 4): type
 * 3, code 4, the next-hop MTU, then the datagram's IP header and the
 * first 8 bytes of its payload.  Written into out (cap bytes), without
 * an IP header (the raw socket adds it).  Returns its length, 0 if the
 * datagram is no good or out is too small.
 */
size_t
ip4_icmp_frag_needed(uint8_t *out, size_t cap, const uint8_t *pkt,
    size_t len, uint16_t mtu)
{
	struct ip4_info	 ip;
	size_t		 quote, n;

	if (ip4_view(pkt, len, &ip) != IP4_OK)
		return 0;
	quote = ip.hlen + (ip.payload_len < ICMP4_QUOTE ? ip.payload_len :
	    ICMP4_QUOTE);
	n = 8 + quote;
	if (n > cap)
		return 0;
	memset(out, 0, 8);
	out[0] = ICMP4_UNREACH;
	out[1] = ICMP4_FRAG_NEEDED;
	be16_store(out + 6, mtu);
	memcpy(out + 8, pkt, quote);
	be16_store(out + 2, in_cksum(out, n));
	return n;
}

/*
 * Complete the UDP checksum of an unfragmented IPv4 datagram whose
 * checksum the sender left to the NIC (CHECKSUM_PARTIAL): computed
 * over the pseudo-header and the whole UDP datagram.  Returns 0, or -1
 * (and changes nothing) if it is not such a datagram.
 */
int
ip4_udp_csum_fill(uint8_t *p, size_t len)
{
	struct ip4_info	 ip;
	uint16_t	 c, ulen;
	uint64_t	 sum;

	if (ip4_view(p, len, &ip) != IP4_OK || ip.proto != IP4_PROTO_UDP ||
	    ip4_is_fragment(&ip) || ip.payload_len < 8)
		return -1;
	ulen = be16_load(p + ip.hlen + 4);
	if (ulen < 8 || ulen > ip.payload_len)
		return -1;
	be16_store(p + ip.hlen + 6, 0);
	sum = cksum_pseudo4(ip.src, ip.dst, IP4_PROTO_UDP, ulen);
	c = cksum_finish(cksum_add(sum, p + ip.hlen, ulen));
	be16_store(p + ip.hlen + 6, c == 0 ? 0xffff : c);
	return 0;
}
