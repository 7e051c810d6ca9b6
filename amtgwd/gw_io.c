/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd's sockets: the UDP socket towards the relay and the TUN
 * device.  The receive path reads the UDP socket in batches with
 * recvmmsg(2); a Multicast Data message from the relay goes straight
 * into the TUN once the codec has found its datagram good
 * (amt_data_view()), with no allocation and no logging per packet, and
 * every drop counted by reason; everything else goes to the control
 * callback.  The TUN is written here only, by the data path and for
 * the state machine's queries (gwio_tun_write()).
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "amt_proto.h"
#include "emit.h"
#include "gw_io.h"
#include "pcapw.h"
#include "tun.h"

static const char *const gwio_ctr_names[GWIO_CTR_MAX] = {
	[GWIO_CTR_DATA] = "data-packets",
	[GWIO_CTR_BYTES] = "data-bytes",
	[GWIO_CTR_NOT_RELAY] = "data-not-from-relay",
	[GWIO_CTR_NOT_SERVED] = "data-source-not-served",
	[GWIO_CTR_SHORT] = "data-short",
	[GWIO_CTR_NOT_IP] = "data-not-ip",
	[GWIO_CTR_BAD_LEN] = "data-bad-length",
	[GWIO_CTR_NOT_MCAST] = "data-not-multicast",
	[GWIO_CTR_TRUNCATED] = "data-truncated",
	[GWIO_CTR_TUN_WRITE_ERR] = "data-tun-write-error",
	[GWIO_CTR_TUN_READ_ERR] = "tun-read-error",
};

/* The counter of each codec verdict. */
static const enum gwio_ctr verdict_ctr[] = {
	[AMT_DATA_OK] = GWIO_CTR_DATA,
	[AMT_DATA_SHORT] = GWIO_CTR_SHORT,
	[AMT_DATA_NOT_IP] = GWIO_CTR_NOT_IP,
	[AMT_DATA_BAD_LEN] = GWIO_CTR_BAD_LEN,
	[AMT_DATA_NOT_MCAST] = GWIO_CTR_NOT_MCAST,
};

/* Receive buffers for recvmmsg, set up once; no sockets yet. */
int
gwio_init(struct gwio *io)
{
	unsigned	 i;

	memset(io, 0, sizeof(*io));
	io->udp = io->tun = -1;
	io->lim = (struct ratelimit)RATELIMIT_INIT(1000, 10);
	io->slim = (struct ratelimit)RATELIMIT_INIT(10000, 2);
	if ((io->bufs = calloc(GWIO_BATCH, GWIO_PKT_MAX)) == NULL)
		return -1;
	for (i = 0; i < GWIO_BATCH; i++) {
		io->iov[i].iov_base = io->bufs + (size_t)i * GWIO_PKT_MAX;
		io->iov[i].iov_len = GWIO_PKT_MAX;
		io->msgs[i].msg_hdr.msg_iov = &io->iov[i];
		io->msgs[i].msg_hdr.msg_iovlen = 1;
		io->msgs[i].msg_hdr.msg_name = &io->from[i];
	}
	return 0;
}

/* Close everything; the TUN device goes away with its descriptor. */
void
gwio_free(struct gwio *io)
{
	if (io->udp != -1)
		close(io->udp);
	if (io->tun != -1)
		close(io->tun);
	free(io->bufs);
	io->bufs = NULL;
	io->udp = io->tun = -1;
}

/* The receive buffer: a large one absorbs bursts. */
static void
set_rcvbuf(int s, unsigned kb)
{
	int	 sz = (int)kb * 1024;

	/* FORCE works past net.core.rmem_max, with CAP_NET_ADMIN. */
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1 &&
	    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)) == -1)
		log_warn("receive-buffer %u: SO_RCVBUF", kb);
}

/* receive-buffer, changed on reload. */
void
gwio_udp_rcvbuf(struct gwio *io, unsigned kb)
{
	set_rcvbuf(io->udp, kb);
}

/*
 * Open and bind the UDP socket c describes; it replaces any old one.
 * One socket for relays of both families: IPv6, dual-stack, so that
 * an IPv4 relay is ::ffff:a.b.c.d as the state machines name it; with
 * UDP_NO_CHECK6_RX, because Data over IPv6 may come with a zero UDP
 * checksum (RFC 7450 4.2.2.3), which Linux drops otherwise.  A kernel
 * without IPv6 gets an IPv4 socket, and IPv4 relays only.
 */
