/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * IPv4 and IPv6 address and prefix helpers.  Inside the project an IPv4
 * address is a uint32_t in host byte order; conversion to network order
 * happens only where a socket API wants it.
 */

#ifndef AMT_ADDR_H
#define AMT_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>

#define ADDR_STRLEN	64	/* enough for "[v6]:port" and "v4/len" */

/* An address of either family; v4 kept in host order. */
struct ipaddr {
	int		 af;		/* AF_INET or AF_INET6 */
	uint32_t	 v4;
	struct in6_addr	 v6;
};

struct prefix4 {
	uint32_t	 addr;		/* host order, host bits cleared */
	uint8_t		 len;
};

/*
 * A prefix of either family in the 16-byte form the engines key on:
 * IPv4 a.b.c.d/n is ::ffff:a.b.c.d/(96 + n).  Host bits are zero.
 */
struct prefix46 {
	uint8_t		 a[16];
	uint8_t		 len;		/* 0..128 */
};

#define IN4_MCAST(a)		(((a) & 0xf0000000U) == 0xe0000000U)
#define IN4_LOCAL_MCAST(a)	(((a) & 0xffffff00U) == 0xe0000000U)
#define IN4_ALLHOSTS		0xe0000001U	/* 224.0.0.1 */
#define IN4_ALLROUTERS		0xe0000002U	/* 224.0.0.2 */
#define IN4_IGMPV3_ROUTERS	0xe0000016U	/* 224.0.0.22 */

uint32_t	 prefix4_mask(uint8_t);
int		 prefix4_contains(const struct prefix4 *, uint32_t);
int		 prefix46_parse(const char *, struct prefix46 *);
int		 prefix46_contains(const struct prefix46 *, const uint8_t *);
int		 prefix46_is_v4(const struct prefix46 *);
int		 prefix46_is_mcast(const struct prefix46 *);
const char	*prefix46_ntoa(const struct prefix46 *);
int		 addr4_parse(const char *, uint32_t *);
int		 prefix4_parse(const char *, struct prefix4 *);
int		 ipaddr_parse(const char *, struct ipaddr *);
int		 ipaddr_eq(const struct ipaddr *, const struct ipaddr *);
int		 ipaddr_is_mcast(const struct ipaddr *);
const char	*addr4_ntoa(uint32_t);
const char	*addr6_ntoa(const uint8_t *);
const char	*prefix4_ntoa(const struct prefix4 *);
const char	*ipaddr_ntoa(const struct ipaddr *);
const char	*sockaddr_ntoa(const struct sockaddr_storage *);
void		 ipaddr_to_v4compat(const struct ipaddr *, uint8_t[16]);
int		 ipaddr_from_v4compat(const uint8_t[16], struct ipaddr *);
void		 ipaddr_to_sockaddr(const struct ipaddr *, uint16_t,
		    struct sockaddr_storage *, socklen_t *);
int		 ipaddr_from_sockaddr(const struct sockaddr_storage *,
		    struct ipaddr *, uint16_t *);
int		 sockaddr_eq(const struct sockaddr_storage *,
		    const struct sockaddr_storage *);

#endif
