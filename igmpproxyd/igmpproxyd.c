/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd main: command line, configuration, the mroute socket (IGMP
 * in, upcalls), a send-only raw socket (IGMP out, with the interface in
 * IP_PKTINFO and multicast loopback off), rtnetlink, the privilege
 * drop, and the libevent loop around the proxy engine (px.c).
 */

#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl.h"
#include "daemon.h"
#include "emit.h"
#include "mroute.h"
#include "nl.h"
#include "px.h"
#include "tun.h"
#include "util.h"

struct pxd {
	struct event_base	*base;
	struct proxy		 px;
	struct px_conf		*conf;
	const char		*conf_path;
	const char		*pidfile_arg;
	int			 mr;		/* mroute socket */
	int			 tx;		/* raw send socket */
	int			 nl;
	struct event		*ev_mr;
	struct event		*ev_nl;
	struct event		*ev_timer;
	struct event		*ev_sig[DAEMON_NSIGS];
	struct ctl		*ctl;
	char			 rp_done[IFNAMSIZ];
};

static struct pxd	 pxd;

static void	 reschedule(struct pxd *);

/* ---- the engine's view of the OS ---- */

static int
os_send(void *arg, int ifindex, const uint8_t *p, size_t len)
{
	struct pxd		*d = arg;
	struct sockaddr_in	 dst;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct in_pktinfo	*pi;
	char			 cbuf[CMSG_SPACE(sizeof(*pi))];
	struct cmsghdr		*cm;

	if (len < 20)
		return -1;
	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	memcpy(&dst.sin_addr, p + 16, 4);
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
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)(void *)CMSG_DATA(cm);
	pi->ipi_ifindex = ifindex;
	if (sendmsg(d->tx, &mh, 0) == -1)
		return -1;
	return 0;
}

static int
os_add_vif(void *arg, int vif, int ifindex)
{
	struct pxd	*d = arg;

	return mr_add_vif(d->mr, vif, ifindex);
}

static int
os_del_vif(void *arg, int vif)
{
	struct pxd	*d = arg;

	return mr_del_vif(d->mr, vif);
}

static int
os_mfc_add(void *arg, uint32_t s, uint32_t g, int iif, const uint8_t *ttls)
{
	struct pxd	*d = arg;

	return mr_add_mfc(d->mr, s, g, iif, ttls, PX_MAXVIFS);
}

static int
os_mfc_del(void *arg, uint32_t s, uint32_t g, int iif)
{
	struct pxd	*d = arg;

	return mr_del_mfc(d->mr, s, g, iif);
}

static int
os_mfc_count(void *arg, uint32_t s, uint32_t g, uint64_t *pkts)
{
	struct pxd	*d = arg;

	return mr_sg_count(d->mr, s, g, pkts);
}

static int
os_join(void *arg, int ifindex)
{
	struct pxd	*d = arg;

	return mr_join_routers(d->mr, ifindex);
}

static uint32_t
os_random(void *arg)
{
	(void)arg;
	return rand_u32();
}

static const struct px_os pxd_os = {
	os_send, os_add_vif, os_del_vif, os_mfc_add, os_mfc_del, os_mfc_count,
	os_join, os_random,
};

/* ---- events ---- */

/* Drain the mroute socket: IGMP and upcalls; then one flush. */
static void
mr_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pxd		*d = arg;
	uint8_t			 buf[9216];
	char			 cbuf[256];
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 mh;
	struct cmsghdr		*cm;
	struct in_pktinfo	 pi;
	ssize_t			 n;
	int			 i, ifindex, type, vif;
	uint32_t		 s, g;
	uint64_t		 now = mono_ms();

	(void)fd;
	(void)ev;
	for (i = 0; i < 512; i++) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(d->mr, &mh, 0)) == -1)
			break;
		if (mr_upcall(buf, (size_t)n, &type, &vif, &s, &g)) {
			px_upcall(&d->px, now, type, vif, s, g);
			continue;
		}
		ifindex = 0;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_PKTINFO &&
			    cm->cmsg_len >= CMSG_LEN(sizeof(pi))) {
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				ifindex = pi.ipi_ifindex;
			}
		px_packet(&d->px, now, ifindex, buf, (size_t)n);
	}
	px_flush(&d->px, now);
	reschedule(d);
}

/* Multicast from a remote source must not be dropped by rp_filter. */
static void
upstream_rp_filter(struct pxd *d)
{
	if (d->px.upif.up && strcmp(d->rp_done, d->px.upif.name) != 0) {
		(void)rp_filter_setup(d->px.upif.name);
		snprintf(d->rp_done, sizeof(d->rp_done), "%s",
		    d->px.upif.name);
	} else if (!d->px.upif.up)
		d->rp_done[0] = '\0';
}

static void
nl_link(void *arg, int ifindex, const char *name, unsigned flags)
{
	struct pxd	*d = arg;

	px_link(&d->px, mono_ms(), ifindex, name,
	    (flags & IFF_UP) && (flags & IFF_RUNNING));
	upstream_rp_filter(d);
}

static void
nl_link_gone(void *arg, int ifindex)
{
	struct pxd	*d = arg;

	px_link_gone(&d->px, mono_ms(), ifindex);
	upstream_rp_filter(d);
}

