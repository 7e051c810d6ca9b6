/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * fakerelay: a scripted AMT relay for amtgwd's network-namespace tests.
 * It is written from RFC 7450 section 5.1 alone and shares no code with
 * the daemons, so that it checks them rather than agreeing with them.
 * It can misbehave on purpose: G and L flags, a gateway address that
 * changes (SIGUSR2), wrong nonces, silence (SIGUSR1 toggles), malformed
 * messages, junk after the query.  Once an Update joins a group it
 * sends Multicast Data for it (a small stream, or a timed blast with
 * sendmmsg and UDP GSO for benchmarks); with -6, IPv6 Data too.  With
 * -Q, Requests with the P flag get an MLDv2 General Query, the first
 * five spoiled one way each (checksum, a global source, hop limit 2, no
 * Router Alert, a length that is neither MLDv1 nor MLDv2; QQIC 77 marks
 * them), the rest good.  Every event is one line on stdout for the test
 * to wait on.
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>

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

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

#define PORT		2268
#define MAXGROUPS	64

static int		 opt_g, opt_l, opt_badnonce, opt_malformed, opt_junk;
static int		 opt_csum, opt_v6, opt_mldq;
static unsigned		 mld_answers;
static unsigned		 opt_qqic = 125, opt_qrv = 2, opt_mrc = 100;
static unsigned		 opt_rate = 50, opt_payload = 64;
static double		 opt_blast;
static uint32_t		 opt_src = 0x0a630001;	/* 10.99.0.1 */
static volatile sig_atomic_t silent, nat_bump, done;
static uint32_t		 opt_bgroup = 0xe8010101;	/* 232.1.1.1 */

static struct sockaddr_in gw_ep;		/* last Update's endpoint */
static uint32_t		 groups[MAXGROUPS];
static unsigned		 ngroups;
static uint64_t		 data_sent;
static int		 blasted;

/* Our "MAC": FNV-1a over address, port and nonce with a secret. */
static void
mac_of(uint32_t addr, uint16_t port, uint32_t nonce, uint8_t mac[6])
{
	uint8_t		 in[10];
	uint64_t	 h = 0xcbf29ce484222325ULL ^ 0x5ec2e7;
	int		 i;

	put32(in, addr);
	put16(in + 4, port);
	put32(in + 6, nonce);
	for (i = 0; i < 10; i++) {
		h ^= in[i];
		h *= 0x100000001b3ULL;
	}
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
}

static const char *
ep(const struct sockaddr_in *sin)
{
	static char	 buf[2][32];
	static int	 k;
	char		*b = buf[k++ & 1];

	snprintf(b, 32, "%s:%u", inet_ntoa(sin->sin_addr),
	    ntohs(sin->sin_port));
	return b;
}

static void
sendto_ep(int s, const void *p, size_t n, const struct sockaddr_in *to)
{
	if (sendto(s, p, n, 0, (const struct sockaddr *)to, sizeof(*to)) == -1)
		printf("SENDERR %s\n", strerror(errno));
}

/* The encapsulated IGMPv3 general query, built byte by byte. */
static size_t
general_query(uint8_t *p)
{
	memset(p, 0, 36);
	p[0] = 0x46;
	p[1] = 0xc0;
	put16(p + 2, 36);
	p[8] = 1;
	p[9] = 2;
	put32(p + 12, opt_src);
	put32(p + 16, 0xe0000001);
	p[20] = 0x94;
	p[21] = 4;
	put16(p + 10, csum(p, 24, 0));
	p[24] = 0x11;
	p[25] = (uint8_t)opt_mrc;
	p[32] = (uint8_t)(opt_qrv & 7);
	p[33] = (uint8_t)opt_qqic;
	put16(p + 26, csum(p + 24, 12, 0));
	return 36;
}

/*
 * -Q: an MLDv2 General Query from fe80::1 to ff02::1 with a Hop-by-Hop
 * Router Alert, spoiled in way bad (1..5; 0 good).  Returns its length.
 */
