/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* Kernel multicast routing, IPv4 and IPv6 (mroute.c). */

#ifndef MROUTE_H
#define MROUTE_H

#include <stddef.h>
#include <stdint.h>

int	 mr_open(unsigned, int);
void	 mr_close(int);
int	 mr_add_vif(int, int, int);
int	 mr_del_vif(int, int);
int	 mr_add_mfc(int, uint32_t, uint32_t, int, const uint8_t *, int);
int	 mr_del_mfc(int, uint32_t, uint32_t, int);
int	 mr_sg_count(int, uint32_t, uint32_t, uint64_t *);
int	 mr_vif_out(int, int, uint64_t *);
int	 mr_join_routers(int, int);

/* The same for IPv6 (MRT6, MIFs); addresses 16 bytes. */
int	 mr6_open(unsigned, int);
void	 mr6_close(int);
int	 mr6_add_mif(int, int, int);
int	 mr6_del_mif(int, int);
int	 mr6_add_mfc(int, const uint8_t *, const uint8_t *, int,
	    const uint8_t *, int);
int	 mr6_del_mfc(int, const uint8_t *, const uint8_t *, int);
int	 mr6_sg_count(int, const uint8_t *, const uint8_t *, uint64_t *);
int	 mr6_mif_out(int, int, uint64_t *);
int	 mr6_join_routers(int, int);

#endif
