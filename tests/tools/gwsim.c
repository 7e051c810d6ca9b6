/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * gwsim: many AMT gateways in one process, for the relay's tests and
 * benchmarks.  Each simulated gateway has its own UDP socket (spread
 * over -m consecutive local addresses and their ports) and runs Relay
 * Discovery (with -D), Request -> Query -> Update with one record
 * (ALLOW(S,G), or TO_EX({}) for an any-source join without -s), and
 * then, with -q, a fresh Request/Update cycle every interval, jittered.
 * Requests and Discoveries are sent again after a second until
 * answered.  Gateways arrive all at once or -R per second.  With -V a
 * gateway refuses any Query that is not exactly 48 bytes, as VLC's
 * gateway does.  Multicast Data is counted per gateway, unless -x
 * (a benchmark counts it on the interface: once its tunnel is up a
 * gateway is not read any more).
 *
 * With -F n a gateway that gets no Query after n Requests runs
 * discovery again (as amtgwd does: a relay of an anycast pool died).
 * With -C k:ms each gateway moves, every ms or so (random), to another
 * of k consecutive groups (a leave and a join in one Update): churn.
 * With -L the gateways leave their group (an Update with TO_IN({})) at
 * the end.
 *
 * With -G (and -S) each gateway asks for an IPv6 channel instead: a
 * Request with P=1, an MLDv2 General Query expected in the Query, and
 * an MLDv2 Report (from ::, as RFC 7450 5.2.1 allows) in the Update.
 *
 * With -B, before its good Update each -G gateway sends five bad ones,
 * each for another group (group + 1 .. + 5, so that one taken shows):
 * a wrong ICMPv6 checksum, no Router Alert, hop limit 2, a record
 * claiming more sources than it carries, an MLD Query instead of a
 * report.  The relay must count them all (update-bad-mld) and join
 * none.
 *
 * An IPv6 -r (and -a) runs the gateways over IPv6 (no discovery then).
 *
 * It prints "READY n ms" once every gateway has its tunnel,
 * "FIRSTDATA n ms" once every gateway got data, "STATS ..." on SIGUSR1
 * and "DONE ..." at the end (SIGTERM, or -t ms); -v adds a "GW" line
 * per gateway to those.  Written from the RFC
 * layouts only; it shares no code with the daemons.
 */

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define MAXGW		20000
#define RETRY_MS	1000
#define TICK_MS		5

enum { S_WAIT, S_DISC, S_REQ, S_UP };

struct sgw {
	int		 fd;
	uint8_t		 state;
	uint8_t		 had_tunnel;
	uint32_t	 nonce;
	uint32_t	 relay;		/* network order */
	uint64_t	 next;		/* retransmit, refresh or start, ms */
	uint64_t	 t_start;
	uint64_t	 t_up;
	uint64_t	 t_first;
	uint64_t	 rx;
	uint64_t	 t_last;	/* last Data, ms */
	uint32_t	 refused;
	uint32_t	 updates;
	uint32_t	 tries;		/* Requests without a Query */
	uint32_t	 group;		/* network order */
	uint8_t		 qmac[6];	/* of the last Query */
	uint32_t	 qnonce;
	uint64_t	 churn_at;
};

static struct sgw	*gws;
static int		 ngw = 1, strict, ep, deaf, verbose;
static uint32_t		 relay_cfg, disc, group, source;
static uint8_t		 group6[16], source6[16];
static int		 u6;			/* an IPv6 underlay */
static struct in6_addr	 relay6, laddr6;
static int		 mld, have_src6, bad_mld;
static uint32_t		 refresh_ms;
static unsigned		 failover, churn_k, leave_at_end;
static uint32_t		 churn_ms;
static volatile sig_atomic_t want_stats;
static uint64_t		 t0;

static void
on_usr1(int sig)
{
	(void)sig;
	want_stats = 1;
}

static void
send_to(struct sgw *gw, uint32_t dst, const uint8_t *b, size_t n)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;

	if (u6) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(2268);
		sin6.sin6_addr = relay6;
		(void)sendto(gw->fd, b, n, 0, (struct sockaddr *)&sin6,
		    sizeof(sin6));
		return;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(2268);
	sin.sin_addr.s_addr = dst;
	(void)sendto(gw->fd, b, n, 0, (struct sockaddr *)&sin, sizeof(sin));
}

