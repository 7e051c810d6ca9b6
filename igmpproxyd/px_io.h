/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd's sockets (px_io.c): the mroute socket drained of IGMP
 * datagrams and kernel upcalls, the raw socket IGMP leaves by, and the
 * struct px_os through which the engine reaches them and mroute.c.
 */

#ifndef PX_IO_H
#define PX_IO_H

#include <stdint.h>

#include "px.h"

#define PXIO_PKT_MAX	9216	/* largest datagram read */
#define PXIO_DRAIN	512	/* datagrams read per wake-up at most */
#define PXIO_RCVBUF	(8 << 20)	/* mroute socket receive buffer */

struct pxio {
	int		 mr;		/* mroute socket: IGMP in, upcalls */
	int		 tx;		/* raw socket: IGMP out */
	uint8_t		 buf[PXIO_PKT_MAX];
};

/*
 * IPv6: the mroute6 socket (upcalls only), a packet socket that reads
 * every MLD datagram whole, from every interface, and sends ours, and
 * a socket holding the MLD router groups on the downstreams.
 */
struct pxio6 {
	int		 mr;
	int		 pkt;
	int		 join;
	uint8_t		 buf[PXIO_PKT_MAX];
};

extern const struct px_os pxio_os;
extern const struct px_os pxio6_os;

int	 pxio_open(struct pxio *, unsigned);
void	 pxio_close(struct pxio *);
unsigned pxio_read(struct pxio *, struct proxy *, uint64_t);
int	 pxio6_open(struct pxio6 *, unsigned);
void	 pxio6_close(struct pxio6 *);
unsigned pxio6_read_upcalls(struct pxio6 *, struct proxy *, uint64_t);
unsigned pxio6_read_mld(struct pxio6 *, struct proxy *, uint64_t);

#endif
