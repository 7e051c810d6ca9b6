/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * A mirror of the membership the gateway has reported to its relay,
 * kept from the host-mode reports it forwards.  The host stack on the
 * pseudo-interface is a single host, so records apply exactly as they
 * read (RFC 3376 5.1): IS_IN/TO_IN set INCLUDE, IS_EX/TO_EX set EXCLUDE,
 * ALLOW and BLOCK edit the list.  amtgwd needs this for three things:
 * whether any subscription exists (the L flag, 5.2.3.5.4), the Update
 * that deletes everything at shutdown (5.2.3.8), and the state dump.
 */

#include <stdlib.h>
#include <string.h>

#include "amtgwd.h"
#include "igmp_proto.h"

void
subs_init(struct gw_subs *s)
{
	memset(s, 0, sizeof(*s));
}

void
subs_clear(struct gw_subs *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].srcs);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static struct gw_sub *
sub_find(struct gw_subs *s, uint32_t group)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].group == group)
			return &s->v[i];
	return NULL;
}

static struct gw_sub *
sub_add(struct gw_subs *s, uint32_t group)
{
	struct gw_sub	*nv;
	size_t		 ncap;

	if (s->n == GW_SUBS_MAX_GROUPS) {
		s->overflow = 1;
		return NULL;
	}
	if (s->n == s->cap) {
		ncap = s->cap == 0 ? 16 : s->cap * 2;
		if ((nv = reallocarray(s->v, ncap, sizeof(*nv))) == NULL) {
			s->overflow = 1;
			return NULL;
		}
		s->v = nv;
		s->cap = ncap;
	}
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	s->v[s->n].group = group;
	return &s->v[s->n++];
}

static void
sub_del(struct gw_subs *s, struct gw_sub *g)
{
	size_t	 i = (size_t)(g - s->v);

	free(g->srcs);
	s->v[i] = s->v[--s->n];
}

static int
src_index(const struct gw_sub *g, uint32_t a, size_t *at)
{
	size_t	 lo = 0, hi = g->nsrcs, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (g->srcs[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < g->nsrcs && g->srcs[lo] == a;
}

static void
src_insert(struct gw_subs *s, struct gw_sub *g, uint32_t a)
{
	uint32_t	*nv;
	size_t		 at;
	uint16_t	 ncap;

	if (src_index(g, a, &at))
		return;
	if (g->nsrcs == GW_SUBS_MAX_SRCS) {
		s->overflow = 1;
		return;
	}
	if (g->nsrcs == g->cap) {
		ncap = g->cap == 0 ? 4 : (uint16_t)(g->cap * 2);
		if ((nv = reallocarray(g->srcs, ncap, sizeof(*nv))) == NULL) {
			s->overflow = 1;
			return;
		}
		g->srcs = nv;
		g->cap = ncap;
	}
	memmove(g->srcs + at + 1, g->srcs + at,
	    (g->nsrcs - at) * sizeof(*g->srcs));
	g->srcs[at] = a;
	g->nsrcs++;
}

static void
src_remove(struct gw_sub *g, uint32_t a)
{
	size_t	 at;

	if (!src_index(g, a, &at))
		return;
	memmove(g->srcs + at, g->srcs + at + 1,
	    (g->nsrcs - at - 1) * sizeof(*g->srcs));
	g->nsrcs--;
}

/* Apply one record (host semantics, see the top of the file). */
static void
subs_record(struct gw_subs *s, uint8_t type, uint32_t group,
    const uint8_t *srcs, uint16_t n)
{
	struct gw_sub	*g = sub_find(s, group);
	uint16_t	 i;
	int		 add;

	switch (type) {
	case IGMP_MODE_IS_INCLUDE:
	case IGMP_CHANGE_TO_INCLUDE:
	case IGMP_MODE_IS_EXCLUDE:
	case IGMP_CHANGE_TO_EXCLUDE:
		if (g != NULL)
			g->nsrcs = 0;
		if ((type == IGMP_MODE_IS_INCLUDE ||
		    type == IGMP_CHANGE_TO_INCLUDE) && n == 0) {
			if (g != NULL)
				sub_del(s, g);
			return;
		}
		if (g == NULL && (g = sub_add(s, group)) == NULL)
			return;
		g->exclude = type == IGMP_MODE_IS_EXCLUDE ||
		    type == IGMP_CHANGE_TO_EXCLUDE;
		for (i = 0; i < n; i++)
			src_insert(s, g, igmp_src(srcs, i));
		break;
	case IGMP_ALLOW_NEW_SOURCES:
	case IGMP_BLOCK_OLD_SOURCES:
		if (g == NULL) {
			if (type == IGMP_BLOCK_OLD_SOURCES || n == 0)
				return;		/* INCLUDE({}) - B */
			if ((g = sub_add(s, group)) == NULL)
				return;
		}
		/* ALLOW adds to INCLUDE, removes from EXCLUDE. */
		add = (type == IGMP_ALLOW_NEW_SOURCES) == !g->exclude;
		for (i = 0; i < n; i++) {
			if (add)
				src_insert(s, g, igmp_src(srcs, i));
			else
				src_remove(g, igmp_src(srcs, i));
		}
		if (!g->exclude && g->nsrcs == 0)
			sub_del(s, g);
		break;
	default:
		break;		/* RFC 3376 4.2.12: ignore unknown types */
	}
}

/* Apply a decoded-valid IGMP datagram the gateway has forwarded. */
void
subs_apply(struct gw_subs *s, const uint8_t *pkt, size_t len)
{
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	struct igmp_rec_iter	 it;
	struct igmp_rec		 r;

	if (igmp_decode_packet(pkt, len, &ip, &m) != IGMP_OK)
		return;
	switch (m.type) {
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
		subs_record(s, IGMP_MODE_IS_EXCLUDE, m.group, NULL, 0);
		break;
	case IGMP_V2_LEAVE:
		subs_record(s, IGMP_CHANGE_TO_INCLUDE, m.group, NULL, 0);
		break;
	case IGMP_V3_REPORT:
		igmp_rec_iter_init(&it, &m);
		while (igmp_rec_next(&it, &r) == 1)
			subs_record(s, r.type, r.group, r.srcs, r.nsrcs);
		break;
	}
}

/*
 * Build an IGMPv3 report that leaves groups start.. (TO_IN({}) for
 * each) into w; returns the index of the first group not included.
 */
size_t
subs_leave_report(const struct gw_subs *s, size_t start, struct wbuf *w)
{
	size_t	 i;

	if (igmp_report_begin(w, 0) == -1)
		return start;
	for (i = start; i < s->n; i++)
		if (igmp_report_add(w, IGMP_CHANGE_TO_INCLUDE, s->v[i].group,
		    NULL, 0) == -1)
			break;
	if (igmp_report_finish(w) == -1)
		return start;
	return i;
}
