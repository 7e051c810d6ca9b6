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

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "ifstat.h"
#include "ip4.h"
#include "ip6.h"
#include "mld_proto.h"
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

/*
 * What multicast routing sent to a VIF, and what the interface then
 * transmitted of IPv4 (ifstat.h), so that an IPv6 stream on the same
 * LAN does not hide IPv4 drops.
 */
static int
os_out_counts(void *arg, int vif, const char *ifname, uint64_t *routed,
    uint64_t *sent)
{
	if (mr_vif_out(((struct pxio *)arg)->mr, vif, routed) == -1)
		return -1;
	return ifstat_tx4(ifname, sent);
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

/* ---- IPv6 ---- */

/*
 * The packet socket MLD comes and goes by: IPv6 whose first extension
 * is a Hop-by-Hop header followed by ICMPv6 (where every MLD message
 * has its Router Alert), or an MLD message with no extension at all
 * (no Router Alert: the codec refuses it and it is counted); not our
 * own transmissions; any interface.  The codec checks the rest.
 */
static int
open_mld_packet(void)
{
	static struct sock_filter code[] = {
		/* 0 */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 10, 0),
		/* 2: Hop-by-Hop, then ICMPv6 */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IP6_NH_HOPOPTS, 0, 2),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_HDR_LEN),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IP6_NH_ICMP6, 7, 6),
		/* 6: ICMPv6 at once, of an MLD type */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IP6_NH_ICMP6, 0, 5),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_HDR_LEN),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MLD_QUERY, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MLD_V1_REPORT, 3, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MLD_V1_DONE, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MLD_V2_REPORT, 1, 0),
		/* 12: drop; 13: accept */
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 65535),
	};
	struct sock_fprog	 prog = { sizeof(code) / sizeof(code[0]), code };
	int			 s, sz = PXIO_RCVBUF;

	if ((s = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(ETH_P_IPV6))) == -1) {
		log_warn("MLD packet socket");
		return -1;
	}
	if (setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1) {
		log_warn("MLD packet socket filter");
		close(s);
		return -1;
	}
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return s;
}

int
pxio6_open(struct pxio6 *io, unsigned table)
{
	memset(io, 0, sizeof(*io));
	io->pkt = io->join = -1;
	if ((io->mr = mr6_open(table, PXIO_RCVBUF)) == -1)
		return -1;
	if ((io->pkt = open_mld_packet()) == -1 ||
	    (io->join = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) ==
	    -1) {
		pxio6_close(io);
		return -1;
	}
	return 0;
}

void
pxio6_close(struct pxio6 *io)
{
	if (io->mr != -1)
		mr6_close(io->mr);
	if (io->pkt != -1)
		close(io->pkt);
	if (io->join != -1)
		close(io->join);
	io->mr = io->pkt = io->join = -1;
}

/* Drain the mroute6 socket: upcalls (nothing else passes its filter). */
unsigned
pxio6_read_upcalls(struct pxio6 *io, struct proxy *px, uint64_t now)
{
	struct mrt6_msg	 u;
	ssize_t		 n;
	unsigned	 i;

	for (i = 0; i < PXIO_DRAIN; i++) {
		if ((n = recv(io->mr, io->buf, sizeof(io->buf),
		    MSG_DONTWAIT)) == -1)
			break;
		if (mrt6_msg_decode(io->buf, (size_t)n, &u))
			px_upcall6(px, now, &u);
	}
	return i;
}

/* Drain the packet socket: MLD datagrams, with their interface. */
unsigned
pxio6_read_mld(struct pxio6 *io, struct proxy *px, uint64_t now)
{
	struct sockaddr_ll	 sll;
	socklen_t		 sl;
	ssize_t			 n;
	unsigned		 i;

	for (i = 0; i < PXIO_DRAIN; i++) {
		sl = sizeof(sll);
		if ((n = recvfrom(io->pkt, io->buf, sizeof(io->buf),
		    MSG_DONTWAIT, (struct sockaddr *)&sll, &sl)) == -1)
			break;
		px_packet6(px, now, sll.sll_ifindex, io->buf, (size_t)n);
	}
	return i;
}

/*
 * A whole IPv6 datagram (MLD, built by the codec) out of ifindex, to
 * the Ethernet group address of its destination (RFC 2464 7).
 */
static int
os6_send(void *arg, int ifindex, const uint8_t *p, size_t len)
{
	struct pxio6		*io = arg;
	struct sockaddr_ll	 sll;

	if (len < IP6_HDR_LEN)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IPV6);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = 6;
	sll.sll_addr[0] = 0x33;
	sll.sll_addr[1] = 0x33;
	memcpy(sll.sll_addr + 2, p + 24 + 12, 4);
	return sendto(io->pkt, p, len, 0, (struct sockaddr *)&sll,
	    sizeof(sll)) == -1 ? -1 : 0;
}

static int
os6_add_vif(void *arg, int mif, int ifindex)
{
	return mr6_add_mif(((struct pxio6 *)arg)->mr, mif, ifindex);
}

static int
os6_del_vif(void *arg, int mif)
{
	return mr6_del_mif(((struct pxio6 *)arg)->mr, mif);
}

static int
os6_mfc_add(void *arg, const struct mc_src6 *s, const struct mc_src6 *g,
    int iif, const uint8_t *ttls)
{
	return mr6_add_mfc(((struct pxio6 *)arg)->mr, s->a, g->a, iif, ttls,
	    PX_MAXVIFS);
}

static int
os6_mfc_del(void *arg, const struct mc_src6 *s, const struct mc_src6 *g,
    int iif)
{
	return mr6_del_mfc(((struct pxio6 *)arg)->mr, s->a, g->a, iif);
}

static int
os6_mfc_count(void *arg, const struct mc_src6 *s, const struct mc_src6 *g,
    uint64_t *pkts)
{
	return mr6_sg_count(((struct pxio6 *)arg)->mr, s->a, g->a, pkts);
}

static int
os6_join(void *arg, int ifindex)
{
	return mr6_join_routers(((struct pxio6 *)arg)->join, ifindex);
}

/* The same for a MIF, against the IPv6 multicast it transmitted. */
static int
os6_out_counts(void *arg, int mif, const char *ifname, uint64_t *routed,
    uint64_t *sent)
{
	if (mr6_mif_out(((struct pxio6 *)arg)->mr, mif, routed) == -1)
		return -1;
	return ifstat_tx6_mcast(ifname, sent);
}

const struct px_os pxio6_os = {
	os6_send, os6_add_vif, os6_del_vif, os6_mfc_add, os6_mfc_del,
	os6_mfc_count, os6_join, os_random, os6_out_counts,
};
