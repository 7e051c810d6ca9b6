/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd main: command line, configuration, the TUN and the UDP socket
 * opened as root (gw_io.c), the resolver (gw_dns.c), detaching, the
 * privilege drop, and the libevent loop that feeds the site (gw_site.c)
 * and its tunnels.  Signals: SIGHUP
 * reloads, SIGTERM and SIGINT shut down (Teardown first), SIGUSR1
 * dumps state.
 */

#include <sys/capability.h>
#include <sys/types.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "ctl.h"
#include "daemon.h"
#include "emit.h"
#include "gw.h"
#include "gw_dns.h"
#include "gw_io.h"
#include "pcapw.h"
#include "util.h"

struct gwd {
	struct event_base	*base;
	struct daemon_opts	 o;
	struct gw_site		 site;
	struct gwdns		*dns;
	struct gw_conf		*conf;
	struct gwio		 io;
	struct event		*ev_udp;
	struct event		*ev_tun;
	struct event		*ev_timer;
	struct event		*ev_sig[DAEMON_NSIGS];
	struct daemon_hooks	 hooks;
	struct ctl		*ctl;
	struct pcapw		 pc;
	int			 stopping;
};

static struct gwd	 gwd;

static void	 reschedule(struct gwd *);

static int
op_send(void *arg, const struct mc_src6 *addr, uint16_t port,
    const uint8_t *p, size_t len)
{
	struct gwd	*d = arg;

	return gwio_send(&d->io, addr, port, p, len);
}

static int
op_tun_write(void *arg, const uint8_t *p, size_t len)
{
	struct gwd	*d = arg;

	return gwio_tun_write(&d->io, p, len);
}

static uint32_t
op_random(void *arg)
{
	(void)arg;
	return rand_u32();
}

static int
op_lookup(void *arg, unsigned id, const char *name, uint16_t type)
{
	struct gwd	*d = arg;

	return gwdns_lookup(d->dns, id, name, type);
}

static const struct gw_site_ops gwd_ops = {
	.send = op_send,
	.tun_write = op_tun_write,
	.random = op_random,
	.lookup = op_lookup,
};

/* The data path follows the tunnels' relays and sources. */
static void
follow_relay(struct gwd *d)
{
	site_accept(&d->site, &d->io.acc);
}

/* A DNS answer: to the site. */
static void
dns_in(void *arg, unsigned id, const struct gw_dns_answer *a)
{
	struct gwd	*d = arg;

	site_dns(&d->site, mono_ms(), id, a);
	reschedule(d);
}

/* A control message from the UDP socket: to the state machine. */
static void
control_in(void *arg, const struct mc_src6 *src, uint16_t sport,
    const uint8_t *p, size_t len)
{
	struct gwd	*d = arg;

	site_recv_amt(&d->site, mono_ms(), src, sport, p, len);
	follow_relay(d);	/* for the rest of this batch */
}

/* A datagram from the TUN: to the state machine. */
static void
tun_in(void *arg, const uint8_t *p, size_t len)
{
	struct gwd	*d = arg;

	site_tun_packet(&d->site, mono_ms(), p, len);
}

static void
udp_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gwd	*d = arg;

	(void)fd;
	(void)ev;
	if (gwio_udp_read(&d->io, control_in, d) > 0)
		reschedule(d);
}

static void
tun_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gwd	*d = arg;

	(void)fd;
	(void)ev;
	gwio_tun_read(&d->io, tun_in, d);
	reschedule(d);
}

static void
timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gwd	*d = arg;

	(void)fd;
	(void)ev;
	site_timer(&d->site, mono_ms());
	reschedule(d);
}

/* After any event: the relay to accept data from, and the one timer. */
static void
reschedule(struct gwd *d)
{
	follow_relay(d);
	if (d->stopping && site_done(&d->site)) {
		event_base_loopbreak(d->base);
		return;
	}
	daemon_arm(d->ev_timer, site_next_deadline(&d->site), mono_ms());
}

/* amtctl: "gateway". */
static int
ctl_cb(void *arg, const char *cmd, struct emit *e)
{
	struct gwd	*d = arg;

	if (cmd[0] != '\0' && strcmp(cmd, CTL_CMD_GATEWAY) != 0)
		return -1;
	site_show(&d->site, mono_ms(), e);	/* "counters" left open */
	gwio_show_counters(&d->io, e);
	emit_end(e);
	return 0;
}

/* (Re)register an event for fd, replacing *ev. */
static void
watch(struct gwd *d, struct event **ev, int fd, event_callback_fn cb)
{
	if (*ev != NULL)
		event_free(*ev);
	*ev = event_new(d->base, fd, EV_READ | EV_PERSIST, cb, d);
	if (*ev == NULL || event_add(*ev, NULL) == -1)
		fatalx("event_add");
}

