/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtctl: ask a running amtgwd, igmpproxyd or amtrelayd for its state
 * over its control socket, as text, JSON (-j, -o json) or the
 * Prometheus text format (-o prometheus).  The sockets and the commands
 * are those of common/ctlproto.h, shared with the daemons.
 *
 *	amtctl [-j] [-o format] [-s socket] gateway [about]
 *	amtctl [-j] [-o format] [-s socket] proxy interfaces | groups | about
 *	amtctl [-j] [-o format] [-s socket] relay gateways | groups | about
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amtctl.h"
#include "ctlproto.h"
#include "util.h"

#define ANSWER_TIMEOUT_MS	10000

/* Each word of the command line, the daemon it asks and how. */
static const struct view {
	const char	*word;		/* first word */
	const char	*what;		/* second word, NULL: none */
	const char	*cmd;		/* the request */
	const char	*sock;
	const char	*daemon;	/* who answers it */
} views[] = {
	{ "gateway", NULL, CTL_CMD_GATEWAY, CTL_SOCK_GATEWAY, "amtgwd" },
	{ "gateway", "about", CTL_CMD_ABOUT, CTL_SOCK_GATEWAY, "amtgwd" },
	{ "proxy", "interfaces", CTL_CMD_INTERFACES, CTL_SOCK_PROXY,
	    "igmpproxyd" },
	{ "proxy", "groups", CTL_CMD_GROUPS, CTL_SOCK_PROXY, "igmpproxyd" },
	{ "proxy", "about", CTL_CMD_ABOUT, CTL_SOCK_PROXY, "igmpproxyd" },
	{ "relay", "gateways", CTL_CMD_GATEWAYS, CTL_SOCK_RELAY, "amtrelayd" },
	{ "relay", "groups", CTL_CMD_GROUPS, CTL_SOCK_RELAY, "amtrelayd" },
	{ "relay", "about", CTL_CMD_ABOUT, CTL_SOCK_RELAY, "amtrelayd" },
};

static void __attribute__((__noreturn__))
usage(int asked)
{
	fprintf(asked ? stdout : stderr,
	    "usage: amtctl [-hjV] [-o text|json|prometheus] [-s socket] "
	    "gateway [about]\n"
	    "       amtctl ... proxy interfaces | groups | about\n"
	    "       amtctl ... relay gateways | groups | about\n"
	    "       amtctl doctor [-g gateway-socket] [-p proxy-socket] "
	    "[-t seconds]\n");
	exit(asked ? 0 : 2);
}

/* The view the words name, or NULL. */
static const struct view *
find_view(int argc, char *argv[])
{
	size_t	 i;

	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		const struct view *v = &views[i];

		if (argc == (v->what == NULL ? 1 : 2) &&
		    strcmp(argv[0], v->word) == 0 &&
		    (v->what == NULL || strcmp(argv[1], v->what) == 0))
			return v;
	}
	return NULL;
}

/*
 * Connect to the socket at path; -1 if nobody is (said, with a hint,
 * unless quiet).
 */
static int
connect_to(const char *path, const char *daemon, int quiet)
{
	struct sockaddr_un	 sun;
	int			 s, e;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "amtctl: socket path too long\n");
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "amtctl: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return s;
	e = errno;
	close(s);
	if (quiet)
		return -1;
	if (e == ENOENT || e == ECONNREFUSED)
		fprintf(stderr, "amtctl: %s: %s (is %s running?)\n", path,
		    strerror(e), daemon);
	else if (e == EACCES)
		fprintf(stderr, "amtctl: %s: %s (run as root or as the "
		    "daemon's user)\n", path, strerror(e));
	else
		fprintf(stderr, "amtctl: %s: %s\n", path, strerror(e));
	return -1;
}

/*
 * Send req and read the whole answer (NUL-terminated, allocated) into
 * *out; returns its length, -1 on failure (said unless quiet).
 */
