/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * IPv4 + IGMP codec.  The decoder checks, in order: the IPv4 header
 * (version, lengths, checksum, options, fragments, protocol), then the
 * IGMP checksum over the whole IP payload (RFC 3376 4.1.2, 4.2.2), then
 * the message by type and length, walking every v3 group record and
 * source list against the payload length so that later readers need no
 * checks of their own.
 */

#include <string.h>

#include "addr.h"
#include "cksum.h"
#include "igmp_proto.h"

#define IPOPT_RA_	0x94	/* Router Alert, RFC 2113 */

static const char *const igmp_err_names[] = {
	"ok", "too short", "not IPv4", "bad IPv4 header length",
	"bad IPv4 header checksum", "malformed IP options", "fragment",
	"not IGMP", "bad IGMP checksum", "unknown IGMP type",
	"query length fits no IGMP version", "record beyond datagram",
	"group is not multicast",
};

static const char *const igmp_rec_names[] = {
	"UNKNOWN", "IS_IN", "IS_EX", "TO_IN", "TO_EX", "ALLOW", "BLOCK",
};

const char *
igmp_strerror(enum igmp_err e)
{
	if ((unsigned)e > IGMP_ERR_MAX)
		return "unknown error";
	return igmp_err_names[e];
}

const char *
igmp_rec_type_name(unsigned t)
{
	if (t > MC_BLOCK)
		t = 0;
	return igmp_rec_names[t];
}

/* The IPv4 header's failure in this codec's terms. */
static enum igmp_err
ip4_err_map(enum ip4_err e)
{
	switch (e) {
	case IP4_OK:
		return IGMP_OK;
	case IP4_ERR_SHORT:
		return IGMP_ERR_SHORT;
	case IP4_ERR_VERSION:
		return IGMP_ERR_IPVER;
	case IP4_ERR_HDRLEN:
		return IGMP_ERR_IPHDR;
	case IP4_ERR_CKSUM:
		return IGMP_ERR_IPCKSUM;
	default:
		return IGMP_ERR_OPTIONS;
	}
}

/* Check one v3 record list: count records, each fully inside b. */
static enum igmp_err
check_records(struct buf *b, unsigned n)
{
	uint8_t		 type, aux;
	uint16_t	 nsrcs;
	uint32_t	 group;

	while (n-- > 0) {
		if (buf_get_u8(b, &type) == -1 || buf_get_u8(b, &aux) == -1 ||
		    buf_get_u16(b, &nsrcs) == -1 || buf_get_u32(b, &group) == -1)
			return IGMP_ERR_RECORD;
		/* RFC 3376 4.2.16: the whole record must fit. */
		if (buf_skip(b, 4 * (size_t)nsrcs + 4 * (size_t)aux) == -1)
			return IGMP_ERR_RECORD;
		if (!IN4_MCAST(group))
			return IGMP_ERR_GROUP;
	}
	return IGMP_OK;
}

/*
 * Decode an IGMP message of len bytes (the whole IP payload, which the
 * checksum covers).
 */
