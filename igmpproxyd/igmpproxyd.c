/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * igmpproxyd main: command line, configuration, the sockets opened as
 * root (px_io.c, rtnetlink), the privilege drop, and the libevent loop
 * around the proxy engine (px.c): SIGHUP reloads, SIGTERM and SIGINT
 * stop, SIGUSR1 dumps the state.
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
#include "nl.h"
#include "px_io.h"
#include "tun.h"
#include "util.h"

struct pxd {
	struct event_base	*base;
	struct daemon_opts	 o;
	struct proxy		 px;		/* IGMP */
	struct proxy		 px6;		/* MLD, when has6 */
	int			 has6;
	struct px_conf		*conf;
	struct pxio		 io;
	struct pxio6		 io6;
	int			 nl;
	struct event		*ev_mr;
	struct event		*ev_mr6;
	struct event		*ev_mld;
	struct event		*ev_nl;
	struct event		*ev_timer;
	struct event		*ev_sig[DAEMON_NSIGS];
	struct daemon_hooks	 hooks;
	struct ctl		*ctl;
	char			 rp_done[IFNAMSIZ];
};

static struct pxd	 pxd;

static void	 reschedule(struct pxd *);

/* ---- events ---- */

/* The mroute socket: IGMP and upcalls to the engine, then one flush. */
static void
mr_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pxd	*d = arg;
	uint64_t	 now = mono_ms();

	(void)fd;
	(void)ev;
	(void)pxio_read(&d->io, &d->px, now);
	px_flush(&d->px, now);
	reschedule(d);
}

/* The mroute6 socket: upcalls to the MLD engine, then one flush. */
static void
mr6_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pxd	*d = arg;
	uint64_t	 now = mono_ms();

	(void)fd;
	(void)ev;
	(void)pxio6_read_upcalls(&d->io6, &d->px6, now);
	px_flush(&d->px6, now);
	reschedule(d);
}

/* The MLD packet socket: MLD to the engine, then one flush. */
static void
mld_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pxd	*d = arg;
	uint64_t	 now = mono_ms();

	(void)fd;
	(void)ev;
	(void)pxio6_read_mld(&d->io6, &d->px6, now);
	px_flush(&d->px6, now);
	reschedule(d);
}

/* Multicast from a remote source must not be dropped by rp_filter. */
static void
upstream_rp_filter(struct pxd *d)
{
	if (d->px.upif.active && strcmp(d->rp_done, d->px.upif.name) != 0) {
		(void)rp_filter_setup(d->px.upif.name);
		snprintf(d->rp_done, sizeof(d->rp_done), "%s",
		    d->px.upif.name);
	} else if (!d->px.upif.active)
		d->rp_done[0] = '\0';
}

static void
nl_link(void *arg, int ifindex, const char *name, unsigned flags,
    unsigned mtu)
{
	struct pxd	*d = arg;

	px_link(&d->px, mono_ms(), ifindex, name,
	    (flags & IFF_UP) && (flags & IFF_RUNNING), mtu);
	if (d->has6)
		px_link(&d->px6, mono_ms(), ifindex, name,
		    (flags & IFF_UP) && (flags & IFF_RUNNING), mtu);
	upstream_rp_filter(d);
}

static void
nl_link_gone(void *arg, int ifindex)
{
	struct pxd	*d = arg;

	px_link_gone(&d->px, mono_ms(), ifindex);
	if (d->has6)
		px_link_gone(&d->px6, mono_ms(), ifindex);
	upstream_rp_filter(d);
}

static void
nl_addr(void *arg, int ifindex, uint32_t a, uint8_t plen, int add)
{
	struct pxd	*d = arg;

	px_addr(&d->px, mono_ms(), ifindex, a, plen, add);
}

static void
nl_addr6(void *arg, int ifindex, const uint8_t *a, uint8_t plen, int add)
{
	struct pxd	*d = arg;

	(void)plen;
	if (d->has6)
		px_addr6(&d->px6, mono_ms(), ifindex, a, add);
}

static const struct nl_handler nlh = { nl_link, nl_link_gone, nl_addr,
    nl_addr6 };

static void
nl_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pxd	*d = arg;

	(void)fd;
	(void)ev;
	if (nl_read(d->nl, &nlh, d) == -1)
		log_warnx("netlink read failed");
	px_flush(&d->px, mono_ms());
	if (d->has6)
		px_flush(&d->px6, mono_ms());
	reschedule(d);
}

static void
timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pxd	*d = arg;

	(void)fd;
	(void)ev;
	px_timer(&d->px, mono_ms());
	if (d->has6)
		px_timer(&d->px6, mono_ms());
	reschedule(d);
}

static void
reschedule(struct pxd *d)
{
	uint64_t	 t = px_next_deadline(&d->px), t6;

	if (d->has6 && (t6 = px_next_deadline(&d->px6)) < t)
		t = t6;
	daemon_arm(d->ev_timer, t, mono_ms());
}

