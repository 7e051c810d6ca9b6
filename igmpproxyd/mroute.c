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