/* Discovery or Request with the gateway's current nonce. */
static void
send_start(struct sgw *gw, uint64_t now)
{
	uint8_t	 b[8];

	/* -F: a relay that stopped answering: find another. */
	if (gw->state == S_REQ && failover != 0 && disc != 0 &&
	    gw->tries++ >= failover) {
		gw->tries = 0;
		gw->relay = 0;
		gw->state = S_DISC;
	}
	memset(b, 0, sizeof(b));
	b[0] = gw->state == S_DISC ? 0x01 : 0x03;
	if (gw->state != S_DISC && mld)
		b[1] = 0x01;		/* P: an MLDv2 query */
	put32(b + 4, gw->nonce);
	send_to(gw, gw->state == S_DISC ? disc : gw->relay, b, sizeof(b));
	gw->next = now + RETRY_MS;
}

/* A new cycle: fresh nonce, Discovery first if there is no relay yet. */
static void
cycle(struct sgw *gw, uint64_t now)
{
	gw->nonce = (uint32_t)random() | 1;
	gw->state = gw->relay == 0 ? S_DISC : S_REQ;
	send_start(gw, now);
}

/* An IGMPv3 record at u: type, group (network order), one source. */
static size_t
record(uint8_t *u, uint8_t type, uint32_t g, uint32_t src)
{
	memset(u, 0, 8);
	u[0] = type;
	u[3] = src != 0 ? 1 : 0;
	memcpy(u + 4, &g, 4);
	if (src == 0)
		return 8;
	memcpy(u + 8, &src, 4);
	return 12;
}

/*
 * An Update with the MAC and nonce of the last Query: the join of the
 * gateway's group (ALLOW(S,G), or TO_EX({}) without -s), and the leave
 * of old first if it is not 0.
 */
static void
send_update(struct sgw *gw, uint32_t old)
{
	uint8_t		 u[96];
	size_t		 n = 24 + 8, k;
	uint16_t	 nrec = 0;

	memset(u, 0, sizeof(u));
	u[0] = 0x05;
	memcpy(u + 2, gw->qmac, 6);
	put32(u + 8, gw->qnonce);
	if (old != 0) {
		n += record(u + 12 + n, 0x03, old, 0);	/* TO_IN({}) */
		nrec++;
	}
	if (gw->group != 0) {
		n += record(u + 12 + n, source != 0 ? 5 : 4, gw->group, source);
		nrec++;
	}
	/* IPv4 with Router Alert, from 0.0.0.0 to 224.0.0.22. */
	u[12] = 0x46;
	u[13] = 0xc0;
	put16(u + 14, (uint16_t)n);
	u[20] = 1;
	u[21] = 2;
	put32(u + 28, 0xe0000016);
	u[32] = 0x94;
	u[33] = 4;
	put16(u + 22, csum(u + 12, 24, 0));
	u[36] = 0x22;
	put16(u + 42, nrec);
	k = n - 24;
	put16(u + 38, csum(u + 36, k, 0));
	send_to(gw, gw->relay, u, 12 + n);
	gw->updates++;
}

/*
 * -G: an Update with an MLDv2 Report of one record: the join of the
 * IPv6 group (ALLOW(S,G), or TO_EX({}) without -S), or its leave; bad
 * 1..5 spoils it in one way (-B), for group + bad.
 */