int
gwio_udp_open(struct gwio *io, const struct gw_conf *c)
{
	struct sockaddr_in6	 sin6;
	struct sockaddr_in	*sin = (struct sockaddr_in *)(void *)&sin6;
	socklen_t		 len = sizeof(sin6);
	int			 s, zero = 0, one = 1, v6 = 1;

	if ((s = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 && (errno != EAFNOSUPPORT || !mc_src6_is_v4(
	    &c->local_addr) || (v6 = 0, s = socket(AF_INET, SOCK_DGRAM |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)) {
		log_warn("socket");
		return -1;
	}
	if (v6 && (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
	    sizeof(zero)) == -1 || setsockopt(s, IPPROTO_UDP, UDP_NO_CHECK6_RX,
	    &one, sizeof(one)) == -1))
		log_warn("IPV6_V6ONLY, UDP_NO_CHECK6_RX");
	set_rcvbuf(s, c->rcvbuf_kb);
	if (c->ifname[0] != '\0' && setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE,
	    c->ifname, (socklen_t)strlen(c->ifname)) == -1) {
		log_warn("SO_BINDTODEVICE %s", c->ifname);
		close(s);
		return -1;
	}
	memset(&sin6, 0, sizeof(sin6));
	if (v6) {
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, c->local_addr.a, 16);
		sin6.sin6_port = htons((uint16_t)c->local_port);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(mc_src6_to_v4(&c->local_addr));
		sin->sin_port = htons((uint16_t)c->local_port);
	}
	if (bind(s, (struct sockaddr *)&sin6, v6 ? sizeof(sin6) :
	    sizeof(*sin)) == -1 || getsockname(s, (struct sockaddr *)&sin6,
	    &len) == -1) {
		log_warn("bind %s port %u", mc_src6_is_any(&c->local_addr) ?
		    "*" : addr6_ntoa(c->local_addr.a), c->local_port);
		close(s);
		return -1;
	}
	if (io->udp != -1)
		close(io->udp);
	io->udp = s;
	io->v6 = v6;
	if (v6)
		memcpy(io->laddr.a, &sin6.sin6_addr, sizeof(io->laddr.a));
	else
		io->laddr = mc_src6_v4(ntohl(sin->sin_addr.s_addr));
	io->lport = ntohs(sin6.sin6_port);
	return 0;
}

/* Create the TUN device c names; it replaces any old one. */
int
gwio_tun_open(struct gwio *io, const struct gw_conf *c)
{
	char	 name[IFNAMSIZ];
	int	 fd;

	if ((fd = tun_open(c->tunnel, name)) == -1) {
		if (errno == EBUSY)
			log_warnx("cannot create TUN device %s: it is in use "
			    "(is another amtgwd running? or set 'tunnel')",
			    c->tunnel);
		else
			log_warn("cannot create TUN device %s", c->tunnel);
		return -1;
	}
	if (gwio_tun_configure(c, name) == -1) {
		close(fd);
		return -1;
	}
	if (io->tun != -1)
		close(io->tun);
	io->tun = fd;
	memcpy(io->tunname, name, IFNAMSIZ);
	return 0;
}

/* MTU, optional address, up, reverse-path filter off. */
int
gwio_tun_configure(const struct gw_conf *c, const char *name)
{
	if (if_set_mtu(name, (int)c->tunnel_mtu) == -1) {
		log_warn("%s: cannot set MTU %u", name, c->tunnel_mtu);
		return -1;
	}
	if (c->tunnel_addr.len != 0 && if_set_addr4(name, c->tunnel_addr.addr,
	    c->tunnel_addr.len) == -1) {
		log_warn("%s: cannot set address %s/%u", name,
		    addr4_ntoa(c->tunnel_addr.addr), c->tunnel_addr.len);
		return -1;
	}
	if (if_set_up(name) == -1) {
		log_warn("%s: cannot bring up", name);
		return -1;
	}
	(void)rp_filter_setup(name);
	return 0;
}

