/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * mcrecv: a multicast receiver for the tests, an ordinary application
 * on a real Linux host.  It joins a group (any source, one source, or
 * all but some sources) on an interface, counts what arrives, and
 * prints JOINED, FIRST (microseconds from join to first packet) and
 * TOTAL lines.  It exits 0 once -n packets arrived, 1 on timeout.  An
 * IPv6 group (and sources) makes it an IPv6 receiver.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

static void
usage(void)
{
	fprintf(stderr, "usage: mcrecv -i if -g group [-p port] [-s source | "
	    "-x excluded-source] [-n count] [-t timeout-ms] [-r report-ms]\n");
	exit(2);
}

static void
set_sa(struct sockaddr_storage *ss, const char *a)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(a, ':') != NULL) {
		sin6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, a, &sin6->sin6_addr) != 1) {
			fprintf(stderr, "bad address %s\n", a);
			exit(2);
		}
		return;
	}
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, a, &sin->sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", a);
		exit(2);
	}
}

int
main(int argc, char *argv[])
{
	const char		*ifname = NULL, *group = NULL, *src = NULL;
	const char		*xsrc = NULL;
	int			 ch, s, one = 1, port = 5001, v6, level;
	struct sockaddr_storage	 bsa;
	long			 count = 0, timeout = 10000, report = 0;
	long			 got = 0;
	unsigned		 ifindex;
	struct sockaddr_in	 sin;
	struct group_req	 gr;
	struct group_source_req	 gsr;
	uint64_t		 t0, tfirst = 0, tend, treport;
	char			 buf[9000];
	struct pollfd		 pfd;

	while ((ch = getopt(argc, argv, "g:i:n:p:r:s:t:x:")) != -1) {
		switch (ch) {
		case 'g': group = optarg; break;
		case 'i': ifname = optarg; break;
		case 'n': count = atol(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 'r': report = atol(optarg); break;
		case 's': src = optarg; break;
		case 't': timeout = atol(optarg); break;
		case 'x': xsrc = optarg; break;
		default: usage();
		}
	}
	if (ifname == NULL || group == NULL)
		usage();
	if ((ifindex = if_nametoindex(ifname)) == 0) {
		perror(ifname);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	stop_on_signals();
	v6 = strchr(group, ':') != NULL;
	level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
	if ((s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0)) == -1) {
		perror("socket");
		return 2;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	set_sa(&bsa, group);
	if (v6)
		((struct sockaddr_in6 *)&bsa)->sin6_port =
		    htons((uint16_t)port);
	else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, group, &sin.sin_addr);
		memcpy(&bsa, &sin, sizeof(sin));
	}
	if (bind(s, (struct sockaddr *)&bsa, v6 ?
	    sizeof(struct sockaddr_in6) : sizeof(sin)) == -1) {
		perror("bind");
		return 2;
	}
	t0 = now_us();
	if (src != NULL) {
		memset(&gsr, 0, sizeof(gsr));
		gsr.gsr_interface = ifindex;
		set_sa(&gsr.gsr_group, group);
		set_sa(&gsr.gsr_source, src);
		if (setsockopt(s, level, MCAST_JOIN_SOURCE_GROUP, &gsr,
		    sizeof(gsr)) == -1) {
			perror("MCAST_JOIN_SOURCE_GROUP");
			return 2;
		}
	} else {
		memset(&gr, 0, sizeof(gr));
		gr.gr_interface = ifindex;
		set_sa(&gr.gr_group, group);
		if (setsockopt(s, level, MCAST_JOIN_GROUP, &gr,
		    sizeof(gr)) == -1) {
			perror("MCAST_JOIN_GROUP");
			return 2;
		}
		if (xsrc != NULL) {
			memset(&gsr, 0, sizeof(gsr));
			gsr.gsr_interface = ifindex;
			set_sa(&gsr.gsr_group, group);
			set_sa(&gsr.gsr_source, xsrc);
			if (setsockopt(s, level, MCAST_BLOCK_SOURCE, &gsr,
			    sizeof(gsr)) == -1) {
				perror("MCAST_BLOCK_SOURCE");
				return 2;
			}
		}
	}
	printf("JOINED %s on %s\n", group, ifname);
	tend = t0 + (uint64_t)timeout * 1000;
	treport = report > 0 ? t0 + (uint64_t)report * 1000 : UINT64_MAX;
	pfd.fd = s;
	pfd.events = POLLIN;
	while (!stop && (count == 0 || got < count)) {
		uint64_t now = now_us();
		long	 wait;

		if (now >= tend)
			break;
		if (now >= treport) {
			printf("COUNT %ld\n", got);
			treport += (uint64_t)report * 1000;
		}
		wait = (long)((tend - now) / 1000) + 1;
		if (report > 0 && wait > report)
			wait = report;
		if (poll(&pfd, 1, (int)wait) <= 0)
			continue;
		while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) >= 0) {
			if (got++ == 0) {
				tfirst = now_us();
				printf("FIRST %llu\n",
				    (unsigned long long)(tfirst - t0));
			}
		}
	}
	printf("TOTAL %ld\n", got);
	return count == 0 || got >= count ? 0 : 1;
}
