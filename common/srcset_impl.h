/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The body of the source-set module, for one address family: included
 * by srcset.c (IPv4, 32-bit keys) and srcset6.c (IPv6, 16-byte keys)
 * after srcset_decl.h, with SS_T the key, SS_LT and SS_EQ its order and
 * equality, and SSN() naming (srclist, srclist6).  One source, so IGMP
 * and MLD share every rule.  No include guard: it is a template.
 */

/* ---- sets ---- */

static int
cmp_src(const void *a, const void *b)
{
	const SS_T	*x = a, *y = b;

	return SS_LT(*x, *y) ? -1 : SS_LT(*y, *x);
}

/* Sort v and drop duplicates, in place; returns the new count. */
unsigned
SSN(src_normalize)(SS_T *v, unsigned n)
{
	unsigned	 i, k = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_src);
	for (i = 0; i < n; i++)
		if (k == 0 || !SS_EQ(v[k - 1], v[i]))
			v[k++] = v[i];
	return k;
}

/* Index where a is or would go in sorted v. */
static unsigned
src_slot(const SS_T *v, unsigned n, SS_T a)
{
	unsigned	 lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (SS_LT(v[mid], a))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
SSN(src_has)(const SS_T *v, unsigned n, SS_T a)
{
	unsigned	 i = src_slot(v, n, a);

	return i < n && SS_EQ(v[i], a);
}

/* out = a + b, at most cap; returns the size. */
unsigned
SSN(src_union)(const SS_T *a, unsigned na, const SS_T *b, unsigned nb,
    SS_T *out, unsigned cap)
{
	unsigned	 i = 0, j = 0, n = 0;

	while ((i < na || j < nb) && n < cap) {
		if (j >= nb || (i < na && SS_LT(a[i], b[j])))
			out[n++] = a[i++];
		else if (i >= na || SS_LT(b[j], a[i]))
			out[n++] = b[j++];
		else {
			out[n++] = a[i++];
			j++;
		}
	}
	return n;
}

/* out = a * b; returns the size (never more than na). */
unsigned
SSN(src_inter)(const SS_T *a, unsigned na, const SS_T *b, unsigned nb,
    SS_T *out)
{
	unsigned	 i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		if (SS_LT(a[i], b[j]))
			i++;
		else if (SS_LT(b[j], a[i]))
			j++;
		else {
			out[n++] = a[i++];
			j++;
		}
	}
	return n;
}

/* out = a - b; returns the size (never more than na). */
unsigned
SSN(src_diff)(const SS_T *a, unsigned na, const SS_T *b, unsigned nb,
    SS_T *out)
{
	unsigned	 i = 0, j = 0, n = 0;

	while (i < na) {
		if (j >= nb || SS_LT(a[i], b[j]))
			out[n++] = a[i++];
		else if (SS_LT(b[j], a[i]))
			j++;
		else {
			i++;
			j++;
		}
	}
	return n;
}

/* ---- a list that owns its storage ---- */

