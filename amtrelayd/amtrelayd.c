/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtrelayd main: command line, configuration, sockets opened as root,
 * the membership limits raised, the privilege drop, and the libevent
 * loop.  SIGHUP reloads timers and limits (addresses and the upstream
 * need a restart), SIGTERM and SIGINT stop, SIGUSR1 dumps state.
 */

#include <sys/capability.h>
#include <sys/socket.h>

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
#include <sodium.h>

#include "ctl.h"
#include "daemon.h"
#include "emit.h"
#include "pcapw.h"
#include "relay_io.h"
#include "util.h"

struct rld {
	struct event_base	*base;
	struct daemon_opts	 o;
	struct relay		 r;
	struct rio		 io;
	struct relay_conf		*conf;
	struct event		*ev_ctl[RIO_NCTL];
	struct event		*ev_pkt;
	struct event		*ev_timer;
	struct event		*ev_retry;
	struct event		*ev_sig[DAEMON_NSIGS];
	struct daemon_hooks	 hooks;
	struct ctl		*ctl;
	struct pcapw		 pc;
};

static struct rld	 rld;

static void	 reschedule(struct rld *);

/* libevent priorities: control (and timers) before data. */
#define PRI_CONTROL	0
#define PRI_DATA	1
#define PRI_N		2

static int
op_send(void *arg, int sock, const struct mc_src6 *a, uint16_t p,
    const uint8_t *b, size_t len)
{
	struct rld	*d = arg;

	return rio_send(&d->io, sock, a, p, b, len);
}

static int
op_join(void *arg, const struct mc_src6 *g, const struct mc_src6 *s)
{
	struct rld	*d = arg;

	return rio_join(&d->io, g, s);
}

static void
op_leave(void *arg, const struct mc_src6 *g, const struct mc_src6 *s)
{
	struct rld	*d = arg;

	rio_leave(&d->io, g, s);
}

static void
op_random(void *arg, uint8_t *p, size_t n)
{
	(void)arg;
	randombytes_buf(p, n);
}

static const struct relay_ops rld_ops = { op_send, op_join, op_leave,
    op_random };

/* A control message: to the state machine. */
static void
control_in(void *arg, int sock, const struct mc_src6 *a, uint16_t p,
    const uint8_t *b, size_t len)
{
	struct rld	*d = arg;

	relay_recv(&d->r, mono_ms(), sock, a, p, b, len);
}

/* ICMP port unreachable from a gateway: to the state machine. */
static void
unreach_in(void *arg, const struct mc_src6 *a, uint16_t p)
{
	struct rld	*d = arg;

	relay_unreachable(&d->r, a, p);
}

static void
udp_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct rld	*d = arg;
	int		 i;

	(void)ev;
	for (i = 0; i < d->io.nctl; i++)
		if (d->io.ctl[i] == fd) {
			(void)rio_ctl_read(&d->io, i, control_in, d);
			if (i == d->io.out[0].sock || i == d->io.out[1].sock)
				rio_errors(&d->io, i, unreach_in, d);
		}
	reschedule(d);
}

static void
pkt_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct rld	*d = arg;

	(void)fd;
	(void)ev;
	rio_native_read(&d->io);
}

static void
timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct rld	*d = arg;

	(void)fd;
	(void)ev;
	relay_timer(&d->r, mono_ms());
	reschedule(d);
}

static void
reschedule(struct rld *d)
{
	daemon_arm(d->ev_timer, relay_next_deadline(&d->r), mono_ms());
}

/* Until the upstream interface exists, look for it every 2 s. */
static void
retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct rld	*d = arg;
	struct timeval	 tv = { 2, 0 };

	(void)fd;
	(void)ev;
	if (d->ev_pkt == NULL && (d->io.pkt != -1 ||
	    rio_open_native(&d->io) == 0)) {
		d->ev_pkt = event_new(d->base, d->io.pkt, EV_READ | EV_PERSIST,
		    pkt_cb, d);
		if (d->ev_pkt == NULL ||
		    event_priority_set(d->ev_pkt, PRI_DATA) == -1 ||
		    event_add(d->ev_pkt, NULL) == -1)
			fatalx("event_add packet socket");
		log_info("receiving native multicast on %s",
		    d->conf->upstream);
		return;
	}
	evtimer_add(d->ev_retry, &tv);
}

