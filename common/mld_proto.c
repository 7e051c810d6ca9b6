/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * MLDv1 and MLDv2 messages, field by field.  A Query's version is its
 * length (RFC 3810 8.1): 24 bytes MLDv1, 28 or more MLDv2, anything
 * else is not a query.  A Report's records are all checked to fit
 * before any is handed out, so the iterator never meets a bad one.
 */

#include <string.h>

#include "mld_proto.h"

const uint8_t	 mld_all_nodes[IP6_ADDR_LEN] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
const uint8_t	 mld_v2_routers[IP6_ADDR_LEN] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16 };

static const char *const mld_errs[MLD_ERR_MAX + 1] = {
	[MLD_OK] = "ok",
	[MLD_ERR_IP6] = "bad IPv6 header",
	[MLD_ERR_NOT_ICMP6] = "not ICMPv6",
	[MLD_ERR_SHORT] = "too short",
	[MLD_ERR_TYPE] = "not an MLD message",
	[MLD_ERR_LEN] = "query of neither MLDv1 nor MLDv2 length",
	[MLD_ERR_RECORDS] = "records or sources beyond the end",
	[MLD_ERR_CKSUM] = "bad ICMPv6 checksum",
	[MLD_ERR_HLIM] = "hop limit is not 1",
	[MLD_ERR_SRC] = "source is not link-local",
	[MLD_ERR_NO_RA] = "no Router Alert option",
	[MLD_ERR_FRAGMENT] = "fragmented",
};

const char *
mld_strerror(enum mld_err e)
{
	return (unsigned)e <= MLD_ERR_MAX ? mld_errs[e] : "?";
}

/* The records of a v2 Report, all of them within the message. */
static int
check_records(struct buf *b, unsigned n)
{
	uint8_t		 aux;
	uint16_t	 ns;

	while (n-- > 0) {
		if (buf_skip(b, 1) == -1 || buf_get_u8(b, &aux) == -1 ||
		    buf_get_u16(b, &ns) == -1 ||
		    buf_skip(b, IP6_ADDR_LEN) == -1 ||
		    buf_skip(b, (size_t)ns * IP6_ADDR_LEN) == -1 ||
		    buf_skip(b, (size_t)aux * 4) == -1)
			return -1;
	}
	return 0;
}

static enum mld_err
decode_query(struct buf *b, size_t len, struct mld_msg *m)
{
	uint8_t		 f;

	if (len == MLD_V1_LEN) {
		m->version = 1;
		return MLD_OK;
	}
	if (len < MLD_V2_QUERY_MIN)
		return MLD_ERR_LEN;
	m->version = 2;
	(void)buf_get_u8(b, &f);
	(void)buf_get_u8(b, &m->qqic);
	(void)buf_get_u16(b, &m->nsrcs);
	m->s_flag = (f >> 3) & 1;
	m->qrv = f & 7;
	m->srcs = buf_cur(b);
	if (buf_left(b) < (size_t)m->nsrcs * IP6_ADDR_LEN)
		return MLD_ERR_RECORDS;
	return MLD_OK;
}

/* An ICMPv6 message of MLD (its checksum is the caller's). */
enum mld_err
mld_decode(const uint8_t *p, size_t len, struct mld_msg *m)
{
	struct buf	 b;
	uint16_t	 r16;

	memset(m, 0, sizeof(*m));
	buf_init(&b, p, len);
	if (len < MLD_V2_REPORT_MIN)
		return MLD_ERR_SHORT;
	(void)buf_get_u8(&b, &m->type);
	(void)buf_skip(&b, 3);		/* code, checksum */
	switch (m->type) {
	case MLD_V2_REPORT:
		m->version = 2;
		(void)buf_skip(&b, 2);
		(void)buf_get_u16(&b, &m->nrecs);
		m->recs = buf_cur(&b);
		m->recs_len = buf_left(&b);
		return check_records(&b, m->nrecs) == 0 ? MLD_OK :
		    MLD_ERR_RECORDS;
	case MLD_QUERY:
	case MLD_V1_REPORT:
	case MLD_V1_DONE:
		if (len < MLD_V1_LEN)
			return MLD_ERR_SHORT;
		(void)buf_get_u16(&b, &m->mrc);
		(void)buf_get_u16(&b, &r16);
		(void)buf_get_bytes(&b, m->group, IP6_ADDR_LEN);
		if (m->type == MLD_QUERY)
			return decode_query(&b, len, m);
		m->version = 1;
		return MLD_OK;
	default:
		return MLD_ERR_TYPE;
	}
}

/*
 * A whole IPv6 datagram carrying MLD, with the checks of RFC 3810 5
 * and 6.2 (RFC 2710 3 for MLDv1): ICMPv6, not a fragment, hop limit 1,
 * Router Alert, the checksum, a link-local source.  A Report or Done
 * from :: passes (a host without a link-local address yet sends so,
 * 5.2.13, and a TUN has none); a router discards it (also 5.2.13), so
 * routers check ip6_is_unspecified() on the source themselves.
 */
