/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The configuration files: a tokenizer for flat "keyword args..."
 * lines ('#' starts a comment, double quotes group words), and one
 * table per daemon that says, for every directive, its type, its field,
 * its limits, its default and whether a reload applies it.  The table
 * drives parsing, defaults, printing (-n), the checks, and the reload
 * diff.  Errors are reported as "file:line: message" and counted.
 */

#ifndef AMT_CONF_H
#define AMT_CONF_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

#define CONF_MAXARGS	16
#define CONF_LINELEN	1024
#define CONF_MAX_ITEMS	48	/* directives in one table */

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

void	 conf_from_fp(struct conf_reader *, FILE *, const char *);
void	 conf_close(struct conf_reader *);
int	 conf_next(struct conf_reader *, struct conf_args *);
void	 conf_error(struct conf_reader *, const char *, ...) LOG_PRINTF(2, 3);
int	 time_parse(const char *, uint32_t, uint32_t, uint32_t *);
const char *conf_time_str(uint32_t);

/* ---- the directive tables ---- */

enum conf_type {
	CT_UINT,	/* unsigned, min..max */
	CT_TIME,	/* uint32_t ms, written in seconds, min..max ms */
	CT_BOOL,	/* int: on or off */
	CT_STRING,	/* char[size], printable, written quoted */
	CT_IFNAME,	/* char[IFNAMSIZ] */
	CT_ADDR4,	/* uint32_t, a unicast IPv4 address */
	CT_ADDR46,	/* struct mc_src6, unicast IPv4 (mapped) or IPv6 */
	CT_MPREFIX4,	/* struct prefix4, multicast */
	CT_CUSTOM,	/* parse and print say how */
	CT_OBSOLETE,	/* accepted with a warning, ignored; def says why */
};

#define CF_RESTART	0x01	/* a change takes effect at restart */
#define CF_MULTI	0x02	/* may be given more than once */
#define CF_OPTIONAL	0x04	/* printed only when set (not zero) */

struct conf_parse;
struct conf_item;

typedef int	 (*conf_parse_fn)(struct conf_parse *, const struct conf_item *,
		    const struct conf_args *, void *);
typedef void	 (*conf_print_fn)(const struct conf_item *, const void *,
		    FILE *);

struct conf_item {
	const char	*name;
	enum conf_type	 type;
	size_t		 off;		/* the field, in the daemon's struct */
	size_t		 size;
	uint32_t	 min;		/* CT_UINT, CT_TIME (ms) */
	uint32_t	 max;
	uint32_t	 step;		/* CT_TIME: a multiple of this, ms */
	const char	*def;		/* default as a file says it; NULL: 0 */
	unsigned	 flags;
	const char	*excludes;	/* a directive it cannot go with */
	int		 maxargs;	/* CT_CUSTOM: words after the keyword */
	conf_parse_fn	 parse;		/* CT_CUSTOM */
	conf_print_fn	 print;		/* CT_CUSTOM, or to print otherwise */
};

struct conf_table {
	const char		*daemon;
	size_t			 size;		/* of the daemon's struct */
	size_t			 doff;		/* of its struct conf_daemon */
	const struct conf_item	*items;
	size_t			 n;
	/* Cross-field checks and derived values, after the whole file. */
	int			(*check)(struct conf_parse *, void *);
	int			 has_daemon;	/* a struct conf_daemon at doff */
	/*
	 * Checks against the running system (interfaces, addresses), for
	 * -n, the start and reloads only: warnings (conf_warn_at()).
	 */
	void			(*live)(struct conf_parse *, void *);
};

#define CONF_TABLE(name_, ty_, items_, check_)				\
	CONF_TABLE_LIVE(name_, ty_, items_, check_, NULL)
#define CONF_TABLE_LIVE(name_, ty_, items_, check_, live_)		\
	{ name_, sizeof(ty_), offsetof(ty_, d), items_,			\
	  sizeof(items_) / sizeof((items_)[0]), check_, 1, live_ }

/* A parse in progress: the reader, and where each directive was set. */
struct conf_parse {
	struct conf_reader	 r;
	const struct conf_table	*t;
	int			 line[CONF_MAX_ITEMS];	/* 0: the default */
};

#define CONF_AT(ty_, fd_)						\
	.off = offsetof(ty_, fd_), .size = sizeof(((ty_ *)0)->fd_)

/* Table rows by type; more designators (.print, .excludes) may follow. */
#define CI_UINT(nm_, ty_, fd_, lo_, hi_, df_, fg_, ...)			\
	{ .name = nm_, .type = CT_UINT, CONF_AT(ty_, fd_), .min = lo_,	\
	  .max = hi_, .def = df_, .flags = fg_, .maxargs = 1, __VA_ARGS__ }
#define CI_TIME(nm_, ty_, fd_, lo_, hi_, st_, df_, fg_, ...)		\
	{ .name = nm_, .type = CT_TIME, CONF_AT(ty_, fd_), .min = lo_,	\
	  .max = hi_, .step = st_, .def = df_, .flags = fg_, .maxargs = 1, \
	  __VA_ARGS__ }
