/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtrelayd's sockets (relay_io.c): the control sockets and their
 * receive loop, the native joins, and the data path from the upstream
 * interface to the gateways.
 */

#ifndef RELAY_IO_H
#define RELAY_IO_H

#include <sys/socket.h>

#include <netinet/in.h>

#include "relay.h"

#define RIO_IN_BATCH	64	/* datagrams per recvmmsg */
#define RIO_IN_ROUNDS	16	/* recvmmsg batches per wake-up at most */
#define RIO_OUT_BATCH	1024	/* Data messages per sendmmsg */
#define RIO_PKT		2048	/* largest native datagram read */
#define RIO_CTL_DRAIN	256	/* control messages per wake-up at most */
#define RIO_CTL_MAX	2048	/* largest control message read */
#define RIO_PKT_RCVBUF	(8 << 20)	/* packet socket receive buffer */
/*
 * Data messages one wake-up sends at most (about 0.1 s of a core), so
 * that control messages, which come first in the loop, never wait
 * long behind a big fan-out: the datagrams read per wake-up follow the
 * recent fan-out.
 */
#define RIO_OUT_BUDGET	32768

/* What happened to the native datagrams. */
enum rio_ctr {
	RIO_CTR_DATA_IN,
	RIO_CTR_DATA_OUT,
	RIO_CTR_NO_MEMBER,
	RIO_CTR_TOO_BIG,
	RIO_CTR_ICMP_SENT,
	RIO_CTR_ICMP_LIMITED,
	RIO_CTR_FRAGMENTED,
	RIO_CTR_SEND_ERR,
	RIO_CTR_SEND_MSGSIZE,
	RIO_CTR_SEND_FULL,
	RIO_CTR_SEND_REFUSED,
	RIO_CTR_UNREACHABLE,
	RIO_CTR_CSUM_FIXED,
	RIO_CTR_NOT_IP,
	RIO_CTR_IN_DROPPED,
	RIO_CTR_MAX
};

#define RIO_ICMP_PER_SEC	10	/* fragmentation-needed messages */

/* A control message: socket index, source address and port, bytes. */
typedef void	 (*rio_control_fn)(void *, int, const struct mc_src6 *,
		    uint16_t, const uint8_t *, size_t);
/* ICMP port unreachable from a gateway: its address and port. */
typedef void	 (*rio_unreach_fn)(void *, const struct mc_src6 *, uint16_t);

/* Data messages waiting for one relay socket's sendmmsg. */
struct rio_out {
	int			 sock;		/* into ctl; -1: none */
	struct mmsghdr		 m[RIO_OUT_BATCH];
	struct iovec		 iov[RIO_OUT_BATCH][2];
	struct sockaddr_in6	 to[RIO_OUT_BATCH];	/* or _in */
	unsigned		 n;
};

#define RIO_NCTL	(2 + RELAY_MAX_DISC)	/* relay addresses first */

/* A socket holding native memberships of one family. */
struct rio_jsock {
	int		 fd;
	int		 v6;
	unsigned	 n;
	struct mc_src6	*groups;	/* one membership per group here */
	int		 full;
};

struct rio_jent {
	struct mc_src6	 g;
	struct mc_src6	 s;		/* all zeros: (*,G) */
	int		 sock;
	struct rio_jent	*next;
};

struct pcapw;

struct rio {
	struct relay		*r;
	struct pcapw		*pc;			/* pcap-file, or NULL */
	const struct relay_conf	*conf;
	int			 ctl[RIO_NCTL];
	struct ipaddr		 ctl_addr[RIO_NCTL];
	int			 nctl;
	int			 pkt;			/* native in */
	int			 icmp;			/* ICMP out */
	int			 icmp6;			/* ICMPv6 out */
	struct ratelimit	 icmp_lim;
	struct ratelimit	 lim;
	int			 ifindex;
	struct rio_jsock	*js;
	int			 njs;
	unsigned		 jlimit;
	struct rio_jent		*jents[RELAY_HASH];
	/* receive side */
	struct mmsghdr		 in[RIO_IN_BATCH];
	struct iovec		 in_iov[RIO_IN_BATCH];
	char			 in_cmsg[RIO_IN_BATCH][96];
	uint32_t		 ovfl;		/* the kernel's drop count */
	unsigned		 fanout;	/* recent messages per datagram */
	unsigned		 rotor;		/* where a fan-out starts */
	uint8_t			*in_buf;
	/* send side: [0] to IPv4 gateways, [1] to IPv6 ones */
	struct rio_out		 out[2];
	uint64_t		 ctr[RIO_CTR_MAX];
};

struct emit;

int	 rio_init(struct rio *, const struct relay_conf *);
int	 rio_open_native(struct rio *);
void	 rio_close(struct rio *);
void	 rio_native_read(struct rio *);
int	 rio_ctl_read(struct rio *, int, rio_control_fn, void *);
void	 rio_show_counters(const struct rio *, struct emit *);
int	 rio_send(struct rio *, int, const struct mc_src6 *, uint16_t,
	    const uint8_t *, size_t);
void	 rio_errors(struct rio *, int, rio_unreach_fn, void *);
int	 rio_join(struct rio *, const struct mc_src6 *, const struct mc_src6 *);
void	 rio_leave(struct rio *, const struct mc_src6 *,
	    const struct mc_src6 *);
void	 rio_raise_limits(void);

#endif
