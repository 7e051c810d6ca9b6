/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * pcapread: read a capture with libpcap (pcap_open_offline) and count
 * the AMT messages in it by type, checking each one's IPv4 and UDP
 * framing on the way.  Prints "TYPE n count" lines and "BAD count".
 */

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char *argv[])
{
	char			 err[PCAP_ERRBUF_SIZE];
	pcap_t			*pc;
	struct pcap_pkthdr	*h;
	const u_char		*p;
	unsigned long		 count[16] = { 0 }, bad = 0;
	size_t			 hl, tot, ulen;
	int			 r, i, link;

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
		if (link != DLT_RAW || h->caplen < 28 || (p[0] >> 4) != 4) {
			bad++;
			continue;
		}
		hl = (size_t)(p[0] & 15) * 4;
		tot = (size_t)p[2] << 8 | p[3];
		ulen = (size_t)p[hl + 4] << 8 | p[hl + 5];
		if (tot != h->caplen || p[9] != 17 || hl + ulen != tot ||
		    ulen < 9 || ((p[hl] << 8 | p[hl + 1]) != 2268 &&
		    (p[hl + 2] << 8 | p[hl + 3]) != 2268) ||
		    (p[hl + 8] >> 4) != 0) {
			bad++;
			continue;
		}
		count[p[hl + 8] & 15]++;
	}
	for (i = 1; i <= 7; i++)
		printf("TYPE %d %lu\n", i, count[i]);
	printf("BAD %lu\n", bad);
	pcap_close(pc);
	return r == PCAP_ERROR_BREAK ? 0 : 1;
}