static void
send_update6(struct sgw *gw, int leave, int bad)
{
	uint8_t		 u[160], ph[40];
	uint8_t		*ip = u + 12, *m = u + 12 + 48;
	size_t		 mlen = 8 + 20;
	int		 with_src = have_src6 && !leave;

	memset(u, 0, sizeof(u));
	u[0] = 0x05;
	memcpy(u + 2, gw->qmac, 6);
	put32(u + 8, gw->qnonce);
	m[0] = 143;
	put16(m + 6, 1);
	m[8] = leave ? 3 : with_src ? 5 : 4;
	m[11] = with_src ? 1 : 0;
	memcpy(m + 12, group6, 16);
	m[27] = (uint8_t)(m[27] + bad);
	if (with_src) {
		memcpy(m + 28, source6, 16);
		mlen += 16;
	}
	if (bad == 4)
		m[11]++;		/* a source more than it carries */
	if (bad == 5)
		m[0] = 130;		/* a Query */
	/* IPv6 from :: to ff02::16, hop limit 1, Hop-by-Hop Router Alert. */
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)(8 + mlen));
	ip[6] = 0;
	ip[7] = 1;
	ip[24] = 0xff;
	ip[25] = 0x02;
	ip[39] = 0x16;
	ip[40] = 58;
	ip[42] = 5;
	ip[43] = 2;
	ip[46] = 1;
	memset(ph, 0, sizeof(ph));
	memcpy(ph, ip + 8, 32);
	put32(ph + 32, (uint32_t)mlen);
	ph[39] = 58;
	put16(m + 2, csum(m, mlen, (uint16_t)~csum(ph, sizeof(ph), 0)));
	if (bad == 1)
		m[2] ^= 0x5a;
	if (bad == 2)
		ip[42] = 1;		/* PadN: no Router Alert */
	if (bad == 3)
		ip[7] = 2;
	send_to(gw, gw->relay, u, 12 + 48 + mlen);
	gw->updates++;
}

static void
got(struct sgw *gw, const uint8_t *b, ssize_t n, uint64_t now)
{
	int	 k;

	if (n < 1)
		return;
	switch (b[0]) {
	case 0x06:
		if (gw->rx++ == 0)
			gw->t_first = now;
		gw->t_last = now;
		break;
	case 0x02:
		if (gw->state != S_DISC || n < 12 || get32(b + 4) != gw->nonce)
			break;
		memcpy(&gw->relay, b + 8, 4);
		cycle(gw, now);
		break;
	case 0x04:
		if (gw->state != S_REQ || n < 12 || get32(b + 8) != gw->nonce)
			break;
		if ((strict && n != 48) || n < 13 ||
		    b[12] >> 4 != (mld ? 6 : 4)) {
			gw->refused++;
			break;		/* refused: the Request goes again */
		}
		memcpy(gw->qmac, b + 2, 6);
		gw->qnonce = get32(b + 8);
		gw->tries = 0;
		for (k = 1; mld && bad_mld && k <= 5; k++)
			send_update6(gw, 0, k);
		if (mld)
			send_update6(gw, 0, 0);
		else
			send_update(gw, 0);
		gw->state = S_UP;
		if (!gw->had_tunnel) {
			gw->had_tunnel = 1;
			gw->t_up = now;
		}
		/* -x: stop reading (the Data is counted elsewhere). */
		if (deaf && refresh_ms == 0)
			(void)epoll_ctl(ep, EPOLL_CTL_DEL, gw->fd, NULL);
		gw->next = refresh_ms == 0 ? UINT64_MAX : now + refresh_ms -
		    refresh_ms / 10 + (uint64_t)random() % (refresh_ms / 5 + 1);
		break;
	}
}

/* -C: to another group of the k, leaving the old one in the Update. */
static void
churn(struct sgw *gw, uint64_t now)
{
	uint32_t	 old = gw->group, g;

	do
		g = htonl(ntohl(group) + (uint32_t)random() % churn_k);
	while (g == old);
	gw->group = g;
	send_update(gw, old);
	gw->churn_at = now + churn_ms / 2 + (uint64_t)random() %
	    (churn_ms + 1);
}

/* Read everything waiting on one gateway's socket. */
static void
drain(struct sgw *gw, uint64_t now)
{
	uint8_t	 b[2048];
	ssize_t	 n;

	while ((n = recv(gw->fd, b, sizeof(b), MSG_DONTWAIT)) >= 0)
		got(gw, b, n, now);
}