enum mld_err
mld_decode_packet(const uint8_t *p, size_t len, struct ip6_info *ip,
    struct mld_msg *m)
{
	const uint8_t	*u;
	enum mld_err	 e;

	memset(m, 0, sizeof(*m));
	if (ip6_decode(p, len, ip) != IP6_OK)
		return MLD_ERR_IP6;
	if (ip->fragment)
		return MLD_ERR_FRAGMENT;
	if (ip->proto != IP6_NH_ICMP6)
		return MLD_ERR_NOT_ICMP6;
	u = p + ip->hlen;
	if ((e = mld_decode(u, ip->payload_len, m)) != MLD_OK)
		return e;
	if (ip->hlim != 1)
		return MLD_ERR_HLIM;
	if (!ip->router_alert || ip->ra_value != IP6_RA_MLD)
		return MLD_ERR_NO_RA;
	if (ip6_upper_cksum(ip->src, ip->dst, IP6_NH_ICMP6, u,
	    ip->payload_len) != 0)
		return MLD_ERR_CKSUM;
	if (!ip6_is_linklocal(ip->src) && !(m->type != MLD_QUERY &&
	    ip6_is_unspecified(ip->src)))
		return MLD_ERR_SRC;
	return MLD_OK;
}

void
mld_rec_iter_init(struct mld_rec_iter *it, const struct mld_msg *m)
{
	buf_init(&it->b, m->recs, m->recs_len);
	it->left = m->type == MLD_V2_REPORT ? m->nrecs : 0;
}

/* The next record: 1, or 0 at the end (decoding checked them all). */
int
mld_rec_next(struct mld_rec_iter *it, struct mld_rec *r)
{
	if (it->left == 0)
		return 0;
	it->left--;
	if (buf_get_u8(&it->b, &r->type) == -1 ||
	    buf_get_u8(&it->b, &r->auxlen) == -1 ||
	    buf_get_u16(&it->b, &r->nsrcs) == -1 ||
	    buf_left(&it->b) < MLD_V2_REC_MIN - 4 +
	    ((size_t)r->nsrcs * IP6_ADDR_LEN) + (size_t)r->auxlen * 4)
		return it->left = 0;
	r->group = buf_cur(&it->b);
	r->srcs = r->group + IP6_ADDR_LEN;
	(void)buf_skip(&it->b, IP6_ADDR_LEN + (size_t)r->nsrcs *
	    IP6_ADDR_LEN + (size_t)r->auxlen * 4);
	return 1;
}

/* Walk the records of a decoded Report sent from address from. */
void
mld_recs_init(struct mld_recs *rs, const struct mld_msg *m,
    const uint8_t *from)
{
	mld_rec_iter_init(&rs->it, m);
	rs->m = m;
	memcpy(rs->from.a, from, IP6_ADDR_LEN);
	rs->done = 0;
}

/*
 * The next record: 1 and *r filled (its sources, at most cap, sorted
 * into srcs), or 0 at the end.  Record types nobody defined come out
 * as they are; the reader ignores them (RFC 3810 5.2.12).
 */
int
mld_recs_next(struct mld_recs *rs, struct mc_src6 *srcs, unsigned cap,
    struct mc_rec6 *r)
{
	const struct mld_msg	*m = rs->m;
	struct mld_rec		 raw;
	unsigned		 i, n;

	memset(r, 0, sizeof(*r));
	r->from = rs->from;
	r->srcs = srcs;
	switch (m->type) {
	case MLD_V1_REPORT:
	case MLD_V1_DONE:
		if (rs->done)
			return 0;
		rs->done = 1;
		r->version = 2;
		r->type = m->type == MLD_V1_DONE ? MC_TO_IN : MC_IS_EX;
		memcpy(r->group.a, m->group, IP6_ADDR_LEN);
		return 1;
	case MLD_V2_REPORT:
		if (mld_rec_next(&rs->it, &raw) != 1)
			return 0;
		r->version = 3;
		r->type = raw.type;
		memcpy(r->group.a, raw.group, IP6_ADDR_LEN);
		n = raw.nsrcs < cap ? raw.nsrcs : cap;
		for (i = 0; i < n; i++)
			memcpy(srcs[i].a, raw.srcs + (size_t)i * IP6_ADDR_LEN,
			    IP6_ADDR_LEN);
		r->nsrcs = src_normalize6(srcs, n);
		return 1;
	default:
		return 0;
	}
}

