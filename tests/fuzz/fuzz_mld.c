/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * libFuzzer harness for IPv6 and MLD: the input as an IPv6 datagram
 * (ip6_view, ip6_decode: the extension chain must stay within the
 * datagram) and as an MLD packet; a good Report's records are built
 * again into a Report that must decode to the same records, a good
 * Query into a Query with the same fields.  Every report (from any
 * source, as the relay takes them) is read as records for the source
 * sets (mld_recs): sorted sources, no more than the space given.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ip6.h"
#include "mld_proto.h"
#include "srcset.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	 out[70000];

static void
report_again(const struct ip6_info *ip, const struct mld_msg *m)
{
	struct mld_rec_iter	 a, b;
	struct mld_rec		 r, s;
	struct mld_msg		 m2;
	struct ip6_info		 ip2;
	struct wbuf		 w;

	wbuf_init(&w, out, sizeof(out));
	if (mld_report_begin(&w, ip->src) == -1)
		abort();
	mld_rec_iter_init(&a, m);
	while (mld_rec_next(&a, &r) == 1)
		if (MC_REC_VALID(r.type) && mld_report_add(&w, r.type,
		    r.group, r.srcs, r.nsrcs) == -1)
			return;		/* too big for one: fine */
	if (mld_report_finish(&w) == -1)
		return;
	if (mld_decode_packet(out, w.len, &ip2, &m2) != MLD_OK)
		abort();
	mld_rec_iter_init(&a, m);
	mld_rec_iter_init(&b, &m2);
	while (mld_rec_next(&a, &r) == 1) {
		if (!MC_REC_VALID(r.type))
			continue;
		if (mld_rec_next(&b, &s) != 1 || s.type != r.type ||
		    s.nsrcs != r.nsrcs || memcmp(s.group, r.group, 16) != 0 ||
		    memcmp(s.srcs, r.srcs, (size_t)r.nsrcs * 16) != 0)
			abort();
	}
}

static void
query_again(const struct ip6_info *ip, const struct mld_msg *m)
{
	struct mld_query	 q;
	struct mld_msg		 m2;
	struct ip6_info		 ip2;
	struct wbuf		 w;

	memset(&q, 0, sizeof(q));
	q.version = m->version;
	q.src = ip->src;
	q.dst = ip->dst;
	q.group = m->group;
	q.mrc = m->mrc;
	q.s_flag = m->s_flag;
	q.qrv = m->qrv;
	q.qqic = m->qqic;
	q.srcs = m->srcs;
	q.nsrcs = m->nsrcs;
	wbuf_init(&w, out, sizeof(out));
	if (mld_build_query(&w, &q) == -1)
		return;
	if (mld_decode_packet(out, w.len, &ip2, &m2) != MLD_OK ||
	    m2.version != m->version || m2.mrc != m->mrc ||
	    m2.nsrcs != m->nsrcs || m2.qrv != m->qrv ||
	    memcmp(m2.group, m->group, 16) != 0)
		abort();
}

/* The records as the relay and the router read them. */
static void
records(const struct ip6_info *ip, const struct mld_msg *m)
{
	static struct mc_src6	 srcs[64];
	struct mld_recs		 it;
	struct mc_rec6		 r;
	unsigned		 i, n = 0;

	mld_recs_init(&it, m, ip->src);
	while (mld_recs_next(&it, srcs, 64, &r) == 1) {
		if (r.nsrcs > 64 || r.srcs != srcs || ++n > 65535)
			abort();
		for (i = 1; i < r.nsrcs; i++)
			if (memcmp(srcs[i - 1].a, srcs[i].a, 16) >= 0)
				abort();
	}
	if ((m->type == MLD_V1_REPORT || m->type == MLD_V1_DONE) && n != 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	struct ip6_info	 ip;
	struct mld_msg	 m;
	enum mld_err	 e;

	if (ip6_decode(p, len, &ip) == IP6_OK &&
	    (ip.hlen > len || ip.hlen + ip.payload_len > len))
		abort();
	(void)mld_decode(p, len, &m);
	(void)mld_code_to_value(mld_value_to_code(len));
	e = mld_decode_packet(p, len, &ip, &m);
	if (e == MLD_OK || e == MLD_ERR_SRC)
		records(&ip, &m);
	if (e != MLD_OK)
		return 0;
	if (m.type == MLD_V2_REPORT)
		report_again(&ip, &m);
	else if (m.type == MLD_QUERY)
		query_again(&ip, &m);
	return 0;
}
