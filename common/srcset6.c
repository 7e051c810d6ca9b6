/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The source-set module for IPv6: srcset_impl.h with 16-byte keys,
 * ordered as bytes (network order).
 */

#include <stdlib.h>
#include <string.h>

#include "srcset6.h"

#define SS_T		struct mc_src6
#define SS_SFX		6
#define SS_LT(x, y)	(memcmp((x).a, (y).a, 16) < 0)
#define SS_EQ(x, y)	(memcmp((x).a, (y).a, 16) == 0)
#include "srcset_impl.h"

static struct mc_src6
key4(uint32_t a)
{
	static const struct mc_src6	 zero;

	return a == 0 ? zero : mc_src6_v4(a);
}

void
mc_rec_to6(const struct mc_rec *in, struct mc_src6 *srcs,
    struct mc_rec6 *out)
{
	unsigned	 i;

	memset(out, 0, sizeof(*out));
	out->type = in->type;
	out->version = in->version;
	out->from = key4(in->from);
	out->group = key4(in->group);
	for (i = 0; i < in->nsrcs; i++)
		srcs[i] = mc_src6_v4(in->srcs[i]);
	out->srcs = srcs;
	out->nsrcs = in->nsrcs;		/* mapping keeps the order */
}

void
mc_query_to6(const struct mc_query *in, struct mc_src6 *srcs,
    struct mc_query6 *out)
{
	unsigned	 i;

	memset(out, 0, sizeof(*out));
	out->version = in->version;
	out->s_flag = in->s_flag;
	out->qrv = in->qrv;
	out->from = key4(in->from);
	out->group = key4(in->group);
	out->qqi_ms = in->qqi_ms;
	out->mrt_ms = in->mrt_ms;
	for (i = 0; i < in->nsrcs; i++)
		srcs[i] = mc_src6_v4(in->srcs[i]);
	out->srcs = srcs;
	out->nsrcs = in->nsrcs;
}
