/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* amtgwd's socket and TUN I/O (gw_io.c). */

#ifndef GW_IO_H
#define GW_IO_H

#include <sys/socket.h>

#include <net/if.h>
#include <netinet/in.h>

#include "amtgwd.h"

#define GWIO_BATCH	64
#define GWIO_ROUNDS	16

struct pcapw;

struct gwio_batch {
	struct mmsghdr		 msgs[GWIO_BATCH];
	struct iovec		 iov[GWIO_BATCH];
	struct sockaddr_in	 from[GWIO_BATCH];
	uint8_t			*bufs;
	struct pcapw		*pc;		/* pcap-file, or NULL */
	uint32_t		 laddr;		/* our end, for captures */
	uint16_t		 lport;
};

int	 gwio_udp_open(const struct gw_conf *);
uint16_t gwio_udp_port(int);
uint32_t gwio_udp_addr(int);
int	 gwio_tun_open(const struct gw_conf *, char[IFNAMSIZ]);
int	 gwio_tun_configure(const struct gw_conf *, const char *);
int	 gwio_batch_init(struct gwio_batch *);
void	 gwio_batch_free(struct gwio_batch *);
int	 gwio_udp_read(struct gw *, struct gwio_batch *, int, int);
void	 gwio_tun_read(struct gw *, int);
int	 gwio_sendto(int, uint32_t, uint16_t, const uint8_t *, size_t);

#endif
