/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Address parsing and printing.  Printing functions return one of a few
 * rotating static buffers so that several can appear in one log line.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

#define NTOA_BUFS	8

static char *
ntoa_buf(void)
{
	static char	 bufs[NTOA_BUFS][ADDR_STRLEN];
	static unsigned	 next;

	return bufs[next++ % NTOA_BUFS];
}

/* Netmask for a prefix length 0..32, host order. */
uint32_t
prefix4_mask(uint8_t len)
{
	if (len == 0)
		return 0;
	if (len >= 32)
		return 0xffffffffU;
	return 0xffffffffU << (32 - len);
}

int
prefix4_contains(const struct prefix4 *p, uint32_t a)
{
	return (a & prefix4_mask(p->len)) == p->addr;
}

/* Parse a dotted quad (exactly four parts) into host order. */
int
addr4_parse(const char *s, uint32_t *a)
{
	struct in_addr	 in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*a = ntohl(in.s_addr);
	return 0;
}

/*
 * A "/len" at the end of s: cut off, its value (at most max) into *len;
 * none leaves *len.  -1 if it is not a number in range.
 */
static int
cut_len(char *s, unsigned long max, unsigned long *len)
{
	char	*slash, *end;

	if ((slash = strchr(s, '/')) == NULL)
		return 0;
	*slash++ = '\0';
	if (*slash < '0' || *slash > '9')
		return -1;
	*len = strtoul(slash, &end, 10);
	return *end != '\0' || *len > max ? -1 : 0;
}

/*
 * Parse "a.b.c.d/len" or a bare address (a /32).  Host bits must be
 * zero: a prefix with host bits set is almost always a typo.
 */
int
prefix4_parse(const char *s, struct prefix4 *p)
{
	char		 tmp[INET_ADDRSTRLEN + 4];
	unsigned long	 len = 32;
	uint32_t	 a;

	if (strlen(s) >= sizeof(tmp))
		return -1;
	strcpy(tmp, s);
	if (cut_len(tmp, 32, &len) == -1 || addr4_parse(tmp, &a) == -1)
		return -1;
	if ((a & ~prefix4_mask((uint8_t)len)) != 0)
		return -1;
	p->addr = a;
	p->len = (uint8_t)len;
	return 0;
}

static const uint8_t	 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0xff, 0xff };

/*
 * "a.b.c.d/n", "x::y/n" or a bare address (the whole length) into the
 * 16-byte form.  Host bits must be zero, as for prefix4_parse().
 */
int
prefix46_parse(const char *s, struct prefix46 *p)
{
	struct prefix4	 p4;
	char		 tmp[INET6_ADDRSTRLEN + 5];
	unsigned long	 len = 128;
	unsigned	 i;

	memset(p, 0, sizeof(*p));
	if (prefix4_parse(s, &p4) == 0) {
		memcpy(p->a, v4mapped, sizeof(v4mapped));
		p->a[12] = (uint8_t)(p4.addr >> 24);
		p->a[13] = (uint8_t)(p4.addr >> 16);
		p->a[14] = (uint8_t)(p4.addr >> 8);
		p->a[15] = (uint8_t)p4.addr;
		p->len = (uint8_t)(96 + p4.len);
		return 0;
	}
	if (strlen(s) >= sizeof(tmp) || strchr(s, ':') == NULL)
		return -1;
	strcpy(tmp, s);
	if (cut_len(tmp, 128, &len) == -1 ||
	    inet_pton(AF_INET6, tmp, p->a) != 1)
		return -1;
	/* An IPv4-mapped address is written as IPv4. */
	if (memcmp(p->a, v4mapped, sizeof(v4mapped)) == 0)
		return -1;
	p->len = (uint8_t)len;
	for (i = p->len; i < 128; i++)
		if (p->a[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return 0;
}

int
prefix46_contains(const struct prefix46 *p, const uint8_t *a)
{
	unsigned	 whole = p->len / 8, rest = p->len % 8;

	if (memcmp(p->a, a, whole) != 0)
		return 0;
	return rest == 0 ||
	    ((p->a[whole] ^ a[whole]) & (0xff00 >> rest) & 0xff) == 0;
}

int
prefix46_is_v4(const struct prefix46 *p)
{
	return p->len >= 96 && memcmp(p->a, v4mapped, sizeof(v4mapped)) == 0;
}

/* Inside the multicast range of its family (224/4, ff00::/8). */
int
prefix46_is_mcast(const struct prefix46 *p)
{
	if (prefix46_is_v4(p))
		return p->len >= 96 + 4 && (p->a[12] & 0xf0) == 0xe0;
	return p->len >= 8 && p->a[0] == 0xff;
}

const char *
prefix46_ntoa(const struct prefix46 *p)
{
	char	*buf = ntoa_buf();
	size_t	 n;

	if (prefix46_is_v4(p)) {
		inet_ntop(AF_INET, p->a + 12, buf, ADDR_STRLEN);
		n = strlen(buf);
		snprintf(buf + n, ADDR_STRLEN - n, "/%u", p->len - 96u);
	} else {
		inet_ntop(AF_INET6, p->a, buf, ADDR_STRLEN);
		n = strlen(buf);
		snprintf(buf + n, ADDR_STRLEN - n, "/%u", p->len);
	}
	return buf;
}

/* Parse an IPv4 or IPv6 address. */
int
ipaddr_parse(const char *s, struct ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (addr4_parse(s, &a->v4) == 0) {
		a->af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->v6) == 1) {
		a->af = AF_INET6;
		return 0;
	}
	return -1;
}

int
ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	if (a->af != b->af)
		return 0;
	if (a->af == AF_INET)
		return a->v4 == b->v4;
	return memcmp(&a->v6, &b->v6, sizeof(a->v6)) == 0;
}