static void
nl_addr(void *arg, int ifindex, uint32_t a, uint8_t plen, int add)
{
	struct pxd	*d = arg;

	px_addr(&d->px, mono_ms(), ifindex, a, plen, add);
}

static const struct nl_handler nlh = { nl_link, nl_link_gone, nl_addr };

static void
nl_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pxd	*d = arg;

	(void)fd;
	(void)ev;
	if (nl_read(d->nl, &nlh, d) == -1)
		log_warnx("netlink read failed");
	px_flush(&d->px, mono_ms());
	reschedule(d);
}

static void
timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pxd	*d = arg;

	(void)fd;
	(void)ev;
	px_timer(&d->px, mono_ms());
	reschedule(d);
}

static void
reschedule(struct pxd *d)
{
	daemon_arm(d->ev_timer, px_next_deadline(&d->px), mono_ms());
}

/* amtctl: "interfaces" or "groups". */
static int
ctl_cb(void *arg, const char *cmd, struct emit *e)
{
	struct pxd	*d = arg;

	if (strcmp(cmd, "interfaces") == 0)
		px_show_interfaces(&d->px, mono_ms(), e);
	else if (strcmp(cmd, "groups") == 0)
		px_show_groups(&d->px, mono_ms(), e);
	else
		return -1;
	return 0;
}

static void
dump_state(struct pxd *d)
{
	static const char *const views[] = { "interfaces", "groups", NULL };

	daemon_dump(ctl_cb, d, views);
}

/* The configuration loader, typed for daemon_reload(). */
static int
load_conf(void *c, const char *path)
{
	return px_conf_load(c, path);
}

static void
reload(struct pxd *d)
{
	struct px_conf	*nc, *old = d->conf;

	if ((nc = daemon_reload(d->conf_path, sizeof(*nc), load_conf)) == NULL)
		return;
	if (d->pidfile_arg != NULL)
		strcpy(nc->d.pidfile, old->d.pidfile);
	if (nc->mrt_table != old->mrt_table || strcmp(nc->d.user, old->d.user) ||
	    strcmp(nc->d.pidfile, old->d.pidfile))
		log_warnx("mroute-table, user and pidfile changes take effect "
		    "at restart");
	nc->mrt_table = old->mrt_table;
	d->conf = nc;
	px_reconfigure(&d->px, nc, mono_ms());
	free(old);
	/* Learn the state of interfaces the new file names. */
	(void)nl_dump(d->nl);
	reschedule(d);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct pxd	*d = arg;

	(void)ev;
	switch (sig) {
	case SIGHUP:
		reload(d);
		break;
	case SIGUSR1:
		dump_state(d);
		break;
	default:
		log_info("shutting down");
		event_base_loopbreak(d->base);
		break;
	}
}

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

int
main(int argc, char *argv[])
{
	struct pxd		*d = &pxd;
	struct daemon_opts	 o;
	static const cap_value_t caps[] = {
		CAP_NET_ADMIN,	/* VIFs, forwarding entries, rp_filter */
	};
	int			 rv;

	daemon_options(argc, argv, "igmpproxyd", PX_CONF_FILE, &o);
	d->conf_path = o.conf_path;
	d->pidfile_arg = o.pidfile;
	if ((d->conf = malloc(sizeof(*d->conf))) == NULL)
		fatal("malloc");
	if ((rv = px_conf_load(d->conf, o.conf_path)) == 0 && o.check)
		px_conf_print(d->conf, stdout);
	daemon_configured(&o, rv, &d->conf->d);

	if ((d->mr = mr_open(d->conf->mrt_table, 8 << 20)) == -1)
		exit(1);
	if ((d->tx = open_tx()) == -1 || (d->nl = nl_open()) == -1)
		exit(1);
	d->base = daemon_enter(&o, &d->conf->d, &d->ctl, ctl_cb, d);
	daemon_drop(&d->conf->d, caps, (int)NELEM(caps));

	d->ev_mr = event_new(d->base, d->mr, EV_READ | EV_PERSIST, mr_cb, d);
	d->ev_nl = event_new(d->base, d->nl, EV_READ | EV_PERSIST, nl_cb, d);
	d->ev_timer = evtimer_new(d->base, timer_cb, d);
	if (d->ev_mr == NULL || d->ev_nl == NULL || d->ev_timer == NULL ||
	    event_add(d->ev_mr, NULL) == -1 || event_add(d->ev_nl, NULL) == -1)
		fatalx("libevent setup");
	daemon_signals(d->base, d->ev_sig, signal_cb, d);

	px_init(&d->px, d->conf, &pxd_os, d);
	log_info("started: upstream %s, %u downstream interface(s)%s",
	    d->conf->upstream, d->conf->nds, d->conf->fast_leave ?
	    ", fast leave" : "");
	if (nl_dump(d->nl) == -1)
		fatalx("netlink dump");
	reschedule(d);
	daemon_ready();

	event_base_dispatch(d->base);

	px_shutdown(&d->px);
	log_info("exiting");
	event_free(d->ev_mr);
	event_free(d->ev_nl);
	event_free(d->ev_timer);
	daemon_leave(d->base, d->ctl, d->ev_sig);
	px_free(&d->px);
	mr_close(d->mr);
	close(d->tx);
	close(d->nl);
	free(d->conf);
	return 0;
}