enum igmp_err
igmp_decode(const uint8_t *p, size_t len, struct igmp_msg *m)
{
	struct buf	 b;
	uint8_t		 sqrv;

	memset(m, 0, sizeof(*m));
	if (len < IGMP_V12_LEN)
		return IGMP_ERR_SHORT;
	if (in_cksum(p, len) != 0)
		return IGMP_ERR_CKSUM;
	m->type = p[0];
	m->code = p[1];
	m->group = be32_load(p + 4);
	buf_init(&b, p, len);
	(void)buf_skip(&b, 8);

	switch (m->type) {
	case IGMP_QUERY:
		/* RFC 3376 7.1: the version is told by the length. */
		if (len == IGMP_V12_LEN)
			m->version = m->code == 0 ? 1 : 2;
		else if (len >= IGMP_V3_QUERY_MIN) {
			m->version = 3;
			(void)buf_get_u8(&b, &sqrv);
			(void)buf_get_u8(&b, &m->qqic);
			(void)buf_get_u16(&b, &m->nsrcs);
			m->s_flag = (sqrv >> 3) & 1;
			m->qrv = sqrv & 0x07;
			m->srcs = buf_cur(&b);
			if (buf_skip(&b, 4 * (size_t)m->nsrcs) == -1)
				return IGMP_ERR_RECORD;
		} else
			return IGMP_ERR_QUERYLEN;
		if (m->group != 0 && !IN4_MCAST(m->group))
			return IGMP_ERR_GROUP;
		return IGMP_OK;
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
	case IGMP_V2_LEAVE:
		/* RFC 2236 2.5: octets past the first 8 are ignored. */
		m->version = m->type == IGMP_V1_REPORT ? 1 : 2;
		if (!IN4_MCAST(m->group))
			return IGMP_ERR_GROUP;
		return IGMP_OK;
	case IGMP_V3_REPORT:
		m->version = 3;
		m->nrecs = be16_load(p + 6);
		m->recs = p + 8;
		m->recs_len = len - 8;
		m->group = 0;
		return check_records(&b, m->nrecs);
	default:
		return IGMP_ERR_TYPE;	/* RFC 3376 4: ignore */
	}
}

/* Decode an IPv4 datagram carrying IGMP. */
enum igmp_err
igmp_decode_packet(const uint8_t *p, size_t len, struct ip4_info *ip,
    struct igmp_msg *m)
{
	enum ip4_err	 e;

	if ((e = ip4_decode(p, len, ip)) != IP4_OK)
		return ip4_err_map(e);
	if (ip4_is_fragment(ip))
		return IGMP_ERR_FRAGMENT;
	if (ip->proto != IP4_PROTO_IGMP)
		return IGMP_ERR_PROTO;
	return igmp_decode(p + ip->hlen, ip->payload_len, m);
}

/* Iterate over the group records of a decoded v3 report. */
void
igmp_rec_iter_init(struct igmp_rec_iter *it, const struct igmp_msg *m)
{
	buf_init(&it->b, m->recs, m->recs_len);
	it->left = m->type == IGMP_V3_REPORT ? m->nrecs : 0;
}

/* Next record: 1 and *r filled, 0 at the end, -1 if malformed. */
int
igmp_rec_next(struct igmp_rec_iter *it, struct igmp_rec *r)
{
	struct buf	 save = it->b;

	if (it->left == 0)
		return 0;
	if (buf_get_u8(&it->b, &r->type) == -1 ||
	    buf_get_u8(&it->b, &r->auxlen) == -1 ||
	    buf_get_u16(&it->b, &r->nsrcs) == -1 ||
	    buf_get_u32(&it->b, &r->group) == -1)
		goto bad;
	r->srcs = buf_cur(&it->b);
	/* RFC 3376 4.2.6: auxiliary data is skipped. */
	if (buf_skip(&it->b, 4 * (size_t)r->nsrcs + 4 * (size_t)r->auxlen)
	    == -1)
		goto bad;
	it->left--;
	return 1;
bad:
	it->b = save;
	it->left = 0;
	return -1;
}

/*
 * The sources of a validated record, host order, sorted and without
 * duplicates, at most cap of them; returns how many.
 */
unsigned
igmp_rec_sources(const struct igmp_rec *r, uint32_t *out, unsigned cap)
{
	unsigned	 i, n = r->nsrcs < cap ? r->nsrcs : cap;

	for (i = 0; i < n; i++)
		out[i] = igmp_src(r->srcs, i);
	return src_normalize(out, n);
}

/* Walk the records of a decoded report sent from address from. */
void
igmp_recs_init(struct igmp_recs *rs, const struct igmp_msg *m, uint32_t from)
{
	igmp_rec_iter_init(&rs->it, m);
	rs->m = m;
	rs->from = from;
	rs->done = 0;
}

/*
 * The next record: 1 and *r filled (its sources in srcs, which holds
 * cap), 0 at the end.  IGMPv1 and v2 messages give one record each,
 * translated as RFC 3376 7.3.2 says: a report is IS_EX({}), a leave
 * TO_IN({}).  Queries give none.  Record types are passed on as they
 * are; the reader ignores those it does not know (4.2.12).
 */
