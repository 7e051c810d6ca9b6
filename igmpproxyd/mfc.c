/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The forwarding cache.  An entry is created when the kernel reports a
 * packet of an (S,G) it has no entry for (the NOCACHE upcall), with
 * the VIFs the engine says it goes out of; it is brought up to date
 * whenever its group changes (RFC 4605 4.2: "any time any of the
 * information used to build it changes"), and removed when it carried
 * nothing for an idle period: the kernel never expires resolved
 * entries by itself.
 */

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "emit.h"
#include "mfc.h"
#include "srcset6.h"

void
mfc_init(struct mfc *m, const struct px_os *os, void *os_arg,
    mfc_oifs_fn oifs, void *oifs_arg)
{
	memset(m, 0, sizeof(*m));
	m->os = os;
	m->os_arg = os_arg;
	m->oifs = oifs;
	m->oifs_arg = oifs_arg;
	m->lim = (struct ratelimit)RATELIMIT_INIT(1000, 10);
}

static unsigned
hash_sg(const struct mc_src6 *s, const struct mc_src6 *g)
{
	uint32_t	 h = mc_src6_hash(s) ^ mc_src6_hash(g) * 2246822519U;

	return (h ^ h >> 16) % MFC_BUCKETS;
}

static struct mfc_ent *
lookup(const struct mfc *m, const struct mc_src6 *s, const struct mc_src6 *g)
{
	struct mfc_ent	*e;

	for (e = m->b[hash_sg(s, g)]; e != NULL; e = e->next)
		if (mc_src6_eq(&e->src, s) && mc_src6_eq(&e->grp, g))
			return e;
	return NULL;
}

const struct mfc_ent *
mfc_find(const struct mfc *m, const struct mc_src6 *s,
    const struct mc_src6 *g)
{
	return lookup(m, s, g);
}

/* Remove one entry from the kernel and the table. */
static void
mfc_remove(struct mfc *m, struct mfc_ent *e)
{
	struct mfc_ent	**pp = &m->b[hash_sg(&e->src, &e->grp)];

	(void)m->os->mfc_del(m->os_arg, &e->src, &e->grp, e->iif);
	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	free(e);
	m->n--;
	m->ctr_del++;
}

/* Every entry goes (the upstream VIF changed, or the end). */
void
mfc_flush(struct mfc *m)
{
	unsigned	 b;

	for (b = 0; b < MFC_BUCKETS; b++)
		while (m->b[b] != NULL)
			mfc_remove(m, m->b[b]);
}

/* A packet of (S,G) arrived on a VIF with no entry, or the wrong one. */
void
mfc_upcall(struct mfc *m, uint64_t now, enum mrt_msg_type type, unsigned vif,
    const struct mc_src6 *src, const struct mc_src6 *grp)
{
	struct mfc_ent	*e;
	unsigned	 b;

	m->ctr_upcalls++;
	if (type != MRT_MSG_NOCACHE || vif >= PX_MAXVIFS)
		return;
	if ((e = lookup(m, src, grp)) != NULL) {
		if (e->iif == (int)vif)
			return;
		mfc_remove(m, e);	/* arrived elsewhere: rebuild */
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		log_warnx_rl(&m->lim, "out of memory for forwarding entries");
		return;
	}
	e->src = *src;
	e->grp = *grp;
	e->iif = (int)vif;
	e->created = now;
	m->oifs(m->oifs_arg, now, &e->src, &e->grp, e->iif, e->ttls);
	if (m->os->mfc_add(m->os_arg, &e->src, &e->grp, e->iif, e->ttls) ==
	    -1) {
		log_warnx_rl(&m->lim, "cannot add forwarding entry (%s, %s)",
		    addr6_ntoa(e->src.a), addr6_ntoa(e->grp.a));
		free(e);
		return;
	}
	b = hash_sg(&e->src, &e->grp);
	e->next = m->b[b];
	m->b[b] = e;
	m->n++;
	m->ctr_add++;
	log_debug("mfc (%s, %s) from vif %d", addr6_ntoa(e->src.a),
	    addr6_ntoa(e->grp.a), e->iif);
}

/*
 * Bring entries up to date: all of them, or those whose group is in
 * the sorted list groups[0..n).
 */
void
mfc_refresh(struct mfc *m, uint64_t now, const struct mc_src6 *groups,
    size_t n, int all)
{
	struct mfc_ent	*e;
	uint8_t		 ttls[PX_MAXVIFS];
	unsigned	 b;

	if (!all && n == 0)
		return;
	for (b = 0; b < MFC_BUCKETS; b++)
		for (e = m->b[b]; e != NULL; e = e->next) {
			if (!all && !src_has6(groups, (unsigned)n, e->grp))
				continue;
			m->oifs(m->oifs_arg, now, &e->src, &e->grp, e->iif,
			    ttls);
			if (memcmp(ttls, e->ttls, sizeof(ttls)) == 0)
				continue;
			memcpy(e->ttls, ttls, sizeof(ttls));
			if (m->os->mfc_add(m->os_arg, &e->src, &e->grp, e->iif,
			    e->ttls) == -1)
				log_warnx_rl(&m->lim, "cannot update (%s, %s)",
				    addr6_ntoa(e->src.a),
				    addr6_ntoa(e->grp.a));
		}
}

/* Entries that forwarded nothing since the last check go. */
static void
mfc_expire(struct mfc *m, uint64_t now, uint32_t idle_ms)
{
	struct mfc_ent	*e, *next;
	uint64_t	 pkts;
	unsigned	 b;

	for (b = 0; b < MFC_BUCKETS; b++)
		for (e = m->b[b]; e != NULL; e = next) {
			next = e->next;
			if (m->os->mfc_count(m->os_arg, &e->src, &e->grp,
			    &pkts) == -1)
				continue;
			if (pkts == e->pkts && now - e->created >= idle_ms) {
				m->ctr_expired++;
				mfc_remove(m, e);
				continue;
			}
			e->pkts = pkts;
		}
}

/* The idle check, every idle_ms. */
void
mfc_timer(struct mfc *m, uint64_t now, uint32_t idle_ms)
{
	if (m->next_check != 0 && m->next_check <= now)
		mfc_expire(m, now, idle_ms);
	if (m->next_check == 0 || m->next_check <= now)
		m->next_check = now + idle_ms;
}

/* When mfc_timer() wants to run (0: now, to arm the first check). */
uint64_t
mfc_next_deadline(const struct mfc *m)
{
	return m->next_check;
}

/* The entries, for "amtctl proxy groups". */
void
mfc_show(const struct mfc *m, struct emit *e)
{
	const struct mfc_ent	*f;
	unsigned		 b, v;

	emit_arr(e, "forwarding");
	for (b = 0; b < MFC_BUCKETS; b++)
		for (f = m->b[b]; f != NULL; f = f->next) {
			emit_obj(e, NULL);
			emit_str(e, "source", addr6_ntoa(f->src.a));
			emit_str(e, "group", addr6_ntoa(f->grp.a));
			emit_i64(e, "iif-vif", f->iif);
			emit_arr(e, "oif-vifs");
			for (v = 0; v < PX_MAXVIFS; v++)
				if (f->ttls[v])
					emit_u64(e, NULL, v);
			emit_end(e);
			emit_end(e);
		}
	emit_end(e);
}
