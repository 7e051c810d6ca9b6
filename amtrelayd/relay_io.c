/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The relay's sockets.  Control: UDP 2268 on the relay address and on
 * each discovery address (replies leave from the socket the message
 * came to).  Native multicast: joined through the kernel host stack on
 * the upstream interface, from a pool of plain UDP sockets packed up to
 * the kernel's per-socket limits, and received whole, IP header and
 * all, from a packet socket whose BPF filter keeps only incoming IPv4
 * multicast that is not IGMP.  Data path: recvmmsg a batch, look each
 * datagram's group up in the forwarding table, and queue one Multicast
 * Data message per interested gateway -- the 2-byte AMT header and the
 * datagram itself, by reference, no copy -- for sendmmsg.  Checksums
 * the kernel left to the NIC (TP_STATUS_CSUMNOTREADY) are completed
 * first.  Nothing is allocated or logged per packet.
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emit.h"
#include "ip4.h"
#include "ip6.h"
#include "pcapw.h"
#include "relay_io.h"
#include "tun.h"
#include "util.h"

static const uint8_t	 amt_data_hdr[2] = { AMT_DATA, 0 };

/* An address as the tables key it (IPv4 as ::ffff:a.b.c.d). */
static struct mc_src6
key_of(const struct ipaddr *x)
{
	struct mc_src6	 k;

	if (x->af == AF_INET)
		return mc_src6_v4(x->v4);
	memcpy(k.a, &x->v6, sizeof(k.a));
	return k;
}

/*
 * A control socket on addr:2268, of the address's family (IPv6 ones
 * IPv6 only).  A relay address's also carries the Data (df): DF set
 * (RFC 7450 5.3.3.6.3.1; IPv6 never fragments on the way), and ICMP
 * errors queued (IP_RECVERR, IPV6_RECVERR) so that a gateway that went
 * away is heard of; the kernel fills in the UDP checksum of every
 * datagram, which IPv6 requires (RFC 7450 4.2.2.3).  Both buffers get
 * bufsz: a crowd arrives together.
 */
static int
ctl_socket(const struct ipaddr *addr, int bufsz, int df)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	int			 s, one = 1, pmtu = IP_PMTUDISC_DO,
				 pmtu6 = IPV6_PMTUDISC_DO;
	int			 v6 = addr->af == AF_INET6;

	if ((s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("socket");
		return -1;
	}
	(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* An anycast discovery address may not be configured yet. */
	if (v6) {
		(void)setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
		(void)setsockopt(s, IPPROTO_IPV6, IPV6_FREEBIND, &one,
		    sizeof(one));
	} else
		(void)setsockopt(s, IPPROTO_IP, IP_FREEBIND, &one,
		    sizeof(one));
	if (setsockopt(s, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz,
	    sizeof(bufsz)) == -1)
		(void)setsockopt(s, SOL_SOCKET, SO_SNDBUF, &bufsz,
		    sizeof(bufsz));
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz,
	    sizeof(bufsz)) == -1)
		(void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &bufsz,
		    sizeof(bufsz));
	if (df && !v6 && (setsockopt(s, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
	    sizeof(pmtu)) == -1 || setsockopt(s, IPPROTO_IP, IP_RECVERR, &one,
	    sizeof(one)) == -1))
		log_warn("IP_MTU_DISCOVER, IP_RECVERR");
	if (df && v6 && (setsockopt(s, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
	    &pmtu6, sizeof(pmtu6)) == -1 || setsockopt(s, IPPROTO_IPV6,
	    IPV6_RECVERR, &one, sizeof(one)) == -1))
		log_warn("IPV6_MTU_DISCOVER, IPV6_RECVERR");
	ipaddr_to_sockaddr(addr, AMT_PORT, &ss, &sl);
	if (bind(s, (struct sockaddr *)&ss, sl) == -1) {
		log_warn("bind %s port %u", ipaddr_ntoa(addr), AMT_PORT);
		close(s);
		return -1;
	}
	return s;
}

/* One more control socket on a; its index, or -1. */
static int
ctl_add(struct rio *io, const struct ipaddr *a, int sz, int df)
{
	if (io->nctl == RIO_NCTL ||
	    (io->ctl[io->nctl] = ctl_socket(a, sz, df)) == -1)
		return -1;
	io->ctl_addr[io->nctl] = *a;
	return io->nctl++;
}