/* RFC 3810 5.1.3: the Maximum Response Code in milliseconds. */
uint32_t
mld_code_to_value(uint16_t c)
{
	if (c < 32768)
		return c;
	return (uint32_t)((c & 0x0fff) | 0x1000) << (((c >> 12) & 7) + 3);
}

/* The code for ms, rounded down where the float form must round. */
uint16_t
mld_value_to_code(uint32_t v)
{
	unsigned	 exp;

	if (v < 32768)
		return (uint16_t)v;
	if (v > 0x7ffc00U)	/* (0xfff | 0x1000) << 10: the largest */
		v = 0x7ffc00U;
	for (exp = 0; exp < 7 && (v >> (exp + 3)) > 0x1fff; exp++)
		;
	return (uint16_t)(0x8000 | exp << 12 | ((v >> (exp + 3)) & 0x0fff));
}

/* ---- building ---- */

/* IPv6 header and Hop-by-Hop with Router Alert; lengths come later. */
static int
put_header(struct wbuf *w, const uint8_t *src, const uint8_t *dst)
{
	int	 rv = 0;

	if (w->len != 0 || wbuf_left(w) < MLD_IP_HDR_LEN)
		return -1;
	rv |= wbuf_put_u32(w, 0x60000000U);
	rv |= wbuf_put_u16(w, 0);		/* payload length, later */
	rv |= wbuf_put_u8(w, IP6_NH_HOPOPTS);
	rv |= wbuf_put_u8(w, 1);		/* hop limit 1 */
	rv |= wbuf_put_bytes(w, src, IP6_ADDR_LEN);
	rv |= wbuf_put_bytes(w, dst, IP6_ADDR_LEN);
	rv |= wbuf_put_u8(w, IP6_NH_ICMP6);
	rv |= wbuf_put_u8(w, 0);		/* 8 bytes */
	rv |= wbuf_put_u8(w, IP6_OPT_ROUTER_ALERT);
	rv |= wbuf_put_u8(w, 2);
	rv |= wbuf_put_u16(w, IP6_RA_MLD);
	rv |= wbuf_put_u8(w, IP6_OPT_PADN);
	rv |= wbuf_put_u8(w, 0);
	return rv;
}

/* The payload length and the ICMPv6 checksum, once all is written. */
static int
finish(struct wbuf *w)
{
	const uint8_t	*d = w->data;
	size_t		 ul = w->len - MLD_IP_HDR_LEN;

	if (w->len < MLD_IP_HDR_LEN + 4 || w->len - IP6_HDR_LEN > 0xffff)
		return -1;
	if (wbuf_set_u16(w, 4, (uint16_t)(w->len - IP6_HDR_LEN)) == -1 ||
	    wbuf_set_u16(w, MLD_IP_HDR_LEN + 2, 0) == -1)
		return -1;
	return wbuf_set_u16(w, MLD_IP_HDR_LEN + 2, ip6_upper_cksum(d + 8,
	    d + 24, IP6_NH_ICMP6, d + MLD_IP_HDR_LEN, ul));
}

/* A v1 (24 bytes) or v2 Query. */
int
mld_build_query(struct wbuf *w, const struct mld_query *q)
{
	int		 rv = 0;

	if (q->version != 1 && q->version != 2)
		return -1;
	if (put_header(w, q->src, q->dst) == -1)
		return -1;
	rv |= wbuf_put_u8(w, MLD_QUERY);
	rv |= wbuf_put_u8(w, 0);
	rv |= wbuf_put_u16(w, 0);
	rv |= wbuf_put_u16(w, q->mrc);
	rv |= wbuf_put_u16(w, 0);
	rv |= wbuf_put_bytes(w, q->group, IP6_ADDR_LEN);
	if (q->version == 2) {
		rv |= wbuf_put_u8(w, (uint8_t)((q->s_flag ? 0x08 : 0) |
		    (q->qrv > 7 ? 0 : q->qrv)));
		rv |= wbuf_put_u8(w, q->qqic);
		rv |= wbuf_put_u16(w, q->nsrcs);
		if (q->nsrcs > 0)
			rv |= wbuf_put_bytes(w, q->srcs, (size_t)q->nsrcs *
			    IP6_ADDR_LEN);
	}
	return rv != 0 ? -1 : finish(w);
}

/* An MLDv1 Report or Done. */
int
mld_build_v1(struct wbuf *w, const uint8_t *src, const uint8_t *dst,
    uint8_t type, const uint8_t *group)
{
	int	 rv = 0;

	if (type != MLD_V1_REPORT && type != MLD_V1_DONE)
		return -1;
	if (put_header(w, src, dst) == -1)
		return -1;
	rv |= wbuf_put_u8(w, type);
	rv |= wbuf_put_u8(w, 0);
	rv |= wbuf_put_u16(w, 0);
	rv |= wbuf_put_u32(w, 0);
	rv |= wbuf_put_bytes(w, group, IP6_ADDR_LEN);
	return rv != 0 ? -1 : finish(w);
}

