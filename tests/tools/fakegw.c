/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * fakegw: stands in for amtgwd in igmpproxyd's tests.  It holds the
 * upstream TUN device, prints every report the proxy writes into it
 * (with a timestamp), keeps the joined (S,G) state those reports ask
 * for, and injects multicast into the TUN for it: from the requested
 * sources, or for any-source joins from the -S sources, starting the
 * moment the report appears.  -X adds a source nobody asked for, to
 * show that it goes nowhere.  SIGUSR1 writes a general query into the
 * TUN; SIGUSR2 deletes the TUN and creates it again (a gateway
 * restart).  MLD reports (v2, and v1 report and done) are followed the
 * same way, with IPv6 datagrams injected (any-source joins from
 * 2001:db8:99::1).  Written from the RFC layouts only; it shares no
 * code with the daemons.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define MAXJ	4096
#define MAXS	8

struct join {
	uint32_t	 g;
	uint32_t	 s;	/* 0: any source */
};

static struct join	 joins[MAXJ];
static unsigned		 njoins;

struct join6 {
	uint8_t		 g[16];
	uint8_t		 s[16];		/* all zeros: any source */
};

static struct join6	 joins6[MAXJ];
static unsigned		 njoins6;
static const uint8_t	 asm_src6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x99,
    [15] = 1 };
static const uint8_t	 zero6[16];
static uint32_t		 asm_srcs[MAXS] = { 0x0a630001 };	/* 10.99.0.1 */
static unsigned		 nasm = 1;
static uint32_t		 extra_src;
static unsigned		 rate = 50;
static volatile sig_atomic_t want_query, want_restart, done;
static const char	*tunname = "amt0";

static const char *
ntoa(uint32_t a)
{
	static char	 b[4][16];
	static int	 k;
	char		*r = b[k++ & 3];

	snprintf(r, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
	    (a >> 8) & 255, a & 255);
	return r;
}

static int
tun_open(void)
{
	struct ifreq	 ifr;
	int		 fd, s;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tunname);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		close(fd);
		return -1;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ifr.ifr_flags = IFF_UP | IFF_RUNNING;
	ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return fd;
}

static int
find(uint32_t g, uint32_t s)
{
	unsigned	 i;

	for (i = 0; i < njoins; i++)
		if (joins[i].g == g && joins[i].s == s)
			return (int)i;
	return -1;
}

static void inject_one(int, uint32_t, uint32_t, uint64_t);
static void handle6(int, const uint8_t *, size_t);

static void
join(int tun, uint32_t g, uint32_t s, int on)
{
	int	 i = find(g, s);

	if (on && i < 0 && njoins < MAXJ) {
		joins[njoins].g = g;
		joins[njoins].s = s;
		njoins++;
		printf("JOIN %s %s t=%llu\n", ntoa(g), s ? ntoa(s) : "*",
		    (unsigned long long)now_us());
		/* The moment the report appears: data at once. */
		if (s != 0)
			inject_one(tun, s, g, 0);
		else
			for (unsigned k = 0; k < nasm; k++)
				inject_one(tun, asm_srcs[k], g, 0);
	} else if (!on && i >= 0) {
		joins[i] = joins[--njoins];
		printf("LEAVE %s %s\n", ntoa(g), s ? ntoa(s) : "*");
	}
}

static void
drop_group(uint32_t g)
{
	unsigned	 i = 0;

	while (i < njoins) {
		if (joins[i].g == g) {
			printf("LEAVE %s %s\n", ntoa(g), joins[i].s ?
			    ntoa(joins[i].s) : "*");
			joins[i] = joins[--njoins];
		} else
			i++;
	}
}

