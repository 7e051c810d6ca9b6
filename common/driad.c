/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The AMTRELAY record of RFC 8777: RDATA decoding, the reverse name of
 * an IPv4 source, and the order of the relays in an RRset.  Every byte
 * comes from the network through a resolver and is checked here: the
 * relay field must have exactly the length its type gives, and a name
 * must be uncompressed host-name labels ending exactly at the end of
 * the RDATA.
 */

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "driad.h"

static const char *const driad_errs[DRIAD_ERR_MAX + 1] = {
	[DRIAD_OK] = "ok",
	[DRIAD_ERR_SHORT] = "shorter than precedence and type",
	[DRIAD_ERR_TYPE] = "undefined relay type",
	[DRIAD_ERR_LEN] = "relay field of the wrong length",
	[DRIAD_ERR_NAME] = "relay name is not a host name",
	[DRIAD_ERR_COMPRESSED] = "relay name compressed",
	[DRIAD_ERR_ADDR] = "relay address is not a unicast host",
};

const char *
driad_strerror(enum driad_err e)
{
	return (unsigned)e <= DRIAD_ERR_MAX ? driad_errs[e] : "?";
}

/* Letters, digits, '-' and '_' (service labels): a safe host name. */
static int
label_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * A wire-encoded name (RFC 1035 3.1) filling p[0..len) exactly, into
 * dotted form without the root's dot.  The root alone is refused: it
 * names no relay.
 */
static enum driad_err
decode_name(const uint8_t *p, size_t len, char *out)
{
	size_t	 i = 0, o = 0, k;
	uint8_t	 l = 1;

	while (i < len) {
		l = p[i++];
		if (l == 0)
			break;
		if ((l & 0xc0) == 0xc0)
			return DRIAD_ERR_COMPRESSED;
		if (l > 63 || l > len - i)
			return DRIAD_ERR_NAME;
		if (o + (o != 0) + l > DRIAD_NAME_MAX)
			return DRIAD_ERR_NAME;
		if (o != 0)
			out[o++] = '.';
		for (k = 0; k < l; k++) {
			if (!label_char(p[i + k]))
				return DRIAD_ERR_NAME;
			out[o++] = (char)p[i + k];
		}
		i += l;
	}
	if (l != 0 || i != len || o == 0)
		return DRIAD_ERR_NAME;
	out[o] = '\0';
	return DRIAD_OK;
}

/* One AMTRELAY RDATA (4.2). */
enum driad_err
driad_decode(const uint8_t *p, size_t len, struct driad_rr *rr)
{
	memset(rr, 0, sizeof(*rr));
	if (len < 2)
		return DRIAD_ERR_SHORT;
	rr->prec = p[0];
	rr->d = p[1] >> 7;
	rr->type = p[1] & 0x7f;
	p += 2;
	len -= 2;
	switch (rr->type) {
	case DRIAD_TYPE_NONE:
		return len == 0 ? DRIAD_OK : DRIAD_ERR_LEN;
	case DRIAD_TYPE_IPV4:
		if (len != 4)
			return DRIAD_ERR_LEN;
		rr->v4 = be32_load(p);
		return driad_unicast(rr->v4) ? DRIAD_OK : DRIAD_ERR_ADDR;
	case DRIAD_TYPE_IPV6:
		if (len != 16)
			return DRIAD_ERR_LEN;
		memcpy(rr->v6, p, 16);
		return DRIAD_OK;
	case DRIAD_TYPE_NAME:
		if (len == 0)
			return DRIAD_ERR_LEN;
		return decode_name(p, len, rr->name);
	default:
		return DRIAD_ERR_TYPE;	/* 4.2.3: SHOULD NOT be considered */
	}
}

/*
 * Whether an IPv4 address from DNS can be a relay: not 0/8, loopback,
 * multicast, class E or broadcast (a record must not aim the gateway's
 * Requests at this host or at a group).
 */
int
driad_unicast(uint32_t a)
{
	return (a >> 24) != 0 && (a >> 24) != 127 && a < 0xe0000000U;
}

/*
 * The same for an IPv6 relay (a type 2 record, an AAAA answer): not
 * unspecified, loopback, multicast, link-local or IPv4-mapped.
 */
int
driad_unicast6(const uint8_t *a)
{
	static const uint8_t	 zero[15], mapped[12] = { [10] = 0xff,
	    [11] = 0xff };

	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return 0;
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return 0;
	return memcmp(a, mapped, sizeof(mapped)) != 0;
}

/* "d.c.b.a.in-addr.arpa" for a.b.c.d (host order); -1 if no room. */
int
driad_revname(uint32_t src, char *buf, size_t len)
{
	int	 n;

	n = snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa", src & 0xff,
	    (src >> 8) & 0xff, (src >> 16) & 0xff, src >> 24);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * The reverse name of an IPv6 source (RFC 3596 2.5): its 32 nibbles,
 * lowest first, each a label, then "ip6.arpa"; -1 if no room.
 */
int
driad_revname6(const uint8_t *a, char *buf, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, k = 0;

	if (len < 32 * 2 + sizeof("ip6.arpa"))
		return -1;
	for (i = 16; i-- > 0;) {
		buf[k++] = hex[a[i] & 15];
		buf[k++] = '.';
		buf[k++] = hex[a[i] >> 4];
		buf[k++] = '.';
	}
	memcpy(buf + k, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

/*
 * Precedence order, lowest first (4.2.1), and within one precedence a
 * random order (RFC 8777 4.1.2): rnd[i] is a random value for record
 * i.  An insertion sort on (precedence, random): an RRset is small.
 */
void
driad_order(struct driad_rr *v, size_t n, const uint32_t *rnd)
{
	struct driad_rr	 t;
	uint32_t	 key[64], tk;
	size_t		 i, j;

	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		key[i] = rnd[i];
	for (i = 1; i < n; i++) {
		t = v[i];
		tk = key[i];
		for (j = i; j > 0 && (v[j - 1].prec > t.prec ||
		    (v[j - 1].prec == t.prec && key[j - 1] > tk)); j--) {
			v[j] = v[j - 1];
			key[j] = key[j - 1];
		}
		v[j] = t;
		key[j] = tk;
	}
}

/* The record in presentation form (4.3), for logs and amtctl. */
int
driad_format(const struct driad_rr *rr, char *buf, size_t len)
{
	char	 relay[DRIAD_NAME_MAX + 2];
	int	 n;

	switch (rr->type) {
	case DRIAD_TYPE_IPV4:
		snprintf(relay, sizeof(relay), "%u.%u.%u.%u", rr->v4 >> 24,
		    (rr->v4 >> 16) & 0xff, (rr->v4 >> 8) & 0xff,
		    rr->v4 & 0xff);
		break;
	case DRIAD_TYPE_NAME:
		snprintf(relay, sizeof(relay), "%s.", rr->name);
		break;
	case DRIAD_TYPE_IPV6:
		snprintf(relay, sizeof(relay), "(IPv6)");
		break;
	default:
		snprintf(relay, sizeof(relay), ".");
		break;
	}
	n = snprintf(buf, len, "AMTRELAY %u %u %u %s", rr->prec, rr->d,
	    rr->type, relay);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