int
igmp_recs_next(struct igmp_recs *rs, uint32_t *srcs, unsigned cap,
    struct mc_rec *r)
{
	const struct igmp_msg	*m = rs->m;
	struct igmp_rec		 raw;

	memset(r, 0, sizeof(*r));
	r->from = rs->from;
	r->srcs = srcs;
	r->version = m->version;
	switch (m->type) {
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
	case IGMP_V2_LEAVE:
		if (rs->done)
			return 0;
		rs->done = 1;
		r->type = m->type == IGMP_V2_LEAVE ? MC_TO_IN : MC_IS_EX;
		r->group = m->group;
		return 1;
	case IGMP_V3_REPORT:
		if (igmp_rec_next(&rs->it, &raw) != 1)
			return 0;
		r->type = raw.type;
		r->group = raw.group;
		r->nsrcs = igmp_rec_sources(&raw, srcs, cap);
		return 1;
	default:
		return 0;
	}
}

/*
 * A decoded query as values (RFC 3376 4.1): the Max Resp Code in ms
 * (an IGMPv1 query has none: 10 s, RFC 2236 4), QQIC in ms, and the
 * sources, sorted, in srcs (which holds cap).
 */
void
igmp_query_view(const struct igmp_msg *m, uint32_t from, uint32_t *srcs,
    unsigned cap, struct mc_query *q)
{
	unsigned	 i, n;

	memset(q, 0, sizeof(*q));
	q->version = m->version;
	q->from = from;
	q->group = m->group;
	q->srcs = srcs;
	switch (m->version) {
	case 1:
		q->mrt_ms = 10000;
		break;
	case 2:
		q->mrt_ms = (uint32_t)m->code * 100;
		break;
	default:
		q->mrt_ms = igmp_code_to_value(m->code) * 100;
		q->s_flag = m->s_flag;
		q->qrv = m->qrv;
		q->qqi_ms = igmp_code_to_value(m->qqic) * 1000;
		n = m->nsrcs < cap ? m->nsrcs : cap;
		for (i = 0; i < n; i++)
			srcs[i] = igmp_src(m->srcs, i);
		q->nsrcs = src_normalize(srcs, n);
		break;
	}
}

/*
 * Max Resp Code and QQIC (RFC 3376 4.1.1, 4.1.7): below 128 the code is
 * the value; otherwise 1|exp(3)|mant(4) means (mant | 0x10) << (exp + 3).
 */
uint32_t
igmp_code_to_value(uint8_t code)
{
	if (code < 128)
		return code;
	return ((uint32_t)(code & 0x0f) | 0x10) << (((code >> 4) & 0x07) + 3);
}

/* The code for value, rounded down; values beyond the range give 0xff. */
uint8_t
igmp_value_to_code(uint32_t value)
{
	unsigned	 exp;
	uint32_t	 mant;

	if (value < 128)
		return (uint8_t)value;
	if (value >= igmp_code_to_value(0xff))
		return 0xff;
	/* Find exp such that value >> (exp + 3) is in [16, 31]. */
	for (exp = 0; exp < 7; exp++)
		if ((value >> (exp + 3)) < 32)
			break;
	mant = (value >> (exp + 3)) & 0x0f;
	return (uint8_t)(0x80 | exp << 4 | mant);
}

