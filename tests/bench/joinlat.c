/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * joinlat: amtgwd's join latency, measured from outside.  It plays the
 * host: it joins a new group on the TUN (the kernel writes a report
 * into it), and watches two packet sockets with kernel timestamps: the
 * report appearing on the TUN and the AMT Membership Update leaving the
 * underlay interface.  It prints percentiles of the difference.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
psock(const char *ifname)
{
	struct sockaddr_ll	 sll;
	int			 s, one = 1;

	/* Outgoing packets reach only ETH_P_ALL taps. */
	if ((s = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL))) == -1) {
		perror("AF_PACKET");
		exit(1);
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		perror(ifname);
		exit(1);
	}
	setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	return s;
}

/* Next packet on s matching want(); its kernel timestamp in ns. */
static int
next_pkt(int s, int (*want)(const uint8_t *, size_t), uint64_t *ts,
    int timeout_ms)
{
	uint8_t		 buf[2048];
	char		 cbuf[256];
	struct iovec	 iov = { buf, sizeof(buf) };
	struct msghdr	 mh;
	struct cmsghdr	*cm;
	struct pollfd	 pfd = { s, POLLIN, 0 };
	ssize_t		 n;

	for (;;) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(s, &mh, 0)) <= 0)
			continue;
		if (!want(buf, (size_t)n))
			continue;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec t;

				memcpy(&t, CMSG_DATA(cm), sizeof(t));
				*ts = (uint64_t)t.tv_sec * 1000000000ULL +
				    (uint64_t)t.tv_nsec;
				return 0;
			}
	}
}

static int
is_report(const uint8_t *p, size_t n)
{
	size_t	 hl = (size_t)(p[0] & 15) * 4;

	return n > 20 && p[0] >> 4 == 4 && n > hl && p[9] == 2 && (p[hl] == 0x22 || p[hl] == 0x16);
}

static int
is_update(const uint8_t *p, size_t n)
{
	size_t	 hl = (size_t)(p[0] & 15) * 4;

	return n > 20 && p[0] >> 4 == 4 && n > hl + 8 && p[9] == 17 && p[hl + 2] == 0x08 &&
	    p[hl + 3] == 0xdc && p[hl + 8] == 0x05;
}

static int
cmp64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	int		 tun_s, ul_s, js, n, i, ok = 0;
	uint64_t	*lat, t1, t2;
	struct ip_mreqn	 mr;

	if (argc != 4) {
		fprintf(stderr, "usage: joinlat tun underlay count\n");
		return 2;
	}
	n = atoi(argv[3]);
	lat = calloc((size_t)n, sizeof(*lat));
	tun_s = psock(argv[1]);
	ul_s = psock(argv[2]);
	js = socket(AF_INET, SOCK_DGRAM, 0);
	for (i = 0; i < n; i++) {
		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr.s_addr = htonl(0xef630000U + (uint32_t)i);
		mr.imr_ifindex = (int)if_nametoindex(argv[1]);
		if (setsockopt(js, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) == -1) {
			perror("IP_ADD_MEMBERSHIP");
			return 1;
		}
		if (next_pkt(tun_s, is_report, &t1, 1000) == -1 ||
		    next_pkt(ul_s, is_update, &t2, 1000) == -1) {
			fprintf(stderr, "join %d: no report or update\n", i);
		} else
			lat[ok++] = t2 - t1;
		setsockopt(js, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr,
		    sizeof(mr));
		/* Let the leave's reports pass before the next join. */
		while (next_pkt(ul_s, is_update, &t2, 30) == 0)
			;
		while (next_pkt(tun_s, is_report, &t1, 0) == 0)
			;
	}
	if (ok == 0)
		return 1;
	qsort(lat, (size_t)ok, sizeof(*lat), cmp64);
	printf("JOINLAT n=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f\n",
	    ok, lat[ok / 2] / 1000.0, lat[ok * 9 / 10] / 1000.0,
	    lat[ok * 99 / 100] / 1000.0, lat[ok - 1] / 1000.0);
	return 0;
}
