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
 * eight bytes of each datagram, per group.  An IPv6 base group (and
 * source) makes it an IPv6 receiver, the groups counted up in the last
 * 16 bits as mcsend -N does.
 *
 * It stops after -t ms or on SIGTERM.  The host needs
 * net.ipv4.igmp_max_memberships >= n for IPv4.
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

/*
 * Group i of the range: base + i (IPv4) or base's last 16 bits + i.
 * Addresses go in and out of the sockaddr_storage by memcpy (no
 * type-punned stores the compiler may reorder).
 */
static void
nth_group(int af, const struct sockaddr_storage *base, unsigned i,
    struct sockaddr_storage *g)
{
	struct sockaddr_in	 g4;
	struct sockaddr_in6	 g6;
	unsigned		 b16;

	memcpy(g, base, sizeof(*g));
	if (af == AF_INET) {
		memcpy(&g4, base, sizeof(g4));
		g4.sin_addr.s_addr = htonl(ntohl(g4.sin_addr.s_addr) + i);
		memcpy(g, &g4, sizeof(g4));
		return;
	}
	memcpy(&g6, base, sizeof(g6));
	b16 = (unsigned)g6.sin6_addr.s6_addr[14] << 8 |
	    g6.sin6_addr.s6_addr[15];
	g6.sin6_addr.s6_addr[14] = (uint8_t)((b16 + i) >> 8);
	g6.sin6_addr.s6_addr[15] = (uint8_t)(b16 + i);
	memcpy(g, &g6, sizeof(g6));
}

/* The index of a datagram's destination in the range, from its pktinfo. */
static unsigned
group_index(int af, const struct sockaddr_storage *base, struct cmsghdr *cm)
{
	struct sockaddr_in	 b4;
	struct sockaddr_in6	 b6;
	struct in_pktinfo	 pi;
	struct in6_pktinfo	 pi6;
	unsigned		 b16;

	if (af == AF_INET && cm->cmsg_level == IPPROTO_IP &&
	    cm->cmsg_type == IP_PKTINFO) {
		memcpy(&b4, base, sizeof(b4));
		memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
		return ntohl(pi.ipi_addr.s_addr) - ntohl(b4.sin_addr.s_addr);
	}
	if (af == AF_INET6 && cm->cmsg_level == IPPROTO_IPV6 &&
	    cm->cmsg_type == IPV6_PKTINFO) {
		memcpy(&b6, base, sizeof(b6));
		memcpy(&pi6, CMSG_DATA(cm), sizeof(pi6));
		if (memcmp(pi6.ipi6_addr.s6_addr, b6.sin6_addr.s6_addr, 14))
			return MAXN;
		b16 = (unsigned)b6.sin6_addr.s6_addr[14] << 8 |
		    b6.sin6_addr.s6_addr[15];
		return (((unsigned)pi6.ipi6_addr.s6_addr[14] << 8 |
		    pi6.ipi6_addr.s6_addr[15]) - b16) & 0xffff;
	}
	return MAXN;
}

/* An address of either family, port 5001, into ss; its family or -1. */
static int
parse_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in	 a4;
	struct sockaddr_in6	 a6;

	memset(ss, 0, sizeof(*ss));
	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, s, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons(5001);
		memcpy(ss, &a4, sizeof(a4));
		return AF_INET;
	}
	if (inet_pton(AF_INET6, s, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(5001);
		memcpy(ss, &a6, sizeof(a6));
		return AF_INET6;
	}
	return -1;
}

/* Join group i with the protocol-independent API (RFC 3678). */
static void
join(int s, int af, unsigned ifindex, const struct sockaddr_storage *base,
    unsigned i, const struct sockaddr_storage *src)
{
	struct group_req	 gr;
	struct group_source_req	 gsr;
	int			 level = af == AF_INET ? IPPROTO_IP :
				    IPPROTO_IPV6;

	if (src == NULL) {
		memset(&gr, 0, sizeof(gr));
		gr.gr_interface = ifindex;
		nth_group(af, base, i, &gr.gr_group);
		if (setsockopt(s, level, MCAST_JOIN_GROUP, &gr,
		    sizeof(gr)) == 0)
			return;
	} else {
		memset(&gsr, 0, sizeof(gsr));
		gsr.gsr_interface = ifindex;
		nth_group(af, base, i, &gsr.gsr_group);
		gsr.gsr_source = *src;
		if (setsockopt(s, level, MCAST_JOIN_SOURCE_GROUP, &gsr,
		    sizeof(gsr)) == 0)
			return;
	}
	perror("join (net.ipv4.igmp_max_memberships?)");
	exit(1);
}

static int
open_socket(int af)
{
	struct sockaddr_storage	 ss;
	int			 s, one = 1, sz = 16 << 20;

	if ((s = socket(af, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		exit(1);
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (af == AF_INET)
		setsockopt(s, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	else
		setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
		    sizeof(one));
	parse_addr(af == AF_INET ? "0.0.0.0" : "::", &ss);
	if (bind(s, (struct sockaddr *)&ss, af == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) == -1) {
		perror("bind");
		exit(1);
	}
	return s;
}

int
main(int argc, char *argv[])
{
	static uint8_t		 seen[MAXN], ever[MAXN];
	static uint64_t		 lastseq[MAXN];
	uint64_t		 lost = 0, seq;
	static uint8_t		 buf[BATCH][2048];
	static char		 cbuf[BATCH][128];
	struct mmsghdr		 mm[BATCH];
	struct iovec		 iov[BATCH];
	struct sockaddr_storage	 base, src;
	struct pollfd		 pfd;
	const char		*ifname = NULL;
	unsigned		 n = 0, i, ifindex, groups, nseen = 0;
	int			 ch, s, r, af = -1, saf = -1;
	long			 window = 1000, duration = 10000;
	uint64_t		 t0, next, end, pkts = 0, total = 0;

	while ((ch = getopt(argc, argv, "g:i:n:s:t:w:")) != -1) {
		switch (ch) {
		case 'g': af = parse_addr(optarg, &base); break;
		case 'i': ifname = optarg; break;
		case 'n': n = (unsigned)atoi(optarg); break;
		case 's': saf = parse_addr(optarg, &src); break;
		case 't': duration = atol(optarg); break;
		case 'w': window = atol(optarg); break;
		default: usage();
		}
	}
	if (ifname == NULL || af == -1 || n == 0 || n > MAXN ||
	    window <= 0 || (ifindex = if_nametoindex(ifname)) == 0 ||
	    (saf != -1 && saf != af))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	stop_on_signals();
	s = open_socket(af);
	for (i = 0; i < n; i++)
		join(s, af, ifindex, &base, i, saf != -1 ? &src : NULL);
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
			struct cmsghdr	*cm;
			unsigned	 k;

			for (cm = CMSG_FIRSTHDR(&mm[i].msg_hdr); cm != NULL;
			    cm = CMSG_NXTHDR(&mm[i].msg_hdr, cm)) {
				if ((k = group_index(af, &base, cm)) >= n)
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
