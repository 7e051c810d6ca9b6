/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Tokenizer for the flat configuration files: one "keyword args..."
 * directive per line, '#' starts a comment, double quotes group words.
 * Errors are reported as "file:line: message" and counted.
 */

#ifndef AMT_CONF_H
#define AMT_CONF_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

#define CONF_MAXARGS	16
#define CONF_LINELEN	1024

struct conf_reader {
	FILE		*fp;
	const char	*path;
	int		 lineno;
	int		 errors;
	char		*raw;		/* getline() buffer */
	size_t		 rawsz;
	char		 line[CONF_LINELEN + 2];
};

struct conf_args {
	int		 argc;
	char		*argv[CONF_MAXARGS];
};

struct conf_keyword {
	const char	*name;
	int		 id;
	int		 minargs;	/* after the keyword */
	int		 maxargs;
};

/* The directives every daemon has (user, pidfile, control-socket, and
 * for two of them the pcap-file family). */
struct conf_daemon {
	char		 user[64];
	char		 pidfile[PATH_MAX];
	char		 ctlsock[PATH_MAX];
	char		 pcap_file[PATH_MAX];
	unsigned	 pcap_limit_kb;
	int		 pcap_data;
};

void	 conf_from_fp(struct conf_reader *, FILE *, const char *);
void	 conf_close(struct conf_reader *);
int	 conf_next(struct conf_reader *, struct conf_args *);
void	 conf_error(struct conf_reader *, const char *, ...) LOG_PRINTF(2, 3);
const struct conf_keyword *conf_lookup(const struct conf_keyword *, size_t,
	    const char *);
const struct conf_keyword *conf_directive(struct conf_reader *,
	    const struct conf_keyword *, size_t, const struct conf_args *);
int	 conf_uint(struct conf_reader *, const char *, const char *,
	    unsigned long, unsigned long, unsigned *);
int	 conf_bool(struct conf_reader *, const char *, const char *, int *);
int	 time_parse(const char *, uint32_t, uint32_t, uint32_t *);
const char *conf_time_str(uint32_t);
int	 conf_time(struct conf_reader *, const char *, const char *, uint32_t,
	    uint32_t, uint32_t *);
int	 conf_unicast4(struct conf_reader *, const char *, const char *,
	    uint32_t *);
int	 conf_ifname(struct conf_reader *, const char *, const char *,
	    char *);
int	 conf_string(struct conf_reader *, const char *, const char *, char *,
	    size_t);

void	 conf_daemon_defaults(struct conf_daemon *, const char *,
	    const char *);
int	 conf_daemon_directive(struct conf_reader *, const struct conf_args *,
	    struct conf_daemon *, int);
void	 conf_daemon_print(const struct conf_daemon *, int, FILE *);

#endif
