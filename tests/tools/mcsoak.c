/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * mcsoak: a receiver holding many groups for a long time, an ordinary
 * application on a real Linux host.  It joins n consecutive groups
 * from base (any source, or the one source -s: SSM channels) on one
 * socket and, every window, prints how many datagrams arrived and for
 * how many of the groups:
 *
 *	JOINED n
 *	WIN <ms since the joins> <datagrams> <groups with traffic>
 *	TOTAL <datagrams> <groups that ever had traffic> lost=<n>
 *
 * lost counts the gaps in the sequence numbers mcsend puts in the first
 * eight bytes of each datagram, per group.
 *
 * It stops after -t ms or on SIGTERM.  The host needs
 * net.ipv4.igmp_max_memberships >= n.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define MAXN	4096
#define BATCH	64

static void
usage(void)
{
	fprintf(stderr, "usage: mcsoak -i if -g base-group -n count "
	    "[-s source] [-w window-ms] [-t duration-ms]\n");
	exit(2);
}

static void
join(int s, unsigned ifindex, uint32_t group, const struct in_addr *src,
    struct in_addr ifaddr)
{
	struct ip_mreqn		 mr;
	struct ip_mreq_source	 ms;

	if (src == NULL) {
		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr.s_addr = htonl(group);
		mr.imr_ifindex = (int)ifindex;
		if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) == 0)
			return;
	} else {
		memset(&ms, 0, sizeof(ms));
		ms.imr_multiaddr.s_addr = htonl(group);
		ms.imr_sourceaddr = *src;
		ms.imr_interface = ifaddr;
		if (setsockopt(s, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms,
		    sizeof(ms)) == 0)
			return;
	}
	perror("join (net.ipv4.igmp_max_memberships?)");
	exit(1);
}

/* The address of ifname, for IP_ADD_SOURCE_MEMBERSHIP. */
static struct in_addr
if_addr(int s, const char *ifname)
{
	struct ifreq	 ifr;
	struct in_addr	 a;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFADDR, &ifr) == -1) {
		perror(ifname);
		exit(1);
	}
	memcpy(&a, &((struct sockaddr_in *)(void *)&ifr.ifr_addr)->sin_addr,
	    sizeof(a));
	return a;
}

int
main(int argc, char *argv[])
{
	static uint8_t		 seen[MAXN], ever[MAXN];
	static uint64_t		 lastseq[MAXN];
	uint64_t		 lost = 0, seq;
	static uint8_t		 buf[BATCH][2048];
	static char		 cbuf[BATCH][64];
	struct mmsghdr		 mm[BATCH];
	struct iovec		 iov[BATCH];
	struct sockaddr_in	 sin;
	struct in_addr		 base, src, *srcp = NULL;
	struct pollfd		 pfd;
	const char		*ifname = NULL;
	unsigned		 n = 0, i, ifindex, groups, nseen = 0;
	int			 ch, s, one = 1, sz = 16 << 20, r;
	long			 window = 1000, duration = 10000;
	uint64_t		 t0, next, end, pkts = 0, total = 0;

	base.s_addr = 0;
	while ((ch = getopt(argc, argv, "g:i:n:s:t:w:")) != -1) {
		switch (ch) {
		case 'g':
			if (inet_pton(AF_INET, optarg, &base) != 1)
				usage();
			break;
		case 'i': ifname = optarg; break;
		case 'n': n = (unsigned)atoi(optarg); break;
		case 's':
			if (inet_pton(AF_INET, optarg, &src) != 1)
				usage();
			srcp = &src;
			break;
		case 't': duration = atol(optarg); break;
		case 'w': window = atol(optarg); break;
		default: usage();
		}
	}
	if (ifname == NULL || base.s_addr == 0 || n == 0 || n > MAXN ||
	    window <= 0 || (ifindex = if_nametoindex(ifname)) == 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	stop_on_signals();
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
	for (i = 0; i < n; i++)
		join(s, ifindex, ntohl(base.s_addr) + i, srcp,
		    srcp != NULL ? if_addr(s, ifname) : base);
	printf("JOINED %u\n", n);
	t0 = now_ms();
	next = t0 + (uint64_t)window;
	end = t0 + (uint64_t)duration;
	pfd.fd = s;
	pfd.events = POLLIN;
	while (!stop && now_ms() < end) {
		if (now_ms() >= next) {
			for (i = groups = 0; i < n; i++) {
				groups += seen[i];
				seen[i] = 0;
			}
			printf("WIN %llu %llu %u\n",
			    (unsigned long long)(next - t0),
			    (unsigned long long)pkts, groups);
			total += pkts;
			pkts = 0;
			next += (uint64_t)window;
		}
		if (poll(&pfd, 1, 10) <= 0)
			continue;
		for (i = 0; i < BATCH; i++) {
			memset(&mm[i], 0, sizeof(mm[i]));
			iov[i].iov_base = buf[i];
			iov[i].iov_len = sizeof(buf[i]);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_control = cbuf[i];
			mm[i].msg_hdr.msg_controllen = sizeof(cbuf[i]);
		}
		if ((r = recvmmsg(s, mm, BATCH, MSG_DONTWAIT, NULL)) <= 0)
			continue;
		for (i = 0; i < (unsigned)r; i++) {
			struct cmsghdr		*cm;
			struct in_pktinfo	 pi;
			uint32_t		 k;

			for (cm = CMSG_FIRSTHDR(&mm[i].msg_hdr); cm != NULL;
			    cm = CMSG_NXTHDR(&mm[i].msg_hdr, cm)) {
				if (cm->cmsg_level != IPPROTO_IP ||
				    cm->cmsg_type != IP_PKTINFO)
					continue;
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				k = ntohl(pi.ipi_addr.s_addr) -
				    ntohl(base.s_addr);
				if (k >= n)
					continue;
				pkts++;
				seen[k] = 1;
				if (mm[i].msg_len >= 8) {
					memcpy(&seq, buf[i], sizeof(seq));
					if (ever[k] && seq > lastseq[k] + 1)
						lost += seq - lastseq[k] - 1;
					if (!ever[k] || seq > lastseq[k])
						lastseq[k] = seq;
				}
				if (!ever[k]) {
					ever[k] = 1;
					nseen++;
				}
			}
		}
	}
	printf("TOTAL %llu %u lost=%llu\n", (unsigned long long)(total + pkts),
	    nseen, (unsigned long long)lost);
	return 0;
}
