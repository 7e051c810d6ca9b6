/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * gwbase: the floor amtgwd's data path is measured against.  It does
 * nothing but recvmmsg(2) from a UDP socket and write(2) each payload,
 * minus the 2-byte AMT header, into a TUN device: no checks, no state
 * machine, no event library.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tools/tool.h"

#define BATCH	64
#define PKT	9216

int
main(int argc, char *argv[])
{
	static uint8_t		 bufs[BATCH][PKT];
	struct mmsghdr		 mm[BATCH];
	struct iovec		 iov[BATCH];
	struct ifreq		 ifr;
	struct sockaddr_in	 sin;
	struct pollfd		 pfd;
	int			 tun, s, n, i, sz = 4 << 20;
	unsigned long long	 w = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: gwbase tun-name port\n");
		return 2;
	}
	stop_on_signals();
	if ((tun = open("/dev/net/tun", O_RDWR)) == -1)
		return 1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", argv[1]);
	if (ioctl(tun, TUNSETIFF, &ifr) == -1)
		return 1;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ifr.ifr_flags = IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(argv[2]));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return 1;
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = PKT;
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	printf("READY\n");
	fflush(stdout);
	pfd.fd = s;
	pfd.events = POLLIN;
	while (!stop) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while ((n = recvmmsg(s, mm, BATCH, MSG_DONTWAIT, NULL)) > 0) {
			for (i = 0; i < n; i++)
				if (mm[i].msg_len > 2 && write(tun, bufs[i] + 2,
				    mm[i].msg_len - 2) > 0)
					w++;
			if (n < BATCH)
				break;
		}
	}
	printf("WRITTEN %llu\n", w);
	return 0;
}
