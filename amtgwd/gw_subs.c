/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * A mirror of the membership the host side (igmpproxyd, or any host
 * stack on the pseudo-interface) has reported, kept from its reports.
 * It is one host, so records apply with host semantics (RFC 3376 5.1,
 * hstate_apply()).  The gateway reports from it, not by passing the
 * host's datagrams on: every report to the relay is built here with
 * the one inner source address and the path's size, and the mirror is
 * what is repeated within a query cycle, sent to a new relay, and left
 * at shutdown.  Like a router's state it is soft: a group the host
 * does not report again after a Query is written into the
 * pseudo-interface ages out (subs_age()).
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

struct gw_sub *
subs_find(const struct gw_subs *s, uint32_t group)
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

/*
 * Apply one record to the group it names; it was reported at now.
 * Returns -1 if a new group found the table full, else 0.
 */
int
subs_record(struct gw_subs *s, const struct mc_rec *r, uint64_t now)
{
	struct gw_sub	*g = subs_find(s, r->group);

	if (!MC_REC_VALID(r->type))
		return 0;	/* RFC 3376 4.2.12 */
	if (g == NULL) {
		/* No membership yet: only EXCLUDE or some source makes one. */
		if (r->type == MC_BLOCK || (r->type != MC_IS_EX &&
		    r->type != MC_TO_EX && r->nsrcs == 0))
			return 0;
		if ((g = sub_add(s, r->group)) == NULL)
			return -1;
	}
	if (hstate_apply(&g->st, r, GW_SUBS_MAX_SRCS) == -1)
		s->overflow = 1;
	g->seen = now;
	if (!hstate_member(&g->st))
		sub_del(s, g);
	return 0;
}

/* The current state of every group (IS_IN / IS_EX records) into rb. */
void
subs_state(const struct gw_subs *s, struct igmp_rb *rb)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		igmp_rb_add(rb, s->v[i].st.mode == MC_EXCLUDE ? MC_IS_EX :
		    MC_IS_IN, s->v[i].group, s->v[i].st.srcs.v,
		    s->v[i].st.srcs.n);
}

/* A TO_IN({}) for every group into rb: the whole membership left. */
void
subs_leave(const struct gw_subs *s, struct igmp_rb *rb)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		igmp_rb_add(rb, MC_TO_IN, s->v[i].group, NULL, 0);
}

/*
 * Groups not reported since asked (when a Query went to the host):
 * forgotten, their addresses into out (room for GW_SUBS_MAX_GROUPS).
 * Returns how many.
 */
size_t
subs_age(struct gw_subs *s, uint64_t asked, uint32_t *out)
{
	size_t	 i = 0, n = 0;

	while (i < s->n) {
		if (s->v[i].seen >= asked) {
			i++;
			continue;
		}
		out[n] = s->v[i].group;
		sub_del(s, &s->v[i]);	/* the last one moves to i */
		n++;
	}
	return n;
}
