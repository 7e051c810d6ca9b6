/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * A mirror of the membership the gateway has reported to its relay,
 * kept from the host-mode reports it forwards.  The host stack on the
 * pseudo-interface is a single host, so records apply with host
 * semantics (RFC 3376 5.1, hstate_apply()).  amtgwd needs this for
 * three things: whether any subscription exists (the L flag,
 * 5.2.3.5.4), the Update that deletes everything at shutdown
 * (5.2.3.8), and the state dump.
 */

#include <stdlib.h>
#include <string.h>

#include "gw.h"
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
		hstate_free(&s->v[i].st);
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

	hstate_free(&g->st);
	s->v[i] = s->v[--s->n];
}

/* Apply one record to the group it names. */
static void
subs_record(struct gw_subs *s, const struct mc_rec *r)
{
	struct gw_sub	*g = sub_find(s, r->group);

	if (!MC_REC_VALID(r->type))
		return;		/* RFC 3376 4.2.12 */
	if (g == NULL) {
		/* No membership yet: only EXCLUDE or some source makes one. */
		if (r->type == MC_BLOCK || (r->type != MC_IS_EX &&
		    r->type != MC_TO_EX && r->nsrcs == 0))
			return;
		if ((g = sub_add(s, r->group)) == NULL)
			return;
	}
	if (hstate_apply(&g->st, r, GW_SUBS_MAX_SRCS) == -1)
		s->overflow = 1;
	if (!hstate_member(&g->st))
		sub_del(s, g);
}

/* Apply a decoded-valid IGMP datagram the gateway has forwarded. */
void
subs_apply(struct gw_subs *s, const uint8_t *pkt, size_t len)
{
	struct ip4_info		 ip;
	struct igmp_msg		 m;
	struct igmp_recs	 it;
	struct mc_rec		 r;

	if (igmp_decode_packet(pkt, len, &ip, &m) != IGMP_OK)
		return;
	igmp_recs_init(&it, &m, ip.src);
	while (igmp_recs_next(&it, s->scratch, GW_SUBS_MAX_SRCS, &r) == 1)
		subs_record(s, &r);
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
		if (igmp_report_add(w, MC_TO_IN, s->v[i].group, NULL, 0) == -1)
			break;
	if (igmp_report_finish(w) == -1)
		return start;
	return i;
}
