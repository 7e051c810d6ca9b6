/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * pktcount: count the IPv4 datagrams to a group (optionally from one
 * source) that arrive on an interface during a time window, whatever
 * sockets have joined: what the wire carries, not what an application
 * is given.  -d skips the first milliseconds (counting starts once a
 * protocol timer has run out, say).  With -a it counts AMT Multicast
 * Data messages (UDP from port 2268) whose inner datagram goes to the
 * group: what a tunnel carries.  IPv6 groups and sources are counted
 * the same way (inside AMT too).
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <poll.h>
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
	struct sockaddr_ll	 sll;
	struct in_addr		 g = { 0 }, s = { 0 };
	uint8_t			 g6[16], s6[16];
	int			 v6 = 0, has_s6 = 0, proto;
	size_t			 min;
	const char		*ifname = NULL;
	uint8_t			 buf[2048];
	struct pollfd		 pfd;
	long			 ms = 1000, delay = 0;
	uint64_t		 start, end;
	unsigned long		 count = 0;
	int			 ch, fd, amt = 0;
	size_t			 off;
	ssize_t			 n;

	while ((ch = getopt(argc, argv, "ad:g:i:s:t:")) != -1) {
		switch (ch) {
		case 'a': amt = 1; break;
		case 'd': delay = atol(optarg); break;
		case 'g':
			if (strchr(optarg, ':') != NULL)
				v6 = inet_pton(AF_INET6, optarg, g6) == 1;
			else
				inet_pton(AF_INET, optarg, &g);
			break;
		case 'i': ifname = optarg; break;
		case 's':
			if (strchr(optarg, ':') != NULL)
				has_s6 = inet_pton(AF_INET6, optarg, s6) == 1;
			else
				inet_pton(AF_INET, optarg, &s);
			break;
		case 't': ms = atol(optarg); break;
		default:
			fprintf(stderr, "usage: pktcount -i if -g group "
			    "[-s source] [-t ms] [-d delay-ms] [-a]\n");
			return 2;
		}
	}
	if (ifname == NULL || (g.s_addr == 0 && !v6))
		return 2;
	proto = v6 && !amt ? ETH_P_IPV6 : ETH_P_IP;
	min = v6 ? 40 : 20;
	if ((fd = socket(AF_PACKET, SOCK_DGRAM, htons(proto))) == -1) {
		perror("socket");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror(ifname);
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	start = now_ms() + (uint64_t)delay;
	end = start + (uint64_t)ms;
	while (now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - now_ms()) + 1) <= 0)
			continue;
		if ((n = recv(fd, buf, sizeof(buf), 0)) < 20 || now_ms() < start)
			continue;
		off = 0;
		if (amt) {
			off = (size_t)(buf[0] & 15) * 4;
			/* UDP from 2268, a Data message, an inner header. */
			if (buf[9] != 17 || (size_t)n < off + 8 + 2 + min ||
			    buf[off] != 0x08 || buf[off + 1] != 0xdc ||
			    buf[off + 8] != 0x06)
				continue;
			off += 8 + 2;
		}
		if (v6) {
			if ((size_t)n < off + min || buf[off] >> 4 != 6 ||
			    memcmp(buf + off + 24, g6, 16) != 0 || (has_s6 &&
			    memcmp(buf + off + 8, s6, 16) != 0))
				continue;
			count++;
			continue;
		}
		if (memcmp(buf + off + 16, &g.s_addr, 4) != 0)
			continue;
		if (s.s_addr != 0 && memcmp(buf + off + 12, &s.s_addr, 4) != 0)
			continue;
		count++;
	}
	printf("%lu\n", count);
	return 0;
}