/* One report from the proxy: print it and follow what it asks. */
static void
handle(int tun, const uint8_t *p, size_t n)
{
	size_t		 hl, off, tot;
	unsigned	 nrec, i, k, type, ns, aux;
	uint32_t	 g;
	uint64_t	 t = now_us();

	if (n > 0 && p[0] >> 4 == 6) {
		handle6(tun, p, n);
		return;
	}
	if (n < 20 || p[0] >> 4 != 4 || p[9] != 2)
		return;
	hl = (size_t)(p[0] & 15) * 4;
	tot = (size_t)p[2] << 8 | p[3];
	if (tot > n || tot < hl + 8)
		return;
	switch (p[hl]) {
	case 0x11:
		return;		/* our own query */
	case 0x12:
	case 0x16:
		printf("V%uREPORT %s t=%llu\n", p[hl] == 0x12 ? 1 : 2,
		    ntoa(get32(p + hl + 4)), (unsigned long long)t);
		join(tun, get32(p + hl + 4), 0, 1);
		return;
	case 0x17:
		printf("V2LEAVE %s\n", ntoa(get32(p + hl + 4)));
		drop_group(get32(p + hl + 4));
		return;
	case 0x22:
		break;
	default:
		return;
	}
	nrec = (unsigned)p[hl + 6] << 8 | p[hl + 7];
	off = hl + 8;
	printf("REPORT records=%u t=%llu\n", nrec, (unsigned long long)t);
	for (i = 0; i < nrec && off + 8 <= tot; i++) {
		type = p[off];
		aux = p[off + 1];
		ns = (unsigned)p[off + 2] << 8 | p[off + 3];
		g = get32(p + off + 4);
		if (off + 8 + 4 * (size_t)(ns + aux) > tot)
			break;
		printf("RECORD type=%u group=%s nsrcs=%u", type, ntoa(g), ns);
		for (k = 0; k < ns && k < 8; k++)
			printf(" %s", ntoa(get32(p + off + 8 + 4 * k)));
		printf("\n");
		switch (type) {
		case 1: case 3:		/* IS_IN, TO_IN: exactly these */
			drop_group(g);
			for (k = 0; k < ns; k++)
				join(tun, g, get32(p + off + 8 + 4 * k), 1);
			break;
		case 5:			/* ALLOW */
			for (k = 0; k < ns; k++)
				join(tun, g, get32(p + off + 8 + 4 * k), 1);
			break;
		case 2: case 4:		/* EXCLUDE: any source */
			drop_group(g);
			join(tun, g, 0, 1);
			break;
		case 6:			/* BLOCK */
			for (k = 0; k < ns; k++)
				join(tun, g, get32(p + off + 8 + 4 * k), 0);
			break;
		}
		off += 8 + 4 * (size_t)(ns + aux);
	}
}

/* An IPv6 UDP datagram s -> g:5001 into the TUN (checksum filled). */
static void
inject6(int tun, const uint8_t *src, const uint8_t *g, uint64_t seq)
{
	uint8_t		 b[40 + 8 + 32], ph[40];
	uint16_t	 c;

	memset(b, 0, sizeof(b));
	b[0] = 0x60;
	b[5] = 8 + 32;
	b[6] = 17;
	b[7] = 64;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, g, 16);
	b[40] = 0x13;
	b[41] = 0x88;
	b[42] = 0x13;
	b[43] = 0x89;
	b[45] = 8 + 32;
	memcpy(b + 48, &seq, sizeof(seq));
	memset(ph, 0, sizeof(ph));
	memcpy(ph, b + 8, 32);
	ph[35] = 8 + 32;
	ph[39] = 17;
	c = csum(b + 40, 8 + 32, (uint16_t)~csum(ph, sizeof(ph), 0));
	b[46] = (uint8_t)((c == 0 ? 0xffff : c) >> 8);
	b[47] = (uint8_t)(c == 0 ? 0xffff : c);
	if (write(tun, b, sizeof(b)) < 0)
		return;
}

static int
find6(const uint8_t *g, const uint8_t *src)
{
	unsigned	 i;

	for (i = 0; i < njoins6; i++)
		if (memcmp(joins6[i].g, g, 16) == 0 &&
		    memcmp(joins6[i].s, src, 16) == 0)
			return (int)i;
	return -1;
}

