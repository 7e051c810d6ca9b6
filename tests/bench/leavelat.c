/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * leavelat: how long traffic keeps arriving after the last member
 * leaves.  It joins a group on an interface, waits for the stream,
 * leaves, and watches the interface (a packet socket, so what the wire
 * carries, not what a socket gets) until the group has been silent for
 * a while; it prints the time from the leave to the last datagram, and
 * from the leave to the host's own IGMP leave report on the wire (the
 * kernel sends it a timer tick later; that part is not the proxy's).
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

#include "../tools/tool.h"

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	struct sockaddr_ll	 sll;
	struct ip_mreqn		 mr;
	struct in_addr		 g;
	struct pollfd		 pfd;
	uint8_t			 buf[2048];
	uint64_t		 t0, last = 0, quiet_us, deadline, rep = 0;
	int			 s, ps, one = 1;
	ssize_t			 n;

	if (argc != 4) {
		fprintf(stderr, "usage: leavelat if group quiet-ms\n");
		return 2;
	}
	inet_pton(AF_INET, argv[2], &g);
	quiet_us = (uint64_t)atol(argv[3]) * 1000;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(5001);
	sin.sin_addr = g;
	bind(s, (struct sockaddr *)&sin, sizeof(sin));
	memset(&mr, 0, sizeof(mr));
	mr.imr_multiaddr = g;
	mr.imr_ifindex = (int)if_nametoindex(argv[1]);
	if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
	    sizeof(mr)) == -1) {
		perror("join");
		return 1;
	}
	pfd.fd = s;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 10000) <= 0) {
		printf("LEAVELAT no traffic\n");
		return 1;
	}
	/* ETH_P_ALL: outgoing packets (our report) reach only such taps. */
	ps = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = mr.imr_ifindex;
	bind(ps, (struct sockaddr *)&sll, sizeof(sll));
	/* Let it flow for a moment, then leave. */
	deadline = now_us() + 300000;
	while (now_us() < deadline)
		(void)recv(ps, buf, sizeof(buf), MSG_DONTWAIT);
	t0 = now_us();
	setsockopt(s, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr, sizeof(mr));
	last = t0;
	pfd.fd = ps;
	for (;;) {
		if (now_us() - last > quiet_us)
			break;
		if (poll(&pfd, 1, 5) <= 0)
			continue;
		while ((n = recv(ps, buf, sizeof(buf), MSG_DONTWAIT)) >= 20) {
			if (buf[0] >> 4 != 4)
				continue;
			if (buf[9] == 2 && rep == 0)
				rep = now_us();		/* our leave */
			else if (buf[9] != 2 &&
			    memcmp(buf + 16, &g.s_addr, 4) == 0)
				last = now_us();
		}
	}
	printf("LEAVELAT ms=%.1f report_ms=%.1f after_report_ms=%.1f\n",
	    (double)(last - t0) / 1000.0, rep ? (double)(rep - t0) / 1000.0 :
	    -1.0, rep && last > rep ? (double)(last - rep) / 1000.0 : 0.0);
	return 0;
}
