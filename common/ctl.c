/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Control socket server.  Everything is non-blocking and bounded, so a
 * client cannot hold up the daemon: at most CTL_MAX_CLIENTS at once
 * (a new one pushes out the oldest, so idle connections cannot lock
 * amtctl out), a request line of at most CTL_MAX_LINE bytes, and
 * CTL_TIMEOUT seconds to send it and to take the answer, after which
 * the connection is dropped.  Access is the socket file's: mode 0660,
 * owned by the daemon's user and group.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "ctl.h"
#include "log.h"
#include "util.h"

struct ctl {
	struct evconnlistener	*lev;
	char			 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char		*name;		/* the daemon's */
	uint64_t		 started;	/* ms */
	ctl_handler		 handler;
	void			*arg;
	struct bufferevent	*cl[CTL_MAX_CLIENTS];	/* oldest first */
	int			 clients;
};

static void
client_free(struct bufferevent *bev, struct ctl *c)
{
	int	 i;

	for (i = 0; i < c->clients; i++)
		if (c->cl[i] == bev) {
			memmove(&c->cl[i], &c->cl[i + 1],
			    (size_t)(c->clients - i - 1) * sizeof(c->cl[0]));
			c->clients--;
			break;
		}
	bufferevent_free(bev);
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	client_free(bev, arg);
}

/* The answer is out: close. */
static void
client_written(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_free(bev, arg);
}

/*
 * The answer to cmd in e: "about" here, the rest by the daemon; a
 * command it does not know gets an error that names the daemon.
 */
static void
answer(struct ctl *c, const char *cmd, int fmt, struct emit *e)
{
	emit_init(e, fmt);
	emit_prefix(e, c->name);
	if (strcmp(cmd, CTL_CMD_ABOUT) == 0) {
		emit_str(e, "daemon", c->name);
		emit_str(e, "version", AMT_VERSION);
		emit_u64(e, "pid", (uint64_t)getpid());
		emit_u64(e, "uptime-s", (mono_ms() - c->started) / 1000);
	} else if (c->handler(c->arg, cmd, e) == -1) {
		emit_free(e);
		emit_init(e, fmt);
		emit_str(e, CTL_ERROR, "unknown command");
		emit_str(e, "daemon", c->name);
	}
	emit_done(e);
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct ctl	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	struct emit	 e;
	char		*line, *p;
	size_t		 n;
	int		 fmt = EMIT_TEXT;

	if ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) == NULL) {
		if (evbuffer_get_length(in) > CTL_MAX_LINE)
			client_free(bev, c);
		return;
	}
	if (n > CTL_MAX_LINE) {
		free(line);
		client_free(bev, c);
		return;
	}
	/* "command [json|prometheus]": the last word picks the format. */
	p = strrchr(line, ' ');
	p = p != NULL ? p + 1 : line;
	if (strcmp(p, CTL_JSON) == 0)
		fmt = EMIT_JSON;
	else if (strcmp(p, CTL_PROM) == 0)
		fmt = EMIT_PROM;
	if (fmt != EMIT_TEXT)
		*(p == line ? p : p - 1) = '\0';
	answer(c, line, fmt, &e);
	free(line);
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, client_written, client_event, c);
	if (e.failed || bufferevent_write(bev, e.buf, e.len) == -1) {
		emit_free(&e);
		client_free(bev, c);
		return;
	}
	emit_free(&e);
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int len, void *arg)
{
	struct ctl		*c = arg;
	struct bufferevent	*bev;
	struct timeval		 tv = { CTL_TIMEOUT, 0 };

	(void)sa;
	(void)len;
	if (c->clients == CTL_MAX_CLIENTS)
		client_free(c->cl[0], c);
	bev = bufferevent_socket_new(evconnlistener_get_base(lev), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	c->cl[c->clients++] = bev;
	bufferevent_setcb(bev, client_read, NULL, client_event, c);
	bufferevent_setwatermark(bev, EV_READ, 0, CTL_MAX_LINE + 1);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ);
}

/*
 * Create the socket at path (replacing a stale one), mode 0660, owned
 * by user; must be called before the privilege drop.
 */
struct ctl *
ctl_open(struct event_base *base, const char *path, const char *user,
    const char *name, ctl_handler handler, void *arg)
{
	struct ctl		*c;
	struct sockaddr_un	 sun;
	struct passwd		*pw;
	int			 s;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		free(c);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	strcpy(c->path, path);
	c->name = name;
	c->started = mono_ms();
	c->handler = handler;
	c->arg = arg;
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control socket");
		free(c);
		return NULL;
	}
	(void)unlink(path);
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0660) == -1) {
		log_warn("control socket %s", path);
		close(s);
		free(c);
		return NULL;
	}
	if (user != NULL && (pw = getpwnam(user)) != NULL &&
	    chown(path, pw->pw_uid, pw->pw_gid) == -1)
		log_warn("chown %s", path);
	c->lev = evconnlistener_new(base, accept_cb, c,
	    LEV_OPT_CLOSE_ON_FREE, 16, s);
	if (c->lev == NULL) {
		log_warnx("control socket listener");
		close(s);
		(void)unlink(path);
		free(c);
		return NULL;
	}
	return c;
}

void
ctl_close(struct ctl *c)
{
	if (c == NULL)
		return;
	while (c->clients > 0)
		client_free(c->cl[0], c);
	evconnlistener_free(c->lev);
	if (unlink(c->path) == -1)
		log_debug("unlink %s: %s", c->path, strerror(errno));
	free(c);
}