ssize_t
ask(const char *path, const char *daemon, const char *req, char **out,
    int quiet)
{
	struct pollfd	 pfd;
	size_t		 total = 0, cap = 0, n = strlen(req);
	ssize_t		 r;
	char		*buf = NULL, *nb;
	int		 s;

	if ((s = connect_to(path, daemon, quiet)) == -1)
		return -1;
	if (write(s, req, n) != (ssize_t)n) {
		fprintf(stderr, "amtctl: write: %s\n", strerror(errno));
		close(s);
		return -1;
	}
	pfd.fd = s;
	pfd.events = POLLIN;
	for (;;) {
		if (cap - total < 4096) {
			cap = cap == 0 ? 65536 : cap * 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "amtctl: out of memory\n");
				break;
			}
			buf = nb;
		}
		if (poll(&pfd, 1, ANSWER_TIMEOUT_MS) <= 0) {
			fprintf(stderr, "amtctl: no answer from %s\n", path);
			total = 0;
			break;
		}
		if ((r = read(s, buf + total, cap - total - 1)) <= 0)
			break;
		total += (size_t)r;
	}
	close(s);
	if (buf == NULL || total == 0) {
		if (buf != NULL && pfd.revents != 0)
			fprintf(stderr, "amtctl: %s closed without an answer\n",
			    path);
		free(buf);
		return -1;
	}
	buf[total] = '\0';
	*out = buf;
	return (ssize_t)total;
}

/* The daemon an error answer names ("daemon" member), into out. */
static void
answer_daemon(const char *a, char *out, size_t len)
{
	const char	*p;
	size_t		 n;

	out[0] = '\0';
	if ((p = strstr(a, "\"daemon\":\"")) != NULL)
		p += strlen("\"daemon\":\"");
	else if ((p = strstr(a, "\ndaemon ")) != NULL)
		p += strlen("\ndaemon ");
	else
		return;
	n = strcspn(p, "\"\n");
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static int
is_error(const char *a)
{
	return strncmp(a, CTL_ERROR, strlen(CTL_ERROR)) == 0 ||
	    strncmp(a, "{\"" CTL_ERROR "\"", strlen(CTL_ERROR) + 3) == 0;
}

int
main(int argc, char *argv[])
{
	static const struct option	 longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const struct view		*v;
	char				*buf;
	const char			*sock = NULL, *fmt = "";
	char				 req[CTL_MAX_LINE], who[64];
	int				 ch;

	while ((ch = getopt_long(argc, argv, "+hjo:s:V", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'h':
			usage(1);
		case 'j':
			fmt = " " CTL_JSON;
			break;
		case 'o':
			if (strcmp(optarg, "text") == 0)
				fmt = "";
			else if (strcmp(optarg, "json") == 0)
				fmt = " " CTL_JSON;
			else if (strcmp(optarg, "prometheus") == 0)
				fmt = " " CTL_PROM;
			else
				usage(0);
			break;
		case 's':
			sock = optarg;
			break;
		case 'V':
			printf("amtctl %s\n", AMT_VERSION);
			return 0;
		default:
			usage(0);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1 && strcmp(argv[0], "doctor") == 0)
		return doctor(argc, argv);
	if ((v = find_view(argc, argv)) == NULL)
		usage(0);
	if (sock == NULL)
		sock = v->sock;
	snprintf(req, sizeof(req), "%s%s\n", v->cmd, fmt);
	if (ask(sock, v->daemon, req, &buf, 0) == -1)
		return 1;
	if (is_error(buf)) {
		answer_daemon(buf, who, sizeof(who));
		if (who[0] != '\0' && strcmp(who, v->daemon) != 0) {
			fprintf(stderr, "amtctl: %s is the control socket of "
			    "%s, not of %s: ask it with 'amtctl %s ...', or "
			    "give %s's socket with -s\n", sock, who, v->daemon,
			    strcmp(who, "amtgwd") == 0 ? "gateway" :
			    strcmp(who, "igmpproxyd") == 0 ? "proxy" : "relay",
			    v->daemon);
			free(buf);
			return 1;
		}
		fputs(buf, stderr);
		free(buf);
		return 1;
	}
	fputs(buf, stdout);
	free(buf);
	return 0;
}
