/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * libFuzzer harness for DRIAD: the input is an RRset (each record a
 * length octet and that many octets of RDATA).  Every record goes
 * through the AMTRELAY decoder (a good one must format and keep its
 * fields); then the whole set answers a source's lookup in a gateway
 * site, and, its first records as A answers, a relay name's lookup:
 * whatever the answer, the site must stay consistent (every source
 * on a relay points at a tunnel it holds) and free everything.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "driad.h"
#include "gw.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NRR	300

static unsigned	 last_id;
static int	 have_id;

static int
f_send(void *a, const struct mc_src6 *d, uint16_t p, const uint8_t *b,
    size_t n)
{
	(void)a; (void)d; (void)p; (void)b; (void)n;
	return 0;
}

static int
f_tun(void *a, const uint8_t *b, size_t n)
{
	(void)a; (void)b; (void)n;
	return 0;
}

static uint32_t
f_random(void *a)
{
	static uint32_t	 x = 12345;

	(void)a;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static int
f_lookup(void *a, unsigned id, const char *name, uint16_t type)
{
	(void)a; (void)name; (void)type;
	last_id = id;
	have_id = 1;
	return 0;
}

static const struct gw_site_ops ops = { f_send, f_tun, f_random, f_lookup };

/* Every source on a relay points at a tunnel the site holds. */
static void
check_site(const struct gw_site *s)
{
	size_t		 i, k;
	int		 found;

	for (k = 0; k < s->nsrc; k++) {
		const struct gw_src *e = &s->src[k];

		if (e->st != GW_SRC_RELAY)
			continue;
		found = e->t == &s->def;
		for (i = 0; i < s->nt && !found; i++)
			found = e->t == s->t[i];
		if (!found)
			abort();
	}
}

static void
run_site(const uint8_t *const *rr, const size_t *len, size_t n)
{
	static struct gw_site	 s;
	struct gw_conf		 c;
	struct gw_dns_answer	 a;
	uint8_t			 rep[64];
	struct wbuf		 w;
	uint32_t		 src = 0xc6336401U;
	uint64_t		 now = 1;

	conf_defaults(&gw_conf_table, &c);
	c.relay = mc_src6_v4(0x0a0000fd);
	c.fixed_relay = 1;
	c.tunnels_max = 4;
	if (site_init(&s, &c, &ops, NULL) == -1)
		return;
	site_start(&s, now);
	wbuf_init(&w, rep, sizeof(rep));
	if (igmp_report_begin(&w, 0x0a636301) == 0 &&
	    igmp_report_add(&w, MC_ALLOW, 0xe8010101U, &src, 1) == 0 &&
	    igmp_report_finish(&w) == 0) {
		have_id = 0;
		site_tun_packet(&s, now, rep, w.len);
		memset(&a, 0, sizeof(a));
		a.status = GW_DNS_OK;
		a.ttl = 60;
		a.rr = rr;
		a.len = len;
		a.n = n;
		if (have_id) {
			have_id = 0;
			site_dns(&s, now, last_id, &a);
		}
		check_site(&s);
		/* A name's lookup, if one went out: the records as A or AAAA
		 * answers (4 or 16 bytes). */
		if (have_id)
			site_dns(&s, now, last_id, &a);
		check_site(&s);
		site_timer(&s, 200000);
		check_site(&s);
	}
	site_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t len)
{
	const uint8_t	*rr[NRR];
	size_t		 rl[NRR], n = 0, off = 0;
	struct driad_rr	 r;
	char		 txt[400];

	log_setverbose(0);
	while (off < len && n < NRR) {
		size_t	 l = p[off++];

		if (l > len - off)
			l = len - off;
		rr[n] = p + off;
		rl[n] = l;
		n++;
		off += l;
	}
	for (off = 0; off < n; off++) {
		if (driad_decode(rr[off], rl[off], &r) != DRIAD_OK)
			continue;
		if (r.type > DRIAD_TYPE_NAME || rr[off][0] != r.prec)
			abort();
		if (driad_format(&r, txt, sizeof(txt)) == -1)
			abort();
		if (r.type == DRIAD_TYPE_NAME && (strlen(r.name) == 0 ||
		    strlen(r.name) > DRIAD_NAME_MAX))
			abort();
	}
	run_site(rr, rl, n);
	return 0;
}
