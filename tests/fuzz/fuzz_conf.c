/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * libFuzzer harness for the configuration tokenizer and value parsers.
 * The input is read as a configuration file through fmemopen().
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "addr.h"
#include "conf.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct conf_keyword kws[] = {	/* sorted */
	{ "bool", 1, 1, 1 },
	{ "number", 2, 1, 1 },
	{ "prefix", 3, 1, 3 },
	{ "string", 4, 1, 1 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int			 init;
	FILE				*fp;
	struct conf_reader		 r;
	struct conf_args		 a;
	const struct conf_keyword	*kw;
	struct prefix4			 p;
	struct ipaddr			 ip;
	unsigned			 v;
	int				 b;
	char				 s[32];

	if (!init) {
		log_init(1, 0);
		log_discard_all(1);
		init = 1;
	}
	if (len == 0 || (fp = fmemopen((void *)(uintptr_t)data, len, "r"))
	    == NULL)
		return 0;
	conf_from_fp(&r, fp, "fuzz");
	while (conf_next(&r, &a) == 1) {
		if ((kw = conf_directive(&r, kws, 4, &a)) == NULL)
			continue;
		switch (kw->id) {
		case 1:
			(void)conf_bool(&r, kw->name, a.argv[1], &b);
			break;
		case 2:
			(void)conf_uint(&r, kw->name, a.argv[1], 1, 65535, &v);
			break;
		case 3:
			(void)prefix4_parse(a.argv[1], &p);
			(void)ipaddr_parse(a.argv[1], &ip);
			break;
		case 4:
			(void)conf_string(&r, kw->name, a.argv[1], s,
			    sizeof(s));
			break;
		}
	}
	conf_close(&r);
	fclose(fp);
	return 0;
}