/* amtctl: "gateways" or "groups". */
static int
ctl_cb(void *arg, const char *cmd, struct emit *e)
{
	struct rld	*d = arg;

	if (strcmp(cmd, CTL_CMD_GATEWAYS) == 0) {
		relay_show_gateways(&d->r, mono_ms(), e);
		emit_obj(e, "counters");
		relay_show_counters(&d->r, e);
		rio_show_counters(&d->io, e);
		emit_end(e);
	} else if (strcmp(cmd, CTL_CMD_GROUPS) == 0)
		relay_show_groups(&d->r, mono_ms(), e);
	else
		return -1;
	return 0;
}

static void
reload(void *arg)
{
	struct rld	*d = arg;
	struct relay_conf	*nc, *old = d->conf;

	if ((nc = daemon_reload(&d->o, &relay_conf_table, old)) == NULL)
		return;
	d->conf = nc;
	d->r.conf = nc;
	d->io.conf = nc;
	free(old);
	reschedule(d);
}

/* What SIGUSR1 logs. */
static const char *const views[] = {
	CTL_CMD_GATEWAYS, CTL_CMD_GROUPS, NULL
};

int
main(int argc, char *argv[])
{
	struct rld		*d = &rld;
	static const cap_value_t caps[] = {
		CAP_NET_RAW,	/* the packet socket, if upstream comes late */
	};
	int			 i;

	daemon_options(argc, argv, "amtrelayd", RELAY_CONF_FILE, &d->o);
	d->conf = daemon_load(&d->o, &relay_conf_table);
	if (sodium_init() == -1)
		fatalx("libsodium");

	rio_raise_limits();
	if (rio_init(&d->io, d->conf) == -1)
		exit(1);
	(void)rio_open_native(&d->io);
	d->base = daemon_enter(&d->o, &d->conf->d, &d->ctl, ctl_cb, d);
	/* Control first: a wake-up with both runs control, then data. */
	if (event_base_priority_init(d->base, PRI_N) == -1)
		fatalx("event_base_priority_init");
	if (daemon_pcap(d->base, &d->conf->d, &d->pc))
		d->io.pc = &d->pc;
	daemon_drop(&d->conf->d, caps, (int)NELEM(caps));

	relay_init(&d->r, d->conf, &rld_ops, d, mono_ms());
	d->io.r = &d->r;
	for (i = 0; i < d->io.nctl; i++) {
		d->ev_ctl[i] = event_new(d->base, d->io.ctl[i],
		    EV_READ | EV_PERSIST, udp_cb, d);
		if (d->ev_ctl[i] == NULL ||
		    event_priority_set(d->ev_ctl[i], PRI_CONTROL) == -1 ||
		    event_add(d->ev_ctl[i], NULL) == -1)
			fatalx("event_add control socket");
	}
	d->ev_timer = evtimer_new(d->base, timer_cb, d);
	d->ev_retry = evtimer_new(d->base, retry_cb, d);
	if (d->ev_timer == NULL || d->ev_retry == NULL ||
	    event_priority_set(d->ev_timer, PRI_CONTROL) == -1)
		fatalx("evtimer_new");
	retry_cb(-1, 0, d);
	d->hooks = (struct daemon_hooks){ d->base, reload, NULL, ctl_cb, views,
	    d };
	daemon_signals(d->ev_sig, &d->hooks);
	log_info("started (version " AMT_VERSION "): relay %s%s%s, %u "
	    "discovery address(es), upstream %s", d->conf->relay != 0 ?
	    addr4_ntoa(d->conf->relay) : "", d->conf->relay != 0 &&
	    d->conf->has_relay6 ? " and " : "", d->conf->has_relay6 ?
	    addr6_ntoa(d->conf->relay6) : "", d->conf->disc.n,
	    d->conf->upstream);
	reschedule(d);
	daemon_ready();

	event_base_dispatch(d->base);

	log_info("exiting");
	relay_free(&d->r);
	pcapw_close(&d->pc);
	for (i = 0; i < d->io.nctl; i++)
		event_free(d->ev_ctl[i]);
	if (d->ev_pkt != NULL)
		event_free(d->ev_pkt);
	event_free(d->ev_timer);
	event_free(d->ev_retry);
	daemon_leave(d->base, d->ctl, d->ev_sig);
	rio_close(&d->io);
	free(d->conf);
	return 0;
}