/* The MLD engine's view, in an object of its own. */
static void
show6(struct pxd *d, void (*fn)(const struct proxy *, uint64_t,
    struct emit *), struct emit *e)
{
	if (!d->has6)
		return;
	emit_obj(e, "mld");
	fn(&d->px6, mono_ms(), e);
	emit_end(e);
}

/* amtctl: "interfaces" or "groups". */
static int
ctl_cb(void *arg, const char *cmd, struct emit *e)
{
	struct pxd	*d = arg;

	if (strcmp(cmd, CTL_CMD_INTERFACES) == 0) {
		px_show_interfaces(&d->px, mono_ms(), e);
		show6(d, px_show_interfaces, e);
	} else if (strcmp(cmd, CTL_CMD_GROUPS) == 0) {
		px_show_groups(&d->px, mono_ms(), e);
		show6(d, px_show_groups, e);
	} else
		return -1;
	return 0;
}

static void
reload(void *arg)
{
	struct pxd	*d = arg;
	struct px_conf	*nc, *old = d->conf;

	if ((nc = daemon_reload(&d->o, &px_conf_table, old)) == NULL)
		return;
	d->conf = nc;
	px_reconfigure(&d->px, nc, mono_ms());
	if (d->has6)
		px_reconfigure(&d->px6, nc, mono_ms());
	free(old);
	/* Learn the state of interfaces the new file names. */
	(void)nl_dump(d->nl);
	reschedule(d);
}

/* What SIGUSR1 logs. */
static const char *const views[] = {
	CTL_CMD_INTERFACES, CTL_CMD_GROUPS, NULL
};

int
main(int argc, char *argv[])
{
	struct pxd		*d = &pxd;
	static const cap_value_t caps[] = {
		CAP_NET_ADMIN,	/* VIFs, forwarding entries, rp_filter */
	};

	daemon_options(argc, argv, "igmpproxyd", PX_CONF_FILE, &d->o);
	d->conf = daemon_load(&d->o, &px_conf_table);

	if (pxio_open(&d->io, d->conf->mrt_table) == -1 ||
	    (d->nl = nl_open()) == -1)
		exit(1);
	if (d->conf->mld) {
		if (pxio6_open(&d->io6, d->conf->mrt_table) == -1)
			log_warnx("IPv6 multicast routing unavailable: MLD is "
			    "not served, IPv4 is (mld off to say so)");
		else
			d->has6 = 1;
	}
	d->base = daemon_enter(&d->o, &d->conf->d, &d->ctl, ctl_cb, d);
	daemon_drop(&d->conf->d, caps, (int)NELEM(caps));

	d->ev_mr = event_new(d->base, d->io.mr, EV_READ | EV_PERSIST, mr_cb, d);
	d->ev_nl = event_new(d->base, d->nl, EV_READ | EV_PERSIST, nl_cb, d);
	d->ev_timer = evtimer_new(d->base, timer_cb, d);
	if (d->ev_mr == NULL || d->ev_nl == NULL || d->ev_timer == NULL ||
	    event_add(d->ev_mr, NULL) == -1 || event_add(d->ev_nl, NULL) == -1)
		fatalx("libevent setup");
	if (d->has6) {
		d->ev_mr6 = event_new(d->base, d->io6.mr, EV_READ |
		    EV_PERSIST, mr6_cb, d);
		d->ev_mld = event_new(d->base, d->io6.pkt, EV_READ |
		    EV_PERSIST, mld_cb, d);
		if (d->ev_mr6 == NULL || d->ev_mld == NULL ||
		    event_add(d->ev_mr6, NULL) == -1 ||
		    event_add(d->ev_mld, NULL) == -1)
			fatalx("libevent setup");
	}
	d->hooks = (struct daemon_hooks){ d->base, reload, NULL, ctl_cb, views,
	    d };
	daemon_signals(d->ev_sig, &d->hooks);

	if (px_init(&d->px, d->conf, &pxio_os, &d->io, 0) == -1 ||
	    (d->has6 && px_init(&d->px6, d->conf, &pxio6_os, &d->io6, 1) ==
	    -1))
		fatal("px_init");
	log_info("started (version " AMT_VERSION "): upstream %s, %u "
	    "downstream interface(s), IGMP%s%s",
	    d->conf->upstream, d->conf->nds, d->has6 ? " and MLD" : "",
	    d->conf->fast_leave ? ", fast leave" : "");
	if (nl_dump(d->nl) == -1)
		fatalx("netlink dump");
	reschedule(d);
	daemon_ready();

	event_base_dispatch(d->base);

	px_shutdown(&d->px, mono_ms());
	if (d->has6)
		px_shutdown(&d->px6, mono_ms());
	log_info("exiting");
	event_free(d->ev_mr);
	if (d->has6) {
		event_free(d->ev_mr6);
		event_free(d->ev_mld);
	}
	event_free(d->ev_nl);
	event_free(d->ev_timer);
	daemon_leave(d->base, d->ctl, d->ev_sig);
	px_free(&d->px);
	pxio_close(&d->io);
	if (d->has6) {
		px_free(&d->px6);
		pxio6_close(&d->io6);
	}
	close(d->nl);
	free(d->conf);
	return 0;
}
