/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtctl: ask a running amtgwd, igmpproxyd or amtrelayd for its state
 * over its control socket, as text or (-j) JSON.
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

#ifndef RUNDIR
#define RUNDIR	"/run/amt"
#endif

static void __attribute__((__noreturn__))
usage(void)
{
	fprintf(stderr, "usage: amtctl [-j] [-s socket] gateway\n"
	    "       amtctl [-j] [-s socket] proxy interfaces | groups\n"
	    "       amtctl [-j] [-s socket] relay gateways | groups\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un	 sun;
	const char		*sock = NULL, *cmd = NULL;
	char			 req[300], buf[65536];
	struct pollfd		 pfd;
	ssize_t			 n;
	size_t			 total = 0;
	int			 ch, json = 0, s, err = 0;

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
	if (argc == 1 && strcmp(argv[0], "gateway") == 0) {
		cmd = "gateway";
		if (sock == NULL)
			sock = RUNDIR "/amtgwd.sock";
	} else if (argc == 2 && strcmp(argv[0], "proxy") == 0 &&
	    (strcmp(argv[1], "interfaces") == 0 ||
	    strcmp(argv[1], "groups") == 0)) {
		cmd = argv[1];
		if (sock == NULL)
			sock = RUNDIR "/igmpproxyd.sock";
	} else if (argc == 2 && strcmp(argv[0], "relay") == 0 &&
	    (strcmp(argv[1], "gateways") == 0 ||
	    strcmp(argv[1], "groups") == 0)) {
		cmd = argv[1];
		if (sock == NULL)
			sock = RUNDIR "/amtrelayd.sock";
	} else
		usage();

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "amtctl: socket path too long\n");
		return 1;
	}
	strcpy(sun.sun_path, sock);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "amtctl: %s: %s\n", sock, strerror(errno));
		return 1;
	}
	n = snprintf(req, sizeof(req), "%s%s\n", cmd, json ? " json" : "");
	if (write(s, req, (size_t)n) != n) {
		fprintf(stderr, "amtctl: write: %s\n", strerror(errno));
		return 1;
	}
	pfd.fd = s;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 10000) <= 0) {
			fprintf(stderr, "amtctl: no answer from %s\n", sock);
			return 1;
		}
		if ((n = read(s, buf, sizeof(buf))) <= 0)
			break;
		if (total == 0 && (strncmp(buf, "error", 5) == 0 ||
		    strncmp(buf, "{\"error\"", 8) == 0))
			err = 1;
		fwrite(buf, 1, (size_t)n, stdout);
		total += (size_t)n;
	}
	close(s);
	return err || total == 0 ? 1 : 0;
}
