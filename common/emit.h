/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * One description of a daemon's state, three renderings: JSON for
 * monitoring systems, indented "key value" text for people (amtctl
 * without -j, and the SIGUSR1 dump), and the Prometheus text exposition
 * format (amtctl -o prometheus, for node_exporter's textfile
 * collector).  Output goes to a growing buffer.
 */

#ifndef AMT_EMIT_H
#define AMT_EMIT_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define EMIT_DEPTH	16

enum emit_fmt {
	EMIT_TEXT,
	EMIT_JSON,
	EMIT_PROM,
};

struct emit_frame {
	uint8_t		 array;		/* an array, not an object */
	uint8_t		 count;		/* members written (saturating) */
	uint8_t		 dash;		/* text: first member on the "- " line */
	/* Prometheus: */
	uint8_t		 elem;		/* an object in an array */
	uint8_t		 counter;	/* a "counters" object */
	uint32_t	 index;		/* elements so far (arrays) */
	char		 name[96];	/* metric name so far */
	char		 labels[192];	/* an element's string members */
	size_t		 first;		/* first sample made inside */
};

struct emit_sample;

struct emit {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	int		 json;
	enum emit_fmt	 fmt;
	int		 depth;		/* frames in use; 1 is the root object */
	struct emit_frame f[EMIT_DEPTH];
	int		 failed;
	struct emit_sample *s;		/* Prometheus: samples, sorted at the end */
	size_t		 ns;
	size_t		 scap;
};

void	 emit_init(struct emit *, int);
void	 emit_prefix(struct emit *, const char *);
void	 emit_free(struct emit *);
void	 emit_obj(struct emit *, const char *);
void	 emit_arr(struct emit *, const char *);
void	 emit_end(struct emit *);
void	 emit_str(struct emit *, const char *, const char *);
void	 emit_u64(struct emit *, const char *, uint64_t);
void	 emit_i64(struct emit *, const char *, int64_t);
void	 emit_bool(struct emit *, const char *, int);
void	 emit_done(struct emit *);
void	 emit_to_log(const struct emit *);

#endif
