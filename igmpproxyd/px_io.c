/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd's sockets.  The mroute socket carries both the IGMP
 * datagrams of every interface (with IP_PKTINFO naming the interface)
 * and the kernel's upcalls; each is decoded by its codec and handed to
 * the engine.  IGMP leaves by a separate raw socket with the interface
 * chosen per datagram (IP_PKTINFO) and multicast loopback off.  The
 * engine's struct px_os is filled here, from this file and mroute.c.
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ip4.h"
#include "mroute.h"
#include "px_io.h"
#include "srcset6.h"
#include "util.h"

/* The raw socket IGMP is sent from: TTL 1, no loopback. */
static int
open_tx(void)
{
	int	 s, zero = 0, ttl = 1;

	if ((s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW)) ==
	    -1) {
		log_warn("raw send socket");
		return -1;
	}
	if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
	    sizeof(zero)) == -1 || setsockopt(s, IPPROTO_IP,
	    IP_MULTICAST_TTL, &ttl, sizeof(ttl)) == -1) {
		log_warn("raw send socket options");
		close(s);
		return -1;
	}
	return s;
}

/* The mroute socket of table (0: the default) and the send socket. */
int
pxio_open(struct pxio *io, unsigned table)
{
	memset(io, 0, sizeof(*io));
	io->tx = -1;
	if ((io->mr = mr_open(table, PXIO_RCVBUF)) == -1)
		return -1;
	if ((io->tx = open_tx()) == -1) {
		mr_close(io->mr);
		return -1;
	}
	return 0;
}

void
pxio_close(struct pxio *io)
{
	mr_close(io->mr);
	close(io->tx);
}

/* The arrival interface IP_PKTINFO names, 0 if none. */
static int
arrival_ifindex(struct msghdr *mh)
{
	struct cmsghdr		*cm;
	struct in_pktinfo	 pi;
	int			 ifindex = 0;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			ifindex = pi.ipi_ifindex;
		}
	return ifindex;
}

/*
 * Drain the mroute socket (at most PXIO_DRAIN datagrams): upcalls and
 * IGMP to the engine.  Returns how many were read; the caller then
 * flushes the engine once.
 */
unsigned
pxio_read(struct pxio *io, struct proxy *px, uint64_t now)
{
	char		 cbuf[256];
	struct iovec	 iov = { io->buf, sizeof(io->buf) };
	struct msghdr	 mh;
	struct mrt_msg	 u;
	ssize_t		 n;
	unsigned	 i;

	for (i = 0; i < PXIO_DRAIN; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(io->mr, &mh, MSG_DONTWAIT)) == -1)
			break;
		if (mrt_msg_decode(io->buf, (size_t)n, &u))
			px_upcall(px, now, &u);
		else
			px_packet(px, now, arrival_ifindex(&mh), io->buf,
			    (size_t)n);
	}
	return i;
}

/* ---- the engine's view of the OS ---- */

static int
os_send(void *arg, int ifindex, const uint8_t *p, size_t len)
{
	struct pxio		*io = arg;
	struct sockaddr_in	 dst;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct in_pktinfo	 pi;
	char			 cbuf[CMSG_SPACE(sizeof(pi))];
	struct cmsghdr		*cm;
	struct ip4_info		 ip;

	/* The destination from the datagram's own header. */
	if (ip4_view(p, len, &ip) != IP4_OK)
		return -1;
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_addr.s_addr = htonl(ip.dst);
	iov.iov_base = (void *)(uintptr_t)p;
	iov.iov_len = len;
	memset(&mh, 0, sizeof(mh));
	memset(cbuf, 0, sizeof(cbuf));
	mh.msg_name = &dst;
	mh.msg_namelen = sizeof(dst);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memset(&pi, 0, sizeof(pi));
	pi.ipi_ifindex = ifindex;
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	return sendmsg(io->tx, &mh, 0) == -1 ? -1 : 0;
}

static int
os_add_vif(void *arg, int vif, int ifindex)
{
	return mr_add_vif(((struct pxio *)arg)->mr, vif, ifindex);
}

static int
os_del_vif(void *arg, int vif)
{
	return mr_del_vif(((struct pxio *)arg)->mr, vif);
}

static int
os_mfc_add(void *arg, const struct mc_src6 *s, const struct mc_src6 *g,
    int iif, const uint8_t *ttls)
{
	return mr_add_mfc(((struct pxio *)arg)->mr, mc_src6_to_v4(s),
	    mc_src6_to_v4(g), iif, ttls, PX_MAXVIFS);
}

static int
os_mfc_del(void *arg, const struct mc_src6 *s, const struct mc_src6 *g,
    int iif)
{
	return mr_del_mfc(((struct pxio *)arg)->mr, mc_src6_to_v4(s),
	    mc_src6_to_v4(g), iif);
}

static int
os_mfc_count(void *arg, const struct mc_src6 *s, const struct mc_src6 *g,
    uint64_t *pkts)
{
	return mr_sg_count(((struct pxio *)arg)->mr, mc_src6_to_v4(s),
	    mc_src6_to_v4(g), pkts);
}

static int
os_join(void *arg, int ifindex)
{
	return mr_join_routers(((struct pxio *)arg)->mr, ifindex);
}

/* A counter in sysfs (readable after the privilege drop). */
static int
sysfs_u64(const char *ifname, const char *what, uint64_t *v)
{
	char			 path[96];
	FILE			*fp;
	unsigned long long	 x;
	int			 ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s",
	    ifname, what);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	ok = fscanf(fp, "%llu", &x) == 1;
	fclose(fp);
	if (!ok)
		return -1;
	*v = x;
	return 0;
}

static int
os_out_counts(void *arg, int vif, const char *ifname, uint64_t *routed,
    uint64_t *sent)
{
	if (mr_vif_out(((struct pxio *)arg)->mr, vif, routed) == -1)
		return -1;
	return sysfs_u64(ifname, "tx_packets", sent);
}

static uint32_t
os_random(void *arg)
{
	(void)arg;
	return rand_u32();
}

const struct px_os pxio_os = {
	os_send, os_add_vif, os_del_vif, os_mfc_add, os_mfc_del, os_mfc_count,
	os_join, os_random, os_out_counts,
};
