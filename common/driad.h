/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * DRIAD (RFC 8777): the AMTRELAY record's RDATA (section 4.2), the
 * reverse name a source's records live under, and the order in which
 * a gateway tries the relays of an RRset (precedence, then random
 * within one precedence).  Pure: no sockets, clocks, globals or
 * allocation; randomness comes from the caller.
 */

#ifndef AMT_DRIAD_H
#define AMT_DRIAD_H

#include <stddef.h>
#include <stdint.h>

#define DRIAD_RRTYPE		260	/* AMTRELAY, RFC 8777 4.1 */
#define DRIAD_NAME_MAX		254	/* presentation, without the root */
#define DRIAD_REVNAME_MAX	73	/* 32 nibbles, dots, "ip6.arpa" */

/* The relay type field (4.2.3). */
enum driad_type {
	DRIAD_TYPE_NONE = 0,	/* no relay for this source */
	DRIAD_TYPE_IPV4 = 1,
	DRIAD_TYPE_IPV6 = 2,
	DRIAD_TYPE_NAME = 3,	/* a wire-encoded domain name */
};

enum driad_err {
	DRIAD_OK = 0,
	DRIAD_ERR_SHORT,	/* no precedence and type */
	DRIAD_ERR_TYPE,		/* an undefined relay type */
	DRIAD_ERR_LEN,		/* relay field length wrong for its type */
	DRIAD_ERR_NAME,		/* a name that is not a host name */
	DRIAD_ERR_COMPRESSED,	/* a compression pointer (4.2.4) */
	DRIAD_ERR_ADDR,		/* an IPv4 relay that is no unicast host */
};
#define DRIAD_ERR_MAX		DRIAD_ERR_ADDR

/* One AMTRELAY record, decoded. */
struct driad_rr {
	uint8_t		 prec;		/* lower is tried first */
	uint8_t		 d;		/* discovery optional */
	uint8_t		 type;		/* enum driad_type */
	uint32_t	 v4;		/* type 1, host order */
	uint8_t		 v6[16];	/* type 2 */
	char		 name[DRIAD_NAME_MAX + 1];	/* type 3, no dot */
};

enum driad_err	 driad_decode(const uint8_t *, size_t, struct driad_rr *);
const char	*driad_strerror(enum driad_err);
int		 driad_revname(uint32_t, char *, size_t);
int		 driad_revname6(const uint8_t *, char *, size_t);
void		 driad_order(struct driad_rr *, size_t, const uint32_t *);
int		 driad_format(const struct driad_rr *, char *, size_t);
int		 driad_unicast(uint32_t);
int		 driad_unicast6(const uint8_t *);

#endif
