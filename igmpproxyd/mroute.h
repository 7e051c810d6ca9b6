/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* Kernel multicast routing (mroute.c). */

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

#endif
