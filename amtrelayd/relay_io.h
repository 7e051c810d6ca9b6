/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/* amtrelayd's sockets and data path (relay_io.c). */

#ifndef RELAY_IO_H
#define RELAY_IO_H

#include <sys/socket.h>

#include <netinet/in.h>

#include "amtrelayd.h"

#define RIO_IN_BATCH	64
#define RIO_OUT_BATCH	1024
#define RIO_PKT		2048

struct rio_jsock {
	int		 fd;
	unsigned	 n;
	uint32_t	*groups;	/* one membership per group here */
	int		 full;
};

struct rio_jent {
	uint32_t	 g;
	uint32_t	 s;
	int		 sock;
	struct rio_jent	*next;
};

struct pcapw;

struct rio {
	struct relay		*r;
	struct pcapw		*pc;			/* pcap-file, or NULL */
	const struct rl_conf	*conf;
	int			 ctl[1 + RL_MAX_DISC];	/* [0]: relay addr */
	uint32_t		 ctl_addr[1 + RL_MAX_DISC];
	int			 nctl;
	int			 pkt;			/* native in */
	int			 ifindex;
	struct rio_jsock	*js;
	int			 njs;
	unsigned		 jlimit;
	struct rio_jent		*jents[RL_HASH];
	/* receive side */
	struct mmsghdr		 in[RIO_IN_BATCH];
	struct iovec		 in_iov[RIO_IN_BATCH];
	char			 in_cmsg[RIO_IN_BATCH][64];
	uint8_t			*in_buf;
	/* send side */
	struct mmsghdr		 out[RIO_OUT_BATCH];
	struct iovec		 out_iov[RIO_OUT_BATCH][2];
	struct sockaddr_in	 out_to[RIO_OUT_BATCH];
	unsigned		 nout;
};

int	 rio_init(struct rio *, const struct rl_conf *);
int	 rio_open_native(struct rio *);
void	 rio_close(struct rio *);
void	 rio_native_read(struct rio *);
int	 rio_send(struct rio *, int, uint32_t, uint16_t, const uint8_t *,
	    size_t);
int	 rio_join(struct rio *, uint32_t, uint32_t);
void	 rio_leave(struct rio *, uint32_t, uint32_t);
void	 rio_raise_limits(void);

#endif
