/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpq: another router on a LAN.  It sends IGMP general queries (v1,
 * v2 or v3) from an interface every interval, so that a test can make
 * igmpproxyd lose (or win) the querier election.  Built byte by byte
 * from the RFC layouts; it shares no code with the daemons.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

int
main(int argc, char *argv[])
{
	const char		*ifname = NULL;
	struct in_addr		 src = { 0 };
	unsigned		 version = 3, interval_ms = 1000;
	uint8_t			 b[36];
	size_t			 len;
	struct sockaddr_in	 dst;
	struct ip_mreqn		 mr;
	int			 ch, s, zero = 0;
	struct timespec		 ts;

	while ((ch = getopt(argc, argv, "i:s:t:v:")) != -1) {
		switch (ch) {
		case 'i': ifname = optarg; break;
		case 's': inet_pton(AF_INET, optarg, &src); break;
		case 't': interval_ms = (unsigned)atoi(optarg); break;
		case 'v': version = (unsigned)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: igmpq -i if -s src [-t ms] "
			    "[-v 1|2|3]\n");
			return 2;
		}
	}
	if (ifname == NULL || src.s_addr == 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	stop_on_signals();
	if ((s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) == -1) {
		perror("socket");
		return 1;
	}
	memset(&mr, 0, sizeof(mr));
	mr.imr_ifindex = (int)if_nametoindex(ifname);
	setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr));
	setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero));
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_addr.s_addr = htonl(0xe0000001);
	memset(b, 0, sizeof(b));
	len = version == 3 ? 36 : 32;
	b[0] = 0x46;
	b[1] = 0xc0;
	b[3] = (uint8_t)len;
	b[8] = 1;
	b[9] = 2;
	memcpy(b + 12, &src.s_addr, 4);
	memcpy(b + 16, &dst.sin_addr.s_addr, 4);
	b[20] = 0x94;
	b[21] = 4;
	b[24] = 0x11;
	b[25] = version == 1 ? 0 : 10;		/* 1 s */
	if (version == 3) {
		b[32] = 2;
		b[33] = (uint8_t)(interval_ms / 1000 ? interval_ms / 1000 : 1);
	}
	b[26] = (uint8_t)(csum(b + 24, len - 24, 0) >> 8);
	b[27] = (uint8_t)csum(b + 24, len - 24, 0);
	printf("QUERIER %s v%u every %u ms\n", inet_ntoa(src), version,
	    interval_ms);
	while (!stop) {
		if (sendto(s, b, len, 0, (struct sockaddr *)&dst,
		    sizeof(dst)) == -1)
			perror("sendto");
		ts.tv_sec = interval_ms / 1000;
		ts.tv_nsec = (long)(interval_ms % 1000) * 1000000;
		nanosleep(&ts, NULL);
	}
	return 0;
}