static size_t
mld_query(uint8_t *p, int bad)
{
	uint8_t		*m = p + 48;
	size_t		 mlen = bad == 5 ? 26 : 28, i;
	uint32_t	 ps = 58 + (uint32_t)mlen;

	memset(p, 0, 48 + 28);
	p[0] = 0x60;
	put16(p + 4, (uint16_t)(8 + mlen));
	p[6] = 0;			/* Hop-by-Hop */
	p[7] = bad == 3 ? 2 : 1;
	if (bad == 2)
		p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8;
	else
		p[8] = 0xfe, p[9] = 0x80;
	p[23] = 1;
	p[24] = 0xff, p[25] = 0x02, p[39] = 1;
	p[40] = 58;
	p[42] = bad == 4 ? 1 : 5;	/* PadN, or Router Alert */
	p[43] = 2;
	p[46] = 1;
	m[0] = 130;
	put16(m + 4, (uint16_t)(opt_mrc * 100));	/* ms */
	m[24] = (uint8_t)(opt_qrv & 7);
	m[25] = bad ? 77 : (uint8_t)opt_qqic;	/* 77 marks a spoiled one */
	for (i = 8; i < 40; i += 2)		/* the pseudo-header */
		ps += (uint32_t)p[i] << 8 | p[i + 1];
	put16(m + 2, csum(m, mlen, ps));
	if (bad == 1)
		m[2] ^= 0x5a;
	return 48 + mlen;
}

static void
send_junk(int s, const struct sockaddr_in *to, uint32_t nonce)
{
	uint8_t	 b[64];

	memset(b, 0, sizeof(b));
	b[0] = 0x14;			/* version 1 */
	sendto_ep(s, b, 48, to);
	b[0] = 0x04;			/* a Query cut short */
	put32(b + 8, nonce);
	sendto_ep(s, b, 13, to);
	b[0] = 0x09;			/* no such type */
	sendto_ep(s, b, 8, to);
	printf("JUNK sent to %s\n", ep(to));
}

static void
handle_request(int s, const struct sockaddr_in *from, const uint8_t *b,
    size_t n)
{
	uint8_t		 q[128];
	uint32_t	 nonce;
	size_t		 len;
	int		 bad;

	if (n < 8)
		return;
	nonce = get32(b + 4);
	printf("REQUEST from %s nonce=%08x p=%u\n", ep(from),
	    nonce, b[1] & 1);
	if (silent) {
		printf("SILENT\n");
		return;
	}
	if (opt_malformed)
		send_junk(s, from, nonce);
	q[0] = 0x04;
	q[1] = (uint8_t)((opt_l ? 2 : 0) | (opt_g ? 1 : 0));
	mac_of(ntohl(from->sin_addr.s_addr), ntohs(from->sin_port), nonce,
	    q + 2);
	put32(q + 8, opt_badnonce ? nonce + 1 : nonce);
	if (opt_mldq && (b[1] & 1)) {
		bad = mld_answers < 5 ? (int)mld_answers + 1 : 0;
		mld_answers++;
		len = 12 + mld_query(q + 12, bad);
		printf("MLDQUERY %d\n", bad);
	} else
		len = 12 + general_query(q + 12);
	if (opt_junk) {
		memset(q + len, 0xee, 7);
		len += 7;
	}
	if (opt_g) {
		put16(q + len, (uint16_t)(ntohs(from->sin_port) + nat_bump));
		memset(q + len + 2, 0, 12);
		memcpy(q + len + 14, &from->sin_addr.s_addr, 4);
		len += 18;
	}
	sendto_ep(s, q, len, from);
	printf("QUERY sent to %s nonce=%08x flags=%s%s\n", ep(from),
	    opt_badnonce ? nonce + 1 : nonce, opt_l ? "L" : "",
	    opt_g ? "G" : "");
}

static void
group_set(uint32_t g, int on)
{
	unsigned	 i;

	for (i = 0; i < ngroups; i++)
		if (groups[i] == g)
			break;
	if (on && i == ngroups && ngroups < MAXGROUPS) {
		groups[ngroups++] = g;
		printf("JOIN %s\n", inet_ntoa((struct in_addr){ htonl(g) }));
	} else if (!on && i < ngroups) {
		groups[i] = groups[--ngroups];
		printf("LEAVE %s\n", inet_ntoa((struct in_addr){ htonl(g) }));
	}
}