/* Write the 24-byte IPv4 header with Router Alert; lengths come later. */
static int
ip4_put_header(struct wbuf *w, uint32_t src, uint32_t dst)
{
	int	 rv = 0;

	if (w->len != 0 || wbuf_left(w) < IGMP_IP_HDR_LEN)
		return -1;
	rv |= wbuf_put_u8(w, 0x46);		/* version 4, IHL 6 */
	rv |= wbuf_put_u8(w, 0xc0);		/* RFC 3376 4: TOS 0xc0 */
	rv |= wbuf_put_u16(w, 0);		/* total length, later */
	rv |= wbuf_put_u16(w, 0);		/* id */
	rv |= wbuf_put_u16(w, 0);		/* no flags, offset 0 */
	rv |= wbuf_put_u8(w, 1);		/* TTL 1 */
	rv |= wbuf_put_u8(w, IP4_PROTO_IGMP);
	rv |= wbuf_put_u16(w, 0);		/* checksum, later */
	rv |= wbuf_put_u32(w, src);
	rv |= wbuf_put_u32(w, dst);
	rv |= wbuf_put_u8(w, IPOPT_RA_);	/* RFC 2113 Router Alert */
	rv |= wbuf_put_u8(w, 4);
	rv |= wbuf_put_u16(w, 0);
	return rv;
}

/* Fill in total length and both checksums once the message is written. */
static int
ip4_finish(struct wbuf *w)
{
	if (w->len < IGMP_IP_HDR_LEN || w->len > 0xffff)
		return -1;
	if (wbuf_set_u16(w, 2, (uint16_t)w->len) == -1 ||
	    wbuf_set_u16(w, IGMP_IP_HDR_LEN + 2, 0) == -1 ||
	    wbuf_set_u16(w, IGMP_IP_HDR_LEN + 2, in_cksum(w->data +
	    IGMP_IP_HDR_LEN, w->len - IGMP_IP_HDR_LEN)) == -1 ||
	    wbuf_set_u16(w, 10, 0) == -1 ||
	    wbuf_set_u16(w, 10, in_cksum(w->data, IGMP_IP_HDR_LEN)) == -1)
		return -1;
	return 0;
}

/*
 * Build a v1, v2 or v3 query.  v1 and v2 queries are 8 bytes (RFC 3376
 * 7.3.1: in v1 mode the code is 0).
 */
int
igmp_build_query(struct wbuf *w, const struct igmp_query *q)
{
	int	 rv = 0;
	uint16_t i;

	if (ip4_put_header(w, q->src, q->dst) == -1)
		return -1;
	rv |= wbuf_put_u8(w, IGMP_QUERY);
	rv |= wbuf_put_u8(w, q->version == 1 ? 0 : q->code);
	rv |= wbuf_put_u16(w, 0);
	rv |= wbuf_put_u32(w, q->version == 1 ? 0 : q->group);
	if (q->version == 3) {
		rv |= wbuf_put_u8(w, (uint8_t)((q->s_flag ? 0x08 : 0) |
		    (q->qrv > 7 ? 0 : q->qrv)));	/* 4.1.6 */
		rv |= wbuf_put_u8(w, q->qqic);
		rv |= wbuf_put_u16(w, q->nsrcs);
		for (i = 0; i < q->nsrcs; i++)
			rv |= wbuf_put_u32(w, q->srcs[i]);
	} else if (q->version != 1 && q->version != 2)
		return -1;
	if (rv != 0)
		return -1;
	return ip4_finish(w);
}

/* Build an 8-byte v1 report, v2 report or v2 leave. */
int
igmp_build_v12(struct wbuf *w, uint32_t src, uint32_t dst, uint8_t type,
    uint8_t code, uint32_t group)
{
	int	 rv = 0;

	if (ip4_put_header(w, src, dst) == -1)
		return -1;
	rv |= wbuf_put_u8(w, type);
	rv |= wbuf_put_u8(w, code);
	rv |= wbuf_put_u16(w, 0);
	rv |= wbuf_put_u32(w, group);
	if (rv != 0)
		return -1;
	return ip4_finish(w);
}

/* Start a v3 report to 224.0.0.22 (RFC 3376 4.2.14). */
int
igmp_report_begin(struct wbuf *w, uint32_t src)
{
	int	 rv = 0;

	if (ip4_put_header(w, src, IN4_IGMPV3_ROUTERS) == -1)
		return -1;
	rv |= wbuf_put_u8(w, IGMP_V3_REPORT);
	rv |= wbuf_put_u8(w, 0);
	rv |= wbuf_put_u16(w, 0);		/* checksum */
	rv |= wbuf_put_u16(w, 0);		/* reserved */
	rv |= wbuf_put_u16(w, 0);		/* record count */
	return rv == 0 ? 0 : -1;
}