/* An MLDv2 Report to ff02::16 (RFC 3810 5.2.14), records to come. */
int
mld_report_begin(struct wbuf *w, const uint8_t *src)
{
	int	 rv = 0;

	if (put_header(w, src, mld_v2_routers) == -1)
		return -1;
	rv |= wbuf_put_u8(w, MLD_V2_REPORT);
	rv |= wbuf_put_u8(w, 0);
	rv |= wbuf_put_u16(w, 0);		/* checksum */
	rv |= wbuf_put_u16(w, 0);
	rv |= wbuf_put_u16(w, 0);		/* records */
	return rv == 0 ? 0 : -1;
}

/* Append a record; fails, writing nothing, if it does not fit. */
int
mld_report_add(struct wbuf *w, uint8_t type, const uint8_t *group,
    const uint8_t *srcs, uint16_t n)
{
	uint16_t	 nrecs;

	if (w->len < MLD_IP_HDR_LEN + MLD_V2_REPORT_MIN ||
	    wbuf_left(w) < MLD_V2_REC_MIN + (size_t)n * IP6_ADDR_LEN)
		return -1;
	nrecs = be16_load(w->data + MLD_IP_HDR_LEN + 6);
	if (nrecs == 0xffff || !MC_REC_VALID(type))
		return -1;
	(void)wbuf_put_u8(w, type);
	(void)wbuf_put_u8(w, 0);
	(void)wbuf_put_u16(w, n);
	(void)wbuf_put_bytes(w, group, IP6_ADDR_LEN);
	if (n > 0)
		(void)wbuf_put_bytes(w, srcs, (size_t)n * IP6_ADDR_LEN);
	return wbuf_set_u16(w, MLD_IP_HDR_LEN + 6, (uint16_t)(nrecs + 1));
}

int
mld_report_finish(struct wbuf *w)
{
	return finish(w);
}

/* ---- the report builder ---- */

void
mld_rb_init(struct mld_rb *rb, uint8_t *buf, size_t limit,
    const uint8_t *src, mld_emit_fn emit, void *arg)
{
	memset(rb, 0, sizeof(*rb));
	rb->buf = buf;
	rb->limit = limit < MLD_RB_MIN ? MLD_RB_MIN : limit;
	memcpy(rb->src, src, IP6_ADDR_LEN);
	rb->emit = emit;
	rb->arg = arg;
}

static uint16_t
rb_nrecs(const struct mld_rb *rb)
{
	return be16_load(rb->buf + MLD_IP_HDR_LEN + 6);
}

/* Hand the report being built, if it has records, to emit. */
void
mld_rb_flush(struct mld_rb *rb)
{
	if (!rb->open)
		return;
	if (rb_nrecs(rb) > 0 && mld_report_finish(&rb->w) == 0) {
		rb->emit(rb->arg, rb->buf, rb->w.len);
		rb->reports++;
	}
	rb->open = 0;
}

static void
rb_open(struct mld_rb *rb)
{
	if (rb->open)
		return;
	wbuf_init(&rb->w, rb->buf, rb->limit);
	(void)mld_report_begin(&rb->w, rb->src);
	rb->open = 1;
}

/*
 * Add a record.  One that does not fit the report being built starts
 * a new one; one too big for any report is split into several records
 * of the same type, except IS_EX and TO_EX, which are cut (RFC 3810
 * 5.2.15).  The sources are struct mc_src6, whose bytes are the
 * addresses'.
 */
void
mld_rb_add(struct mld_rb *rb, uint8_t type, const uint8_t *g,
    const struct mc_src6 *srcs, unsigned n)
{
	size_t		 left;
	unsigned	 k;

	if (!MC_REC_VALID(type))
		return;
	for (;;) {
		rb_open(rb);
		left = wbuf_left(&rb->w);
		if (left >= MLD_V2_REC_MIN + IP6_ADDR_LEN * (size_t)n &&
		    n <= 0xffff && mld_report_add(&rb->w, type, g,
		    n > 0 ? srcs[0].a : NULL, (uint16_t)n) == 0)
			return;
		if (rb_nrecs(rb) > 0) {
			mld_rb_flush(rb);	/* try in a fresh report */
			continue;
		}
		/* Alone in a report and still too big. */
		k = (unsigned)((left - MLD_V2_REC_MIN) / IP6_ADDR_LEN);
		if (k == 0 || k >= n)
			return;		/* cannot be: the limit is 1280 */
		(void)mld_report_add(&rb->w, type, g, srcs[0].a, (uint16_t)k);
		mld_rb_flush(rb);
		if (type == MC_IS_EX || type == MC_TO_EX)
			return;		/* the rest is not reported */
		srcs += k;
		n -= k;
	}
}
