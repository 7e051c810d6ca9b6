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
 *
 * Prometheus: every number (and boolean, as 0 or 1) is a sample named
 * by its path, daemon_object_..._key, dashes made underscores; members
 * of a "counters" object are counters (name_total), the rest gauges.
 * The string members of an object in an array become the labels of
 * every sample inside it (an element without any is labelled with its
 * index); other strings are name_key_info{key="value"} 1.  Samples are
 * sorted by name at the end, each name under one TYPE line, as the
 * format requires.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

struct emit_sample {
	char		 name[128];
	char		 labels[256];
	char		 value[24];
	uint8_t		 counter;
	size_t		 seq;
};

static void	 put(struct emit *, const char *, ...) LOG_PRINTF(2, 3);

/* fmt: an enum emit_fmt (0 text, 1 JSON). */
void
emit_init(struct emit *e, int fmt)
{
	memset(e, 0, sizeof(*e));
	e->fmt = (enum emit_fmt)fmt;
	e->json = fmt == EMIT_JSON;
	e->depth = 1;		/* the root object */
	if (e->json)
		put(e, "{");
	emit_prefix(e, "amt");
}

/* Prometheus: the first word of every metric name (the daemon's). */
void
emit_prefix(struct emit *e, const char *prefix)
{
	char	*p;

	snprintf(e->f[0].name, sizeof(e->f[0].name), "%s", prefix);
	for (p = e->f[0].name; *p != '\0'; p++)
		if (*p == '-')
			*p = '_';
}

void
emit_free(struct emit *e)
{
	free(e->buf);
	free(e->s);
	memset(e, 0, sizeof(*e));
}

/* ---- Prometheus ---- */