/* Raise the per-netns IGMP membership limits where we may. */
void
rio_raise_limits(void)
{
	int	 v;

	if (sysctl_read_int("/proc/sys/net/ipv4/igmp_max_memberships", &v) ==
	    0 && v < 1024 && sysctl_write_str(
	    "/proc/sys/net/ipv4/igmp_max_memberships", "1024") == 0)
		log_info("net.ipv4.igmp_max_memberships raised from %d to "
		    "1024", v);
	if (sysctl_read_int("/proc/sys/net/ipv4/igmp_max_msf", &v) == 0 &&
	    v < 1024 && sysctl_write_str("/proc/sys/net/ipv4/igmp_max_msf",
	    "1024") == 0)
		log_info("net.ipv4.igmp_max_msf raised from %d to 1024", v);
}

int
rio_init(struct rio *io, const struct relay_conf *c)
{
	unsigned	 i, k;
	int		 sz = (int)c->sndbuf_kb * 1024, v;

	struct ipaddr	 ra;
	int		 f;

	memset(io, 0, sizeof(*io));
	io->conf = c;
	io->pkt = io->icmp = io->icmp6 = -1;
	io->out[0].sock = io->out[1].sock = -1;
	memset(&ra, 0, sizeof(ra));
	if (c->relay != 0) {
		ra.af = AF_INET;
		ra.v4 = c->relay;
		if ((io->out[0].sock = ctl_add(io, &ra, sz, 1)) == -1)
			return -1;
	}
	if (c->has_relay6) {
		ra.af = AF_INET6;
		memcpy(&ra.v6, c->relay6, 16);
		if ((io->out[1].sock = ctl_add(io, &ra, sz, 1)) == -1)
			return -1;
	}
	/* ICMP fragmentation needed back to sources (RFC 7450 5.3.3.6.2.1). */
	/* And Packet Too Big to IPv6 sources (RFC 4443 3.2). */
	if ((io->icmp6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_ICMPV6)) == -1)
		log_warn("raw ICMPv6 socket: no packet-too-big messages");
	if ((io->icmp = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_ICMP)) == -1)
		log_warn("raw ICMP socket: no fragmentation-needed messages");
	io->icmp_lim = (struct ratelimit)RATELIMIT_INIT(1000,
	    RIO_ICMP_PER_SEC);
	io->lim = (struct ratelimit)RATELIMIT_INIT(10000, 5);
	for (i = 0; i < c->disc.n; i++) {
		for (k = 0; k < (unsigned)io->nctl; k++)
			if (ipaddr_eq(&io->ctl_addr[k], &c->disc.addr[i]))
				break;
		if (k < (unsigned)io->nctl)
			continue;	/* the relay address itself */
		if (ctl_add(io, &c->disc.addr[i], sz, 0) == -1)
			return -1;
	}
	io->jlimit = 20;
	if (sysctl_read_int("/proc/sys/net/ipv4/igmp_max_memberships", &v) ==
	    0 && v > 0)
		io->jlimit = (unsigned)v;
	if ((io->in_buf = malloc((size_t)RIO_IN_BATCH * RIO_PKT)) == NULL)
		return -1;
	for (k = 0; k < RIO_IN_BATCH; k++) {
		io->in_iov[k].iov_base = io->in_buf + (size_t)k * RIO_PKT;
		io->in_iov[k].iov_len = RIO_PKT;
		io->in[k].msg_hdr.msg_iov = &io->in_iov[k];
		io->in[k].msg_hdr.msg_iovlen = 1;
	}
	for (f = 0; f < 2; f++)
		for (k = 0; k < RIO_OUT_BATCH; k++) {
			struct rio_out	*o = &io->out[f];

			o->m[k].msg_hdr.msg_name = &o->to[k];
			o->m[k].msg_hdr.msg_namelen = f == 0 ?
			    sizeof(struct sockaddr_in) :
			    sizeof(struct sockaddr_in6);
			o->m[k].msg_hdr.msg_iov = o->iov[k];
			o->m[k].msg_hdr.msg_iovlen = 2;
			o->iov[k][0].iov_base = (void *)(uintptr_t)amt_data_hdr;
			o->iov[k][0].iov_len = sizeof(amt_data_hdr);
		}
	return 0;
}

/*
 * The packet socket on the upstream interface: incoming IPv4 multicast
 * that is not IGMP and IPv6 multicast that is neither ICMPv6 (MLD) nor
 * behind a Hop-by-Hop header, with PACKET_AUXDATA for the checksum
 * status.
 */
