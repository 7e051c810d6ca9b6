/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * libFuzzer harness for the IPv4 + IGMP decoder.  After a successful
 * decode, every record and source the decoder vouched for is read, and
 * v3 reports are rebuilt with the builder and decoded again.
 */

#include <stdint.h>
#include <stdlib.h>

#include "igmp_proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ip4_info		 ip;
	struct igmp_msg		 m, m2;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;
	struct wbuf		 w;
	uint8_t			 out[70000];
	uint32_t		 srcs[256], sum = 0;
	unsigned		 i, n = 0;
	int			 rv;

	/* Raw IGMP first (the relay sees v2/v3 reports this way too). */
	(void)igmp_decode(data, len, &m);
	if (igmp_decode_packet(data, len, &ip, &m) != IGMP_OK)
		return 0;
	if (ip.payload_len > len)
		abort();
	for (i = 0; i < m.nsrcs; i++)
		sum += igmp_src(m.srcs, i);
	if (m.type != IGMP_V3_REPORT)
		return (int)(sum & 0);
	wbuf_init(&w, out, sizeof(out));
	if (igmp_report_begin(&w, ip.src) == -1)
		abort();
	igmp_rec_iter_init(&it, &m);
	while ((rv = igmp_rec_next(&it, &r)) == 1) {
		uint16_t k = r.nsrcs > 256 ? 256 : r.nsrcs;

		for (i = 0; i < k; i++)
			srcs[i] = igmp_src(r.srcs, i);
		if (igmp_report_add(&w, r.type, r.group, srcs, k) == -1)
			abort();
		n++;
	}
	if (rv == -1 || n != m.nrecs)
		abort();
	if (igmp_report_finish(&w) == -1 ||
	    igmp_decode_packet(out, w.len, &ip, &m2) != IGMP_OK ||
	    m2.nrecs != m.nrecs)
		abort();
	return 0;
}
