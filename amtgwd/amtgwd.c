/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtgwd main: command line, configuration, the TUN and the UDP socket
 * opened as root, detaching, the privilege drop, and the libevent loop
 * that feeds the gateway state machine.  Signals: SIGHUP reloads,
 * SIGTERM and SIGINT shut down (Teardown first), SIGUSR1 dumps state.
 */

#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "amtgwd.h"
#include "ctl.h"
#include "daemon.h"
#include "gw_io.h"
#include "pcapw.h"
#include "util.h"

struct gwd {
	struct event_base	*base;
	struct gw		 gw;
	struct gw_conf		*conf;
	const char		*conf_path;
	const char		*pidfile_arg;
	int			 udp;
	int			 tun;
	char			 tunname[IFNAMSIZ];
	struct gwio_batch	 batch;
	struct event		*ev_udp;
	struct event		*ev_tun;
	struct event		*ev_timer;
	struct event		*ev_sig[DAEMON_NSIGS];
	struct ctl		*ctl;
	struct pcapw		 pc;
	int			 stopping;
};

static struct gwd	 gwd;

static void	 reschedule(struct gwd *);

static int
op_send(void *arg, uint32_t addr, uint16_t port, const uint8_t *p,
    size_t len)
{
	struct gwd	*d = arg;

	if (pcapw_on(&d->pc))
		pcapw_udp(&d->pc, d->batch.laddr, d->batch.lport, addr, port,
		    NULL, 0, p, len);
	return gwio_sendto(d->udp, addr, port, p, len);
}

static int
op_tun_write(void *arg, const uint8_t *p, size_t len)
{
	struct gwd	*d = arg;

	return write(d->tun, p, len) == (ssize_t)len ? 0 : -1;
}

static uint32_t
op_random(void *arg)
{
	(void)arg;
	return rand_u32();
}

static const struct gw_ops gwd_ops = {
	.send = op_send,
	.tun_write = op_tun_write,
	.random = op_random,
};

static void
udp_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gwd	*d = arg;

	(void)fd;
	(void)ev;
	if (gwio_udp_read(&d->gw, &d->batch, d->udp, d->tun))
		reschedule(d);
}

static void
tun_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gwd	*d = arg;

	(void)fd;
	(void)ev;
	gwio_tun_read(&d->gw, d->tun);
	reschedule(d);
}

static void
timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct gwd	*d = arg;

	(void)fd;
	(void)ev;
	gw_timer(&d->gw, mono_ms());
	reschedule(d);
}

/* Arm the one timer for the state machine's earliest deadline. */
static void
reschedule(struct gwd *d)
{
	if (d->stopping && gw_done(&d->gw)) {
		event_base_loopbreak(d->base);
		return;
	}
	daemon_arm(d->ev_timer, gw_next_deadline(&d->gw), mono_ms());
}

/* amtctl: "gateway". */
static int
ctl_cb(void *arg, const char *cmd, struct emit *e)
{
	struct gwd	*d = arg;

	if (cmd[0] != '\0' && strcmp(cmd, "gateway") != 0)
		return -1;
	gw_show(&d->gw, mono_ms(), e);
	return 0;
}

static void
dump_state(struct gwd *d)
{
	static const char *const views[] = { "gateway", NULL };

	daemon_dump(ctl_cb, d, views);
}

/* Replace the UDP socket after a change of local address or port. */
static int
reopen_udp(struct gwd *d, const struct gw_conf *c)
{
	int	 s;

	if ((s = gwio_udp_open(c)) == -1)
		return -1;
	event_free(d->ev_udp);
	close(d->udp);
	d->udp = s;
	d->ev_udp = event_new(d->base, s, EV_READ | EV_PERSIST, udp_cb, d);
	if (d->ev_udp == NULL || event_add(d->ev_udp, NULL) == -1)
		fatalx("event_add udp");
	d->batch.laddr = gwio_udp_addr(s);
	d->batch.lport = gwio_udp_port(s);
	log_info("UDP socket bound to port %u", gwio_udp_port(s));
	return 0;
}

/* Replace the TUN device after a change of its name. */
static int
reopen_tun(struct gwd *d, const struct gw_conf *c)
{
	char	 name[IFNAMSIZ];
	int	 fd;

	if ((fd = gwio_tun_open(c, name)) == -1)
		return -1;
	event_free(d->ev_tun);
	close(d->tun);
	d->tun = fd;
	memcpy(d->tunname, name, IFNAMSIZ);
	d->ev_tun = event_new(d->base, fd, EV_READ | EV_PERSIST, tun_cb, d);
	if (d->ev_tun == NULL || event_add(d->ev_tun, NULL) == -1)
		fatalx("event_add tun");
	log_info("pseudo-interface now %s", name);
	return 0;
}

/* The configuration loader, typed for daemon_reload(). */
static int
load_conf(void *c, const char *path)
{
	return gw_conf_load(c, path);
}

