/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * mcsend: a multicast source.  It sends UDP datagrams to one or more
 * groups from an interface at a steady rate (-r datagrams a second to
 * each group), with a sequence number in each, until it is stopped, and
 * prints how many it sent.  -N n makes each group given the first of n
 * consecutive ones.  With -r 0 it sends as fast as one core can, with
 * sendmmsg (for benchmarks).  IPv6 groups (all of one family) are sent
 * from an IPv6 socket.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define MAXG	4096

int
main(int argc, char *argv[])
{
	static struct sockaddr_in6 dst6[MAXG];
	static struct sockaddr_in dst[MAXG];
	struct sockaddr		*to;
	socklen_t		 tolen;
	int			 v6 = 0, ifx;
	struct ip_mreqn		 mr;
	const char		*ifname = NULL;
	unsigned		 ngroups = 0, rate = 100, size = 1316, i, k;
	unsigned		 span = 1;
	int			 ch, s, ttl = 32, df = 0;
	uint64_t		 seq = 0, next, sent = 0;
	char			 buf[9000];
	char			*tok;

	while ((ch = getopt(argc, argv, "DN:g:i:r:s:t:")) != -1) {
		switch (ch) {
		case 'N':
			span = (unsigned)atoi(optarg);
			if (span == 0 || span > MAXG)
				return 2;
			break;
		case 'g':
			for (tok = strtok(optarg, ","); tok && ngroups < MAXG;
			    tok = strtok(NULL, ",")) {
				memset(&dst6[ngroups], 0, sizeof(dst6[0]));
				dst6[ngroups].sin6_family = AF_INET6;
				dst6[ngroups].sin6_port = htons(5001);
				if (strchr(tok, ':') != NULL) {
					v6 = 1;
					inet_pton(AF_INET6, tok,
					    &dst6[ngroups].sin6_addr);
				}
				memset(&dst[ngroups], 0, sizeof(dst[0]));
				dst[ngroups].sin_family = AF_INET;
				dst[ngroups].sin_port = htons(5001);
				inet_pton(AF_INET, tok,
				    &dst[ngroups].sin_addr);
				ngroups++;
			}
			break;
		case 'D': df = 1; break;
		case 'i': ifname = optarg; break;
		case 'r': rate = (unsigned)atoi(optarg); break;
		case 's': size = (unsigned)atoi(optarg); break;
		case 't': ttl = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: mcsend -i if "
			    "-g group[,group..] [-N n] [-r pps] [-s bytes] "
			    "[-t ttl] [-D]\n");
			return 2;
		}
	}
	if (ifname == NULL || ngroups == 0 || size < 8 || size > sizeof(buf))
		return 2;
	/* -N: each group the first of span consecutive ones. */
	if (span > 1) {
		if ((size_t)ngroups * span > MAXG)
			return 2;
		for (i = ngroups; i-- > 0;)
			for (k = span; k-- > 0;) {
				dst[i * span + k] = dst[i];
				dst[i * span + k].sin_addr.s_addr =
				    htonl(ntohl(dst[i].sin_addr.s_addr) + k);
				dst6[i * span + k] = dst6[i];
				dst6[i * span + k].sin6_addr.s6_addr[15] =
				    (uint8_t)(dst6[i].sin6_addr.s6_addr[15] +
				    k);
				dst6[i * span + k].sin6_addr.s6_addr[14] =
				    (uint8_t)(dst6[i].sin6_addr.s6_addr[14] +
				    (dst6[i].sin6_addr.s6_addr[15] + k) / 256);
			}
		ngroups *= span;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	stop_on_signals();
	s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	memset(&mr, 0, sizeof(mr));
	mr.imr_ifindex = ifx = (int)if_nametoindex(ifname);
	if (v6 && (setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifx,
	    sizeof(ifx)) == -1 || setsockopt(s, IPPROTO_IPV6,
	    IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) == -1)) {
		perror("socket options");
		return 1;
	}
	if (!v6 && (setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &mr,
	    sizeof(mr)) == -1 ||
	    setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl,
	    sizeof(ttl)) == -1 || (df && setsockopt(s, IPPROTO_IP,
	    IP_MTU_DISCOVER, &(int){ IP_PMTUDISC_PROBE }, sizeof(int)) ==
	    -1))) {
		perror("socket options");
		return 1;
	}
	memset(buf, 'm', sizeof(buf));
	printf("SENDING %u group(s) at %u pps, %u bytes\n", ngroups, rate,
	    size);
	if (rate == 0) {
		struct mmsghdr	 mm[64];
		struct iovec	 iov = { buf, size };
		uint64_t	 t0 = now_us();
		int		 n;

		for (i = 0; i < 64; i++) {
			memset(&mm[i], 0, sizeof(mm[i]));
			mm[i].msg_hdr.msg_name = v6 ?
			    (void *)&dst6[i % ngroups] :
			    (void *)&dst[i % ngroups];
			mm[i].msg_hdr.msg_namelen = v6 ? sizeof(dst6[0]) :
			    sizeof(dst[0]);
			mm[i].msg_hdr.msg_iov = &iov;
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		while (!stop)
			if ((n = sendmmsg(s, mm, 64, 0)) > 0)
				sent += (uint64_t)n;
		printf("SENT %llu pps=%.0f\n", (unsigned long long)sent,
		    (double)sent * 1e6 / (double)(now_us() - t0));
		return 0;
	}
	next = now_us();
	while (!stop) {
		memcpy(buf, &seq, sizeof(seq));
		for (i = 0; i < ngroups; i++) {
			to = v6 ? (struct sockaddr *)&dst6[i] :
			    (struct sockaddr *)&dst[i];
			tolen = v6 ? sizeof(dst6[i]) : sizeof(dst[i]);
			if (sendto(s, buf, size, 0, to, tolen) > 0)
				sent++;
		}
		seq++;
		next += 1000000 / rate;
		while (!stop && now_us() < next) {
			uint64_t	 d = next - now_us();
			struct timespec	 ts = { 0, (long)(d > 1000000 ? 999999 :
			    d) * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	printf("SENT %llu\n", (unsigned long long)sent);
	return 0;
}