int
rio_open_native(struct rio *io)
{
	static struct sock_filter code[] = {
		/* 0: not our own transmissions. */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 13, 0),
		/* 2: IPv4 */
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF +
		    SKF_AD_PROTOCOL),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 5),
		/* 4: destination in 224/4, not IGMP. */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 16),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xe0, 0, 8),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 6, 7),
		/* 9: IPv6, destination in ff00::/8, not ICMPv6 or HBH. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 24),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xff, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		/* 15: drop; 16: accept. */
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 65535),
	};
	struct sock_fprog	 prog = { sizeof(code) / sizeof(code[0]), code };
	struct sockaddr_ll	 sll;
	int			 s, one = 1, sz = RIO_PKT_RCVBUF;

	if ((io->ifindex = (int)if_nametoindex(io->conf->upstream)) == 0) {
		log_warnx("upstream %s: no such interface (yet)",
		    io->conf->upstream);
		return -1;
	}
	if ((s = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(ETH_P_ALL))) == -1) {
		log_warn("packet socket");
		return -1;
	}
	if (setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) == -1 || setsockopt(s, SOL_PACKET, PACKET_AUXDATA,
	    &one, sizeof(one)) == -1 || setsockopt(s, SOL_SOCKET, SO_RXQ_OVFL,
	    &one, sizeof(one)) == -1) {
		log_warn("packet socket options");
		close(s);
		return -1;
	}
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = io->ifindex;
	if (bind(s, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		log_warn("bind packet socket to %s", io->conf->upstream);
		close(s);
		return -1;
	}
	io->pkt = s;
	return 0;
}

void
rio_close(struct rio *io)
{
	struct rio_jent	*e;
	unsigned	 h;
	int		 i;

	for (i = 0; i < io->nctl; i++)
		close(io->ctl[i]);
	if (io->pkt != -1)
		close(io->pkt);
	if (io->icmp != -1)
		close(io->icmp);
	if (io->icmp6 != -1)
		close(io->icmp6);
	for (i = 0; i < io->njs; i++) {
		close(io->js[i].fd);
		free(io->js[i].groups);
	}
	free(io->js);
	for (h = 0; h < RELAY_HASH; h++)
		while ((e = io->jents[h]) != NULL) {
			io->jents[h] = e->next;
			free(e);
		}
	free(io->in_buf);
}

/*
 * The socket address of endpoint a:port for a socket of family v6;
 * -1 if a is of the other family.
 */
static int
to_sockaddr(const struct mc_src6 *a, uint16_t port, int v6,
    struct sockaddr_in6 *to, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)(void *)to;

	memset(to, 0, sizeof(*to));
	if (!v6) {
		if (!mc_src6_is_v4(a))
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(mc_src6_to_v4(a));
		*len = sizeof(*sin);
		return 0;
	}
	if (mc_src6_is_v4(a))
		return -1;
	to->sin6_family = AF_INET6;
	to->sin6_port = htons(port);
	memcpy(&to->sin6_addr, a->a, 16);
	*len = sizeof(*to);
	return 0;
}

