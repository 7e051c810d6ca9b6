/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * libFuzzer harness for the configuration parsers: the input is read as
 * amtgwd.conf, igmpproxyd.conf and amtrelayd.conf in turn (through
 * fmemopen), and whatever parses is printed and parsed again, which
 * must succeed.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "relay.h"
#include "px_conf.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parse text with parse(); if valid, print() it and parse that too. */
#define ROUNDTRIP(type, defaults, parse, print) do {			\
	static type	 a, b;						\
	FILE		*in, *out;					\
	char		*txt = NULL;					\
	size_t		 tlen = 0;					\
									\
	defaults(&a);							\
	if ((in = fmemopen((void *)(uintptr_t)data, len, "r")) == NULL)	\
		break;							\
	if (parse(&a, in, "fuzz") == 0) {				\
		out = open_memstream(&txt, &tlen);			\
		print(&a, out);						\
		fclose(out);						\
		defaults(&b);						\
		fclose(in);						\
		in = fmemopen(txt, tlen, "r");				\
		if (parse(&b, in, "print") != 0)			\
			abort();					\
		free(txt);						\
	}								\
	fclose(in);							\
} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int	 init;

	if (!init) {
		log_init(1, 0);
		log_discard_all(1);
		init = 1;
	}
	if (len == 0)
		return 0;
	ROUNDTRIP(struct gw_conf, gw_conf_defaults, gw_conf_parse,
	    gw_conf_print);
	ROUNDTRIP(struct px_conf, px_conf_defaults, px_conf_parse,
	    px_conf_print);
	ROUNDTRIP(struct relay_conf, relay_conf_defaults, relay_conf_parse,
	    relay_conf_print);
	return 0;
}