static void
stats(const char *what)
{
	uint64_t	 rx = 0, rxmin = UINT64_MAX, maxup = 0, maxfirst = 0;
	uint32_t	 refused = 0, updates = 0;
	int		 i, up = 0, data = 0, recent = 0;
	uint64_t	 now = now_ms();

	for (i = 0; i < ngw; i++) {
		struct sgw	*gw = &gws[i];

		rx += gw->rx;
		if (gw->rx < rxmin)
			rxmin = gw->rx;
		refused += gw->refused;
		updates += gw->updates;
		if (gw->had_tunnel) {
			up++;
			if (gw->t_up - gw->t_start > maxup)
				maxup = gw->t_up - gw->t_start;
		}
		if (gw->rx > 0 && now - gw->t_last < 1000)
			recent++;
		if (gw->rx > 0) {
			data++;
			if (gw->t_first - t0 > maxfirst)
				maxfirst = gw->t_first - t0;
		}
	}
	for (i = 0; verbose && i < ngw; i++)
		printf("GW %d rx=%llu refused=%u tunnel=%d\n", i,
		    (unsigned long long)gws[i].rx, gws[i].refused,
		    gws[i].had_tunnel);
	printf("%s gateways=%d tunnels=%d with-data=%d receiving=%d rx=%llu "
	    "rx-min=%llu refused=%u updates=%u handshake-max-ms=%llu "
	    "first-data-max-ms=%llu\n", what, ngw, up, data, recent,
	    (unsigned long long)rx, (unsigned long long)rxmin, refused,
	    updates, (unsigned long long)maxup, (unsigned long long)maxfirst);
}