/* Read the reports in an Update: joins and leaves per record. */
static void
handle_update(const struct sockaddr_in *from, const uint8_t *b, size_t n)
{
	uint8_t		 mac[6];
	const uint8_t	*ip, *ig;
	size_t		 hl, tot, off;
	unsigned	 nrec, i, type, ns, aux;
	uint32_t	 g;

	if (n < 12 + 20)
		return;
	mac_of(ntohl(from->sin_addr.s_addr), ntohs(from->sin_port),
	    get32(b + 8), mac);
	ip = b + 12;
	hl = (size_t)(ip[0] & 15) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	printf("UPDATE from %s nonce=%08x mac=%s len=%zu\n", ep(from),
	    get32(b + 8), memcmp(mac, b + 2, 6) == 0 ? "ok" : "bad", tot);
	if (memcmp(mac, b + 2, 6) != 0 || tot > n - 12 || hl < 20 ||
	    tot < hl + 8 || ip[9] != 2)
		return;
	gw_ep = *from;
	ig = ip + hl;
	switch (ig[0]) {
	case 0x16:
		group_set(get32(ig + 4), 1);
		break;
	case 0x17:
		group_set(get32(ig + 4), 0);
		break;
	case 0x22:
		nrec = (unsigned)ig[6] << 8 | ig[7];
		off = 8;
		for (i = 0; i < nrec && off + 8 <= tot - hl; i++) {
			type = ig[off];
			aux = ig[off + 1];
			ns = (unsigned)ig[off + 2] << 8 | ig[off + 3];
			g = get32(ig + off + 4);
			printf("RECORD type=%u group=%s nsrcs=%u\n", type,
			    inet_ntoa((struct in_addr){ htonl(g) }), ns);
			if (type == 2 || type == 4 || type == 5 ||
			    (type == 1 && ns > 0) || (type == 3 && ns > 0))
				group_set(g, 1);
			else if ((type == 3 || type == 1) && ns == 0)
				group_set(g, 0);
			else if (type == 6)
				group_set(g, 0);
			off += 8 + 4 * (size_t)ns + 4 * (size_t)aux;
		}
		break;
	}
}

/* Build one Multicast Data message for group g into p. */
static size_t
data_msg(uint8_t *p, uint32_t g, uint64_t seq)
{
	size_t	 ulen = 8 + opt_payload, tot = 20 + ulen;
	uint8_t	*ip = p + 2, *udp = ip + 20;

	p[0] = 0x06;
	p[1] = 0;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)tot);
	ip[8] = 64;
	ip[9] = 17;
	put32(ip + 12, opt_src);
	put32(ip + 16, g);
	put16(ip + 10, csum(ip, 20, 0));
	put16(udp, 5000);
	put16(udp + 2, 5001);
	put16(udp + 4, (uint16_t)ulen);
	put16(udp + 6, 0);		/* zero, as the open relay sends */
	memset(udp + 8, 'x', opt_payload);
	if (opt_payload >= 8)
		memcpy(udp + 8, &seq, 8);
	if (opt_csum) {
		uint32_t ps = (opt_src >> 16) + (opt_src & 0xffff) +
		    (g >> 16) + (g & 0xffff) + 17 + (uint32_t)ulen;
		uint16_t c = csum(udp, ulen, ps);

		put16(udp + 6, c == 0 ? 0xffff : c);
	}
	return 2 + tot;
}

/*
 * -6: one IPv6 Multicast Data message, 2001:db8::10 -> ff3e::8000:1,
 * UDP to port 5001 with opt_payload bytes (its checksum computed: IPv6
 * forbids zero), and 7 octets of junk after the datagram.
 */
static size_t
data_msg6(uint8_t *p, uint64_t seq)
{
	size_t	 ulen = 8 + opt_payload, i;
	uint8_t	*ip = p + 2, *udp = ip + 40;
	uint32_t ps = 17 + (uint32_t)ulen;
	uint16_t c;

	p[0] = 0x06;
	p[1] = 0;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)ulen);
	ip[6] = 17;
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8;
	ip[23] = 0x10;
	ip[24] = 0xff, ip[25] = 0x3e, ip[36] = 0x80, ip[39] = 0x01;
	put16(udp, 5000);
	put16(udp + 2, 5001);
	put16(udp + 4, (uint16_t)ulen);
	put16(udp + 6, 0);
	memset(udp + 8, 'y', opt_payload);
	if (opt_payload >= 8)
		memcpy(udp + 8, &seq, 8);
	for (i = 8; i < 40; i += 2)		/* the pseudo-header */
		ps += (uint32_t)ip[i] << 8 | ip[i + 1];
	c = csum(udp, ulen, ps);
	put16(udp + 6, c == 0 ? 0xffff : c);
	memset(udp + ulen, 0xee, 7);
	return 2 + 40 + ulen + 7;
}