void
SSN(srclist_free)(struct SSN(srclist) *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Make room for n sources; -1 if memory runs out. */
static int
srclist_reserve(struct SSN(srclist) *l, unsigned n)
{
	SS_T	*nv;
	unsigned	 ncap;

	if (n <= l->cap)
		return 0;
	if (n > UINT16_MAX)
		return -1;
	ncap = l->cap == 0 ? 4 : l->cap;
	while (ncap < n)
		ncap *= 2;
	if (ncap > UINT16_MAX)
		ncap = UINT16_MAX;
	if ((nv = reallocarray(l->v, ncap, sizeof(*nv))) == NULL)
		return -1;
	l->v = nv;
	l->cap = (uint16_t)ncap;
	return 0;
}

/* The list becomes b (sorted); unchanged, -1, if memory runs out. */
int
SSN(srclist_set)(struct SSN(srclist) *l, const SS_T *b, unsigned nb)
{
	if (srclist_reserve(l, nb) == -1)
		return -1;
	if (nb > 0)
		memcpy(l->v, b, nb * sizeof(*b));
	l->n = (uint16_t)nb;
	return 0;
}

/* l += b, keeping at most max sources. */
int
SSN(srclist_add)(struct SSN(srclist) *l, const SS_T *b, unsigned nb,
    unsigned max)
{
	SS_T	*tmp;
	unsigned	 n, want = l->n + nb;

	if (nb == 0)
		return 0;
	if (want > max)
		want = max;
	if ((tmp = reallocarray(NULL, want > 0 ? want : 1, sizeof(*tmp))) ==
	    NULL)
		return -1;
	n = SSN(src_union)(l->v, l->n, b, nb, tmp, want);
	if (srclist_reserve(l, n) == -1) {
		free(tmp);
		return -1;
	}
	memcpy(l->v, tmp, n * sizeof(*tmp));
	l->n = (uint16_t)n;
	free(tmp);
	return 0;
}

/* l -= b, in place. */
void
SSN(srclist_del)(struct SSN(srclist) *l, const SS_T *b, unsigned nb)
{
	l->n = (uint16_t)SSN(src_diff)(l->v, l->n, b, nb, l->v);
}

int
SSN(srclist_has)(const struct SSN(srclist) *l, SS_T a)
{
	return SSN(src_has)(l->v, l->n, a);
}

int
SSN(srclist_eq)(const struct SSN(srclist) *l, const SS_T *b, unsigned nb)
{
	return l->n == nb && (nb == 0 || memcmp(l->v, b, nb * sizeof(*b)) == 0);
}

/* ---- a host's filter state ---- */

/*
 * Apply a record as the state of one host, the reporter's own (5.1):
 * IS_IN/TO_IN(B) make INCLUDE(B), IS_EX/TO_EX(B) EXCLUDE(B); ALLOW(B)
 * adds B to an INCLUDE list and takes it from an EXCLUDE list, BLOCK(B)
 * the reverse.  At most max sources are kept.  Returns 1 if the record
 * applied, 0 for an unknown type, -1 if memory ran out (state as it
 * was, or with fewer sources).
 */
int
SSN(hstate_apply)(struct SSN(hstate) *h, const struct SSN(mc_rec) *r,
    unsigned max)
{
	unsigned	 n = r->nsrcs < max ? r->nsrcs : max;
	int		 add;

	switch (r->type) {
	case MC_IS_IN:
	case MC_TO_IN:
	case MC_IS_EX:
	case MC_TO_EX:
		if (SSN(srclist_set)(&h->srcs, r->srcs, n) == -1)
			return -1;
		h->mode = r->type == MC_IS_EX || r->type == MC_TO_EX ?
		    MC_EXCLUDE : MC_INCLUDE;
		return 1;
	case MC_ALLOW:
	case MC_BLOCK:
		add = (r->type == MC_ALLOW) == (h->mode == MC_INCLUDE);
		if (!add) {
			SSN(srclist_del)(&h->srcs, r->srcs, r->nsrcs);
			return 1;
		}
		return SSN(srclist_add)(&h->srcs, r->srcs, r->nsrcs, max) ==
		    -1 ? -1 : 1;
	default:
		return 0;	/* RFC 3376 4.2.12: ignore unknown types */
	}
}

/* Does this filter let traffic from s through? */
int
SSN(hstate_wants)(const struct SSN(hstate) *h, SS_T s)
{
	return SSN(srclist_has)(&h->srcs, s) == (h->mode == MC_INCLUDE);
}

/* Anything but INCLUDE({}). */
int
SSN(hstate_member)(const struct SSN(hstate) *h)
{
	return h->mode == MC_EXCLUDE || h->srcs.n > 0;
}

/* dst becomes a copy of src; -1 (dst unchanged) if memory runs out. */
int
SSN(hstate_copy)(struct SSN(hstate) *dst, const struct SSN(hstate) *src)
{
	if (SSN(srclist_set)(&dst->srcs, src->srcs.v, src->srcs.n) == -1)
		return -1;
	dst->mode = src->mode;
	return 0;
}

void
SSN(hstate_free)(struct SSN(hstate) *h)
{
	SSN(srclist_free)(&h->srcs);
	h->mode = MC_INCLUDE;
}

/*
 * The records a host sends when its filter goes from h (NULL: not a
 * member) to (mode, v[0..n)) (RFC 3376 5.1, the state-change table):
 * ALLOW and BLOCK within a mode, TO_IN or TO_EX across.  They go into
 * out[0..2) with group; a and b are scratch for n + h's sources.
 * Returns how many (0 when nothing changes).
 */
unsigned
SSN(hstate_diff)(const struct SSN(hstate) *h, SS_T group, uint8_t mode,
    const SS_T *v, unsigned n, SS_T *a, SS_T *b,
    struct SSN(mc_rec) *out)
{
	const SS_T	*o = h != NULL ? h->srcs.v : NULL;
	unsigned	 no = h != NULL ? h->srcs.n : 0, na, nb, k = 0;
	uint8_t		 om = h != NULL ? h->mode : MC_INCLUDE;

	memset(out, 0, 2 * sizeof(*out));
	if (om != mode) {
		out[0].type = mode == MC_EXCLUDE ? MC_TO_EX : MC_TO_IN;
		out[0].group = group;
		out[0].srcs = v;
		out[0].nsrcs = n;
		return 1;
	}
	/* INCLUDE: new ones allowed, gone ones blocked; EXCLUDE: reversed. */
	na = mode == MC_INCLUDE ? SSN(src_diff)(v, n, o, no, a) :
	    SSN(src_diff)(o, no, v, n, a);
	nb = mode == MC_INCLUDE ? SSN(src_diff)(o, no, v, n, b) :
	    SSN(src_diff)(v, n, o, no, b);
	if (na > 0)
		out[k++] = (struct SSN(mc_rec)){ .type = MC_ALLOW,
		    .group = group, .srcs = a, .nsrcs = na };
	if (nb > 0)
		out[k++] = (struct SSN(mc_rec)){ .type = MC_BLOCK,
		    .group = group, .srcs = b, .nsrcs = nb };
	return k;
}

/* ---- a router's group state ---- */

/* Index of source a, or -1. */
int
SSN(rstate_find)(const struct SSN(rstate) *rs, SS_T a)
{
	unsigned	 lo = 0, hi = rs->nsrcs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (SS_LT(rs->srcs[mid].addr, a))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < rs->nsrcs && SS_EQ(rs->srcs[lo].addr, a) ? (int)lo : -1;
}

/* The record for a, created with a stopped timer if new; NULL if the
 * list holds max sources already or memory runs out. */
static struct SSN(rsrc) *
src_get(struct SSN(rstate) *rs, SS_T a, unsigned max)
{
	struct SSN(rsrc)	*nv;
	unsigned	 at, ncap;
	int		 i = SSN(rstate_find)(rs, a);

	if (i >= 0)
		return &rs->srcs[i];
	if (rs->nsrcs >= max || rs->nsrcs == UINT16_MAX)
		return NULL;
	if (rs->nsrcs == rs->cap) {
		ncap = rs->cap == 0 ? 4 : (unsigned)rs->cap * 2;
		if (ncap > UINT16_MAX)
			ncap = UINT16_MAX;
		if ((nv = reallocarray(rs->srcs, ncap, sizeof(*nv))) == NULL)
			return NULL;
		rs->srcs = nv;
		rs->cap = (uint16_t)ncap;
	}
	for (at = 0; at < rs->nsrcs && SS_LT(rs->srcs[at].addr, a); at++)
		;
	memmove(&rs->srcs[at + 1], &rs->srcs[at],
	    (rs->nsrcs - at) * sizeof(*rs->srcs));
	memset(&rs->srcs[at], 0, sizeof(*rs->srcs));
	rs->srcs[at].addr = a;
	rs->nsrcs++;
	return &rs->srcs[at];
}

static void
src_del_at(struct SSN(rstate) *rs, unsigned i)
{
	memmove(&rs->srcs[i], &rs->srcs[i + 1],
	    (rs->nsrcs - i - 1) * sizeof(*rs->srcs));
	rs->nsrcs--;
}

/* Set the timers of the sources in B to deadline t, adding them. */
static void
set_timers(struct SSN(rstate) *rs, const SS_T *b, unsigned nb, uint64_t t,
    unsigned max)
{
	struct SSN(rsrc)	*s;
	unsigned	 i;

	for (i = 0; i < nb; i++)
		if ((s = src_get(rs, b[i], max)) != NULL)
			s->timer = t;
}

/* Keep only the sources in B (keep = 1) or not in B (keep = 0). */
static void
src_keep(struct SSN(rstate) *rs, const SS_T *b, unsigned nb, int keep)
{
	unsigned	 i = 0;

	while (i < rs->nsrcs) {
		if (SSN(src_has)(b, nb, rs->srcs[i].addr) != keep)
			src_del_at(rs, i);
		else
			i++;
	}
}

static void
q_add(struct SSN(rs_queries) *q, SS_T a)
{
	if (q != NULL && q->nsrcs < q->cap)
		q->srcs[q->nsrcs++] = a;
}

/* 6.4.1 and 6.4.2 in INCLUDE(A) mode. */
static void
record_include(struct SSN(rstate) *rs, uint64_t gmi, uint8_t type,
    const SS_T *b, unsigned nb, unsigned max, struct SSN(rs_queries) *q)
{
	unsigned	 i;
	int		 k;

	switch (type) {
	case MC_IS_IN:			/* INCLUDE(A+B); (B)=GMI */
	case MC_ALLOW:
		set_timers(rs, b, nb, gmi, max);
		break;
	case MC_IS_EX:			/* EXCLUDE(A*B, B-A) */
	case MC_TO_EX:
		for (i = 0; i < nb; i++)	/* A*B: to query on TO_EX */
			if (type == MC_TO_EX && SSN(rstate_find)(rs, b[i]) >= 0)
				q_add(q, b[i]);
		src_keep(rs, b, nb, 1);		/* Delete(A-B) */
		for (i = 0; i < nb; i++)	/* (B-A)=0 */
			if (SSN(rstate_find)(rs, b[i]) < 0 &&
			    src_get(rs, b[i], max) != NULL)
				rs->srcs[SSN(rstate_find)(rs, b[i])].timer = 0;
		rs->mode = MC_EXCLUDE;
		rs->gtimer = gmi;
		break;
	case MC_BLOCK:			/* INCLUDE(A); Q(G,A*B) */
		for (i = 0; i < nb; i++)
			if (SSN(rstate_find)(rs, b[i]) >= 0)
				q_add(q, b[i]);
		break;
	case MC_TO_IN:			/* INCLUDE(A+B); Q(G,A-B) */
		for (k = 0; k < (int)rs->nsrcs; k++)
			if (!SSN(src_has)(b, nb, rs->srcs[k].addr))
				q_add(q, rs->srcs[k].addr);
		set_timers(rs, b, nb, gmi, max);
		break;
	}
}

/* 6.4.1 and 6.4.2 in EXCLUDE(X,Y) mode. */
static void
record_exclude(struct SSN(rstate) *rs, uint64_t now, uint64_t gmi, uint8_t type,
    const SS_T *b, unsigned nb, unsigned max, struct SSN(rs_queries) *q)
{
	unsigned	 i;
	int		 k;

	switch (type) {
	case MC_IS_IN:			/* EXCLUDE(X+A, Y-A); (A)=GMI */
	case MC_ALLOW:
		set_timers(rs, b, nb, gmi, max);
		break;
	case MC_IS_EX:			/* EXCLUDE(A-Y, Y*A) */
	case MC_TO_EX:
		for (i = 0; i < nb; i++) {	/* A-Y: to query on TO_EX */
			k = SSN(rstate_find)(rs, b[i]);
			if (type == MC_TO_EX && (k < 0 ||
			    RS_RUNNING(rs->srcs[k].timer, now)))
				q_add(q, b[i]);
		}
		src_keep(rs, b, nb, 1);		/* Delete(X-A), Delete(Y-A) */
		for (i = 0; i < nb; i++)	/* (A-X-Y)=GMI or GT */
			if (SSN(rstate_find)(rs, b[i]) < 0)
				set_timers(rs, &b[i], 1, type == MC_IS_EX ?
				    gmi : rs->gtimer, max);
		rs->gtimer = gmi;
		break;
	case MC_BLOCK:		/* EXCLUDE(X+(A-Y), Y); (A-X-Y)=GT; Q(G,A-Y) */
		for (i = 0; i < nb; i++) {
			k = SSN(rstate_find)(rs, b[i]);
			if (k < 0) {
				set_timers(rs, &b[i], 1, rs->gtimer, max);
				q_add(q, b[i]);
			} else if (RS_RUNNING(rs->srcs[k].timer, now))
				q_add(q, b[i]);
		}
		break;
	case MC_TO_IN:		/* EXCLUDE(X+A, Y-A); Q(G,X-A); Q(G) */
		for (k = 0; k < (int)rs->nsrcs; k++)
			if (RS_RUNNING(rs->srcs[k].timer, now) &&
			    !SSN(src_has)(b, nb, rs->srcs[k].addr))
				q_add(q, rs->srcs[k].addr);
		set_timers(rs, b, nb, gmi, max);
		if (q != NULL)
			q->group = 1;
		break;
	}
}

/*
 * Apply a record of type with sources b (sorted) per the tables of
 * 6.4.1 and 6.4.2, as a router on one link; gmi is the deadline a
 * Group Membership Interval from now.  The queries the table asks for
 * are left in q (NULL: not wanted, as for a relay, RFC 7450 5.3.1).
 * At most max sources are held.  Returns 1 if the state was touched,
 * 0 for a type to ignore.
 */
int
SSN(rstate_record)(struct SSN(rstate) *rs, uint64_t now, uint64_t gmi,
    uint8_t type, const SS_T *b, unsigned nb, unsigned max,
    struct SSN(rs_queries) *q)
{
	if (q != NULL) {
		q->group = 0;
		q->nsrcs = 0;
	}
	if (!MC_REC_VALID(type))
		return 0;	/* RFC 3376 4.2.12 */
	if (rs->mode == MC_INCLUDE)
		record_include(rs, gmi, type, b, nb, max, q);
	else
		record_exclude(rs, now, gmi, type, b, nb, max, q);
	return 1;
}

/*
 * 6.6.1: a query (heard, or sent with S clear) lowers timers to the
 * deadline lmqt: Q(G) (n = 0) the group timer, Q(G,A) the timers of A.
 */
void
SSN(rstate_lower)(struct SSN(rstate) *rs, uint64_t lmqt, const SS_T *a,
    unsigned n)
{
	unsigned	 i;
	int		 k;

	if (n == 0) {
		if (rs->gtimer > lmqt)
			rs->gtimer = lmqt;
		return;
	}
	for (i = 0; i < n; i++)
		if ((k = SSN(rstate_find)(rs, a[i])) >= 0 &&
		    rs->srcs[k].timer > lmqt)
			rs->srcs[k].timer = lmqt;
}

/*
 * EXCLUDE -> INCLUDE (6.5): keep the sources whose timers still run,
 * stop the group timer.
 */
void
SSN(rstate_to_include)(struct SSN(rstate) *rs, uint64_t now)
{
	unsigned	 i = 0;

	rs->mode = MC_INCLUDE;
	rs->gtimer = 0;
	while (i < rs->nsrcs) {
		if (!RS_RUNNING(rs->srcs[i].timer, now))
			src_del_at(rs, i);
		else
			i++;
	}
}

/*
 * Timers that ran out (6.2.2, 6.2.3, 6.5): the group timer in EXCLUDE
 * mode switches to INCLUDE; a source timer in INCLUDE mode deletes the
 * source, in EXCLUDE mode stops forwarding it.  Returns 1 if anything
 * changed.
 */
int
SSN(rstate_expire)(struct SSN(rstate) *rs, uint64_t now)
{
	unsigned	 i = 0;
	int		 changed = 0;

	if (rs->mode == MC_EXCLUDE && rs->gtimer != 0 && rs->gtimer <= now) {
		SSN(rstate_to_include)(rs, now);
		changed = 1;
	}
	while (i < rs->nsrcs) {
		struct SSN(rsrc)	*s = &rs->srcs[i];

		if (s->timer != 0 && s->timer <= now) {
			changed = 1;
			if (rs->mode == MC_INCLUDE) {
				src_del_at(rs, i);
				continue;
			}
			s->timer = 0;
			s->rexmit = 0;
		}
		i++;
	}
	return changed;
}

/*
 * Stop forwarding source i now (a pruning decision, not a timer): in
 * INCLUDE mode it is deleted (returns 1), in EXCLUDE mode its timer
 * stops and it stays, blocked (returns 0).
 */
int
SSN(rstate_stop_at)(struct SSN(rstate) *rs, unsigned i)
{
	if (rs->mode == MC_INCLUDE) {
		src_del_at(rs, i);
		return 1;
	}
	rs->srcs[i].timer = 0;
	rs->srcs[i].rexmit = 0;
	return 0;
}

/* 6.3: does the state ask for traffic from s? */
int
SSN(rstate_forwards)(const struct SSN(rstate) *rs, SS_T s, uint64_t now)
{
	int	 k = SSN(rstate_find)(rs, s);

	if (rs->mode == MC_INCLUDE)
		return k >= 0 && RS_RUNNING(rs->srcs[k].timer, now);
	return k < 0 || RS_RUNNING(rs->srcs[k].timer, now);
}

/* Anything but INCLUDE with no running source. */
int
SSN(rstate_live)(const struct SSN(rstate) *rs, uint64_t now)
{
	unsigned	 i;

	if (rs->mode == MC_EXCLUDE)
		return 1;
	for (i = 0; i < rs->nsrcs; i++)
		if (RS_RUNNING(rs->srcs[i].timer, now))
			return 1;
	return 0;
}

/*
 * RFC 4605 4.1 preprocessing: the state without timers; in EXCLUDE mode
 * only the sources whose timers are stopped (EXCLUDE(X,Y) -> EXCLUDE(Y)).
 * The mode is rs->mode; returns the number of sources written.
 */
unsigned
SSN(rstate_export)(const struct SSN(rstate) *rs, uint64_t now, SS_T *out,
    unsigned cap)
{
	unsigned	 i, n = 0;
	int		 running;

	for (i = 0; i < rs->nsrcs && n < cap; i++) {
		running = RS_RUNNING(rs->srcs[i].timer, now);
		if ((rs->mode == MC_INCLUDE) == (running != 0))
			out[n++] = rs->srcs[i].addr;
	}
	return n;
}

/* The earliest timer, UINT64_MAX if none runs. */
uint64_t
SSN(rstate_next_deadline)(const struct SSN(rstate) *rs)
{
	uint64_t	 d = UINT64_MAX;
	unsigned	 i;

	if (rs->mode == MC_EXCLUDE && rs->gtimer != 0)
		d = rs->gtimer;
	for (i = 0; i < rs->nsrcs; i++)
		if (rs->srcs[i].timer != 0 && rs->srcs[i].timer < d)
			d = rs->srcs[i].timer;
	return d;
}

void
SSN(rstate_free)(struct SSN(rstate) *rs)
{
	free(rs->srcs);
	memset(rs, 0, sizeof(*rs));
}

/* ---- merging ---- */

/*
 * Merge n memberships into (mode, out[0..*nout)), RFC 3376 3.2:
 *
 *	any EXCLUDE:	EXCLUDE(intersection of the EXCLUDE lists
 *			        minus the union of the INCLUDE lists)
 *	otherwise:	INCLUDE(union of the INCLUDE lists)
 *
 * out holds s->cap sources.  Returns 1 if there is a membership, 0 if
 * the result is INCLUDE({}).
 */
int
SSN(src_merge)(const struct SSN(mc_filter) *f, unsigned n,
    const struct SSN(src_merge_scratch) *s, SS_T *out, unsigned *nout,
    uint8_t *mode)
{
	unsigned	 nex = 0, nin = 0, nt, i;
	int		 any_ex = 0;

	for (i = 0; i < n; i++) {
		if (f[i].mode == MC_EXCLUDE) {
			if (!any_ex) {
				nex = f[i].nsrcs < s->cap ? f[i].nsrcs : s->cap;
				if (nex > 0)
					memcpy(s->ex, f[i].srcs,
					    nex * sizeof(*s->ex));
				any_ex = 1;
			} else
				nex = SSN(src_inter)(s->ex, nex, f[i].srcs,
				    f[i].nsrcs, s->ex);
		} else {
			nt = SSN(src_union)(s->in, nin, f[i].srcs, f[i].nsrcs,
			    s->tmp, s->cap);
			if (nt > 0)
				memcpy(s->in, s->tmp, nt * sizeof(*s->in));
			nin = nt;
		}
	}
	if (any_ex) {
		*mode = MC_EXCLUDE;
		*nout = SSN(src_diff)(s->ex, nex, s->in, nin, out);
		return 1;
	}
	*mode = MC_INCLUDE;
	if (nin > 0)
		memcpy(out, s->in, nin * sizeof(*out));
	*nout = nin;
	return nin > 0;
}
