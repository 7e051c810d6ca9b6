/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * What the proxy engine asks of the operating system: one table of
 * functions, filled by the daemon (px_io.c, mroute.c) and by the unit
 * tests (a fake kernel), so that the engine runs the same under both.
 */

#ifndef PX_OS_H
#define PX_OS_H

#include <stddef.h>
#include <stdint.h>

struct mc_src6;

#define PX_MAXVIFS	32		/* the kernel's MAXVIFS */

struct px_os {
	/* Send an IP datagram (IGMP, full header) out of ifindex. */
	int	 (*send)(void *, int, const uint8_t *, size_t);
	int	 (*add_vif)(void *, int, int);
	int	 (*del_vif)(void *, int);
	/* Install (S,G) from vif iif to the vifs with ttls[v] != 0. */
	int	 (*mfc_add)(void *, const struct mc_src6 *,
		    const struct mc_src6 *, int, const uint8_t *);
	int	 (*mfc_del)(void *, const struct mc_src6 *,
		    const struct mc_src6 *, int);
	/* Packets forwarded so far by (S,G). */
	int	 (*mfc_count)(void *, const struct mc_src6 *,
		    const struct mc_src6 *, uint64_t *);
	/* Receive the IGMP router groups (224.0.0.2, .22) on ifindex. */
	int	 (*join_routers)(void *, int);
	uint32_t (*random)(void *);
	/*
	 * Datagrams multicast routing sent to vif so far, and datagrams
	 * the interface named has transmitted: the first counts before
	 * netfilter's forward hook, the second after.
	 */
	int	 (*out_counts)(void *, int, const char *, uint64_t *,
		    uint64_t *);
};

#endif