/* A datagram into the TUN: the only write to it. */
int
gwio_tun_write(struct gwio *io, const uint8_t *p, size_t len)
{
	return write(io->tun, p, len) == (ssize_t)len ? 0 : -1;
}

static const enum gwio_ctr verdict_of[] = {
	[GW_DATA_OK] = GWIO_CTR_DATA,
	[GW_DATA_NOT_RELAY] = GWIO_CTR_NOT_RELAY,
	[GW_DATA_NOT_SERVED] = GWIO_CTR_NOT_SERVED,
};

/* A sender's address as the state machines name it (IPv4 mapped). */
static struct mc_src6
from_key(const struct sockaddr_in6 *f)
{
	const struct sockaddr_in	*sin =
	    (const struct sockaddr_in *)(const void *)f;
	struct mc_src6			 k;

	if (f->sin6_family == AF_INET)
		return mc_src6_v4(ntohl(sin->sin_addr.s_addr));
	memcpy(k.a, &f->sin6_addr, 16);
	return k;
}

/*
 * Our end of a datagram with peer, as a capture shows it: the address
 * the socket is bound to, or the unspecified address of the peer's
 * family (a dual-stack socket bound to :: talks to IPv4 relays too).
 */
static const uint8_t *
cap_local(const struct gwio *io, const struct mc_src6 *peer)
{
	static const struct mc_src6	 any6, any4 = { { [10] = 0xff,
	    [11] = 0xff } };

	if (mc_src6_is_v4(&io->laddr) == mc_src6_is_v4(peer))
		return io->laddr.a;
	return mc_src6_is_v4(peer) ? any4.a : any6.a;
}

/* One Multicast Data message of the batch: into the TUN, or counted. */
static void
data_in(struct gwio *io, const struct mc_src6 *src, uint16_t sport,
    const uint8_t *p, size_t n)
{
	enum amt_data_err	 v;
	enum gwio_ctr		 c = GWIO_CTR_NOT_RELAY;
	struct mc_src6		 s;
	size_t			 off, len;

	v = amt_data_view(p, n, &off, &len);
	if (sport == AMT_PORT) {
		/* The datagram's source (a valid view holds its header). */
		memset(&s, 0, sizeof(s));
		if (v == AMT_DATA_OK && p[off] >> 4 == 4)
			s = mc_src6_v4(be32_load(p + off + 12));
		else if (v == AMT_DATA_OK)
			memcpy(s.a, p + off + 8, sizeof(s.a));
		c = verdict_of[gw_accept_data(&io->acc, src, &s)];
	}
	if (c != GWIO_CTR_NOT_RELAY && v != AMT_DATA_OK)
		c = verdict_ctr[v];
	if (c != GWIO_CTR_DATA) {
		io->ctr[c]++;
		if (log_packet_enabled())
			log_debug_rl(&io->lim, "data from %s port %u dropped: "
			    "%s", addr6_ntoa(src->a), sport,
			    gwio_ctr_names[c]);
		return;
	}
	if (pcapw_on(io->pc) && io->pc->data)
		pcapw_udp(io->pc, src->a, sport, cap_local(io, src),
		    io->lport, NULL, 0, p, off + len);
	if (gwio_tun_write(io, p + off, len) == -1) {
		io->ctr[GWIO_CTR_TUN_WRITE_ERR]++;
		return;
	}
	io->ctr[GWIO_CTR_DATA]++;
	io->ctr[GWIO_CTR_BYTES] += len;
}

/*
 * Drain the UDP socket: data to the TUN, control to the callback.
 * Returns the number of control messages handed over.  At most
 * GWIO_ROUNDS batches per call, to stay fair to the TUN.
 */