/* A control reply from socket sock. */
int
rio_send(struct rio *io, int sock, const struct mc_src6 *a, uint16_t port,
    const uint8_t *p, size_t len)
{
	struct sockaddr_in6	 to;
	socklen_t		 tl;

	if (sock < 0 || sock >= io->nctl || to_sockaddr(a, port,
	    io->ctl_addr[sock].af == AF_INET6, &to, &tl) == -1)
		return -1;
	if (pcapw_on(io->pc)) {
		struct mc_src6	 l = key_of(&io->ctl_addr[sock]);

		pcapw_udp(io->pc, l.a, AMT_PORT, a->a, port, NULL, 0, p, len);
	}
	if (sendto(io->ctl[sock], p, len, MSG_DONTWAIT,
	    (struct sockaddr *)&to, tl) == -1) {
		log_debug("sendto %s port %u: %s", addr6_ntoa(a->a), port,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- native joins through the host stack ---- */

static unsigned
jhash(const struct mc_src6 *g, const struct mc_src6 *s)
{
	uint32_t	 h = mc_src6_hash(g) ^ mc_src6_hash(s) * 2246822519U;

	return (h ^ h >> 13) % RELAY_HASH;
}

static int
js_has_group(const struct rio_jsock *j, const struct mc_src6 *g)
{
	unsigned	 i;

	for (i = 0; i < j->n; i++)
		if (mc_src6_eq(&j->groups[i], g))
			return 1;
	return 0;
}

/*
 * A socket of g's family that can take one more membership for g
 * (maybe a new one).
 */
static int
js_pick(struct rio *io, const struct mc_src6 *g)
{
	struct rio_jsock	*nv;
	int			 i, v6 = !mc_src6_is_v4(g);

	for (i = 0; i < io->njs; i++)
		if (io->js[i].v6 == v6 && !io->js[i].full &&
		    io->js[i].n < io->jlimit && !js_has_group(&io->js[i], g))
			return i;
	if ((nv = reallocarray(io->js, (size_t)io->njs + 1, sizeof(*nv))) ==
	    NULL)
		return -1;
	io->js = nv;
	memset(&io->js[io->njs], 0, sizeof(io->js[0]));
	io->js[io->njs].v6 = v6;
	if ((io->js[io->njs].groups = calloc(io->jlimit,
	    sizeof(struct mc_src6))) == NULL)
		return -1;
	if ((io->js[io->njs].fd = socket(v6 ? AF_INET6 : AF_INET,
	    SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		free(io->js[io->njs].groups);
		return -1;
	}
	return io->njs++;
}

static void
fill_sa(struct sockaddr_storage *ss, const struct mc_src6 *a)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (mc_src6_is_v4(a)) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(mc_src6_to_v4(a));
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->a, sizeof(a->a));
	}
}

static int
do_join(struct rio *io, int k, const struct mc_src6 *g,
    const struct mc_src6 *s, int leave)
{
	struct group_req	 gr;
	struct group_source_req	 gsr;
	int			 level = io->js[k].v6 ? IPPROTO_IPV6 :
	    IPPROTO_IP;

	if (mc_src6_is_any(s)) {
		memset(&gr, 0, sizeof(gr));
		gr.gr_interface = (uint32_t)io->ifindex;
		fill_sa(&gr.gr_group, g);
		return setsockopt(io->js[k].fd, level, leave ?
		    MCAST_LEAVE_GROUP : MCAST_JOIN_GROUP, &gr, sizeof(gr));
	}
	memset(&gsr, 0, sizeof(gsr));
	gsr.gsr_interface = (uint32_t)io->ifindex;
	fill_sa(&gsr.gsr_group, g);
	fill_sa(&gsr.gsr_source, s);
	return setsockopt(io->js[k].fd, level, leave ?
	    MCAST_LEAVE_SOURCE_GROUP : MCAST_JOIN_SOURCE_GROUP, &gsr,
	    sizeof(gsr));
}

/*
 * Join (S,G) or (*,G) (s NULL) on the upstream, of either family.  When
 * the kernel says a socket is full, another one is tried; a refusal is
 * returned, never fatal.
 */
int
rio_join(struct rio *io, const struct mc_src6 *g, const struct mc_src6 *s)
{
	static const struct mc_src6	 any;
	struct rio_jent			*e;
	int				 k, tries;

	if (s == NULL)
		s = &any;
	if (io->ifindex == 0)
		return -1;
	for (tries = 0; tries < 2; tries++) {
		if ((k = js_pick(io, g)) == -1)
			return -1;
		if (do_join(io, k, g, s, 0) == 0)
			break;
		if (errno != ENOBUFS) {
			log_warn("join (%s, %s)", s == &any ? "*" :
			    addr6_ntoa(s->a), addr6_ntoa(g->a));
			return -1;
		}
		io->js[k].full = 1;	/* the kernel's limit, not ours */
	}
	if (tries == 2 || (e = calloc(1, sizeof(*e))) == NULL)
		return -1;
	io->js[k].groups[io->js[k].n++] = *g;
	e->g = *g;
	e->s = *s;
	e->sock = k;
	e->next = io->jents[jhash(g, s)];
	io->jents[jhash(g, s)] = e;
	return 0;
}

void
rio_leave(struct rio *io, const struct mc_src6 *g, const struct mc_src6 *s)
{
	static const struct mc_src6	 any;
	struct rio_jent			**pp, *e;
	struct rio_jsock		*j;
	unsigned			 i;

	if (s == NULL)
		s = &any;
	for (pp = &io->jents[jhash(g, s)]; (e = *pp) != NULL; pp = &e->next)
		if (mc_src6_eq(&e->g, g) && mc_src6_eq(&e->s, s))
			break;
	if (e == NULL)
		return;
	j = &io->js[e->sock];
	(void)do_join(io, e->sock, g, s, 1);
	for (i = 0; i < j->n; i++)
		if (mc_src6_eq(&j->groups[i], g)) {
			j->groups[i] = j->groups[--j->n];
			break;
		}
	j->full = 0;
	*pp = e->next;
	free(e);
}

/* ---- control messages ---- */

/*
 * Drain control socket sock (at most RIO_CTL_DRAIN messages), each to
 * the callback.  Returns how many were read.
 */
int
rio_ctl_read(struct rio *io, int sock, rio_control_fn control, void *arg)
{
	struct sockaddr_storage	 from;
	struct ipaddr		 fa;
	struct mc_src6		 a;
	socklen_t		 fl;
	uint8_t			 buf[RIO_CTL_MAX];
	ssize_t			 n;
	uint16_t		 p;
	int			 i;

	if (sock < 0 || sock >= io->nctl)
		return 0;
	for (i = 0; i < RIO_CTL_DRAIN; i++) {
		fl = sizeof(from);
		n = recvfrom(io->ctl[sock], buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fl);
		if (n < 0)
			break;
		if (ipaddr_from_sockaddr(&from, &fa, &p) == -1)
			continue;
		a = key_of(&fa);
		if (pcapw_on(io->pc)) {
			struct mc_src6	 l = key_of(&io->ctl_addr[sock]);

			pcapw_udp(io->pc, a.a, p, l.a, AMT_PORT, NULL, 0, buf,
			    (size_t)n);
		}
		control(arg, sock, &a, p, buf, (size_t)n);
	}
	return i;
}

/* ---- the data path ---- */

static const char *const rio_ctr_names[RIO_CTR_MAX] = {
	[RIO_CTR_DATA_IN] = "data-in",
	[RIO_CTR_DATA_OUT] = "data-out",
	[RIO_CTR_NO_MEMBER] = "data-no-member",
	[RIO_CTR_TOO_BIG] = "data-too-big-df",
	[RIO_CTR_ICMP_SENT] = "icmp-frag-needed-sent",
	[RIO_CTR_ICMP_LIMITED] = "icmp-frag-needed-rate-limited",
	[RIO_CTR_FRAGMENTED] = "data-fragmented",
	[RIO_CTR_SEND_ERR] = "data-send-error",
	[RIO_CTR_SEND_MSGSIZE] = "data-send-too-big-for-path",
	[RIO_CTR_SEND_FULL] = "data-send-buffer-full",
	[RIO_CTR_SEND_REFUSED] = "data-send-refused",
	[RIO_CTR_UNREACHABLE] = "gateway-port-unreachable",
	[RIO_CTR_CSUM_FIXED] = "data-checksum-completed",
	[RIO_CTR_NOT_IP] = "data-not-ip",
	[RIO_CTR_IN_DROPPED] = "data-dropped-overload",
};

/* The data path's counters, into an open "counters" object. */
void
rio_show_counters(const struct rio *io, struct emit *e)
{
	unsigned	 k;

	for (k = 0; k < RIO_CTR_MAX; k++)
		emit_u64(e, rio_ctr_names[k], io->ctr[k]);
}

/*
 * One message the kernel refused (errno e): counted by reason.  A
 * full send buffer sheds the rest of the batch (said, with the fix);
 * any other failure costs that one destination only.  Returns 1 if the
 * rest of the batch goes too.
 */
/* Message at of a batch's address, for a log line. */
static const char *
out_ntoa(const struct rio_out *o, unsigned at)
{
	struct sockaddr_storage	 ss;

	/* A copy: the batch's address is no sockaddr_storage, aligned. */
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &o->to[at], sizeof(o->to[at]));
	return sockaddr_ntoa(&ss);
}

static int
send_failed(struct rio *io, const struct rio_out *o, unsigned at, int e)
{
	io->ctr[RIO_CTR_DATA_OUT]--;
	switch (e) {
	case EAGAIN:
	case ENOBUFS:
		io->ctr[RIO_CTR_SEND_FULL] += o->n - at;
		io->ctr[RIO_CTR_DATA_OUT] -= o->n - at - 1;
		log_warnx_rl(&io->lim, "data: the send buffer is full; "
		    "raise send-buffer (now %u KB)", io->conf->sndbuf_kb);
		return 1;
	case EMSGSIZE:
		io->ctr[RIO_CTR_SEND_MSGSIZE]++;
		log_debug_rl(&io->lim, "data to %s: larger than the path "
		    "MTU", out_ntoa(o, at));
		return 0;
	case ECONNREFUSED:
	case EHOSTUNREACH:
	case ENETUNREACH:
		io->ctr[RIO_CTR_SEND_REFUSED]++;
		return 0;
	default:
		io->ctr[RIO_CTR_SEND_ERR]++;
		log_warnx_rl(&io->lim, "data to %s: %s", out_ntoa(o, at),
		    strerror(e));
		return 0;
	}
}

/*
 * Send the batch.  sendmmsg stops at the first message that fails;
 * that one is counted and skipped, and the rest go (RFC 7450 leaves it
 * to us; one gateway's small path MTU must not cost the others).
 */
static void
flush_one(struct rio *io, struct rio_out *o)
{
	unsigned	 done = 0;
	int		 n;

	while (done < o->n) {
		n = sendmmsg(io->ctl[o->sock], o->m + done, o->n - done, 0);
		if (n > 0) {
			done += (unsigned)n;
			continue;
		}
		if (send_failed(io, o, done, n == 0 ? EIO : errno))
			break;
		done++;
	}
	o->n = 0;
}

static void
flush_out(struct rio *io)
{
	if (io->out[0].n > 0)
		flush_one(io, &io->out[0]);
	if (io->out[1].n > 0)
		flush_one(io, &io->out[1]);
}

/* Queue one Data message for gw: header by reference, datagram too. */
static void
queue(struct rio *io, const struct relay_gw *gw, const uint8_t *p, size_t len)
{
	int		 v6 = !mc_src6_is_v4(&gw->addr);
	struct rio_out	*o = &io->out[v6];
	unsigned	 k = o->n;
	socklen_t	 tl;

	if (o->sock < 0 || to_sockaddr(&gw->addr, gw->port, v6, &o->to[k],
	    &tl) == -1) {
		io->ctr[RIO_CTR_SEND_REFUSED]++;
		return;
	}
	o->iov[k][1].iov_base = (void *)(uintptr_t)p;
	o->iov[k][1].iov_len = len;
	if (pcapw_on(io->pc) && io->pc->data) {
		struct mc_src6	 l = mc_src6_v4(io->conf->relay);

		if (v6)
			memcpy(l.a, io->conf->relay6, sizeof(l.a));
		pcapw_udp(io->pc, l.a, AMT_PORT, gw->addr.a, gw->port,
		    amt_data_hdr, sizeof(amt_data_hdr), p, len);
	}
	io->ctr[RIO_CTR_DATA_OUT]++;	/* taken back if the send fails */
	if (++o->n == RIO_OUT_BATCH)
		flush_one(io, o);
}

/*
 * The datagram to every gateway of f that wants traffic from src,
 * starting at a different one each time: when the send buffer fills
 * and the rest of a batch is shed, the loss is spread over all.
 */
static void
fan_out(struct rio *io, const struct relay_fwd *f, const struct mc_src6 *src,
    const uint8_t *p, size_t len)
{
	size_t	 i, k, start = f->n > 0 ? io->rotor++ % f->n : 0;

	for (k = 0; k < f->n; k++) {
		i = (start + k) % f->n;
		if (!f->e[i].gw->paused && relay_sub_wants(f->e[i].sub, src)) {
			queue(io, f->e[i].gw, p, len);
			f->e[i].gw->data_pkts++;
		}
	}
}

/*
 * 5.3.3.6.2.1: a datagram larger than the tunnel MTU with DF clear is
 * fragmented and each fragment sent whole in a Data message.
 */
static void
send_fragments(struct rio *io, const struct relay_fwd *f,
    const struct mc_src6 *src, const uint8_t *p, size_t len, size_t tmtu)
{
	uint8_t		 frag[RIO_PKT];
	struct ip4_frag	 fr;
	size_t		 n;

	if (ip4_frag_init(&fr, p, len, tmtu) == -1)
		return;
	while ((n = ip4_frag_next(&fr, frag, sizeof(frag))) > 0) {
		fan_out(io, f, src, frag, n);
		flush_out(io);		/* before frag is overwritten */
	}
	io->ctr[RIO_CTR_FRAGMENTED]++;
}

/*
 * 5.3.3.6.2.1: a datagram with DF that does not fit the tunnel is
 * dropped and the source told, with ICMP fragmentation needed and the
 * tunnel MTU; at most RIO_ICMP_PER_SEC a second.
 */
static void
too_big(struct rio *io, const uint8_t *p, size_t len,
    const struct ip4_info *ip, size_t tmtu)
{
	struct sockaddr_in	 to;
	uint8_t			 icmp[128];
	size_t			 n;

	io->ctr[RIO_CTR_TOO_BIG]++;
	if (io->icmp == -1)
		return;
	if (!ratelimit_ok(&io->icmp_lim, mono_ms())) {
		io->ctr[RIO_CTR_ICMP_LIMITED]++;
		return;
	}
	if ((n = ip4_icmp_frag_needed(icmp, sizeof(icmp), p, len,
	    (uint16_t)tmtu)) == 0)
		return;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(ip->src);
	if (sendto(io->icmp, icmp, n, 0, (struct sockaddr *)&to,
	    sizeof(to)) == -1)
		log_warnx_rl(&io->lim, "ICMP to %s: %s", addr4_ntoa(ip->src),
		    strerror(errno));
	else
		io->ctr[RIO_CTR_ICMP_SENT]++;
}

/*
 * The IPv6 datagram p is too big for the tunnel, and IPv6 never
 * fragments on the way: dropped, and its source told with ICMPv6
 * Packet Too Big and the tunnel MTU (RFC 4443 3.2, RFC 8201), under
 * the same rate limit as ICMP.
 */
static void
too_big6(struct rio *io, const uint8_t *p, size_t len,
    const struct ip6_info *ip, size_t tmtu)
{
	struct sockaddr_in6	 to;
	uint8_t			 icmp[IP6_MIN_MTU];
	size_t			 n;

	io->ctr[RIO_CTR_TOO_BIG]++;
	if (io->icmp6 == -1)
		return;
	if (!ratelimit_ok(&io->icmp_lim, mono_ms())) {
		io->ctr[RIO_CTR_ICMP_LIMITED]++;
		return;
	}
	if ((n = ip6_icmp_too_big(icmp, sizeof(icmp), p, len,
	    (uint32_t)tmtu)) == 0)
		return;
	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	memcpy(&to.sin6_addr, ip->src, 16);
	if (sendto(io->icmp6, icmp, n, 0, (struct sockaddr *)&to,
	    sizeof(to)) == -1)
		log_warnx_rl(&io->lim, "ICMPv6 to %s: %s", addr6_ntoa(ip->src),
		    strerror(errno));
	else
		io->ctr[RIO_CTR_ICMP_SENT]++;
}

/*
 * The errors the kernel queued on relay socket sock, one that carries
 * Data (IP_RECVERR, IPV6_RECVERR): an ICMP or ICMPv6 port unreachable
 * names the gateway endpoint that went away, as the quoted header the
 * kernel matched to this socket says.
 */
void
rio_errors(struct rio *io, int sock, rio_unreach_fn cb, void *arg)
{
	struct sockaddr_storage	 to;
	struct ipaddr		 ta;
	struct mc_src6		 a;
	uint16_t		 port;
	struct sock_extended_err ee;
	struct msghdr		 mh;
	struct cmsghdr		*cm;
	uint8_t			 quote[64];
	char			 cbuf[256];
	struct iovec		 iov = { quote, sizeof(quote) };
	int			 i;

	for (i = 0; i < RIO_CTL_DRAIN; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &to;
		mh.msg_namelen = sizeof(to);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if (recvmsg(io->ctl[sock], &mh, MSG_ERRQUEUE | MSG_DONTWAIT) ==
		    -1)
			return;
		if (ipaddr_from_sockaddr(&to, &ta, &port) == -1)
			continue;
		a = key_of(&ta);
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm)) {
			if (!((cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_RECVERR) ||
			    (cm->cmsg_level == IPPROTO_IPV6 &&
			    cm->cmsg_type == IPV6_RECVERR)) ||
			    cm->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			if (!(ee.ee_origin == SO_EE_ORIGIN_ICMP &&
			    ee.ee_type == ICMP4_UNREACH &&
			    ee.ee_code == ICMP4_PORT_UNREACH) &&
			    !(ee.ee_origin == SO_EE_ORIGIN_ICMP6 &&
			    ee.ee_type == 1 && ee.ee_code == 4))
				continue;	/* RFC 4443 3.1: port */
			io->ctr[RIO_CTR_UNREACHABLE]++;
			cb(arg, &a, port);
		}
	}
}