/* Records added so far to the report in w. */
uint16_t
igmp_report_nrecs(const struct wbuf *w)
{
	if (w->len < IGMP_IP_HDR_LEN + IGMP_V3_REPORT_MIN)
		return 0;
	return be16_load(w->data + IGMP_IP_HDR_LEN + 6);
}

/* Append a record; fails, writing nothing, if it does not fit. */
int
igmp_report_add(struct wbuf *w, uint8_t type, uint32_t group,
    const uint32_t *srcs, uint16_t n)
{
	uint16_t	 i, nrecs;

	if (w->len < IGMP_IP_HDR_LEN + IGMP_V3_REPORT_MIN ||
	    wbuf_left(w) < IGMP_V3_REC_MIN + 4 * (size_t)n)
		return -1;
	nrecs = igmp_report_nrecs(w);
	if (nrecs == 0xffff)
		return -1;
	(void)wbuf_put_u8(w, type);
	(void)wbuf_put_u8(w, 0);		/* no aux data */
	(void)wbuf_put_u16(w, n);
	(void)wbuf_put_u32(w, group);
	for (i = 0; i < n; i++)
		(void)wbuf_put_u32(w, srcs[i]);
	return wbuf_set_u16(w, IGMP_IP_HDR_LEN + 6, (uint16_t)(nrecs + 1));
}

/* Complete the report's lengths and checksums. */
int
igmp_report_finish(struct wbuf *w)
{
	return ip4_finish(w);
}

/* ---- reports split to a size ---- */

/* Reports of at most limit bytes (IGMP_RB_MIN at least) into buf. */
void
igmp_rb_init(struct igmp_rb *rb, uint8_t *buf, size_t limit, uint32_t src,
    igmp_emit_fn emit, void *arg)
{
	memset(rb, 0, sizeof(*rb));
	rb->buf = buf;
	rb->limit = limit < IGMP_RB_MIN ? IGMP_RB_MIN : limit;
	rb->src = src;
	rb->emit = emit;
	rb->arg = arg;
}

/* Hand the report being built, if it has records, to emit. */
void
igmp_rb_flush(struct igmp_rb *rb)
{
	if (!rb->open)
		return;
	if (igmp_report_nrecs(&rb->w) > 0 && igmp_report_finish(&rb->w) == 0) {
		rb->emit(rb->arg, rb->buf, rb->w.len);
		rb->reports++;
	}
	rb->open = 0;
}

static void
rb_open(struct igmp_rb *rb)
{
	if (rb->open)
		return;
	wbuf_init(&rb->w, rb->buf, rb->limit);
	(void)igmp_report_begin(&rb->w, rb->src);
	rb->open = 1;
}

/*
 * Add a record.  One that does not fit the report being built starts
 * a new one; one too big for any report is split into several records
 * of the same type, except IS_EX and TO_EX, which are cut (4.2.16).
 */
void
igmp_rb_add(struct igmp_rb *rb, uint8_t type, uint32_t g,
    const uint32_t *srcs, unsigned n)
{
	size_t		 left;
	unsigned	 k;

	for (;;) {
		rb_open(rb);
		left = wbuf_left(&rb->w);
		if (left >= IGMP_V3_REC_MIN + 4 * (size_t)n &&
		    igmp_report_add(&rb->w, type, g, srcs, (uint16_t)n) == 0)
			return;
		if (igmp_report_nrecs(&rb->w) > 0) {
			igmp_rb_flush(rb);	/* try in a fresh report */
			continue;
		}
		/* Alone in a report and still too big. */
		k = (unsigned)((left - IGMP_V3_REC_MIN) / 4);
		(void)igmp_report_add(&rb->w, type, g, srcs, (uint16_t)k);
		igmp_rb_flush(rb);
		if (type == MC_IS_EX || type == MC_TO_EX)
			return;		/* the rest is not reported */
		srcs += k;
		n -= k;
	}
}
