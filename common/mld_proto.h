/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * MLD messages: MLDv1 (RFC 2710) Query, Report and Done, MLDv2 (RFC
 * 3810) Query and Report with its records.  Decoding checks what RFC
 * 3810 sections 5 and 6.2 ask of every message (a link-local source, or
 * the unspecified one for a Report; hop limit 1; the Router Alert
 * option; the ICMPv6 checksum) and that every record fits.  Building
 * writes whole IPv6 datagrams with the Hop-by-Hop Router Alert.  Pure:
 * no sockets, clocks, globals or allocation; addresses are 16 bytes in
 * network order.
 */

#ifndef AMT_MLD_PROTO_H
#define AMT_MLD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ip6.h"
#include "srcset6.h"

#define MLD_QUERY		130
#define MLD_V1_REPORT		131
#define MLD_V1_DONE		132
#define MLD_V2_REPORT		143

#define MLD_V1_LEN		24	/* v1 messages, a v1 Query */
#define MLD_V2_QUERY_MIN	28
#define MLD_V2_REPORT_MIN	8
#define MLD_V2_REC_MIN		20	/* type, aux, count, address */
#define MLD_HBH_LEN		8	/* our Hop-by-Hop header */
#define MLD_IP_HDR_LEN		(IP6_HDR_LEN + MLD_HBH_LEN)

enum mld_err {
	MLD_OK = 0,
	MLD_ERR_IP6,		/* the IPv6 header did not decode */
	MLD_ERR_NOT_ICMP6,	/* the upper layer is not ICMPv6 */
	MLD_ERR_SHORT,		/* shorter than its type requires */
	MLD_ERR_TYPE,		/* not an MLD message */
	MLD_ERR_LEN,		/* a query of neither v1 nor v2 length */
	MLD_ERR_RECORDS,	/* records or sources beyond the end */
	MLD_ERR_CKSUM,		/* bad ICMPv6 checksum */
	MLD_ERR_HLIM,		/* hop limit not 1 */
	MLD_ERR_SRC,		/* source neither link-local nor allowed :: */
	MLD_ERR_NO_RA,		/* no Router Alert option */
	MLD_ERR_FRAGMENT,	/* in a fragment */
};
#define MLD_ERR_MAX		MLD_ERR_FRAGMENT

/* A decoded MLD message; lists point into the caller's buffer. */
struct mld_msg {
	uint8_t		 type;
	uint8_t		 version;	/* 1 or 2 (queries by length) */
	uint16_t	 mrc;		/* Maximum Response Code / Delay */
	uint8_t		 group[IP6_ADDR_LEN];
	/* v2 Query */
	uint8_t		 s_flag;
	uint8_t		 qrv;
	uint8_t		 qqic;
	uint16_t	 nsrcs;
	const uint8_t	*srcs;		/* nsrcs * 16 bytes */
	/* v2 Report */
	uint16_t	 nrecs;
	const uint8_t	*recs;
	size_t		 recs_len;
};

/* One record of an MLDv2 Report. */
struct mld_rec {
	uint8_t		 type;		/* enum mc_rec_type */
	uint8_t		 auxlen;	/* 32-bit words */
	uint16_t	 nsrcs;
	const uint8_t	*group;
	const uint8_t	*srcs;		/* nsrcs * 16 bytes */
};

struct mld_rec_iter {
	struct buf	 b;
	uint16_t	 left;
};

/*
 * The records of a decoded Report as the decision code sees them
 * (struct mc_rec6): an MLDv1 Report is IS_EX({}), a Done TO_IN({}),
 * both with version 2, as MLDv1 is IGMPv2's match (RFC 3810 8); MLDv2
 * records come with version 3.
 */
struct mld_recs {
	struct mld_rec_iter	 it;
	const struct mld_msg	*m;
	struct mc_src6		 from;
	int			 done;
};

/* What a query says, to build one. */
struct mld_query {
	uint8_t		 version;	/* 1 or 2 */
	const uint8_t	*src;		/* link-local */
	const uint8_t	*dst;
	const uint8_t	*group;		/* :: for a General Query */
	uint16_t	 mrc;
	uint8_t		 s_flag;
	uint8_t		 qrv;
	uint8_t		 qqic;
	const uint8_t	*srcs;
	uint16_t	 nsrcs;
};

enum mld_err	 mld_decode(const uint8_t *, size_t, struct mld_msg *);
enum mld_err	 mld_decode_packet(const uint8_t *, size_t, struct ip6_info *,
		    struct mld_msg *);
const char	*mld_strerror(enum mld_err);
void		 mld_rec_iter_init(struct mld_rec_iter *,
		    const struct mld_msg *);
int		 mld_rec_next(struct mld_rec_iter *, struct mld_rec *);
void		 mld_recs_init(struct mld_recs *, const struct mld_msg *,
		    const uint8_t *);
int		 mld_recs_next(struct mld_recs *, struct mc_src6 *, unsigned,
		    struct mc_rec6 *);
uint32_t	 mld_code_to_value(uint16_t);
uint16_t	 mld_value_to_code(uint32_t);

int		 mld_build_query(struct wbuf *, const struct mld_query *);
int		 mld_build_v1(struct wbuf *, const uint8_t *, const uint8_t *,
		    uint8_t, const uint8_t *);
int		 mld_report_begin(struct wbuf *, const uint8_t *);
int		 mld_report_add(struct wbuf *, uint8_t, const uint8_t *,
		    const uint8_t *, uint16_t);
int		 mld_report_finish(struct wbuf *);

/*
 * Building MLDv2 Reports from records, each at most limit bytes (the
 * whole datagram), as igmp_rb does for IGMPv3 (RFC 3810 5.2.15 says
 * how a record too big for one report is split or cut); every finished
 * report is handed to emit.
 */
typedef void	 (*mld_emit_fn)(void *, const uint8_t *, size_t);

struct mld_rb {
	uint8_t		*buf;		/* limit bytes, the caller's */
	size_t		 limit;
	uint8_t		 src[IP6_ADDR_LEN];
	mld_emit_fn	 emit;
	void		*arg;
	struct wbuf	 w;
	int		 open;
	unsigned	 reports;
};

#define MLD_RB_MIN	1280	/* the IPv6 minimum MTU */

void		 mld_rb_init(struct mld_rb *, uint8_t *, size_t,
		    const uint8_t *, mld_emit_fn, void *);
void		 mld_rb_add(struct mld_rb *, uint8_t, const uint8_t *,
		    const struct mc_src6 *, unsigned);
void		 mld_rb_flush(struct mld_rb *);

extern const uint8_t	 mld_all_nodes[IP6_ADDR_LEN];	/* ff02::1 */
extern const uint8_t	 mld_v2_routers[IP6_ADDR_LEN];	/* ff02::16 */

#endif
