/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtctl: ask a running amtgwd, igmpproxyd or amtrelayd for its state
 * over its control socket, as text or (-j) JSON.  The sockets and the
 * commands are those of common/ctlproto.h, shared with the daemons.
 *
 *	amtctl [-j] [-s socket] gateway
 *	amtctl [-j] [-s socket] proxy interfaces | groups
 *	amtctl [-j] [-s socket] relay gateways | groups
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlproto.h"

#define ANSWER_TIMEOUT_MS	10000

/* Each word of the command line, the daemon it asks and how. */
static const struct view {
	const char	*daemon;	/* first word */
	const char	*what;		/* second word, NULL: none */
	const char	*cmd;		/* the request */
	const char	*sock;
} views[] = {
	{ "gateway", NULL, CTL_CMD_GATEWAY, CTL_SOCK_GATEWAY },
	{ "proxy", "interfaces", CTL_CMD_INTERFACES, CTL_SOCK_PROXY },
	{ "proxy", "groups", CTL_CMD_GROUPS, CTL_SOCK_PROXY },
	{ "relay", "gateways", CTL_CMD_GATEWAYS, CTL_SOCK_RELAY },
	{ "relay", "groups", CTL_CMD_GROUPS, CTL_SOCK_RELAY },
};

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: amtctl [-j] [-s socket] gateway\n"
	    "       amtctl [-j] [-s socket] proxy interfaces | groups\n"
	    "       amtctl [-j] [-s socket] relay gateways | groups\n");
	exit(2);
}

/* The view the words name, or NULL. */
static const struct view *
find_view(int argc, char *argv[])
{
	size_t	 i;

	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		const struct view *v = &views[i];

		if (argc == (v->what == NULL ? 1 : 2) &&
		    strcmp(argv[0], v->daemon) == 0 &&
		    (v->what == NULL || strcmp(argv[1], v->what) == 0))
			return v;
	}
	return NULL;
}

/* Connect to the socket at path; -1 (said) if nobody answers. */
static int
connect_to(const char *path)
{
	struct sockaddr_un	 sun;
	int			 s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "amtctl: socket path too long\n");
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "amtctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return s;
}

/* Copy the answer to standard output; 1 if it is an error, -1 if none. */
static int
relay_answer(int s, const char *path)
{
	char		 buf[65536];
	struct pollfd	 pfd = { s, POLLIN, 0 };
	size_t		 total = 0;
	ssize_t		 n;
	int		 err = 0;

	for (;;) {
		if (poll(&pfd, 1, ANSWER_TIMEOUT_MS) <= 0) {
			fprintf(stderr, "amtctl: no answer from %s\n", path);
			return -1;
		}
		if ((n = read(s, buf, sizeof(buf))) <= 0)
			break;
		if (total == 0 && (strncmp(buf, CTL_ERROR, strlen(CTL_ERROR))
		    == 0 || strncmp(buf, "{\"" CTL_ERROR "\"",
		    strlen(CTL_ERROR) + 3) == 0))
			err = 1;
		fwrite(buf, 1, (size_t)n, stdout);
		total += (size_t)n;
	}
	return total == 0 ? -1 : err;
}

int
main(int argc, char *argv[])
{
	const struct view	*v;
	const char		*sock = NULL;
	char			 req[CTL_MAX_LINE];
	int			 ch, json = 0, s, n, rv;

	while ((ch = getopt(argc, argv, "hjs:")) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 's':
			sock = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if ((v = find_view(argc, argv)) == NULL)
		usage();
	if (sock == NULL)
		sock = v->sock;
	if ((s = connect_to(sock)) == -1)
		return 1;
	n = snprintf(req, sizeof(req), "%s%s\n", v->cmd, json ?
	    " " CTL_JSON : "");
	if (write(s, req, (size_t)n) != n) {
		fprintf(stderr, "amtctl: write: %s\n", strerror(errno));
		return 1;
	}
	rv = relay_answer(s, sock);
	close(s);
	return rv == 0 ? 0 : 1;
}