/* SIGHUP: parse afresh; apply only if the whole file is valid. */
static void
reload(struct gwd *d)
{
	struct gw_conf	*nc, *old = d->conf;

	if ((nc = daemon_reload(d->conf_path, sizeof(*nc), load_conf)) == NULL)
		return;
	if (d->pidfile_arg != NULL)
		strcpy(nc->d.pidfile, old->d.pidfile);
	if (strcmp(nc->d.user, old->d.user) != 0 ||
	    strcmp(nc->d.pidfile, old->d.pidfile) != 0)
		log_warnx("user and pidfile changes take effect at restart");
	if (strcmp(nc->tunnel, old->tunnel) != 0) {
		if (reopen_tun(d, nc) == -1) {
			log_warnx("keeping pseudo-interface %s", d->tunname);
			strcpy(nc->tunnel, old->tunnel);
		}
	} else if (nc->tunnel_mtu != old->tunnel_mtu ||
	    nc->tunnel_addr_set != old->tunnel_addr_set ||
	    nc->tunnel_addr != old->tunnel_addr ||
	    nc->tunnel_plen != old->tunnel_plen)
		(void)gwio_tun_configure(nc, d->tunname);
	if ((nc->local_addr != old->local_addr ||
	    nc->local_port != old->local_port ||
	    strcmp(nc->ifname, old->ifname) != 0) && reopen_udp(d, nc) == -1) {
		log_warnx("keeping the old UDP socket");
		nc->local_addr = old->local_addr;
		nc->local_port = old->local_port;
		strcpy(nc->ifname, old->ifname);
	}
	d->conf = nc;
	gw_reconfigure(&d->gw, nc, mono_ms());
	free(old);
	reschedule(d);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct gwd	*d = arg;

	(void)ev;
	switch (sig) {
	case SIGHUP:
		reload(d);
		break;
	case SIGUSR1:
		dump_state(d);
		break;
	case SIGTERM:
	case SIGINT:
		if (d->stopping) {
			log_info("second signal: exiting now");
			event_base_loopbreak(d->base);
			return;
		}
		log_info("shutting down");
		d->stopping = 1;
		gw_stop(&d->gw, mono_ms());
		reschedule(d);
		break;
	default:
		break;
	}
}

int
main(int argc, char *argv[])
{
	struct gwd		*d = &gwd;
	struct daemon_opts	 o;
	static const cap_value_t caps[] = {
		CAP_NET_ADMIN,	/* TUN MTU, address and rp_filter on reload */
		CAP_NET_RAW,	/* SO_BINDTODEVICE when rebinding on reload */
	};
	int			 rv;

	daemon_options(argc, argv, "amtgwd", GW_CONF_FILE, &o);
	d->conf_path = o.conf_path;
	d->pidfile_arg = o.pidfile;
	if ((d->conf = malloc(sizeof(*d->conf))) == NULL)
		fatal("malloc");
	if ((rv = gw_conf_load(d->conf, o.conf_path)) == 0 && o.check)
		gw_conf_print(d->conf, stdout);
	daemon_configured(&o, rv, &d->conf->d);

	/* Everything that needs root, before detaching and dropping it. */
	if ((d->tun = gwio_tun_open(d->conf, d->tunname)) == -1)
		exit(1);
	if ((d->udp = gwio_udp_open(d->conf)) == -1)
		exit(1);
	if (gwio_batch_init(&d->batch) == -1)
		fatal("receive buffers");
	d->batch.laddr = gwio_udp_addr(d->udp);
	d->batch.lport = gwio_udp_port(d->udp);
	d->base = daemon_enter(&o, &d->conf->d, &d->ctl, ctl_cb, d);
	if (d->conf->d.pcap_file[0] != '\0' && pcapw_open(&d->pc,
	    d->conf->d.pcap_file, d->conf->d.pcap_limit_kb,
	    d->conf->d.pcap_data, d->conf->d.user) == 0)
		d->batch.pc = &d->pc;
	daemon_drop(&d->conf->d, caps, (int)NELEM(caps));

	d->ev_udp = event_new(d->base, d->udp, EV_READ | EV_PERSIST, udp_cb,
	    d);
	d->ev_tun = event_new(d->base, d->tun, EV_READ | EV_PERSIST, tun_cb,
	    d);
	d->ev_timer = evtimer_new(d->base, timer_cb, d);
	if (d->ev_udp == NULL || d->ev_tun == NULL || d->ev_timer == NULL ||
	    event_add(d->ev_udp, NULL) == -1 || event_add(d->ev_tun, NULL) ==
	    -1)
		fatalx("libevent setup");
	daemon_signals(d->base, d->ev_sig, signal_cb, d);

	if (gw_init(&d->gw, d->conf, &gwd_ops, d) == -1)
		fatal("gw_init");
	log_info("started: pseudo-interface %s, UDP port %u, %s %s",
	    d->tunname, gwio_udp_port(d->udp), d->conf->fixed_relay ?
	    "relay" : "discovery", addr4_ntoa(d->conf->fixed_relay ?
	    d->conf->relay : d->conf->discovery));
	gw_start(&d->gw, mono_ms());
	reschedule(d);
	daemon_ready();

	event_base_dispatch(d->base);

	log_info("exiting");
	pcapw_close(&d->pc);
	event_free(d->ev_udp);
	event_free(d->ev_tun);
	event_free(d->ev_timer);
	daemon_leave(d->base, d->ctl, d->ev_sig);
	gw_free(&d->gw);
	gwio_batch_free(&d->batch);
	close(d->udp);
	close(d->tun);		/* the TUN device goes away with it */
	free(d->conf);
	return 0;
}
