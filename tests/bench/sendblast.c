/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * sendblast: the floor amtrelayd's fan-out is measured against.  It
 * sends Multicast-Data-sized UDP datagrams to N endpoints (round
 * robin) from one socket with sendmmsg, as fast as it can, for a given
 * time: no receive side, no lookup, nothing else.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../tools/tool.h"

#define BATCH	1024

int
main(int argc, char *argv[])
{
	static struct mmsghdr	 mm[BATCH];
	static struct sockaddr_in to[1024];
	static uint8_t		 buf[2048];
	struct iovec		 iov;
	struct sockaddr_in	 sin;
	int			 s, n, i, base, size, sz = 8 << 20, pmtu =
	    IP_PMTUDISC_DO;
	double			 secs;
	uint64_t		 t0, end, sent = 0;
	int			 r;

	if (argc != 7) {
		fprintf(stderr, "usage: sendblast src dst base-port count "
		    "size seconds\n");
		return 2;
	}
	n = atoi(argv[4]);
	base = atoi(argv[3]);
	size = atoi(argv[5]);
	secs = atof(argv[6]);
	if (n < 1 || n > 1024 || size < 1 || size > 2000)
		return 2;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(2268);
	inet_pton(AF_INET, argv[1], &sin.sin_addr);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("bind");
		return 1;
	}
	for (i = 0; i < n; i++) {
		memset(&to[i], 0, sizeof(to[i]));
		to[i].sin_family = AF_INET;
		to[i].sin_port = htons((uint16_t)(base + i));
		inet_pton(AF_INET, argv[2], &to[i].sin_addr);
	}
	memset(buf, 'b', sizeof(buf));
	buf[0] = 0x06;
	buf[1] = 0;
	iov.iov_base = buf;
	iov.iov_len = (size_t)size;
	for (i = 0; i < BATCH; i++) {
		mm[i].msg_hdr.msg_name = &to[i % n];
		mm[i].msg_hdr.msg_namelen = sizeof(to[0]);
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_us();
	end = t0 + (uint64_t)(secs * 1e6);
	while (now_us() < end)
		if ((r = sendmmsg(s, mm, BATCH, 0)) > 0)
			sent += (uint64_t)r;
	printf("SENTBLAST sent=%llu ms=%llu\n", (unsigned long long)sent,
	    (unsigned long long)(now_us() - t0) / 1000);
	return 0;
}
