/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The only file that talks to the kernel's multicast routing: the
 * mroute socket (MRT_TABLE, MRT_INIT), VIFs by ifindex, (S,G) entries
 * and their counters (linux/mroute.h, net/ipv4/ipmr.c).  The same raw
 * IGMP socket receives IGMP (with IP_PKTINFO) and the kernel's upcalls.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mroute.h"

/*
 * Open the mroute socket for table (0: the default table).  EADDRINUSE
 * means another multicast router owns it.
 */
int
mr_open(unsigned table, int rcvbuf)
{
	int	 s, one = 1;

	if ((s = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_IGMP)) == -1) {
		log_warn("raw IGMP socket");
		return -1;
	}
	if (table != 0 && setsockopt(s, IPPROTO_IP, MRT_TABLE, &table,
	    sizeof(table)) == -1) {
		log_warn("MRT_TABLE %u", table);
		close(s);
		return -1;
	}
	if (setsockopt(s, IPPROTO_IP, MRT_INIT, &one, sizeof(one)) == -1) {
		if (errno == EADDRINUSE)
			log_warnx("the IPv4 multicast routing table is "
			    "already in use by another daemon (pimd, "
			    "smcroute, igmpproxy?); stop it or use "
			    "mroute-table ('amtctl doctor' names it)");
		else
			log_warn("MRT_INIT");
		close(s);
		return -1;
	}
	if (setsockopt(s, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) == -1 ||
	    (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) == -1 && setsockopt(s, SOL_SOCKET, SO_RCVBUF,
	    &rcvbuf, sizeof(rcvbuf)) == -1)) {
		log_warn("IGMP socket options");
		close(s);
		return -1;
	}
	return s;
}

/* MRT_DONE, which also drops every VIF and entry of the table. */
void
mr_close(int s)
{
	int	 one = 1;

	(void)setsockopt(s, IPPROTO_IP, MRT_DONE, &one, sizeof(one));
	close(s);
}

int
mr_add_vif(int s, int vif, int ifindex)
{
	struct vifctl	 vc;

	memset(&vc, 0, sizeof(vc));
	vc.vifc_vifi = (vifi_t)vif;
	vc.vifc_flags = VIFF_USE_IFINDEX;
	vc.vifc_threshold = 1;
	vc.vifc_lcl_ifindex = ifindex;
	if (setsockopt(s, IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof(vc)) == -1) {
		log_warn("MRT_ADD_VIF %d (ifindex %d)", vif, ifindex);
		return -1;
	}
	return 0;
}

int
mr_del_vif(int s, int vif)
{
	struct vifctl	 vc;

	memset(&vc, 0, sizeof(vc));
	vc.vifc_vifi = (vifi_t)vif;
	if (setsockopt(s, IPPROTO_IP, MRT_DEL_VIF, &vc, sizeof(vc)) == -1) {
		/* The kernel drops a VIF itself with its device. */
		if (errno != EADDRNOTAVAIL)
			log_debug("MRT_DEL_VIF %d: %s", vif, strerror(errno));
		return -1;
	}
	return 0;
}

