/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* Transmit counters of an interface (ifstat.h). */

#include <stdio.h>
#include <string.h>

#include "ifstat.h"

/* All packets the interface transmitted (sysfs); -1 if unreadable. */
int
ifstat_tx(const char *ifname, uint64_t *v)
{
	char			 path[96];
	FILE			*fp;
	unsigned long long	 x;
	int			 ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/tx_packets",
	    ifname);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	ok = fscanf(fp, "%llu", &x) == 1;
	fclose(fp);
	if (!ok)
		return -1;
	*v = x;
	return 0;
}

/* One IPv6 counter of the interface (RFC 4293); -1 if there is none. */
int
ifstat_snmp6(const char *ifname, const char *what, uint64_t *v)
{
	char			 path[96], key[64];
	FILE			*fp;
	unsigned long long	 x;
	int			 found = -1;

	snprintf(path, sizeof(path), "/proc/net/dev_snmp6/%s", ifname);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	while (fscanf(fp, "%63s %llu", key, &x) == 2)
		if (strcmp(key, what) == 0) {
			*v = x;
			found = 0;
			break;
		}
	fclose(fp);
	return found;
}

/*
 * What the interface transmitted that was not IPv6: all its packets
 * less Ip6OutTransmits, so that IPv6 on the same link does not hide an
 * IPv4 loss (Linux before 6.3 lacks the counter: all of them then).
 */
int
ifstat_tx4(const char *ifname, uint64_t *v)
{
	uint64_t	 v6;

	if (ifstat_tx(ifname, v) == -1)
		return -1;
	if (ifstat_snmp6(ifname, "Ip6OutTransmits", &v6) == 0)
		*v = *v > v6 ? *v - v6 : 0;
	return 0;
}

/*
 * The IPv6 multicast it transmitted (counted after the forward hook,
 * before the device), else all its packets.
 */
int
ifstat_tx6_mcast(const char *ifname, uint64_t *v)
{
	if (ifstat_snmp6(ifname, "Ip6OutMcastPkts", v) == 0)
		return 0;
	return ifstat_tx(ifname, v);
}
