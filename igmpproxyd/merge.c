/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * RFC 4605 4.1: merge the preprocessed subscriptions of every downstream
 * interface for one group into one membership record, with the rules
 * for several memberships on one interface (RFC 3376 3.2):
 *
 *	any EXCLUDE:	EXCLUDE(intersection of the EXCLUDE lists
 *			        minus the union of the INCLUDE lists)
 *	otherwise:	INCLUDE(union of the INCLUDE lists)
 *
 * Pure: sorted arrays in, a sorted array out.
 */

#include <string.h>

#include "igmpproxyd.h"

/* out = a * b (both sorted); returns the size. */
static unsigned
intersect(const uint32_t *a, unsigned na, const uint32_t *b, unsigned nb,
    uint32_t *out)
{
	unsigned	 i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		if (a[i] < b[j])
			i++;
		else if (a[i] > b[j])
			j++;
		else {
			out[n++] = a[i];
			i++;
			j++;
		}
	}
	return n;
}

/* out = a + b, at most cap; returns the size. */
static unsigned
unite(const uint32_t *a, unsigned na, const uint32_t *b, unsigned nb,
    uint32_t *out, unsigned cap)
{
	unsigned	 i = 0, j = 0, n = 0;

	while ((i < na || j < nb) && n < cap) {
		if (j >= nb || (i < na && a[i] < b[j]))
			out[n++] = a[i++];
		else if (i >= na || b[j] < a[i])
			out[n++] = b[j++];
		else {
			out[n++] = a[i++];
			j++;
		}
	}
	return n;
}

/* out = a - b; returns the size. */
static unsigned
subtract(const uint32_t *a, unsigned na, const uint32_t *b, unsigned nb,
    uint32_t *out)
{
	unsigned	 i = 0, j = 0, n = 0;

	while (i < na) {
		if (j >= nb || a[i] < b[j])
			out[n++] = a[i++];
		else if (a[i] > b[j])
			j++;
		else {
			i++;
			j++;
		}
	}
	return n;
}

/*
 * Merge n subscriptions into (mode, out[0..*nout)).  Returns 1 if there
 * is a membership, 0 if the result is INCLUDE({}) (no record).
 */
int
px_merge(const struct px_sub *subs, unsigned n, uint32_t *out, unsigned cap,
    unsigned *nout, uint8_t *mode)
{
	static uint32_t	 ex[PX_MAX_SRCS], in[PX_MAX_SRCS], tmp[PX_MAX_SRCS];
	unsigned	 nex = 0, nin = 0, nt, i;
	int		 any_ex = 0;

	if (cap > PX_MAX_SRCS)
		cap = PX_MAX_SRCS;
	for (i = 0; i < n; i++) {
		if (subs[i].mode == PX_EXCLUDE) {
			if (!any_ex) {
				nex = subs[i].nsrcs < cap ? subs[i].nsrcs : cap;
				if (nex > 0)
					memcpy(ex, subs[i].srcs,
					    nex * sizeof(*ex));
				any_ex = 1;
			} else {
				nt = intersect(ex, nex, subs[i].srcs,
				    subs[i].nsrcs, tmp);
				memcpy(ex, tmp, nt * sizeof(*ex));
				nex = nt;
			}
		} else {
			nt = unite(in, nin, subs[i].srcs, subs[i].nsrcs, tmp,
			    cap);
			memcpy(in, tmp, nt * sizeof(*in));
			nin = nt;
		}
	}
	if (any_ex) {
		*mode = PX_EXCLUDE;
		*nout = subtract(ex, nex, in, nin, out);
		return 1;
	}
	*mode = PX_INCLUDE;
	memcpy(out, in, nin * sizeof(*out));
	*nout = nin;
	return nin > 0;
}
