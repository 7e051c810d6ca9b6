/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * An interface's transmit counters, per address family, as the kernel
 * keeps them (sysfs and /proc/net/dev_snmp6, both readable by anyone,
 * after a privilege drop too): what igmpproxyd and amtctl doctor
 * compare with what multicast routing sent there.
 */

#ifndef AMT_IFSTAT_H
#define AMT_IFSTAT_H

#include <stdint.h>

int	 ifstat_tx(const char *, uint64_t *);
int	 ifstat_snmp6(const char *, const char *, uint64_t *);
int	 ifstat_tx4(const char *, uint64_t *);
int	 ifstat_tx6_mcast(const char *, uint64_t *);

#endif
