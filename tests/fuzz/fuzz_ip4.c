/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * libFuzzer harness for the data-path codecs: the IPv4 header view and
 * decoder, the fragmenter (its fragments must view good and carry the
 * payload exactly, in order), the UDP checksum completion (the result
 * must verify), the Multicast Data view and the kernel upcall decoder.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amt_proto.h"
#include "buf.h"
#include "cksum.h"
#include "ip4.h"
#include "mrtmsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Fragments of the datagram must rebuild its payload. */
static void
check_fragments(const uint8_t *p, size_t len, const struct ip4_info *ip,
    size_t mtu)
{
	static uint8_t	 frag[70000], whole[70000];
	struct ip4_frag	 f;
	struct ip4_info	 fi;
	size_t		 n, done = 0, off;

	if (ip4_frag_init(&f, p, len, mtu) == -1)
		return;
	while ((n = ip4_frag_next(&f, frag, sizeof(frag))) > 0) {
		if (n > mtu || ip4_view(frag, n, &fi) != IP4_OK ||
		    in_cksum(frag, fi.hlen) != 0 || fi.tot_len != n ||
		    fi.hlen != ip->hlen || fi.src != ip->src ||
		    fi.dst != ip->dst)
			abort();
		off = (size_t)((fi.frag & IP4_OFFMASK) -
		    (ip->frag & IP4_OFFMASK)) * 8;
		if (off != done || done + fi.payload_len > ip->payload_len)
			abort();
		memcpy(whole + done, frag + fi.hlen, fi.payload_len);
		done += fi.payload_len;
	}
	if (done != ip->payload_len ||
	    memcmp(whole, p + ip->hlen, done) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static uint8_t	 copy[70000];
	struct ip4_info	 ip;
	struct mrt_msg	 u;
	struct mrt6_msg	 u6;
	size_t		 off, dlen;
	uint64_t	 sum;

	(void)mrt_msg_decode(data, len, &u);
	if (mrt6_msg_decode(data, len, &u6) && (len < 40 || data[0] != 0))
		abort();
	if (amt_data_view(data, len, &off, &dlen) == AMT_DATA_OK &&
	    (off + dlen > len || dlen < IP4_HDR_LEN))
		abort();
	if (len > sizeof(copy) || ip4_view(data, len, &ip) != IP4_OK)
		return 0;
	if (ip.tot_len > len || ip.hlen + ip.payload_len != ip.tot_len)
		abort();
	(void)ip4_decode(data, len, &ip);
	(void)ip4_view(data, len, &ip);
	/* A few tunnel sizes, including ones that barely fit a header. */
	check_fragments(data, len, &ip, 68);
	check_fragments(data, len, &ip, (size_t)ip.hlen + 8);
	check_fragments(data, len, &ip, 1442);
	memcpy(copy, data, ip.tot_len);
	if (ip4_udp_csum_fill(copy, ip.tot_len) == 0) {
		/* The UDP checksum over the pseudo-header must verify. */
		dlen = be16_load(copy + ip.hlen + 4);
		sum = cksum_pseudo4(ip.src, ip.dst, IP4_PROTO_UDP,
		    (uint16_t)dlen);
		if (cksum_finish(cksum_add(sum, copy + ip.hlen, dlen)) != 0)
			abort();
	}
	return 0;
}