int
ipaddr_is_mcast(const struct ipaddr *a)
{
	if (a->af == AF_INET)
		return IN4_MCAST(a->v4);
	return a->v6.s6_addr[0] == 0xff;
}

const char *
addr4_ntoa(uint32_t a)
{
	char		*buf = ntoa_buf();
	struct in_addr	 in;

	in.s_addr = htonl(a);
	inet_ntop(AF_INET, &in, buf, ADDR_STRLEN);
	return buf;
}

/* 16 bytes in network order; an IPv4-mapped one as IPv4. */
const char *
addr6_ntoa(const uint8_t *a)
{
	char	*buf;

	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
		return addr4_ntoa((uint32_t)a[12] << 24 |
		    (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 | a[15]);
	buf = ntoa_buf();
	inet_ntop(AF_INET6, a, buf, ADDR_STRLEN);
	return buf;
}

const char *
prefix4_ntoa(const struct prefix4 *p)
{
	char		*buf = ntoa_buf();
	struct in_addr	 in;
	size_t		 n;

	in.s_addr = htonl(p->addr);
	inet_ntop(AF_INET, &in, buf, ADDR_STRLEN);
	n = strlen(buf);
	snprintf(buf + n, ADDR_STRLEN - n, "/%u", p->len);
	return buf;
}

const char *
ipaddr_ntoa(const struct ipaddr *a)
{
	char	*buf;

	if (a->af == AF_INET)
		return addr4_ntoa(a->v4);
	buf = ntoa_buf();
	if (a->af != AF_INET6 ||
	    inet_ntop(AF_INET6, &a->v6, buf, ADDR_STRLEN) == NULL)
		snprintf(buf, ADDR_STRLEN, "(none)");
	return buf;
}

/* "a.b.c.d:port" or "[v6]:port". */
const char *
sockaddr_ntoa(const struct sockaddr_storage *ss)
{
	struct ipaddr	 a;
	uint16_t	 port;
	char		*buf = ntoa_buf();

	if (ipaddr_from_sockaddr(ss, &a, &port) == -1) {
		snprintf(buf, ADDR_STRLEN, "(unknown)");
		return buf;
	}
	if (a.af == AF_INET)
		snprintf(buf, ADDR_STRLEN, "%s:%u", ipaddr_ntoa(&a), port);
	else
		snprintf(buf, ADDR_STRLEN, "[%s]:%u", ipaddr_ntoa(&a), port);
	return buf;
}

/* The 16-byte form of RFC 7450 5.1.4.9.2: IPv4 as ::a.b.c.d. */
void
ipaddr_to_v4compat(const struct ipaddr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	if (a->af == AF_INET) {
		out[12] = (uint8_t)(a->v4 >> 24);
		out[13] = (uint8_t)(a->v4 >> 16);
		out[14] = (uint8_t)(a->v4 >> 8);
		out[15] = (uint8_t)a->v4;
	} else
		memcpy(out, &a->v6, 16);
}

/* Inverse of ipaddr_to_v4compat(); returns 1 if the address is v4. */
int
ipaddr_from_v4compat(const uint8_t in[16], struct ipaddr *a)
{
	static const uint8_t	 zero[12];

	memset(a, 0, sizeof(*a));
	if (memcmp(in, zero, 12) == 0) {
		a->af = AF_INET;
		a->v4 = (uint32_t)in[12] << 24 | (uint32_t)in[13] << 16 |
		    (uint32_t)in[14] << 8 | in[15];
		return 1;
	}
	a->af = AF_INET6;
	memcpy(&a->v6, in, 16);
	return 0;
}

void
ipaddr_to_sockaddr(const struct ipaddr *a, uint16_t port,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->af == AF_INET6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = a->v6;
		*len = sizeof(*sin6);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(a->v4);
		*len = sizeof(*sin);
	}
}

int
ipaddr_from_sockaddr(const struct sockaddr_storage *ss, struct ipaddr *a,
    uint16_t *port)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	memset(a, 0, sizeof(*a));
	switch (ss->ss_family) {
	case AF_INET:
		a->af = AF_INET;
		a->v4 = ntohl(sin->sin_addr.s_addr);
		if (port != NULL)
			*port = ntohs(sin->sin_port);
		return 0;
	case AF_INET6:
		a->af = AF_INET6;
		a->v6 = sin6->sin6_addr;
		if (port != NULL)
			*port = ntohs(sin6->sin6_port);
		return 0;
	default:
		return -1;
	}
}

/* Same family, address and port. */
int
sockaddr_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	struct ipaddr	 x, y;
	uint16_t	 px, py;

	if (ipaddr_from_sockaddr(a, &x, &px) == -1 ||
	    ipaddr_from_sockaddr(b, &y, &py) == -1)
		return 0;
	return px == py && ipaddr_eq(&x, &y);
}
