/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Membership state in one place: source lists kept as sorted sets of
 * IPv4 addresses (host order) and the operations on them; a decoded
 * group record and a decoded query, the same whatever protocol carried
 * them; a host's filter state and how a record changes it (RFC 3376
 * 5.1: what the gateway mirrors, what a tracked host asked for); a
 * router's state and how a record changes it (RFC 3376 6.4: the
 * proxy's LANs); and the merge of several memberships (RFC 3376 3.2,
 * RFC 4605 4.1).  Pure: no clock (time comes in), no sockets, no
 * logging; lists that grow are allocated here, scratch space is the
 * caller's.
 */

#ifndef AMT_SRCSET_H
#define AMT_SRCSET_H

#include <stddef.h>
#include <stdint.h>

/* Filter modes (RFC 3376 3.1). */
enum mc_mode {
	MC_INCLUDE = 0,
	MC_EXCLUDE = 1,
};

/* Group record types; IGMPv3 and MLDv2 use the same numbers (RFC 3376
 * 4.2.12, RFC 3810 5.2.12). */
enum mc_rec_type {
	MC_IS_IN = 1,		/* MODE_IS_INCLUDE */
	MC_IS_EX = 2,		/* MODE_IS_EXCLUDE */
	MC_TO_IN = 3,		/* CHANGE_TO_INCLUDE_MODE */
	MC_TO_EX = 4,		/* CHANGE_TO_EXCLUDE_MODE */
	MC_ALLOW = 5,		/* ALLOW_NEW_SOURCES */
	MC_BLOCK = 6,		/* BLOCK_OLD_SOURCES */
};
#define MC_REC_VALID(t)	((t) >= MC_IS_IN && (t) <= MC_BLOCK)

/*
 * One group record as the decision code sees it.  IGMPv1/v2 messages
 * come translated (a report is IS_EX({}), a leave TO_IN({})), with the
 * version of the message that carried them.  srcs is sorted and
 * without duplicates (src_normalize()).
 */
struct mc_rec {
	uint8_t		 type;		/* enum mc_rec_type */
	uint8_t		 version;	/* of the message: 1, 2 or 3 */
	uint32_t	 from;		/* the reporter's address, 0 if none */
	uint32_t	 group;
	const uint32_t	*srcs;
	unsigned	 nsrcs;
};

/* One query as the decision code sees it (values, not codes). */
struct mc_query {
	uint8_t		 version;	/* 1, 2 or 3 (RFC 3376 7.1) */
	uint8_t		 s_flag;	/* suppress router-side processing */
	uint8_t		 qrv;		/* 0: not given */
	uint32_t	 from;
	uint32_t	 group;		/* 0: a general query */
	uint32_t	 qqi_ms;	/* 0: not given */
	uint32_t	 mrt_ms;	/* maximum response time */
	const uint32_t	*srcs;		/* sorted */
	unsigned	 nsrcs;
};

/* ---- sets: sorted arrays without duplicates ---- */

unsigned src_normalize(uint32_t *, unsigned);
int	 src_has(const uint32_t *, unsigned, uint32_t);
unsigned src_union(const uint32_t *, unsigned, const uint32_t *, unsigned,
	    uint32_t *, unsigned);
unsigned src_inter(const uint32_t *, unsigned, const uint32_t *, unsigned,
	    uint32_t *);
unsigned src_diff(const uint32_t *, unsigned, const uint32_t *, unsigned,
	    uint32_t *);

/* A set that owns its storage, at most cap_max sources. */
struct srclist {
	uint32_t	*v;
	uint16_t	 n;
	uint16_t	 cap;
};

void	 srclist_free(struct srclist *);
int	 srclist_set(struct srclist *, const uint32_t *, unsigned);
int	 srclist_add(struct srclist *, const uint32_t *, unsigned, unsigned);
void	 srclist_del(struct srclist *, const uint32_t *, unsigned);
int	 srclist_has(const struct srclist *, uint32_t);
int	 srclist_eq(const struct srclist *, const uint32_t *, unsigned);

/* ---- a host's filter for one group (RFC 3376 3.1, 5.1) ---- */

/* INCLUDE({}) is "not a member". */
struct hstate {
	uint8_t		 mode;		/* enum mc_mode */
	struct srclist	 srcs;
};

int	 hstate_apply(struct hstate *, const struct mc_rec *, unsigned);
int	 hstate_wants(const struct hstate *, uint32_t);
int	 hstate_member(const struct hstate *);
int	 hstate_copy(struct hstate *, const struct hstate *);
void	 hstate_free(struct hstate *);
unsigned hstate_diff(const struct hstate *, uint32_t, uint8_t,
	    const uint32_t *, unsigned, uint32_t *, uint32_t *, struct mc_rec *);

/* ---- a router's state for one group on one link (RFC 3376 6) ---- */

/*
 * Timers are absolute deadlines in ms; 0 means "not running" (the RFC's
 * "timer = 0").  A timer whose deadline has passed has run out.
 */
struct rsrc {
	uint32_t	 addr;
	uint64_t	 timer;
	uint8_t		 rexmit;	/* Q(G,S) retransmissions left (6.6.3.2) */
};

struct rstate {
	uint8_t		 mode;		/* enum mc_mode */
	uint64_t	 gtimer;
	struct rsrc	*srcs;		/* sorted by address */
	uint16_t	 nsrcs;
	uint16_t	 cap;
};

#define RS_RUNNING(t, now)	((t) > (now))

/* The queries a record asks the querier for (6.4.2). */
struct rs_queries {
	int		 group;		/* Send Q(G) */
	uint32_t	*srcs;		/* Send Q(G, srcs): caller's scratch */
	unsigned	 nsrcs;
	unsigned	 cap;
};

int	 rstate_record(struct rstate *, uint64_t, uint64_t, uint8_t,
	    const uint32_t *, unsigned, unsigned, struct rs_queries *);
void	 rstate_lower(struct rstate *, uint64_t, const uint32_t *, unsigned);
int	 rstate_expire(struct rstate *, uint64_t);
void	 rstate_to_include(struct rstate *, uint64_t);
int	 rstate_stop_at(struct rstate *, unsigned);
int	 rstate_forwards(const struct rstate *, uint32_t, uint64_t);
int	 rstate_live(const struct rstate *, uint64_t);
int	 rstate_find(const struct rstate *, uint32_t);
unsigned rstate_export(const struct rstate *, uint64_t, uint32_t *,
	    unsigned);
uint64_t rstate_next_deadline(const struct rstate *);
void	 rstate_free(struct rstate *);

/* ---- merging memberships (RFC 3376 3.2, RFC 4605 4.1) ---- */

/* One membership to merge: a mode and a sorted list. */
struct mc_filter {
	uint8_t		 mode;
	const uint32_t	*srcs;
	unsigned	 nsrcs;
};

/* Room for a merge: three lists of cap sources each. */
struct src_merge_scratch {
	uint32_t	*ex;
	uint32_t	*in;
	uint32_t	*tmp;
	unsigned	 cap;
};

int	 src_merge(const struct mc_filter *, unsigned,
	    const struct src_merge_scratch *, uint32_t *, unsigned *,
	    uint8_t *);

#endif
