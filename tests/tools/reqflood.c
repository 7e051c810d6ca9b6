/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * reqflood: AMT Requests (or Relay Discoveries, -d) from forged source
 * addresses, for the relay's abuse benchmark: each from a random
 * address of the prefix -s (and a random port), to relay:2268, at -r
 * a second for -t ms, through a raw socket.  It prints "SENT n" at the
 * end.  Written from the RFC layouts only; it shares no code with the
 * daemons.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: reqflood -r relay -s prefix/len [-p pps] "
	    "[-t ms] [-d]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 to;
	uint8_t			 p[36];
	uint32_t		 relay = 0, base = 0, mask, src;
	unsigned		 pps = 10000, len = 24;
	uint64_t		 t0, end, next, sent = 0, ms = 5000;
	char			*slash;
	int			 ch, s, one = 1, disc = 0;

	while ((ch = getopt(argc, argv, "dp:r:s:t:")) != -1) {
		switch (ch) {
		case 'd': disc = 1; break;
		case 'p': pps = (unsigned)atoi(optarg); break;
		case 'r': inet_pton(AF_INET, optarg, &relay); break;
		case 's':
			if ((slash = strchr(optarg, '/')) == NULL)
				usage();
			*slash = '\0';
			inet_pton(AF_INET, optarg, &base);
			len = (unsigned)atoi(slash + 1);
			break;
		case 't': ms = (uint64_t)atoll(optarg); break;
		default: usage();
		}
	}
	if (relay == 0 || base == 0 || len > 32 || pps == 0)
		usage();
	mask = len == 0 ? 0 : ~0U << (32 - len);
	if ((s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) == -1 ||
	    setsockopt(s, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) == -1) {
		perror("raw socket");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	stop_on_signals();
	srandom((unsigned)getpid());
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = relay;
	t0 = next = now_us();
	end = t0 + ms * 1000;
	while (!stop && now_us() < end) {
		src = (ntohl(base) & mask) | ((uint32_t)random() & ~mask);
		memset(p, 0, sizeof(p));
		p[0] = 0x45;
		put16(p + 2, 36);		/* IP, UDP, the message */
		p[8] = 64;
		p[9] = 17;
		put32(p + 12, src);
		memcpy(p + 16, &relay, 4);
		put16(p + 20, (uint16_t)(1024 + random() % 60000));
		put16(p + 22, 2268);
		put16(p + 24, 16);
		p[28] = disc ? 0x01 : 0x03;
		put32(p + 32, (uint32_t)random());
		put16(p + 10, csum(p, 20, 0));
		if (sendto(s, p, 36, 0, (struct sockaddr *)&to,
		    sizeof(to)) > 0)
			sent++;
		next += 1000000 / pps;
		while (!stop && now_us() < next) {
			struct timespec ts = { 0, 20000 };

			nanosleep(&ts, NULL);
		}
	}
	printf("SENT %llu pps=%.0f\n", (unsigned long long)sent,
	    (double)sent * 1e6 / (double)(now_us() - t0));
	return 0;
}
