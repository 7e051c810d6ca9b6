/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * libFuzzer harness for the AMT decoder.  Whatever decodes must encode
 * again and decode to the same fields, and the encapsulated datagram
 * must lie inside the input.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amt_proto.h"
#include "igmp_proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct amt_msg	 m, m2;
	struct ip4_info	 ip;
	struct igmp_msg	 g;
	struct wbuf	 w;
	uint8_t		 out[70000];

	if (amt_decode(data, len, &m) != AMT_OK)
		return 0;
	if (m.inner_len > 0 && (m.inner_off > len ||
	    m.inner_len > len - m.inner_off))
		abort();
	/* The embedded datagram goes through the IGMP decoder as well. */
	if (m.inner_len > 0)
		(void)igmp_decode_packet(data + m.inner_off, m.inner_len, &ip,
		    &g);
	wbuf_init(&w, out, sizeof(out));
	if (amt_encode(&m, data + m.inner_off, &w) == -1)
		abort();
	if (amt_decode(out, w.len, &m2) != AMT_OK)
		abort();
	if (m2.type != m.type || m2.flags != m.flags ||
	    m2.nonce != m.nonce || m2.inner_len != m.inner_len ||
	    memcmp(m2.mac, m.mac, sizeof(m.mac)) != 0 ||
	    (m.inner_len > 0 && memcmp(out + m2.inner_off,
	    data + m.inner_off, m.inner_len) != 0))
		abort();
	return 0;
}