/* SIGHUP: the pseudo-interface and the socket as the new file says. */
static void
reload_io(struct gwd *d, struct gw_conf *nc, const struct gw_conf *old)
{
	if (strcmp(nc->tunnel, old->tunnel) != 0) {
		if (gwio_tun_open(&d->io, nc) == -1) {
			log_warnx("keeping pseudo-interface %s",
			    d->io.tunname);
			strcpy(nc->tunnel, old->tunnel);
		} else {
			watch(d, &d->ev_tun, d->io.tun, tun_cb);
			log_info("pseudo-interface now %s", d->io.tunname);
		}
	} else if (nc->tunnel_mtu != old->tunnel_mtu ||
	    nc->tunnel_addr.addr != old->tunnel_addr.addr ||
	    nc->tunnel_addr.len != old->tunnel_addr.len)
		(void)gwio_tun_configure(nc, d->io.tunname);
	if (nc->rcvbuf_kb != old->rcvbuf_kb)
		gwio_udp_rcvbuf(&d->io, nc->rcvbuf_kb);
	if (mc_src6_eq(&nc->local_addr, &old->local_addr) &&
	    nc->local_port == old->local_port &&
	    strcmp(nc->ifname, old->ifname) == 0)
		return;
	if (gwio_udp_open(&d->io, nc) == -1) {
		log_warnx("keeping the old UDP socket");
		nc->local_addr = old->local_addr;
		nc->local_port = old->local_port;
		strcpy(nc->ifname, old->ifname);
		return;
	}
	watch(d, &d->ev_udp, d->io.udp, udp_cb);
	log_info("UDP socket bound to port %u", d->io.lport);
}

/* SIGHUP: parse afresh; apply only if the whole file is valid. */
static void
reload(void *arg)
{
	struct gwd	*d = arg;
	struct gw_conf	*nc, *old = d->conf;

	if ((nc = daemon_reload(&d->o, &gw_conf_table, old)) == NULL)
		return;
	reload_io(d, nc, old);
	if (d->dns == NULL && (nc->driad || nc->relay_name[0] != '\0') &&
	    (d->dns = gwdns_open(d->base, nc->trust_anchor, dns_in,
	    d)) == NULL)
		log_warnx("the resolver cannot start: DNS lookups fail");
	d->conf = nc;
	site_reconfigure(&d->site, nc, mono_ms());
	free(old);
	reschedule(d);
}

/* What SIGUSR1 logs. */
static const char *const views[] = { CTL_CMD_GATEWAY, NULL };

/* SIGTERM, SIGINT: Teardown first; a second signal exits at once. */
static void
stop(void *arg)
{
	struct gwd	*d = arg;

	if (d->stopping) {
		log_info("second signal: exiting now");
		event_base_loopbreak(d->base);
		return;
	}
	log_info("shutting down");
	d->stopping = 1;
	site_stop(&d->site, mono_ms());
	reschedule(d);
}

int
main(int argc, char *argv[])
{
	struct gwd		*d = &gwd;
	static const cap_value_t caps[] = {
		CAP_NET_ADMIN,	/* TUN MTU, address and rp_filter on reload */
		CAP_NET_RAW,	/* SO_BINDTODEVICE when rebinding on reload */
	};

	daemon_options(argc, argv, "amtgwd", GW_CONF_FILE, &d->o);
	d->conf = daemon_load(&d->o, &gw_conf_table);

	/* Everything that needs root, before detaching and dropping it. */
	if (gwio_init(&d->io) == -1)
		fatal("receive buffers");
	if (gwio_tun_open(&d->io, d->conf) == -1 ||
	    gwio_udp_open(&d->io, d->conf) == -1)
		exit(1);
	d->base = daemon_enter(&d->o, &d->conf->d, &d->ctl, ctl_cb, d);
	/* Trust anchors are read now, before the privilege drop. */
	if ((d->conf->driad || d->conf->relay_name[0] != '\0') &&
	    (d->dns = gwdns_open(d->base, d->conf->trust_anchor, dns_in,
	    d)) == NULL)
		fatalx("the resolver cannot start");
	if (daemon_pcap(d->base, &d->conf->d, &d->pc))
		d->io.pc = &d->pc;
	daemon_drop(&d->conf->d, caps, (int)NELEM(caps));

	watch(d, &d->ev_udp, d->io.udp, udp_cb);
	watch(d, &d->ev_tun, d->io.tun, tun_cb);
	if ((d->ev_timer = evtimer_new(d->base, timer_cb, d)) == NULL)
		fatalx("libevent setup");
	d->hooks = (struct daemon_hooks){ d->base, reload, stop, ctl_cb, views,
	    d };
	daemon_signals(d->ev_sig, &d->hooks);

	if (site_init(&d->site, d->conf, &gwd_ops, d) == -1)
		fatal("site_init");
	log_info("started (version " AMT_VERSION "): pseudo-interface %s, "
	    "UDP port %u, %s %s, DRIAD %s",
	    d->io.tunname, d->io.lport, d->conf->fixed_relay ?
	    "relay" : "discovery", d->conf->relay_name[0] != '\0' ?
	    d->conf->relay_name : addr6_ntoa(d->conf->fixed_relay ?
	    d->conf->relay.a : d->conf->discovery.a), d->conf->driad ? "on" :
	    "off");
	site_start(&d->site, mono_ms());
	reschedule(d);
	daemon_ready();

	event_base_dispatch(d->base);

	log_info("exiting");
	pcapw_close(&d->pc);
	event_free(d->ev_udp);
	event_free(d->ev_tun);
	event_free(d->ev_timer);
	gwdns_close(d->dns);
	daemon_leave(d->base, d->ctl, d->ev_sig);
	site_free(&d->site);
	gwio_free(&d->io);
	free(d->conf);
	return 0;
}