int
gwio_udp_read(struct gwio *io, gwio_control_fn control, void *arg)
{
	const uint8_t	*p;
	size_t		 len;
	struct mc_src6	 src;
	uint16_t	 sport;
	int		 n, i, round, ncontrol = 0;

	for (round = 0; round < GWIO_ROUNDS; round++) {
		for (i = 0; i < GWIO_BATCH; i++)
			io->msgs[i].msg_hdr.msg_namelen = sizeof(io->from[i]);
		n = recvmmsg(io->udp, io->msgs, GWIO_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			p = io->bufs + (size_t)i * GWIO_PKT_MAX;
			len = io->msgs[i].msg_len;
			src = from_key(&io->from[i]);
			sport = ntohs(io->from[i].sin6_port);
			if (io->msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
				io->ctr[GWIO_CTR_TRUNCATED]++;
			else if (amt_is_data(p, len))
				data_in(io, &src, sport, p, len);
			else {
				if (pcapw_on(io->pc))
					pcapw_udp(io->pc, src.a, sport,
					    cap_local(io, &src), io->lport,
					    NULL, 0, p, len);
				control(arg, &src, sport, p, len);
				ncontrol++;
			}
		}
		if (n < GWIO_BATCH)
			break;
	}
	return ncontrol;
}

/* Read what the host stack wrote into the TUN; each to the callback. */
void
gwio_tun_read(struct gwio *io, gwio_tun_fn cb, void *arg)
{
	ssize_t	 n;
	int	 i;

	for (i = 0; i < GWIO_TUN_DRAIN; i++) {
		if ((n = read(io->tun, io->bufs, GWIO_PKT_MAX)) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				io->ctr[GWIO_CTR_TUN_READ_ERR]++;
			return;
		}
		cb(arg, io->bufs, (size_t)n);
	}
}

/* What an operator can do about a control message the kernel refused. */
static const char *
send_hint(int err, int v6)
{
	switch (err) {
	case ENETUNREACH:
	case EHOSTUNREACH:
		return v6 ? "this host has no IPv6 route to it: give it one, "
		    "or configure an IPv4 relay or discovery address" :
		    "this host has no route to it: check its routes "
		    "(ip route get ADDRESS)";
	case EADDRNOTAVAIL:
		return "the local address is gone: check local-address and "
		    "the interface's addresses";
	case EPERM:
	case EACCES:
		return "a local firewall rule refuses it: allow UDP to port "
		    "2268 out";
	case ENOBUFS:
	case EAGAIN:
		return "the socket's send buffer is full: raise "
		    "net.core.wmem_default";
	default:
		return "";
	}
}

/*
 * One control message to addr:port.  A refusal is a warning naming what
 * to fix (rate-limited: the state machine retries at its own pace) and
 * -1, which the caller counts.
 */
int
gwio_send(struct gwio *io, const struct mc_src6 *addr, uint16_t port,
    const uint8_t *p, size_t len)
{
	struct sockaddr_in6	 sin6;
	struct sockaddr_in	*sin = (struct sockaddr_in *)(void *)&sin6;
	socklen_t		 sl = sizeof(sin6);
	const char		*hint;
	int			 v4 = mc_src6_is_v4(addr), err;

	if (pcapw_on(io->pc))
		pcapw_udp(io->pc, cap_local(io, addr), io->lport, addr->a,
		    port, NULL, 0, p, len);
	memset(&sin6, 0, sizeof(sin6));
	if (io->v6) {
		sin6.sin6_family = AF_INET6;
		memcpy(&sin6.sin6_addr, addr->a, 16);
		sin6.sin6_port = htons(port);
	} else if (v4) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(mc_src6_to_v4(addr));
		sin->sin_port = htons(port);
		sl = sizeof(*sin);
	} else {
		log_warnx_rl(&io->slim, "cannot send to %s: the socket is "
		    "IPv4 only (an IPv4 local-address, or no IPv6 in the "
		    "kernel): configure an IPv4 relay or discovery address, "
		    "or an IPv6 local-address", addr6_ntoa(addr->a));
		return -1;
	}
	if (sendto(io->udp, p, len, 0, (struct sockaddr *)&sin6, sl) == -1) {
		err = errno;
		hint = send_hint(err, !v4);
		log_warnx_rl(&io->slim, "cannot send to %s port %u: %s%s%s",
		    addr6_ntoa(addr->a), port, strerror(err),
		    *hint != '\0' ? "; " : "", hint);
		return -1;
	}
	return 0;
}

/* The data path's counters, into an open "counters" object. */
void
gwio_show_counters(const struct gwio *io, struct emit *e)
{
	unsigned	 i;

	for (i = 0; i < GWIO_CTR_MAX; i++)
		emit_u64(e, gwio_ctr_names[i], io->ctr[i]);
}
