/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * IPv4 header and IGMP v1/v2/v3 codec (RFC 1112, RFC 2236, RFC 3376).
 * Pure: the decoder validates every length against the IP datagram and
 * leaves pointers into the caller's buffer; builders write complete IP
 * datagrams (TTL 1, TOS 0xc0, Router Alert, checksums) into a wbuf that
 * starts at the IP header.
 */

#ifndef AMT_IGMP_PROTO_H
#define AMT_IGMP_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ip4.h"
#include "srcset.h"

#define IGMP_IP_HDR_LEN		24	/* with the Router Alert option */
#define IGMP_V12_LEN		8
#define IGMP_V3_QUERY_MIN	12
#define IGMP_V3_REPORT_MIN	8
#define IGMP_V3_REC_MIN		8

/* Message types (RFC 3376 4, RFC 2236 2.1). */
#define IGMP_QUERY		0x11
#define IGMP_V1_REPORT		0x12
#define IGMP_V2_REPORT		0x16
#define IGMP_V2_LEAVE		0x17
#define IGMP_V3_REPORT		0x22

enum igmp_err {
	IGMP_OK = 0,
	IGMP_ERR_SHORT,		/* shorter than the message needs */
	IGMP_ERR_IPVER,		/* IP version is not 4 */
	IGMP_ERR_IPHDR,		/* bad header or total length */
	IGMP_ERR_IPCKSUM,	/* bad IPv4 header checksum */
	IGMP_ERR_OPTIONS,	/* malformed IP options */
	IGMP_ERR_FRAGMENT,	/* IGMP in a fragment */
	IGMP_ERR_PROTO,		/* not protocol 2 */
	IGMP_ERR_CKSUM,		/* bad IGMP checksum */
	IGMP_ERR_TYPE,		/* unknown IGMP type: ignore */
	IGMP_ERR_QUERYLEN,	/* query length fits no version (7.1) */
	IGMP_ERR_RECORD,	/* record or source list beyond the datagram */
	IGMP_ERR_GROUP,		/* group address not multicast */
};
#define IGMP_ERR_MAX		IGMP_ERR_GROUP

/* A decoded IGMP message; pointers refer to the caller's buffer. */
struct igmp_msg {
	uint8_t		 type;
	uint8_t		 version;	/* 1, 2 or 3 */
	uint8_t		 code;		/* Max Resp Code / Time */
	uint32_t	 group;
	/* IGMPv3 query */
	uint8_t		 s_flag;
	uint8_t		 qrv;
	uint8_t		 qqic;
	uint16_t	 nsrcs;
	const uint8_t	*srcs;
	/* IGMPv3 report */
	uint16_t	 nrecs;
	const uint8_t	*recs;
	size_t		 recs_len;
};

struct igmp_rec {
	uint8_t		 type;
	uint8_t		 auxlen;	/* in 32-bit words */
	uint16_t	 nsrcs;
	uint32_t	 group;
	const uint8_t	*srcs;
};

struct igmp_rec_iter {
	struct buf	 b;
	unsigned	 left;
};

/* An IGMP query to build. */
struct igmp_query {
	uint32_t	 src;
	uint32_t	 dst;
	uint8_t		 version;	/* 1, 2 or 3 */
	uint8_t		 code;
	uint32_t	 group;
	uint8_t		 s_flag;
	uint8_t		 qrv;
	uint8_t		 qqic;
	const uint32_t	*srcs;
	uint16_t	 nsrcs;
};

enum igmp_err	 igmp_decode(const uint8_t *, size_t, struct igmp_msg *);
enum igmp_err	 igmp_decode_packet(const uint8_t *, size_t,
		    struct ip4_info *, struct igmp_msg *);
void		 igmp_rec_iter_init(struct igmp_rec_iter *,
		    const struct igmp_msg *);
int		 igmp_rec_next(struct igmp_rec_iter *, struct igmp_rec *);
unsigned	 igmp_rec_sources(const struct igmp_rec *, uint32_t *,
		    unsigned);

/* A report's records as the decision code takes them (struct mc_rec). */
struct igmp_recs {
	struct igmp_rec_iter	 it;
	const struct igmp_msg	*m;
	uint32_t		 from;
	int			 done;
};

void		 igmp_recs_init(struct igmp_recs *, const struct igmp_msg *,
		    uint32_t);
int		 igmp_recs_next(struct igmp_recs *, uint32_t *, unsigned,
		    struct mc_rec *);
void		 igmp_query_view(const struct igmp_msg *, uint32_t,
		    uint32_t *, unsigned, struct mc_query *);
const char	*igmp_strerror(enum igmp_err);
const char	*igmp_rec_type_name(unsigned);

uint32_t	 igmp_code_to_value(uint8_t);
uint8_t		 igmp_value_to_code(uint32_t);

int		 igmp_build_query(struct wbuf *, const struct igmp_query *);
int		 igmp_build_v12(struct wbuf *, uint32_t, uint32_t, uint8_t,
		    uint8_t, uint32_t);
int		 igmp_report_begin(struct wbuf *, uint32_t);
int		 igmp_report_add(struct wbuf *, uint8_t, uint32_t,
		    const uint32_t *, uint16_t);
int		 igmp_report_finish(struct wbuf *);
uint16_t	 igmp_report_nrecs(const struct wbuf *);

/*
 * A sequence of IGMPv3 reports of at most limit bytes each, from src,
 * records added one by one and split across reports as RFC 3376 4.2.16
 * says; every finished report is handed to emit.
 */
typedef void	 (*igmp_emit_fn)(void *, const uint8_t *, size_t);

struct igmp_rb {
	uint8_t		*buf;		/* limit bytes, the caller's */
	size_t		 limit;
	uint32_t	 src;
	igmp_emit_fn	 emit;
	void		*arg;
	struct wbuf	 w;
	int		 open;
	unsigned	 reports;	/* handed to emit so far */
};

#define IGMP_RB_MIN	576	/* no report is built smaller */

void		 igmp_rb_init(struct igmp_rb *, uint8_t *, size_t, uint32_t,
		    igmp_emit_fn, void *);
void		 igmp_rb_add(struct igmp_rb *, uint8_t, uint32_t,
		    const uint32_t *, unsigned);
void		 igmp_rb_flush(struct igmp_rb *);

/* Source i of a validated source list. */
static inline uint32_t
igmp_src(const uint8_t *srcs, unsigned i)
{
	return be32_load(srcs + 4 * (size_t)i);
}

#endif
