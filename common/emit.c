/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The state emitter.  The root is an object.  JSON is written as the
 * calls come.  Text is YAML-like:
 *
 *	key value		a member of an object
 *	key			a member that is an object or an array,
 *	  ...			  its contents two spaces deeper
 *	- value			an element of an array
 *	- key value		an element that is an object: its first
 *	  key value		  member on the dash line, the rest under it
 *
 * Strings are escaped for JSON; text prints them as they are (the
 * daemons emit addresses, interface names and words only).
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

static void	 put(struct emit *, const char *, ...) LOG_PRINTF(2, 3);

void
emit_init(struct emit *e, int json)
{
	memset(e, 0, sizeof(*e));
	e->json = json;
	e->depth = 1;		/* the root object */
	if (json)
		put(e, "{");
}

void
emit_free(struct emit *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

static void
put(struct emit *e, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*nb;
	size_t	 ncap;

	if (e->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(e->buf == NULL ? NULL : e->buf + e->len,
		    e->cap - e->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			e->failed = 1;
			return;
		}
		if ((size_t)n < e->cap - e->len) {
			e->len += (size_t)n;
			return;
		}
		ncap = e->cap == 0 ? 1024 : e->cap * 2;
		while (ncap - e->len <= (size_t)n)
			ncap *= 2;
		if ((nb = realloc(e->buf, ncap)) == NULL) {
			e->failed = 1;
			return;
		}
		e->buf = nb;
		e->cap = ncap;
	}
}

static void
json_string(struct emit *e, const char *s)
{
	put(e, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			put(e, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			put(e, "\\u%04x", (unsigned char)*s);
		else
			put(e, "%c", *s);
	}
	put(e, "\"");
}

static struct emit_frame *
top(struct emit *e)
{
	return &e->f[e->depth - 1];
}

/*
 * Start a member of the current container: the JSON separator and key,
 * or the text indentation, dash and key.  key is ignored in arrays.
 */
static void
lead(struct emit *e, const char *key)
{
	struct emit_frame	*f = top(e);
	int			 i;

	if (e->json) {
		if (f->count > 0)
			put(e, ",");
		if (!f->array && key != NULL) {
			json_string(e, key);
			put(e, ":");
		}
	} else {
		if (f->dash)
			f->dash = 0;	/* right after "- " */
		else
			for (i = 1; i < e->depth; i++)
				put(e, "  ");
		if (f->array)
			put(e, "- ");
		else if (key != NULL)
			put(e, "%s", key);
	}
	if (f->count < 255)
		f->count++;
}

static void
open_container(struct emit *e, const char *key, int array)
{
	struct emit_frame	*f = top(e);
	int			 elem = f->array;

	if (e->depth == EMIT_DEPTH) {
		e->failed = 1;
		return;
	}
	lead(e, key);
	if (e->json)
		put(e, array ? "[" : "{");
	else if (!(elem && !array))
		put(e, "\n");
	e->depth++;
	f = top(e);
	memset(f, 0, sizeof(*f));
	f->array = (uint8_t)array;
	f->dash = (uint8_t)(!e->json && elem && !array);
}

void
emit_obj(struct emit *e, const char *key)
{
	open_container(e, key, 0);
}

void
emit_arr(struct emit *e, const char *key)
{
	open_container(e, key, 1);
}

void
emit_end(struct emit *e)
{
	struct emit_frame	*f;

	if (e->depth <= 1)
		return;
	f = top(e);
	if (e->json)
		put(e, f->array ? "]" : "}");
	else if (f->dash)
		put(e, "\n");		/* an empty element object */
	e->depth--;
}

static void
scalar_lead(struct emit *e, const char *key)
{
	lead(e, key);
	if (!e->json && key != NULL && !top(e)->array)
		put(e, " ");
}

void
emit_str(struct emit *e, const char *key, const char *v)
{
	scalar_lead(e, key);
	if (e->json)
		json_string(e, v);
	else
		put(e, "%s\n", v);
}

void
emit_u64(struct emit *e, const char *key, uint64_t v)
{
	scalar_lead(e, key);
	put(e, "%llu", (unsigned long long)v);
	if (!e->json)
		put(e, "\n");
}

void
emit_i64(struct emit *e, const char *key, int64_t v)
{
	scalar_lead(e, key);
	put(e, "%lld", (long long)v);
	if (!e->json)
		put(e, "\n");
}

void
emit_bool(struct emit *e, const char *key, int v)
{
	scalar_lead(e, key);
	if (e->json)
		put(e, v ? "true" : "false");
	else
		put(e, "%s\n", v ? "yes" : "no");
}

/* Close everything; JSON gets its final brace and a newline. */
void
emit_done(struct emit *e)
{
	while (e->depth > 1)
		emit_end(e);
	if (e->json && e->depth == 1) {
		put(e, "}\n");
		e->depth = 0;
	}
}

/* Text output to the log, one line at a time (the SIGUSR1 dump). */
void
emit_to_log(const struct emit *e)
{
	const char	*p = e->buf, *nl;

	if (p == NULL)
		return;
	while (p < e->buf + e->len && (nl = memchr(p, '\n',
	    (size_t)(e->buf + e->len - p))) != NULL) {
		log_info("%.*s", (int)(nl - p), p);
		p = nl + 1;
	}
}
