/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * mcscale: join N groups (base, base+1, ...) on an interface at once
 * from one socket, and time, for each group, its join to its first
 * datagram.  Prints how many groups got traffic and the p50, p90 and
 * maximum latency.  The host needs net.ipv4.igmp_max_memberships >= N.
 * An IPv6 base group makes it join IPv6 groups (the last 16 bits
 * counted up).
 */

#include <sys/socket.h>

#include <arpa/inet.h>
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

#define MAXN	4096

static int
cmp64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The IPv6 variant: the index of each datagram's group from its pktinfo. */
static int
run6(unsigned ifindex, const char *basestr, unsigned n, long timeout)
{
	static uint64_t		 tj[MAXN], lat[MAXN];
	static char		 got[MAXN];
	struct sockaddr_in6	 sin6;
	struct ipv6_mreq	 mr;
	uint8_t			 base[16], buf[2048];
	char			 cbuf[128];
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 mh;
	struct cmsghdr		*cm;
	struct pollfd		 pfd;
	unsigned		 i, ok = 0, b16;
	int			 s, one = 1, sz = 8 << 20;
	uint64_t		 end;

	if (inet_pton(AF_INET6, basestr, base) != 1)
		return 2;
	b16 = (unsigned)base[14] << 8 | base[15];
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(5001);
	if (bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) == -1) {
		perror("bind");
		return 1;
	}
	for (i = 0; i < n; i++) {
		memset(&mr, 0, sizeof(mr));
		memcpy(&mr.ipv6mr_multiaddr, base, 16);
		mr.ipv6mr_multiaddr.s6_addr[14] = (uint8_t)((b16 + i) >> 8);
		mr.ipv6mr_multiaddr.s6_addr[15] = (uint8_t)(b16 + i);
		mr.ipv6mr_interface = ifindex;
		tj[i] = now_us();
		if (setsockopt(s, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) == -1) {
			perror("IPV6_ADD_MEMBERSHIP");
			return 1;
		}
	}
	end = now_us() + (uint64_t)timeout * 1000;
	pfd.fd = s;
	pfd.events = POLLIN;
	while (ok < n && now_us() < end) {
		if (poll(&pfd, 1, 10) <= 0)
			continue;
		for (;;) {
			struct in6_pktinfo	 pi;
			unsigned		 k;

			memset(&mh, 0, sizeof(mh));
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			if (recvmsg(s, &mh, MSG_DONTWAIT) < 0)
				break;
			for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
			    cm = CMSG_NXTHDR(&mh, cm)) {
				if (cm->cmsg_level != IPPROTO_IPV6 ||
				    cm->cmsg_type != IPV6_PKTINFO)
					continue;
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				k = (((unsigned)pi.ipi6_addr.s6_addr[14] << 8 |
				    pi.ipi6_addr.s6_addr[15]) - b16) & 0xffff;
				if (k < n && !got[k]) {
					got[k] = 1;
					lat[ok++] = now_us() - tj[k];
				}
			}
		}
	}
	if (ok == 0) {
		printf("SCALE joined=%u got=0\n", n);
		return 1;
	}
	qsort(lat, ok, sizeof(*lat), cmp64);
	printf("SCALE joined=%u got=%u p50_ms=%.1f p90_ms=%.1f max_ms=%.1f\n",
	    n, ok, lat[ok / 2] / 1000.0, lat[ok * 9 / 10] / 1000.0,
	    lat[ok - 1] / 1000.0);
	return ok == n ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	static uint64_t		 tj[MAXN], lat[MAXN];
	static char		 got[MAXN];
	struct sockaddr_in	 sin;
	struct ip_mreqn		 mr;
	struct in_addr		 base;
	unsigned		 n, i, ok = 0, ifindex;
	int			 s, one = 1, sz = 8 << 20;
	long			 timeout;
	uint64_t		 end;
	uint8_t			 buf[2048];
	char			 cbuf[128];
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 mh;
	struct cmsghdr		*cm;
	struct pollfd		 pfd;

	if (argc != 5) {
		fprintf(stderr, "usage: mcscale if base-group count "
		    "timeout-ms\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	n = (unsigned)atoi(argv[3]);
	timeout = atol(argv[4]);
	if (n == 0 || n > MAXN || ifindex == 0)
		return 2;
	if (strchr(argv[2], ':') != NULL)
		return run6(ifindex, argv[2], n, timeout);
	inet_pton(AF_INET, argv[2], &base);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(s, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(5001);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("bind");
		return 1;
	}
	for (i = 0; i < n; i++) {
		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr.s_addr = htonl(ntohl(base.s_addr) + i);
		mr.imr_ifindex = (int)ifindex;
		tj[i] = now_us();
		if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) == -1) {
			perror("IP_ADD_MEMBERSHIP (igmp_max_memberships?)");
			return 1;
		}
	}
	end = now_us() + (uint64_t)timeout * 1000;
	pfd.fd = s;
	pfd.events = POLLIN;
	while (ok < n && now_us() < end) {
		if (poll(&pfd, 1, 10) <= 0)
			continue;
		for (;;) {
			struct in_pktinfo	 pi;
			uint32_t		 k;

			memset(&mh, 0, sizeof(mh));
			mh.msg_iov = &iov;
			mh.msg_iovlen = 1;
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			if (recvmsg(s, &mh, MSG_DONTWAIT) < 0)
				break;
			for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
			    cm = CMSG_NXTHDR(&mh, cm)) {
				if (cm->cmsg_level != IPPROTO_IP ||
				    cm->cmsg_type != IP_PKTINFO)
					continue;
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				k = ntohl(pi.ipi_addr.s_addr) -
				    ntohl(base.s_addr);
				if (k < n && !got[k]) {
					got[k] = 1;
					lat[ok++] = now_us() - tj[k];
				}
			}
		}
	}
	if (ok == 0) {
		printf("SCALE joined=%u got=0\n", n);
		return 1;
	}
	qsort(lat, ok, sizeof(*lat), cmp64);
	printf("SCALE joined=%u got=%u p50_ms=%.1f p90_ms=%.1f max_ms=%.1f\n",
	    n, ok, lat[ok / 2] / 1000.0, lat[ok * 9 / 10] / 1000.0,
	    lat[ok - 1] / 1000.0);
	return ok == n ? 0 : 1;
}
