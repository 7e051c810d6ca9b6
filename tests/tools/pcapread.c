/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * pcapread: read a capture with libpcap (pcap_open_offline) and count
 * the AMT messages in it by type, checking each one's IPv4 or IPv6 and
 * UDP framing on the way (for IPv6 the UDP checksum too, which may not
 * be zero there).  Prints "TYPE n count" lines, "IPV6 count" and
 * "BAD count".
 */

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#include "tool.h"

/*
 * The UDP header's offset in an IPv4 or IPv6 frame whose lengths and
 * protocol are right (and, for IPv6, whose UDP checksum verifies), else 0.
 */
static size_t
udp_at(const u_char *p, size_t caplen, int *v6)
{
	size_t		 hl, tot, i;
	uint32_t	 sum = 0;

	*v6 = (p[0] >> 4) == 6;
	if ((p[0] >> 4) == 4 && caplen >= 28) {
		hl = (size_t)(p[0] & 15) * 4;
		tot = (size_t)p[2] << 8 | p[3];
		return tot == caplen && p[9] == 17 && hl >= 20 &&
		    hl + 8 <= tot ? hl : 0;
	}
	if (!*v6 || caplen < 48 || p[6] != 17 ||
	    40 + ((size_t)p[4] << 8 | p[5]) != caplen ||
	    (p[46] == 0 && p[47] == 0))
		return 0;
	for (i = 8; i < 40; i += 2)		/* the pseudo-header */
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	sum += (uint32_t)(caplen - 40) + 17;
	return csum(p + 40, caplen - 40, sum) == 0 ? 40 : 0;
}

int
main(int argc, char *argv[])
{
	char			 err[PCAP_ERRBUF_SIZE];
	pcap_t			*pc;
	struct pcap_pkthdr	*h;
	const u_char		*p;
	unsigned long		 count[16] = { 0 }, bad = 0, n6 = 0;
	size_t			 hl, tot, ulen;
	int			 r, i, link, v6;

	if (argc != 2) {
		fprintf(stderr, "usage: pcapread file\n");
		return 2;
	}
	if ((pc = pcap_open_offline(argv[1], err)) == NULL) {
		fprintf(stderr, "pcapread: %s\n", err);
		return 1;
	}
	link = pcap_datalink(pc);
	while ((r = pcap_next_ex(pc, &h, &p)) == 1) {
		if (link != DLT_RAW || h->caplen < 28 ||
		    (hl = udp_at(p, h->caplen, &v6)) == 0) {
			bad++;
			continue;
		}
		tot = h->caplen;
		ulen = (size_t)p[hl + 4] << 8 | p[hl + 5];
		if (hl + ulen != tot || ulen < 9 ||
		    ((p[hl] << 8 | p[hl + 1]) != 2268 &&
		    (p[hl + 2] << 8 | p[hl + 3]) != 2268) ||
		    (p[hl + 8] >> 4) != 0) {
			bad++;
			continue;
		}
		count[p[hl + 8] & 15]++;
		n6 += v6;
	}
	for (i = 1; i <= 7; i++)
		printf("TYPE %d %lu\n", i, count[i]);
	printf("IPV6 %lu\n", n6);
	printf("BAD %lu\n", bad);
	pcap_close(pc);
	return r == PCAP_ERROR_BREAK ? 0 : 1;
}