/*
 * Blast Data for group g as fast as one core can: sendmmsg of GSO
 * super-datagrams (UDP_SEGMENT), for opt_blast seconds.
 */
static void
blast(int s, uint32_t g)
{
	enum { SEGS = 32, VLEN = 8 };
	static uint8_t	 buf[VLEN][SEGS * 2048];
	struct mmsghdr	 mm[VLEN];
	struct iovec	 iov[VLEN];
	char		 cbuf[VLEN][CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr	*cm;
	size_t		 one = data_msg(buf[0], g, 0);
	uint64_t	 t0 = now_ms(), sent = 0, end;
	uint16_t	 seg = (uint16_t)one;
	int		 i, k, r;

	for (i = 0; i < VLEN; i++) {
		for (k = 0; k < SEGS; k++)
			memcpy(buf[i] + (size_t)k * one, buf[0], one);
		memset(&mm[i], 0, sizeof(mm[i]));
		iov[i].iov_base = buf[i];
		iov[i].iov_len = one * SEGS;
		mm[i].msg_hdr.msg_name = &gw_ep;
		mm[i].msg_hdr.msg_namelen = sizeof(gw_ep);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = cbuf[i];
		mm[i].msg_hdr.msg_controllen = sizeof(cbuf[i]);
		cm = CMSG_FIRSTHDR(&mm[i].msg_hdr);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
		memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
	}
	end = t0 + (uint64_t)(opt_blast * 1000);
	while (now_ms() < end && !done) {
		r = sendmmsg(s, mm, VLEN, 0);
		if (r > 0)
			sent += (uint64_t)r * SEGS;
	}
	printf("BLAST sent=%llu ms=%llu size=%u pps=%.0f\n",
	    (unsigned long long)sent, (unsigned long long)(now_ms() - t0),
	    opt_payload, (double)sent * 1000.0 / (double)(now_ms() - t0));
	fflush(stdout);
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		silent = !silent;
	else if (sig == SIGUSR2)
		nat_bump++;
	else
		done = 1;
}

static int
bind_udp(uint32_t addr)
{
	struct sockaddr_in	 sin;
	int			 s, one = 1, sz = 8 << 20;

	if ((s = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(PORT);
	sin.sin_addr.s_addr = htonl(addr);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(s);
		return -1;
	}
	return s;
}

static uint32_t
parse_addr(const char *s)
{
	struct in_addr	 in;

	if (inet_pton(AF_INET, s, &in) != 1) {
		fprintf(stderr, "bad address %s\n", s);
		exit(2);
	}
	return ntohl(in.s_addr);
}

static void
usage(void)
{
	fprintf(stderr, "usage: fakerelay -a relay [-D discovery] [-A adv] "
	    "[-6gGlNMQTsX] [-q qqic] [-r qrv] [-m mrc]\n"
	    "                 [-S src] [-R pps] [-P payload] [-b secs]\n"
	    "                 [-B addr:port -G group]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	uint32_t		 relay = 0, disc = 0, adv = 0;
	int			 ch, rs, ds = -1, i, n;
	struct pollfd		 pfd[2];
	uint8_t			 b[2048], out[2048];
	struct sockaddr_in	 from;
	socklen_t		 fl;
	uint64_t		 next_data = 0, seq = 0;
	unsigned		 k;

	while ((ch = getopt(argc, argv, "6a:A:b:B:D:gG:lm:MNP:q:Qr:R:sS:TX")) !=
	    -1) {
		switch (ch) {
		case 'B': {
			char	*colon = strchr(optarg, ':');

			if (colon == NULL)
				usage();
			*colon = '\0';
			memset(&gw_ep, 0, sizeof(gw_ep));
			gw_ep.sin_family = AF_INET;
			gw_ep.sin_addr.s_addr = htonl(parse_addr(optarg));
			gw_ep.sin_port = htons((uint16_t)atoi(colon + 1));
			break;
		}
		case 'G': opt_bgroup = parse_addr(optarg); break;
		case 'a': relay = parse_addr(optarg); break;
		case 'A': adv = parse_addr(optarg); break;
		case 'b': opt_blast = atof(optarg); break;
		case 'D': disc = parse_addr(optarg); break;
		case 'g': opt_g = 1; break;
		case 'l': opt_l = 1; break;
		case 'm': opt_mrc = (unsigned)atoi(optarg); break;
		case 'M': opt_malformed = 1; break;
		case 'N': opt_badnonce = 1; break;
		case 'P': opt_payload = (unsigned)atoi(optarg); break;
		case 'q': opt_qqic = (unsigned)atoi(optarg); break;
		case 'Q': opt_mldq = 1; break;
		case 'r': opt_qrv = (unsigned)atoi(optarg); break;
		case 'R': opt_rate = (unsigned)atoi(optarg); break;
		case 's': silent = 1; break;
		case 'S': opt_src = parse_addr(optarg); break;
		case 'T': opt_junk = 1; break;
		case 'X': opt_csum = 1; break;
		case '6': opt_v6 = 1; break;
		default: usage();
		}
	}
	if (relay == 0 || opt_payload > 1400)
		usage();
	if (adv == 0)
		adv = relay;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((rs = bind_udp(relay)) == -1) {
		perror("bind relay");
		return 1;
	}
	if (disc != 0 && disc != relay && (ds = bind_udp(disc)) == -1) {
		perror("bind discovery");
		return 1;
	}
	printf("READY relay=%s\n", inet_ntoa((struct in_addr){ htonl(relay) }));
	/* -B: blast at a fixed endpoint straight away, then exit. */
	if (gw_ep.sin_port != 0 && opt_blast > 0) {
		blast(rs, opt_bgroup);
		return 0;
	}
	pfd[0].fd = rs;
	pfd[0].events = POLLIN;
	pfd[1].fd = ds;
	pfd[1].events = POLLIN;
	while (!done) {
		n = poll(pfd, ds == -1 ? 1 : 2, 5);
		for (i = 0; n > 0 && i < (ds == -1 ? 1 : 2); i++) {
			ssize_t	 r;

			if (!(pfd[i].revents & POLLIN))
				continue;
			fl = sizeof(from);
			r = recvfrom(pfd[i].fd, b, sizeof(b), 0,
			    (struct sockaddr *)&from, &fl);
			if (r < 1)
				continue;
			switch (b[0]) {
			case 0x01:
				if (r < 8)
					break;
				printf("DISCOVERY from %s nonce=%08x\n",
				    ep(&from), get32(b + 4));
				if (silent)
					break;
				memset(out, 0, 12);
				out[0] = 0x02;
				memcpy(out + 4, b + 4, 4);
				put32(out + 8, adv);
				sendto_ep(pfd[i].fd, out, 12, &from);
				printf("ADVERT sent relay=%s\n", inet_ntoa(
				    (struct in_addr){ htonl(adv) }));
				break;
			case 0x03:
				handle_request(rs, &from, b, (size_t)r);
				break;
			case 0x05:
				handle_update(&from, b, (size_t)r);
				break;
			case 0x07:
				if (r < 30)
					break;
				printf("TEARDOWN from %s nonce=%08x port=%u "
				    "addr=%u.%u.%u.%u\n", ep(&from),
				    get32(b + 8), (unsigned)b[12] << 8 | b[13],
				    b[26], b[27], b[28], b[29]);
				ngroups = 0;
				break;
			default:
				printf("OTHER type=%u from %s\n", b[0],
				    ep(&from));
			}
		}
		if (ngroups > 0 && opt_blast > 0 && !blasted) {
			blasted = 1;
			blast(rs, groups[0]);
		}
		if (ngroups > 0 && opt_rate > 0 && now_ms() >= next_data &&
		    !silent) {
			for (k = 0; k < ngroups; k++) {
				size_t	 len = data_msg(out, groups[k], seq);

				sendto_ep(rs, out, len, &gw_ep);
				data_sent++;
			}
			if (opt_v6) {
				size_t	 len = data_msg6(out, seq);

				sendto_ep(rs, out, len, &gw_ep);
			}
			seq++;
			next_data = now_ms() + 1000 / opt_rate;
		}
	}
	printf("EXIT data_sent=%llu\n", (unsigned long long)data_sent);
	return 0;
}