/*
 * Did the kernel leave the transport checksum to the NIC?  And how
 * many datagrams has it dropped on this socket so far (SO_RXQ_OVFL):
 * a relay that cannot keep up sheds whole datagrams at its input,
 * where it costs the least, and says so.
 */
static int
csum_partial(struct rio *io, struct msghdr *mh)
{
	struct cmsghdr		*cm;
	struct tpacket_auxdata	 aux;
	uint32_t		 drops;
	int			 partial = 0;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == SOL_PACKET &&
		    cm->cmsg_type == PACKET_AUXDATA &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(aux))) {
			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			partial = (aux.tp_status & TP_STATUS_CSUMNOTREADY) != 0;
		} else if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SO_RXQ_OVFL &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(drops))) {
			memcpy(&drops, CMSG_DATA(cm), sizeof(drops));
			if (drops != io->ovfl) {
				io->ctr[RIO_CTR_IN_DROPPED] += drops - io->ovfl;
				log_warnx_rl(&io->lim, "data: the relay cannot "
				    "keep up: the kernel dropped %u native "
				    "datagrams so far (fewer gateways per "
				    "relay: tunnel-limit, or a pool)", drops);
				io->ovfl = drops;
			}
		}
	return partial;
}

/*
 * One native IPv6 datagram: to every gateway that wants it.  IPv6 is
 * never fragmented on the way (RFC 8200 5), so one that does not fit
 * the tunnel is dropped, counted as too big and answered with Packet
 * Too Big.
 */