/* base_key, with what a metric name cannot hold made '_'. */
static void
prom_join(char *out, size_t len, const char *base, const char *key)
{
	size_t	 n;
	char	*p;

	if (key == NULL) {
		snprintf(out, len, "%s", base);
		return;
	}
	n = (size_t)snprintf(out, len, "%s_", base);
	if (n >= len)
		return;
	snprintf(out + n, len - n, "%s", key);
	for (p = out + n; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_'))
			*p = '_';
}

/* name="value" appended to a label list, the value escaped. */
static void
prom_label(char *list, size_t len, const char *name, const char *v)
{
	size_t	 n = strlen(list);

	if (n > 0 && n + 1 < len)
		list[n++] = ',';
	if (n + strlen(name) + 4 >= len)
		return;
	for (; *name != '\0' && n + 4 < len; name++)
		list[n++] = *name == '-' ? '_' : *name;
	list[n++] = '=';
	list[n++] = '"';
	for (; *v != '\0' && n + 3 < len; v++) {
		if (*v == '\\' || *v == '"')
			list[n++] = '\\';
		list[n++] = *v == '\n' ? ' ' : *v;
	}
	list[n++] = '"';
	list[n] = '\0';
}

static int
in_counters(const struct emit *e)
{
	int	 i;

	for (i = 1; i < e->depth; i++)
		if (e->f[i].counter)
			return 1;
	return 0;
}

static void
prom_sample(struct emit *e, const char *key, const char *value,
    const char *labels)
{
	struct emit_frame	*f = &e->f[e->depth - 1];
	struct emit_sample	*x;
	size_t			 ncap;

	if (e->ns == e->scap) {
		ncap = e->scap == 0 ? 64 : e->scap * 2;
		if ((x = realloc(e->s, ncap * sizeof(*x))) == NULL) {
			e->failed = 1;
			return;
		}
		e->s = x;
		e->scap = ncap;
	}
	x = &e->s[e->ns];
	memset(x, 0, sizeof(*x));
	x->seq = e->ns++;
	x->counter = (uint8_t)in_counters(e);
	prom_join(x->name, sizeof(x->name), f->name, f->array ? NULL : key);
	if (x->counter)
		strncat(x->name, "_total", sizeof(x->name) - strlen(x->name) -
		    1);
	snprintf(x->labels, sizeof(x->labels), "%s", labels);
	snprintf(x->value, sizeof(x->value), "%s", value);
}

/* A string member: a label of its element, or an _info sample. */
static void
prom_string(struct emit *e, const char *key, const char *v)
{
	struct emit_frame	*f = &e->f[e->depth - 1];
	char			 lab[256] = "", name[96];

	if (f->elem && key != NULL) {
		prom_label(f->labels, sizeof(f->labels), key, v);
		return;
	}
	if (f->array) {
		prom_label(lab, sizeof(lab), "value", v);
		prom_sample(e, NULL, "1", lab);
		return;
	}
	prom_join(name, sizeof(name), key, "info");
	prom_label(lab, sizeof(lab), key, v);
	prom_sample(e, name, "1", lab);
}

/* An element closes: its labels go to every sample made inside it. */
static void
prom_close_elem(struct emit *e, struct emit_frame *f, uint32_t index)
{
	char	 lab[256];
	size_t	 i;

	if (f->labels[0] == '\0')
		snprintf(f->labels, sizeof(f->labels), "index=\"%u\"", index);
	for (i = f->first; i < e->ns; i++) {
		/* Cut if it must be: a label list is a few addresses. */
		if (snprintf(lab, sizeof(lab), "%s%s%s", f->labels,
		    e->s[i].labels[0] != '\0' ? "," : "", e->s[i].labels) < 0)
			continue;
		memcpy(e->s[i].labels, lab, sizeof(lab));
	}
}

static int
sample_cmp(const void *a, const void *b)
{
	const struct emit_sample *x = a, *y = b;
	int			 c = strcmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
prom_done(struct emit *e)
{
	size_t	 i;

	if (e->ns > 0)
		qsort(e->s, e->ns, sizeof(e->s[0]), sample_cmp);
	for (i = 0; i < e->ns; i++) {
		const struct emit_sample *x = &e->s[i];

		if (i == 0 || strcmp(x->name, e->s[i - 1].name) != 0)
			put(e, "# TYPE %s %s\n", x->name, x->counter ?
			    "counter" : "gauge");
		put(e, "%s%s%s%s %s\n", x->name, x->labels[0] ? "{" : "",
		    x->labels, x->labels[0] ? "}" : "", x->value);
	}
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
	if (e->fmt == EMIT_PROM) {
		struct emit_frame	*n = &e->f[e->depth];
		uint32_t		 index = f->index;

		if (f->array)
			f->index++;
		memset(n, 0, sizeof(*n));
		n->array = (uint8_t)array;
		n->elem = (uint8_t)(elem && !array);
		n->counter = (uint8_t)(!elem && key != NULL &&
		    strcmp(key, "counters") == 0);
		n->index = n->elem ? index : 0;
		n->first = e->ns;
		prom_join(n->name, sizeof(n->name), f->name, elem ? NULL :
		    key);
		e->depth++;
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
	if (e->fmt == EMIT_PROM) {
		if (f->elem)
			prom_close_elem(e, f, f->index);
		e->depth--;
		return;
	}
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
	if (e->fmt == EMIT_PROM) {
		prom_string(e, key, v);
		return;
	}
	scalar_lead(e, key);
	if (e->json)
		json_string(e, v);
	else
		put(e, "%s\n", v);
}

void
emit_u64(struct emit *e, const char *key, uint64_t v)
{
	char	 b[24];

	if (e->fmt == EMIT_PROM) {
		snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
		prom_sample(e, key, b, "");
		return;
	}
	scalar_lead(e, key);
	put(e, "%llu", (unsigned long long)v);
	if (!e->json)
		put(e, "\n");
}

void
emit_i64(struct emit *e, const char *key, int64_t v)
{
	char	 b[24];

	if (e->fmt == EMIT_PROM) {
		snprintf(b, sizeof(b), "%lld", (long long)v);
		prom_sample(e, key, b, "");
		return;
	}
	scalar_lead(e, key);
	put(e, "%lld", (long long)v);
	if (!e->json)
		put(e, "\n");
}

void
emit_bool(struct emit *e, const char *key, int v)
{
	if (e->fmt == EMIT_PROM) {
		prom_sample(e, key, v ? "1" : "0", "");
		return;
	}
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
	if (e->fmt == EMIT_PROM && e->depth == 1) {
		prom_done(e);
		e->depth = 0;
		return;
	}
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
