/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * gwsim: N AMT gateways in one process, for the relay benchmark.  Each
 * gateway (its own UDP port) runs Request -> Query -> Update with one
 * ALLOW(S,G) record, then idles while the relay streams to it; the
 * benchmark counts what arrives on the interface.  Written from the RFC
 * layouts; it shares no code with the daemons.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define MAXGW	256

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 relay, sin;
	struct in_addr		 g = { 0 }, s = { 0 };
	int			 fds[MAXGW], n = 1, base = 40000, ch, i, sz = 1 << 16;
	uint8_t			 b[2048], u[64];
	struct pollfd		 pfd;
	ssize_t			 r;

	memset(&relay, 0, sizeof(relay));
	relay.sin_family = AF_INET;
	relay.sin_port = htons(2268);
	while ((ch = getopt(argc, argv, "g:n:p:r:s:")) != -1) {
		switch (ch) {
		case 'g': inet_pton(AF_INET, optarg, &g); break;
		case 'n': n = atoi(optarg); break;
		case 'p': base = atoi(optarg); break;
		case 'r': inet_pton(AF_INET, optarg, &relay.sin_addr); break;
		case 's': inet_pton(AF_INET, optarg, &s); break;
		default:
			fprintf(stderr, "usage: gwsim -r relay -g group -s source "
			    "[-n gateways] [-p base-port]\n");
			return 2;
		}
	}
	if (n < 1 || n > MAXGW || g.s_addr == 0 || s.s_addr == 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	stop_on_signals();
	for (i = 0; i < n && !stop; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)(base + i));
		if (bind(fds[i], (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			perror("bind");
			return 1;
		}
		/* Request, nonce = i + 1. */
		memset(b, 0, 8);
		b[0] = 0x03;
		b[7] = (uint8_t)(i + 1);
		b[6] = (uint8_t)((i + 1) >> 8);
		sendto(fds[i], b, 8, 0, (struct sockaddr *)&relay,
		    sizeof(relay));
		pfd.fd = fds[i];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 2000) <= 0 ||
		    (r = recv(fds[i], b, sizeof(b), 0)) < 12 || b[0] != 0x04) {
			fprintf(stderr, "gateway %d: no query\n", i);
			return 1;
		}
		/* Update: MAC and nonce echoed, ALLOW(S,G). */
		memset(u, 0, sizeof(u));
		u[0] = 0x05;
		memcpy(u + 2, b + 2, 10);
		u[12] = 0x46;
		u[13] = 0xc0;
		u[15] = 44;
		u[20] = 1;
		u[21] = 2;
		memcpy(u + 28, "\xe0\x00\x00\x16", 4);
		u[32] = 0x94;
		u[33] = 4;
		put16(u + 22, csum(u + 12, 24, 0));
		u[36] = 0x22;
		u[43] = 1;
		u[44] = 5;
		u[47] = 1;
		memcpy(u + 48, &g.s_addr, 4);
		memcpy(u + 52, &s.s_addr, 4);
		put16(u + 38, csum(u + 36, 20, 0));
		sendto(fds[i], u, 56, 0, (struct sockaddr *)&relay,
		    sizeof(relay));
	}
	printf("READY %d gateways\n", n);
	while (!stop)
		pause();
	return 0;
}
