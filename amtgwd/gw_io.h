/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd's sockets (gw_io.c): the UDP socket towards the relay, the
 * TUN device, and the data path between them.  Control messages are
 * handed to a callback (the state machine); Multicast Data never
 * leaves this file and the codec.
 */

#ifndef GW_IO_H
#define GW_IO_H

#include <sys/socket.h>

#include <net/if.h>
#include <netinet/in.h>

#include "gw.h"
#include "log.h"

#define GWIO_BATCH	64	/* datagrams per recvmmsg */
#define GWIO_ROUNDS	16	/* recvmmsg batches per wake-up at most */
#define GWIO_TUN_DRAIN	64	/* TUN reads per wake-up at most */
#define GWIO_PKT_MAX	9216	/* largest datagram read */

/* What happened to the datagrams the data path saw. */
enum gwio_ctr {
	GWIO_CTR_DATA,
	GWIO_CTR_BYTES,
	GWIO_CTR_NOT_RELAY,
	GWIO_CTR_NOT_SERVED,
	GWIO_CTR_SHORT,
	GWIO_CTR_NOT_IP,
	GWIO_CTR_BAD_LEN,
	GWIO_CTR_NOT_MCAST,
	GWIO_CTR_TRUNCATED,
	GWIO_CTR_TUN_WRITE_ERR,
	GWIO_CTR_TUN_READ_ERR,
	GWIO_CTR_MAX
};

struct pcapw;
struct emit;

/* A control message: source address and port, bytes. */
typedef void	 (*gwio_control_fn)(void *, const struct mc_src6 *, uint16_t,
		    const uint8_t *, size_t);
/* A datagram the host stack wrote into the TUN. */
typedef void	 (*gwio_tun_fn)(void *, const uint8_t *, size_t);

struct gwio {
	int			 udp;
	int			 tun;
	char			 tunname[IFNAMSIZ];
	struct mc_src6		 laddr;		/* our end, for captures */
	uint16_t		 lport;
	struct gw_accept	 acc;		/* Data from where */
	struct pcapw		*pc;		/* pcap-file, or NULL */
	uint64_t		 ctr[GWIO_CTR_MAX];
	struct ratelimit	 lim;
	struct ratelimit	 slim;		/* send failures */
	/* recvmmsg */
	struct mmsghdr		 msgs[GWIO_BATCH];
	struct iovec		 iov[GWIO_BATCH];
	struct sockaddr_in6	 from[GWIO_BATCH];	/* or _in */
	int			 v6;		/* the socket is dual-stack */
	uint8_t			*bufs;
};

int	 gwio_init(struct gwio *);
void	 gwio_free(struct gwio *);
int	 gwio_udp_open(struct gwio *, const struct gw_conf *);
void	 gwio_udp_rcvbuf(struct gwio *, unsigned);
int	 gwio_tun_open(struct gwio *, const struct gw_conf *);
int	 gwio_tun_configure(const struct gw_conf *, const char *);
int	 gwio_udp_read(struct gwio *, gwio_control_fn, void *);
void	 gwio_tun_read(struct gwio *, gwio_tun_fn, void *);
int	 gwio_tun_write(struct gwio *, const uint8_t *, size_t);
int	 gwio_send(struct gwio *, const struct mc_src6 *, uint16_t,
	    const uint8_t *, size_t);
void	 gwio_show_counters(const struct gwio *, struct emit *);

#endif
