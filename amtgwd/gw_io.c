/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd's sockets: the UDP socket towards the relay and the TUN
 * device.  The receive path reads the UDP socket in batches with
 * recvmmsg(2); Multicast Data goes straight to the TUN after
 * gw_data_check(), with no allocation and no logging per packet, and
 * everything else goes to the state machine.
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amtgwd.h"
#include "gw_io.h"
#include "pcapw.h"
#include "tun.h"
#include "util.h"

/* Open and bind the UDP socket described by c. */
int
gwio_udp_open(const struct gw_conf *c)
{
	struct sockaddr_in	 sin;
	int			 s, sz = (int)c->rcvbuf_kb * 1024;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("socket");
		return -1;
	}
	/* A large buffer absorbs bursts; FORCE works past rmem_max. */
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1 &&
	    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)) == -1)
		log_warn("SO_RCVBUF %d", sz);
	if (c->ifname[0] != '\0' && setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE,
	    c->ifname, (socklen_t)strlen(c->ifname)) == -1) {
		log_warn("SO_BINDTODEVICE %s", c->ifname);
		close(s);
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(c->local_addr);
	sin.sin_port = htons((uint16_t)c->local_port);
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		log_warn("bind %s:%u", addr4_ntoa(c->local_addr),
		    c->local_port);
		close(s);
		return -1;
	}
	return s;
}

/* The local port the UDP socket ended up with. */
uint16_t
gwio_udp_port(int s)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	if (getsockname(s, (struct sockaddr *)&sin, &len) == -1)
		return 0;
	return ntohs(sin.sin_port);
}

/* The local address the UDP socket is bound to (0: any). */
uint32_t
gwio_udp_addr(int s)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	if (getsockname(s, (struct sockaddr *)&sin, &len) == -1)
		return 0;
	return ntohl(sin.sin_addr.s_addr);
}

/* Create the TUN device and configure it as c says. */
int
gwio_tun_open(const struct gw_conf *c, char name[IFNAMSIZ])
{
	int	 fd;

	if ((fd = tun_open(c->tunnel, name)) == -1) {
		log_warn("cannot create TUN device %s", c->tunnel);
		return -1;
	}
	if (gwio_tun_configure(c, name) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* MTU, optional address, up, reverse-path filter off. */
int
gwio_tun_configure(const struct gw_conf *c, const char *name)
{
	if (if_set_mtu(name, (int)c->tunnel_mtu) == -1) {
		log_warn("%s: cannot set MTU %u", name, c->tunnel_mtu);
		return -1;
	}
	if (c->tunnel_addr_set && if_set_addr4(name, c->tunnel_addr,
	    c->tunnel_plen) == -1) {
		log_warn("%s: cannot set address %s/%u", name,
		    addr4_ntoa(c->tunnel_addr), c->tunnel_plen);
		return -1;
	}
	if (if_set_up(name) == -1) {
		log_warn("%s: cannot bring up", name);
		return -1;
	}
	(void)rp_filter_setup(name);
	return 0;
}

/* Receive buffers for recvmmsg, set up once. */
int
gwio_batch_init(struct gwio_batch *b)
{
	unsigned	 i;

	memset(b, 0, sizeof(*b));
	if ((b->bufs = calloc(GWIO_BATCH, GW_PKT_MAX)) == NULL)
		return -1;
	for (i = 0; i < GWIO_BATCH; i++) {
		b->iov[i].iov_base = b->bufs + (size_t)i * GW_PKT_MAX;
		b->iov[i].iov_len = GW_PKT_MAX;
		b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
		b->msgs[i].msg_hdr.msg_name = &b->from[i];
	}
	return 0;
}

void
gwio_batch_free(struct gwio_batch *b)
{
	free(b->bufs);
	b->bufs = NULL;
}

/*
 * Drain the UDP socket: data to the TUN, control to the state machine.
 * Returns 1 if a control message was handled (timers may have moved).
 * At most GWIO_ROUNDS batches per call, to stay fair to the TUN.
 */
int
gwio_udp_read(struct gw *gw, struct gwio_batch *b, int udp, int tun)
{
	struct mmsghdr	*mm;
	const uint8_t	*p;
	size_t		 off, len;
	uint32_t	 src;
	uint16_t	 sport;
	enum gw_ctr	 r;
	int		 n, i, round, control = 0;
	uint64_t	 pkts = 0, bytes = 0;

	for (round = 0; round < GWIO_ROUNDS; round++) {
		for (i = 0; i < GWIO_BATCH; i++)
			b->msgs[i].msg_hdr.msg_namelen = sizeof(b->from[i]);
		n = recvmmsg(udp, b->msgs, GWIO_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			mm = &b->msgs[i];
			p = b->bufs + (size_t)i * GW_PKT_MAX;
			len = mm->msg_len;
			src = ntohl(b->from[i].sin_addr.s_addr);
			sport = ntohs(b->from[i].sin_port);
			if (mm->msg_hdr.msg_flags & MSG_TRUNC) {
				gw->ctr[GW_CTR_DATA_TRUNCATED]++;
				continue;
			}
			if (len == 0 || p[0] != AMT_DATA) {
				if (pcapw_on(b->pc))
					pcapw_udp(b->pc, src, sport, b->laddr,
					    b->lport, NULL, 0, p, len);
				gw_recv_amt(gw, mono_ms(), src, sport, p, len);
				control = 1;
				continue;
			}
			r = gw_data_check(gw, src, sport, p, len, &off, &len);
			if (r != GW_CTR_DATA_RCVD) {
				gw->ctr[r]++;
				if (log_debug_enabled())
					log_debug_rl(&gw->rl, "data from "
					    "%s:%u dropped: %s",
					    addr4_ntoa(src), sport,
					    gw_ctr_names[r]);
				continue;
			}
			if (pcapw_on(b->pc) && b->pc->data)
				pcapw_udp(b->pc, src, sport, b->laddr, b->lport,
				    NULL, 0, p, off + len);
			if (write(tun, p + off, len) == -1) {
				gw->ctr[GW_CTR_DATA_TUN_ERR]++;
				continue;
			}
			pkts++;
			bytes += len;
		}
		if (n < GWIO_BATCH)
			break;
	}
	gw->ctr[GW_CTR_DATA_RCVD] += pkts;
	gw->ctr[GW_CTR_DATA_BYTES] += bytes;
	return control;
}

/* Read what the host stack wrote into the TUN. */
void
gwio_tun_read(struct gw *gw, int tun)
{
	uint8_t	 pkt[GW_PKT_MAX];
	ssize_t	 n;
	int	 i;

	for (i = 0; i < 64; i++) {
		if ((n = read(tun, pkt, sizeof(pkt))) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				gw->ctr[GW_CTR_TUN_READ_ERR]++;
			return;
		}
		gw_tun_packet(gw, mono_ms(), pkt, (size_t)n);
	}
}

/* gw_ops.send: one datagram to addr:port. */
int
gwio_sendto(int s, uint32_t addr, uint16_t port, const uint8_t *p,
    size_t len)
{
	struct sockaddr_in	 sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	sin.sin_port = htons(port);
	if (sendto(s, p, len, 0, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		log_debug("sendto %s:%u: %s", addr4_ntoa(addr), port,
		    strerror(errno));
		return -1;
	}
	return 0;
}