static void
join6(int tun, const uint8_t *g, const uint8_t *src, int on)
{
	int	 i = find6(g, src);

	if (on && i < 0 && njoins6 < MAXJ) {
		memcpy(joins6[njoins6].g, g, 16);
		memcpy(joins6[njoins6].s, src, 16);
		njoins6++;
		printf("JOIN6 t=%llu\n", (unsigned long long)now_us());
		inject6(tun, memcmp(src, zero6, 16) ? src : asm_src6, g, 0);
	} else if (!on && i >= 0)
		joins6[i] = joins6[--njoins6];
}

static void
drop_group6(const uint8_t *g)
{
	unsigned	 i = 0;

	while (i < njoins6)
		if (memcmp(joins6[i].g, g, 16) == 0)
			joins6[i] = joins6[--njoins6];
		else
			i++;
}

/*
 * An MLD report from the proxy: IPv6, a Hop-by-Hop header, then
 * ICMPv6 (RFC 3810 5.2; RFC 2710 3 for v1).
 */
static void
handle6(int tun, const uint8_t *p, size_t n)
{
	size_t		 off, end, hl;
	unsigned	 nrec, i, k, type, ns, aux;
	const uint8_t	*g;

	if (n < 48 || p[6] != 0)
		return;
	hl = 40 + ((size_t)p[41] + 1) * 8;
	end = 40 + ((size_t)p[4] << 8 | p[5]);
	if (p[40] != 58 || end > n || end < hl + 8)
		return;
	switch (p[hl]) {
	case 131:		/* MLDv1 report, done */
	case 132:
		if (end < hl + 24)
			return;
		printf("MLDV1 %s\n", p[hl] == 131 ? "REPORT" : "DONE");
		if (p[hl] == 131)
			join6(tun, p + hl + 8, zero6, 1);
		else
			drop_group6(p + hl + 8);
		return;
	case 143:
		break;
	default:
		return;
	}
	nrec = (unsigned)p[hl + 6] << 8 | p[hl + 7];
	off = hl + 8;
	printf("MLDREPORT records=%u\n", nrec);
	for (i = 0; i < nrec && off + 20 <= end; i++) {
		type = p[off];
		aux = p[off + 1];
		ns = (unsigned)p[off + 2] << 8 | p[off + 3];
		g = p + off + 4;
		if (off + 20 + 16 * (size_t)ns + 4 * (size_t)aux > end)
			break;
		switch (type) {
		case 1: case 3: case 5:	/* IS_IN, TO_IN: these; ALLOW */
			if (type != 5)
				drop_group6(g);
			for (k = 0; k < ns; k++)
				join6(tun, g, p + off + 20 + 16 * k, 1);
			break;
		case 2: case 4:
			drop_group6(g);
			join6(tun, g, zero6, 1);
			break;
		case 6:
			for (k = 0; k < ns; k++)
				join6(tun, g, p + off + 20 + 16 * k, 0);
			break;
		}
		off += 20 + 16 * (size_t)ns + 4 * (size_t)aux;
	}
}

/* Write one UDP datagram s -> g:5001 into the TUN, as if from the relay. */
static void
inject_one(int tun, uint32_t s, uint32_t g, uint64_t seq)
{
	uint8_t	 b[20 + 8 + 32];

	memset(b, 0, sizeof(b));
	b[0] = 0x45;
	b[2] = 0;
	b[3] = sizeof(b);
	b[8] = 64;
	b[9] = 17;
	put32(b + 12, s);
	put32(b + 16, g);
	b[10] = (uint8_t)(csum(b, 20, 0) >> 8);
	b[11] = (uint8_t)csum(b, 20, 0);
	b[20] = 0x13;
	b[21] = 0x88;
	b[22] = 0x13;
	b[23] = 0x89;
	b[25] = 8 + 32;
	memcpy(b + 28, &seq, sizeof(seq));
	if (write(tun, b, sizeof(b)) < 0)
		return;
}

