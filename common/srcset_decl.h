/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The source-set module's types and functions for one address family:
 * included by srcset.h (IPv4) and srcset6.h (IPv6) with SS_T the key
 * and SSN() the naming (see srcset_impl.h).  No include guard: it is a
 * template.
 */

/*
 * One group record as the decision code sees it.  IGMPv1/v2 messages
 * come translated (a report is IS_EX({}), a leave TO_IN({})), with the
 * version of the message that carried them.  srcs is sorted and
 * without duplicates (SSN(src_normalize)()).
 */
struct SSN(mc_rec) {
	uint8_t		 type;		/* enum mc_rec_type */
	uint8_t		 version;	/* of the message: 1, 2 or 3 */
	SS_T	 from;		/* the reporter's address, 0 if none */
	SS_T	 group;
	const SS_T	*srcs;
	unsigned	 nsrcs;
};

/* One query as the decision code sees it (values, not codes). */
struct SSN(mc_query) {
	uint8_t		 version;	/* 1, 2 or 3 (RFC 3376 7.1) */
	uint8_t		 s_flag;	/* suppress router-side processing */
	uint8_t		 qrv;		/* 0: not given */
	SS_T	 from;
	SS_T	 group;		/* 0: a general query */
	uint32_t	 qqi_ms;	/* 0: not given */
	uint32_t	 mrt_ms;	/* maximum response time */
	const SS_T	*srcs;		/* sorted */
	unsigned	 nsrcs;
};

/* ---- sets: sorted arrays without duplicates ---- */

unsigned SSN(src_normalize)(SS_T *, unsigned);
int	 SSN(src_has)(const SS_T *, unsigned, SS_T);
unsigned SSN(src_union)(const SS_T *, unsigned, const SS_T *, unsigned,
	    SS_T *, unsigned);
unsigned SSN(src_inter)(const SS_T *, unsigned, const SS_T *, unsigned,
	    SS_T *);
unsigned SSN(src_diff)(const SS_T *, unsigned, const SS_T *, unsigned,
	    SS_T *);

/* A set that owns its storage, at most cap_max sources. */
struct SSN(srclist) {
	SS_T	*v;
	uint16_t	 n;
	uint16_t	 cap;
};

void	 SSN(srclist_free)(struct SSN(srclist) *);
int	 SSN(srclist_set)(struct SSN(srclist) *, const SS_T *, unsigned);
int	 SSN(srclist_add)(struct SSN(srclist) *, const SS_T *, unsigned,
	    unsigned);
void	 SSN(srclist_del)(struct SSN(srclist) *, const SS_T *, unsigned);
int	 SSN(srclist_has)(const struct SSN(srclist) *, SS_T);
int	 SSN(srclist_eq)(const struct SSN(srclist) *, const SS_T *, unsigned);

/* ---- a host's filter for one group (RFC 3376 3.1, 5.1) ---- */

/* INCLUDE({}) is "not a member". */
struct SSN(hstate) {
	uint8_t		 mode;		/* enum mc_mode */
	struct SSN(srclist)	 srcs;
};

int	 SSN(hstate_apply)(struct SSN(hstate) *, const struct SSN(mc_rec) *,
	    unsigned);
int	 SSN(hstate_wants)(const struct SSN(hstate) *, SS_T);
int	 SSN(hstate_member)(const struct SSN(hstate) *);
int	 SSN(hstate_copy)(struct SSN(hstate) *, const struct SSN(hstate) *);
void	 SSN(hstate_free)(struct SSN(hstate) *);
unsigned SSN(hstate_diff)(const struct SSN(hstate) *, SS_T, uint8_t,
	    const SS_T *, unsigned, SS_T *, SS_T *, struct SSN(mc_rec) *);

/* ---- a router's state for one group on one link (RFC 3376 6) ---- */

/*
 * Timers are absolute deadlines in ms; 0 means "not running" (the RFC's
 * "timer = 0").  A timer whose deadline has passed has run out.
 */
struct SSN(rsrc) {
	SS_T	 addr;
	uint64_t	 timer;
	uint8_t		 rexmit;	/* Q(G,S) retransmissions (6.6.3.2) */
};

struct SSN(rstate) {
	uint8_t		 mode;		/* enum mc_mode */
	uint64_t	 gtimer;
	struct SSN(rsrc)	*srcs;		/* sorted by address */
	uint16_t	 nsrcs;
	uint16_t	 cap;
};

#define RS_RUNNING(t, now)	((t) > (now))

/* The queries a record asks the querier for (6.4.2). */
struct SSN(rs_queries) {
	int		 group;		/* Send Q(G) */
	SS_T	*srcs;		/* Send Q(G, srcs): caller's scratch */
	unsigned	 nsrcs;
	unsigned	 cap;
};

int	 SSN(rstate_record)(struct SSN(rstate) *, uint64_t, uint64_t, uint8_t,
	    const SS_T *, unsigned, unsigned, struct SSN(rs_queries) *);
void	 SSN(rstate_lower)(struct SSN(rstate) *, uint64_t, const SS_T *,
	    unsigned);
int	 SSN(rstate_expire)(struct SSN(rstate) *, uint64_t);
void	 SSN(rstate_to_include)(struct SSN(rstate) *, uint64_t);
int	 SSN(rstate_stop_at)(struct SSN(rstate) *, unsigned);
int	 SSN(rstate_forwards)(const struct SSN(rstate) *, SS_T, uint64_t);
int	 SSN(rstate_live)(const struct SSN(rstate) *, uint64_t);
int	 SSN(rstate_find)(const struct SSN(rstate) *, SS_T);
unsigned SSN(rstate_export)(const struct SSN(rstate) *, uint64_t, SS_T *,
	    unsigned);
uint64_t SSN(rstate_next_deadline)(const struct SSN(rstate) *);
void	 SSN(rstate_free)(struct SSN(rstate) *);

/* ---- merging memberships (RFC 3376 3.2, RFC 4605 4.1) ---- */

/* One membership to merge: a mode and a sorted list. */
struct SSN(mc_filter) {
	uint8_t		 mode;
	const SS_T	*srcs;
	unsigned	 nsrcs;
};

/* Room for a merge: three lists of cap sources each. */
struct SSN(src_merge_scratch) {
	SS_T	*ex;
	SS_T	*in;
	SS_T	*tmp;
	unsigned	 cap;
};

int	 SSN(src_merge)(const struct SSN(mc_filter) *, unsigned,
	    const struct SSN(src_merge_scratch) *, SS_T *, unsigned *,
	    uint8_t *);

