/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* TUN devices and the interface ioctls and sysctls around them. */

#ifndef AMT_TUN_H
#define AMT_TUN_H

#include <net/if.h>
#include <stdint.h>

int	 tun_open(const char *, char[IFNAMSIZ]);
int	 if_set_mtu(const char *, int);
int	 if_set_up(const char *);
int	 if_set_addr4(const char *, uint32_t, uint8_t);
int	 sysctl_write_str(const char *, const char *);
int	 sysctl_read_int(const char *, int *);
int	 rp_filter_setup(const char *);

#endif