int
mr_add_mfc(int s, uint32_t src, uint32_t grp, int iif, const uint8_t *ttls,
    int nvifs)
{
	struct mfcctl	 mc;
	int		 i;

	memset(&mc, 0, sizeof(mc));
	mc.mfcc_origin.s_addr = htonl(src);
	mc.mfcc_mcastgrp.s_addr = htonl(grp);
	mc.mfcc_parent = (vifi_t)iif;
	for (i = 0; i < nvifs && i < MAXVIFS; i++)
		mc.mfcc_ttls[i] = ttls[i];
	if (setsockopt(s, IPPROTO_IP, MRT_ADD_MFC, &mc, sizeof(mc)) == -1) {
		log_debug("MRT_ADD_MFC: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
mr_del_mfc(int s, uint32_t src, uint32_t grp, int iif)
{
	struct mfcctl	 mc;

	memset(&mc, 0, sizeof(mc));
	mc.mfcc_origin.s_addr = htonl(src);
	mc.mfcc_mcastgrp.s_addr = htonl(grp);
	mc.mfcc_parent = (vifi_t)iif;
	if (setsockopt(s, IPPROTO_IP, MRT_DEL_MFC, &mc, sizeof(mc)) == -1)
		return -1;
	return 0;
}

/* Packets forwarded by (S,G) so far (SIOCGETSGCNT). */
int
mr_sg_count(int s, uint32_t src, uint32_t grp, uint64_t *pkts)
{
	struct sioc_sg_req	 sr;

	memset(&sr, 0, sizeof(sr));
	sr.src.s_addr = htonl(src);
	sr.grp.s_addr = htonl(grp);
	if (ioctl(s, SIOCGETSGCNT, &sr) == -1)
		return -1;
	*pkts = sr.pktcnt;
	return 0;
}

/* Datagrams sent out of vif so far (SIOCGETVIFCNT). */
int
mr_vif_out(int s, int vif, uint64_t *pkts)
{
	struct sioc_vif_req	 vr;

	memset(&vr, 0, sizeof(vr));
	vr.vifi = (vifi_t)vif;
	if (ioctl(s, SIOCGETVIFCNT, &vr) == -1)
		return -1;
	*pkts = vr.ocount;
	return 0;
}

/* Receive what routers must (RFC 3376 6: 224.0.0.22; 224.0.0.2). */
int
mr_join_routers(int s, int ifindex)
{
	static const uint32_t	 groups[] = { 0xe0000016U, 0xe0000002U };
	struct ip_mreqn		 mr;
	unsigned		 i;

	for (i = 0; i < 2; i++) {
		memset(&mr, 0, sizeof(mr));
		mr.imr_multiaddr.s_addr = htonl(groups[i]);
		mr.imr_ifindex = ifindex;
		if (setsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) == -1 && errno != EADDRINUSE) {
			log_warn("IP_ADD_MEMBERSHIP ifindex %d", ifindex);
			return -1;
		}
	}
	return 0;
}

/* ---- IPv6: MRT6 (linux/mroute6.h) ---- */

/*
 * The mroute6 socket of table (0: the default): a raw ICMPv6 socket
 * whose ICMPv6 is all filtered out, so that only upcalls arrive on it
 * (MLD is read elsewhere, whole, px_io.c).
 */
int
mr6_open(unsigned table, int rcvbuf)
{
	struct icmp6_filter	 f;
	int			 s, one = 1;

	if ((s = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ICMPV6)) == -1) {
		log_warn("raw ICMPv6 socket");
		return -1;
	}
	ICMP6_FILTER_SETBLOCKALL(&f);
	if (table != 0 && setsockopt(s, IPPROTO_IPV6, MRT6_TABLE, &table,
	    sizeof(table)) == -1) {
		log_warn("MRT6_TABLE %u", table);
		close(s);
		return -1;
	}
	if (setsockopt(s, IPPROTO_IPV6, MRT6_INIT, &one, sizeof(one)) == -1) {
		if (errno == EADDRINUSE)
			log_warnx("the IPv6 multicast routing table is "
			    "already in use by another daemon (pim6sd, "
			    "smcroute, mcproxy?); stop it, use mroute-table, "
			    "or mld off");
		else
			log_warn("MRT6_INIT (IPv6 multicast routing in the "
			    "kernel: CONFIG_IPV6_MROUTE)");
		close(s);
		return -1;
	}
	if (setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) == -1 ||
	    (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) == -1 && setsockopt(s, SOL_SOCKET, SO_RCVBUF,
	    &rcvbuf, sizeof(rcvbuf)) == -1)) {
		log_warn("mroute6 socket options");
		mr6_close(s);
		return -1;
	}
	return s;
}

/* MRT6_DONE, which also drops every MIF and entry of the table. */
void
mr6_close(int s)
{
	int	 one = 1;

	(void)setsockopt(s, IPPROTO_IPV6, MRT6_DONE, &one, sizeof(one));
	close(s);
}

int
mr6_add_mif(int s, int mif, int ifindex)
{
	struct mif6ctl	 mc;

	memset(&mc, 0, sizeof(mc));
	mc.mif6c_mifi = (mifi_t)mif;
	mc.vifc_threshold = 1;
	mc.mif6c_pifi = (unsigned short)ifindex;
	if (setsockopt(s, IPPROTO_IPV6, MRT6_ADD_MIF, &mc, sizeof(mc)) == -1) {
		log_warn("MRT6_ADD_MIF %d (ifindex %d)", mif, ifindex);
		return -1;
	}
	return 0;
}

