/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Debug captures: AMT messages written, with made-up IPv4 or IPv6 and
 * UDP headers, to a pcap file Wireshark opens (libpcap's dump API, raw
 * IP link type, which takes both versions).  The file is restarted from empty when it would pass its
 * size limit, so it always holds the latest traffic.
 */

#ifndef AMT_PCAPW_H
#define AMT_PCAPW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

struct pcapw {
	pcap_t		*dead;
	pcap_dumper_t	*d;
	FILE		*fp;
	uint64_t	 limit;		/* bytes */
	uint64_t	 written;
	int		 data;		/* Multicast Data too */
	uint64_t	 restarts;
	int		 dirty;		/* written since the last flush */
};

int	 pcapw_open(struct pcapw *, const char *, unsigned, int, const char *);
void	 pcapw_udp(struct pcapw *, const uint8_t *, uint16_t,
	    const uint8_t *, uint16_t, const uint8_t *, size_t,
	    const uint8_t *, size_t);
size_t	 pcapw_frame(uint8_t *, size_t, const uint8_t *, uint16_t,
	    const uint8_t *, uint16_t, const uint8_t *, size_t,
	    const uint8_t *, size_t);
void	 pcapw_flush(struct pcapw *);
void	 pcapw_close(struct pcapw *);

/* Is capturing on at all (for the hot paths' cheap test)? */
static inline int
pcapw_on(const struct pcapw *p)
{
	return p != NULL && p->d != NULL;
}

#endif