#define CI_BOOL(nm_, ty_, fd_, df_, fg_, ...)				\
	{ .name = nm_, .type = CT_BOOL, CONF_AT(ty_, fd_), .def = df_,	\
	  .flags = fg_, .maxargs = 1, __VA_ARGS__ }
#define CI_STRING(nm_, ty_, fd_, df_, fg_, ...)				\
	{ .name = nm_, .type = CT_STRING, CONF_AT(ty_, fd_), .def = df_, \
	  .flags = fg_, .maxargs = 1, __VA_ARGS__ }
#define CI_IFNAME(nm_, ty_, fd_, df_, fg_, ...)				\
	{ .name = nm_, .type = CT_IFNAME, CONF_AT(ty_, fd_), .def = df_, \
	  .flags = fg_, .maxargs = 1, __VA_ARGS__ }
#define CI_ADDR4(nm_, ty_, fd_, df_, fg_, ...)				\
	{ .name = nm_, .type = CT_ADDR4, CONF_AT(ty_, fd_), .def = df_,	\
	  .flags = fg_, .maxargs = 1, __VA_ARGS__ }
#define CI_ADDR46(nm_, ty_, fd_, df_, fg_, ...)				\
	{ .name = nm_, .type = CT_ADDR46, CONF_AT(ty_, fd_), .def = df_, \
	  .flags = fg_, .maxargs = 1, __VA_ARGS__ }
#define CI_MPREFIX4(nm_, ty_, fd_, df_, fg_, ...)			\
	{ .name = nm_, .type = CT_MPREFIX4, CONF_AT(ty_, fd_),		\
	  .def = df_, .flags = fg_, .maxargs = 1, __VA_ARGS__ }
#define CI_CUSTOM(nm_, ty_, fd_, na_, pa_, pr_, fg_, ...)		\
	{ .name = nm_, .type = CT_CUSTOM, CONF_AT(ty_, fd_),		\
	  .flags = fg_, .maxargs = na_, .parse = pa_, .print = pr_,	\
	  __VA_ARGS__ }

/* A directive an older version had: a warning naming why, no error. */
#define CI_OBSOLETE(nm_, why_)						\
	{ .name = nm_, .type = CT_OBSOLETE, .def = why_,		\
	  .maxargs = CONF_MAXARGS }

/* The directives every daemon has (user, pidfile, control socket),
 * and two of them the pcap-file family. */
struct conf_daemon {
	char		 user[64];
	char		 pidfile[PATH_MAX];
	char		 ctlsock[PATH_MAX];
	char		 pcap_file[PATH_MAX];
	unsigned	 pcap_limit_kb;
	int		 pcap_data;
};

#define CONF_DAEMON_ITEMS(ty_, pid_, sock_)				\
	CI_STRING("user", ty_, d.user, "nobody", CF_RESTART),		\
	CI_STRING("pidfile", ty_, d.pidfile, pid_, CF_RESTART),		\
	CI_STRING("control-socket", ty_, d.ctlsock, sock_, CF_RESTART)
#define CONF_PCAP_ITEMS(ty_)						\
	CI_STRING("pcap-file", ty_, d.pcap_file, NULL,			\
	    CF_RESTART | CF_OPTIONAL),					\
	CI_UINT("pcap-size-limit", ty_, d.pcap_limit_kb, 0, 4194304,	\
	    "16384", CF_RESTART),					\
	CI_BOOL("pcap-data", ty_, d.pcap_data, "off", CF_RESTART)

struct conf_daemon *conf_daemon_of(const struct conf_table *, void *);
void	 conf_defaults(const struct conf_table *, void *);
int	 conf_parse(const struct conf_table *, void *, FILE *, const char *);
int	 conf_load(const struct conf_table *, void *, const char *);
void	 conf_print(const struct conf_table *, const void *, FILE *);
unsigned conf_restart_diff(const struct conf_table *, void *, const void *,
	    const char *);
int	 conf_line(const struct conf_parse *, const char *);
const char *conf_where(const struct conf_parse *, const char *);
void	 conf_warn_at(struct conf_parse *, int, const char *, ...)
	    LOG_PRINTF(3, 4);
void	 conf_error_at(struct conf_parse *, const char *, const char *, ...)
	    LOG_PRINTF(3, 4);
void	 conf_below(struct conf_parse *, const char *, uint32_t *,
	    const char *, uint32_t, const char *);
int	 conf_value(struct conf_parse *, const struct conf_item *,
	    const char *, void *);

/* Value parsers for custom directives; they report errors themselves. */
int	 conf_uint(struct conf_reader *, const char *, const char *,
	    unsigned long, unsigned long, unsigned *);
int	 conf_ifname(struct conf_reader *, const char *, const char *,
	    char *);
struct mc_src6;
int	 conf_unicast46(struct conf_reader *, const char *, const char *,
	    struct mc_src6 *);
int	 conf_unicast4(struct conf_reader *, const char *, const char *,
	    uint32_t *);

#endif