static void
native_in6(struct rio *io, uint8_t *p, size_t len, struct msghdr *mh,
    size_t tmtu)
{
	const struct relay_fwd	*f;
	struct ip6_info		 ip;
	struct mc_src6		 g, s;

	if (ip6_view(p, len, &ip) != IP6_OK) {
		io->ctr[RIO_CTR_NOT_IP]++;
		return;
	}
	len = IP6_HDR_LEN + ip.plen;	/* drop link padding */
	memcpy(g.a, ip.dst, sizeof(g.a));
	memcpy(s.a, ip.src, sizeof(s.a));
	if ((f = relay_fwd_find(io->r, &g)) == NULL) {
		io->ctr[RIO_CTR_NO_MEMBER]++;
		return;
	}
	if (csum_partial(io, mh) && ip6_udp_csum_fill(p, len) == 0)
		io->ctr[RIO_CTR_CSUM_FIXED]++;
	if (len <= tmtu)
		fan_out(io, f, &s, p, len);
	else
		too_big6(io, p, len, &ip, tmtu);
}

/* One native datagram: to every gateway that wants it. */
static void
native_in(struct rio *io, uint8_t *p, size_t len, struct msghdr *mh,
    size_t tmtu)
{
	const struct relay_fwd	*f;
	struct ip4_info		 ip;
	struct mc_src6		 g, s;

	if (len > 0 && p[0] >> 4 == 6) {
		native_in6(io, p, len, mh, tmtu);
		return;
	}
	if (ip4_view(p, len, &ip) != IP4_OK) {
		io->ctr[RIO_CTR_NOT_IP]++;
		return;
	}
	len = ip.tot_len;		/* drop link padding */
	g = mc_src6_v4(ip.dst);
	if ((f = relay_fwd_find(io->r, &g)) == NULL) {
		io->ctr[RIO_CTR_NO_MEMBER]++;
		return;
	}
	s = mc_src6_v4(ip.src);
	if (csum_partial(io, mh) && ip4_udp_csum_fill(p, len) == 0)
		io->ctr[RIO_CTR_CSUM_FIXED]++;
	if (len <= tmtu)
		fan_out(io, f, &s, p, len);
	else if (ip.frag & IP4_DF)
		too_big(io, p, len, &ip, tmtu);
	else
		send_fragments(io, f, &s, p, len, tmtu);
}

