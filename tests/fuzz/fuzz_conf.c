/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * libFuzzer harness for the configuration parsers: the input is read as
 * amtgwd.conf, igmpproxyd.conf and amtrelayd.conf in turn (through
 * fmemopen), and whatever parses is printed and parsed again, which
 * must succeed and print the same.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_conf.h"
#include "px_conf.h"
#include "relay_conf.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parse text with parse(); if valid, print() it and parse that too. */
/* Parse text by table t; if valid, print it, parse that: it must be
 * valid and print the same. */
static void
roundtrip(const struct conf_table *t, const uint8_t *data, size_t len)
{
	static uint8_t	 a[1 << 16], b[1 << 16];
	FILE		*in, *out;
	char		*txt = NULL, *txt2 = NULL;
	size_t		 tlen = 0, tlen2 = 0;

	if (t->size > sizeof(a) ||
	    (in = fmemopen((void *)(uintptr_t)data, len, "r")) == NULL)
		abort();
	conf_defaults(t, a);
	if (conf_parse(t, a, in, "fuzz") == 0) {
		out = open_memstream(&txt, &tlen);
		conf_print(t, a, out);
		fclose(out);
		fclose(in);
		in = fmemopen(txt, tlen, "r");
		conf_defaults(t, b);
		if (conf_parse(t, b, in, "print") != 0)
			abort();
		out = open_memstream(&txt2, &tlen2);
		conf_print(t, b, out);
		fclose(out);
		if (tlen != tlen2 || memcmp(txt, txt2, tlen) != 0)
			abort();
		free(txt);
		free(txt2);
	}
	fclose(in);
}

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
	roundtrip(&gw_conf_table, data, len);
	roundtrip(&px_conf_table, data, len);
	roundtrip(&relay_conf_table, data, len);
	return 0;
}
