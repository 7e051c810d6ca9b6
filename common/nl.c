/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * A minimal rtnetlink client: subscribe to link and IPv4 address
 * changes, dump the current state (links first, then addresses, one
 * dump at a time as the kernel wants), and hand each event to a
 * handler.  Every message and attribute is bounds-checked.
 */

#include <sys/socket.h>

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "nl.h"

#define NL_BUFSZ	65536

static int	 dump_next;	/* 1: addresses still to dump */

int
nl_open(void)
{
	struct sockaddr_nl	 sa;
	int			 s, sz = 1 << 20;

	if ((s = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1) {
		log_warn("netlink socket");
		return -1;
	}
	(void)setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		log_warn("netlink bind");
		close(s);
		return -1;
	}
	return s;
}

static int
request(int s, uint16_t type, uint8_t family)
{
	struct {
		struct nlmsghdr	 nh;
		struct ifinfomsg ifi;
	} req;
	static uint32_t	 seq;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = ++seq;
	req.ifi.ifi_family = family;
	if (send(s, &req, req.nh.nlmsg_len, 0) == -1) {
		log_warn("netlink request");
		return -1;
	}
	return 0;
}

/* Ask for every link; the addresses follow when that dump is done. */
int
nl_dump(int s)
{
	dump_next = 1;
	return request(s, RTM_GETLINK, AF_UNSPEC);
}

static void
parse_link(struct nlmsghdr *nh, const struct nl_handler *h, void *arg)
{
	struct ifinfomsg	*ifi = NLMSG_DATA(nh);
	struct rtattr		*rta;
	char			 name[IFNAMSIZ] = "";
	unsigned		 mtu = 0;
	uint32_t		 v;
	int			 len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	if (nh->nlmsg_type == RTM_DELLINK) {
		h->link_gone(arg, ifi->ifi_index);
		return;
	}
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFLA_IFNAME) {
			size_t	 n = RTA_PAYLOAD(rta);

			if (n == 0 || n > IFNAMSIZ)
				return;
			memcpy(name, RTA_DATA(rta), n);
			name[n - 1] = '\0';
		} else if (rta->rta_type == IFLA_MTU &&
		    RTA_PAYLOAD(rta) == sizeof(v)) {
			memcpy(&v, RTA_DATA(rta), sizeof(v));
			mtu = v;
		}
	if (name[0] != '\0')
		h->link(arg, ifi->ifi_index, name, ifi->ifi_flags, mtu);
}

/* An IPv6 address (IFA_ADDRESS) of ifa_index. */
static void
parse_addr6(struct nlmsghdr *nh, struct ifaddrmsg *ifa,
    const struct nl_handler *h, void *arg)
{
	struct rtattr	*rta;
	int		 len;

	if (h->addr6 == NULL)
		return;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFA_ADDRESS && RTA_PAYLOAD(rta) == 16) {
			h->addr6(arg, (int)ifa->ifa_index, RTA_DATA(rta),
			    ifa->ifa_prefixlen, nh->nlmsg_type == RTM_NEWADDR);
			return;
		}
}

static void
parse_addr(struct nlmsghdr *nh, const struct nl_handler *h, void *arg)
{
	struct ifaddrmsg	*ifa = NLMSG_DATA(nh);
	struct rtattr		*rta;
	const uint8_t		*a = NULL;
	int			 len;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return;
	if (ifa->ifa_family == AF_INET6) {
		parse_addr6(nh, ifa, h, arg);
		return;
	}
	if (ifa->ifa_family != AF_INET)
		return;
	len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifa)));
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFA_LOCAL && RTA_PAYLOAD(rta) == 4)
			a = RTA_DATA(rta);
		else if (rta->rta_type == IFA_ADDRESS && a == NULL &&
		    RTA_PAYLOAD(rta) == 4)
			a = RTA_DATA(rta);
	if (a == NULL)
		return;
	h->addr(arg, (int)ifa->ifa_index, (uint32_t)a[0] << 24 |
	    (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3],
	    ifa->ifa_prefixlen, nh->nlmsg_type == RTM_NEWADDR);
}

/*
 * Handle a buffer of netlink messages.  *done is set when a dump ended.
 * Returns -1 on a malformed buffer.
 */
int
nl_parse(uint8_t *buf, size_t n, const struct nl_handler *h, void *arg,
    int *done)
{
	struct nlmsghdr		*nh;
	size_t			 off = 0, mlen;

	*done = 0;
	while (n - off >= sizeof(*nh)) {
		nh = (struct nlmsghdr *)(void *)(buf + off);
		mlen = nh->nlmsg_len;
		if (mlen < sizeof(*nh) || mlen > n - off)
			return -1;
		switch (nh->nlmsg_type) {
		case NLMSG_DONE:
		case NLMSG_ERROR:
			*done = 1;
			break;
		case RTM_NEWLINK:
		case RTM_DELLINK:
			parse_link(nh, h, arg);
			break;
		case RTM_NEWADDR:
		case RTM_DELADDR:
			parse_addr(nh, h, arg);
			break;
		default:
			break;
		}
		off += NLMSG_ALIGN(mlen);
		if (off > n)
			off = n;
	}
	return off == n ? 0 : -1;
}

/* Read what is waiting; continues a link dump with the addresses. */
int
nl_read(int s, const struct nl_handler *h, void *arg)
{
	static uint8_t	 buf[NL_BUFSZ] __attribute__((aligned(4)));
	ssize_t		 n;
	int		 done;

	for (;;) {
		n = recv(s, buf, sizeof(buf), 0);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (errno == ENOBUFS) {
				/* Events lost: start over from a dump. */
				log_warnx("netlink overrun: dumping again");
				return nl_dump(s);
			}
			log_warn("netlink recv");
			return -1;
		}
		if (nl_parse(buf, (size_t)n, h, arg, &done) == -1)
			log_debug("netlink: trailing bytes");
		if (done && dump_next) {
			dump_next = 0;
			if (request(s, RTM_GETADDR, AF_UNSPEC) == -1)
				return -1;
		}
	}
}