/*
 * Drain the packet socket: every datagram to every gateway that wants
 * it, in sendmmsg batches, at most RIO_OUT_BUDGET messages a wake-up
 * (as many datagrams as the recent fan-out allows).
 */
void
rio_native_read(struct rio *io)
{
	uint64_t	 out0 = io->ctr[RIO_CTR_DATA_OUT], sent = 0, r0;
	size_t		 tmtu;
	unsigned	 want;
	int		 n, k, round;

	/* IPv6 gateways take 20 more octets of header: the smaller. */
	tmtu = io->conf->path_mtu - (io->conf->has_relay6 ? IP6_HDR_LEN :
	    IP4_HDR_LEN) - 8 - AMT_DATA_HDR_LEN;
	for (round = 0; round < RIO_IN_ROUNDS && sent < RIO_OUT_BUDGET;
	    round++) {
		want = io->fanout == 0 ? RIO_IN_BATCH :
		    (unsigned)((RIO_OUT_BUDGET - sent) / io->fanout);
		if (want == 0)
			want = 1;
		if (want > RIO_IN_BATCH)
			want = RIO_IN_BATCH;
		for (k = 0; k < (int)want; k++) {
			io->in[k].msg_hdr.msg_control = io->in_cmsg[k];
			io->in[k].msg_hdr.msg_controllen =
			    sizeof(io->in_cmsg[k]);
		}
		n = recvmmsg(io->pkt, io->in, want, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		io->ctr[RIO_CTR_DATA_IN] += (unsigned)n;
		r0 = io->ctr[RIO_CTR_DATA_OUT];
		for (k = 0; k < n; k++)
			native_in(io, io->in_buf + (size_t)k * RIO_PKT,
			    io->in[k].msg_len, &io->in[k].msg_hdr, tmtu);
		flush_out(io);		/* before the buffers are reused */
		sent = io->ctr[RIO_CTR_DATA_OUT] - out0;
		/* The recent fan-out, averaged over about 8 batches. */
		io->fanout = (unsigned)((io->fanout * 7 +
		    (io->ctr[RIO_CTR_DATA_OUT] - r0) / (unsigned)n) / 8);
		if ((unsigned)n < want)
			break;
	}
}