static int
open_gw(struct sgw *gw, uint32_t laddr, int port)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct epoll_event	 ev;
	int			 sz = 1 << 16;

	if ((gw->fd = socket(u6 ? AF_INET6 : AF_INET, SOCK_DGRAM |
	    SOCK_NONBLOCK, 0)) == -1)
		return -1;
	(void)setsockopt(gw->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (u6) {
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)port);
		sin6.sin6_addr = laddr6;
		sin6.sin6_addr.s6_addr[15] = (uint8_t)(laddr6.s6_addr[15] +
		    laddr);
		if (bind(gw->fd, (struct sockaddr *)&sin6, sizeof(sin6)) == -1)
			return -1;
	} else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = laddr;
		if (bind(gw->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
			return -1;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = gw;
	return epoll_ctl(ep, EPOLL_CTL_ADD, gw->fd, &ev);
}

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: gwsim -r relay | -D discovery -g group "
	    "[-s source] [-n gateways]\n"
	    "             [-a first-local-address -m addresses] "
	    "[-p base-port] [-R per-second]\n"
	    "             [-q refresh-seconds] [-t ms] [-F requests] "
	    "[-C groups:ms] [-L] [-v] [-V] [-x]\n"
	    "       gwsim ... -G ipv6-group [-S ipv6-source] [-B]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct epoll_event	 evs[256];
	struct rlimit		 rl;
	uint32_t		 laddr = 0;
	uint64_t		 now, next_start, run_ms = 0, ready = 0,
				 alldata = 0;
	int			 ch, i, n, naddr = 1, base = 40000, started = 0;
	unsigned		 rate = 0;

	while ((ch = getopt(argc, argv,
	    "a:BC:D:F:g:G:Lm:n:p:q:r:R:s:S:t:vVx")) != -1) {
		switch (ch) {
		case 'B': bad_mld = 1; break;
		case 'C':
			if (sscanf(optarg, "%u:%u", &churn_k, &churn_ms) != 2 ||
			    churn_k < 2 || churn_ms == 0)
				usage();
			break;
		case 'F': failover = (unsigned)atoi(optarg); break;
		case 'L': leave_at_end = 1; break;
		case 'a':
			if (inet_pton(AF_INET6, optarg, &laddr6) == 1)
				break;
			inet_pton(AF_INET, optarg, &laddr);
			break;
		case 'D': inet_pton(AF_INET, optarg, &disc); break;
		case 'g': inet_pton(AF_INET, optarg, &group); break;
		case 'G':
			if (inet_pton(AF_INET6, optarg, group6) != 1)
				usage();
			mld = 1;
			break;
		case 'S':
			if (inet_pton(AF_INET6, optarg, source6) != 1)
				usage();
			have_src6 = 1;
			break;
		case 'm': naddr = atoi(optarg); break;
		case 'n': ngw = atoi(optarg); break;
		case 'p': base = atoi(optarg); break;
		case 'q': refresh_ms = (uint32_t)atoi(optarg) * 1000; break;
		case 'r':
			if (inet_pton(AF_INET6, optarg, &relay6) == 1) {
				u6 = 1;
				relay_cfg = 1;	/* "a relay": the IPv6 one */
				break;
			}
			inet_pton(AF_INET, optarg, &relay_cfg);
			break;
		case 'R': rate = (unsigned)atoi(optarg); break;
		case 's': inet_pton(AF_INET, optarg, &source); break;
		case 't': run_ms = (uint64_t)atoll(optarg); break;
		case 'v': verbose = 1; break;
		case 'V': strict = 1; break;
		case 'x': deaf = 1; break;
		default: usage();
		}
	}
	if (ngw < 1 || ngw > MAXGW || naddr < 1 || (group == 0 && !mld) ||
	    (mld && churn_k != 0) ||
	    (relay_cfg == 0 && disc == 0))
		usage();
	rl.rlim_cur = rl.rlim_max = (rlim_t)ngw + 64;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	setvbuf(stdout, NULL, _IOLBF, 0);
	stop_on_signals();
	signal(SIGUSR1, on_usr1);
	srandom((unsigned)getpid());
	if ((gws = calloc((size_t)ngw, sizeof(*gws))) == NULL ||
	    (ep = epoll_create1(0)) == -1)
		return 1;
	for (i = 0; i < ngw; i++)
		if (open_gw(&gws[i], u6 ? (uint32_t)(i % naddr) :
		    laddr == 0 ? 0 : htonl(ntohl(laddr) +
		    (uint32_t)(i % naddr)), base + i / naddr) == -1) {
			perror("gateway socket");
			return 1;
		}
	t0 = next_start = now_ms();
	printf("STARTED %d\n", ngw);
	while (!stop) {
		now = now_ms();
		/* Arrivals: all at once, or rate per second. */
		while (started < ngw && (rate == 0 || now >= next_start)) {
			gws[started].relay = relay_cfg;
			gws[started].t_start = now;
			gws[started].group = churn_k == 0 ? group :
			    htonl(ntohl(group) + (uint32_t)random() % churn_k);
			gws[started].churn_at = now + (uint64_t)random() %
			    (churn_ms + 1);
			cycle(&gws[started], now);
			started++;
			if (rate != 0)
				next_start += 1000 / rate > 0 ? 1000 / rate : 1;
			if (rate != 0 && rate > 1000)
				next_start = now;
		}
		n = epoll_wait(ep, evs, 256, TICK_MS);
		now = now_ms();
		for (i = 0; i < n; i++)
			drain(evs[i].data.ptr, now);
		for (i = 0; i < started; i++) {
			if (gws[i].next <= now)
				cycle(&gws[i], now);
			if (churn_k != 0 && gws[i].state == S_UP &&
			    gws[i].churn_at <= now)
				churn(&gws[i], now);
		}
		if (ready == 0) {
			for (i = 0; i < ngw && gws[i].had_tunnel; i++)
				;
			if (i == ngw)
				printf("READY %d ms=%llu\n", ngw,
				    (unsigned long long)((ready = now) - t0));
		}
		if (alldata == 0) {
			for (i = 0; i < ngw && gws[i].rx > 0; i++)
				;
			if (i == ngw)
				printf("FIRSTDATA %d ms=%llu\n", ngw,
				    (unsigned long long)((alldata = now) -
				    t0));
		}
		if (want_stats) {
			want_stats = 0;
			stats("STATS");
		}
		if (run_ms != 0 && now - t0 >= run_ms)
			break;
	}
	for (i = 0; leave_at_end && i < started; i++) {
		if (mld && gws[i].had_tunnel)
			send_update6(&gws[i], 1, 0);
		else if (gws[i].state == S_UP || gws[i].had_tunnel) {
			uint32_t old = gws[i].group;

			gws[i].group = 0;
			send_update(&gws[i], old);
		}
	}
	stats("DONE");
	return 0;
}