int
mr6_del_mif(int s, int mif)
{
	mifi_t	 m = (mifi_t)mif;

	if (setsockopt(s, IPPROTO_IPV6, MRT6_DEL_MIF, &m, sizeof(m)) == -1) {
		if (errno != EADDRNOTAVAIL)
			log_debug("MRT6_DEL_MIF %d: %s", mif, strerror(errno));
		return -1;
	}
	return 0;
}

static void
sin6_of(struct sockaddr_in6 *sin6, const uint8_t *a)
{
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, a, 16);
}

int
mr6_add_mfc(int s, const uint8_t *src, const uint8_t *grp, int iif,
    const uint8_t *ttls, int nmifs)
{
	struct mf6cctl	 mc;
	int		 i;

	memset(&mc, 0, sizeof(mc));
	sin6_of(&mc.mf6cc_origin, src);
	sin6_of(&mc.mf6cc_mcastgrp, grp);
	mc.mf6cc_parent = (mifi_t)iif;
	for (i = 0; i < nmifs && i < MAXMIFS; i++)
		if (ttls[i] != 0)
			IF_SET(i, &mc.mf6cc_ifset);
	if (setsockopt(s, IPPROTO_IPV6, MRT6_ADD_MFC, &mc, sizeof(mc)) == -1) {
		log_debug("MRT6_ADD_MFC: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
mr6_del_mfc(int s, const uint8_t *src, const uint8_t *grp, int iif)
{
	struct mf6cctl	 mc;

	memset(&mc, 0, sizeof(mc));
	sin6_of(&mc.mf6cc_origin, src);
	sin6_of(&mc.mf6cc_mcastgrp, grp);
	mc.mf6cc_parent = (mifi_t)iif;
	if (setsockopt(s, IPPROTO_IPV6, MRT6_DEL_MFC, &mc, sizeof(mc)) == -1)
		return -1;
	return 0;
}

/* Packets forwarded by (S,G) so far (SIOCGETSGCNT_IN6). */
int
mr6_sg_count(int s, const uint8_t *src, const uint8_t *grp, uint64_t *pkts)
{
	struct sioc_sg_req6	 sr;

	memset(&sr, 0, sizeof(sr));
	sin6_of(&sr.src, src);
	sin6_of(&sr.grp, grp);
	if (ioctl(s, SIOCGETSGCNT_IN6, &sr) == -1)
		return -1;
	*pkts = sr.pktcnt;
	return 0;
}

/* Datagrams sent out of mif so far (SIOCGETMIFCNT_IN6). */
int
mr6_mif_out(int s, int mif, uint64_t *pkts)
{
	struct sioc_mif_req6	 mr;

	memset(&mr, 0, sizeof(mr));
	mr.mifi = (mifi_t)mif;
	if (ioctl(s, SIOCGETMIFCNT_IN6, &mr) == -1)
		return -1;
	*pkts = mr.ocount;
	return 0;
}

/*
 * Receive what MLD routers must (RFC 3810 5.2.14: ff02::16, and
 * ff02::2 for MLDv1 Dones), on socket s of AF_INET6.
 */
int
mr6_join_routers(int s, int ifindex)
{
	static const uint8_t	 groups[2][16] = {
	    { 0xff, 0x02, [15] = 0x16 }, { 0xff, 0x02, [15] = 0x02 } };
	struct ipv6_mreq	 mr;
	unsigned		 i;

	for (i = 0; i < 2; i++) {
		memset(&mr, 0, sizeof(mr));
		memcpy(&mr.ipv6mr_multiaddr, groups[i], 16);
		mr.ipv6mr_interface = (unsigned)ifindex;
		if (setsockopt(s, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr,
		    sizeof(mr)) == -1 && errno != EADDRINUSE) {
			log_warn("IPV6_ADD_MEMBERSHIP ifindex %d", ifindex);
			return -1;
		}
	}
	return 0;
}