static void
general_query(int tun)
{
	uint8_t	 b[36];

	memset(b, 0, sizeof(b));
	b[0] = 0x46;
	b[1] = 0xc0;
	b[3] = 36;
	b[8] = 1;
	b[9] = 2;
	put32(b + 12, 0x0a6300fe);
	put32(b + 16, 0xe0000001);
	b[20] = 0x94;
	b[21] = 4;
	b[10] = (uint8_t)(csum(b, 24, 0) >> 8);
	b[11] = (uint8_t)csum(b, 24, 0);
	b[24] = 0x11;
	b[25] = 100;
	b[32] = 2;
	b[33] = 125;
	b[26] = (uint8_t)(csum(b + 24, 12, 0) >> 8);
	b[27] = (uint8_t)csum(b + 24, 12, 0);
	if (write(tun, b, sizeof(b)) > 0)
		printf("QUERY written\n");
}

static void
on_sig(int s)
{
	if (s == SIGUSR1)
		want_query = 1;
	else if (s == SIGUSR2)
		want_restart = 1;
	else
		done = 1;
}

int
main(int argc, char *argv[])
{
	uint8_t		 buf[9216];
	struct pollfd	 pfd;
	int		 ch, tun;
	ssize_t		 n;
	uint64_t	 next = 0, seq = 0, t;
	unsigned	 i, k;
	char		*tok;

	while ((ch = getopt(argc, argv, "i:R:S:X:")) != -1) {
		switch (ch) {
		case 'i':
			tunname = optarg;
			break;
		case 'R':
			rate = (unsigned)atoi(optarg);
			break;
		case 'S':
			nasm = 0;
			for (tok = strtok(optarg, ","); tok && nasm < MAXS;
			    tok = strtok(NULL, ",")) {
				struct in_addr	 in;

				inet_pton(AF_INET, tok, &in);
				asm_srcs[nasm++] = ntohl(in.s_addr);
			}
			break;
		case 'X': {
			struct in_addr	 in;

			inet_pton(AF_INET, optarg, &in);
			extra_src = ntohl(in.s_addr);
			break;
		}
		default:
			fprintf(stderr, "usage: fakegw [-i tun] [-R pps] "
			    "[-S src,...] [-X unwanted-src]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGUSR1, on_sig);
	signal(SIGUSR2, on_sig);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	if ((tun = tun_open()) == -1) {
		perror("tun");
		return 1;
	}
	printf("READY %s\n", tunname);
	pfd.events = POLLIN;
	while (!done) {
		if (want_restart) {
			want_restart = 0;
			close(tun);
			njoins = njoins6 = 0;
			printf("TUN closed\n");
			if ((tun = tun_open()) == -1)
				return 1;
			printf("TUN reopened\n");
		}
		if (want_query) {
			want_query = 0;
			general_query(tun);
		}
		pfd.fd = tun;
		if (poll(&pfd, 1, 2) > 0)
			while ((n = read(tun, buf, sizeof(buf))) > 0)
				handle(tun, buf, (size_t)n);
		t = now_us();
		if (rate > 0 && t >= next) {
			for (i = 0; i < njoins; i++) {
				if (joins[i].s != 0)
					inject_one(tun, joins[i].s, joins[i].g,
					    seq);
				else
					for (k = 0; k < nasm; k++)
						inject_one(tun, asm_srcs[k],
						    joins[i].g, seq);
				if (extra_src != 0)
					inject_one(tun, extra_src, joins[i].g,
					    seq);
			}
			for (i = 0; i < njoins6; i++)
				inject6(tun, memcmp(joins6[i].s, zero6, 16) ?
				    joins6[i].s : asm_src6, joins6[i].g, seq);
			seq++;
			next = t + 1000000 / rate;
		}
	}
	printf("EXIT\n");
	return 0;
}
