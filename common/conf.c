/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Line-oriented configuration tokenizer shared by the three daemons.
 * Each daemon keeps a sorted keyword table; conf_directive() finds the
 * keyword with bsearch and checks the argument count, so a daemon's
 * parser only converts values.
 */

#include <sys/types.h>

#include <net/if.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "util.h"


/* Read from an open stream; the caller opens and closes it. */
void
conf_from_fp(struct conf_reader *r, FILE *fp, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->fp = fp;
	r->path = name;
}

void
conf_close(struct conf_reader *r)
{
	r->fp = NULL;
	free(r->raw);
	r->raw = NULL;
	r->rawsz = 0;
}

/* Report an error at the current line. */
void
conf_error(struct conf_reader *r, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->lineno > 0)
		log_warnx("%s:%d: %s", r->path, r->lineno, msg);
	else
		log_warnx("%s: %s", r->path, msg);
	r->errors++;
}

/* Split r->line into words; -1 (reported) on a syntax error. */
static int
tokenize(struct conf_reader *r, struct conf_args *a)
{
	char	*p = r->line, *out;

	a->argc = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == '#')
			return 0;
		if (a->argc == CONF_MAXARGS) {
			conf_error(r, "too many words on the line");
			return -1;
		}
		a->argv[a->argc++] = out = p;
		if (*p == '"') {
			a->argv[a->argc - 1] = out = ++p;
			while (*p != '"') {
				if (*p == '\0' || *p == '\n') {
					conf_error(r, "unterminated quote");
					return -1;
				}
				p++;
			}
			*p++ = '\0';
			if (*p != '\0' && *p != ' ' && *p != '\t' &&
			    *p != '\n' && *p != '\r' && *p != '#') {
				conf_error(r, "text after closing quote");
				return -1;
			}
			continue;
		}
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n' && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			return 0;
		}
		if (*p != '\0')
			*p++ = '\0';
	}
}

/*
 * Next non-empty line, split into words: 1, or 0 at the end of the
 * file.  Lines that are too long or badly quoted are reported and
 * skipped.
 */
int
conf_next(struct conf_reader *r, struct conf_args *a)
{
	ssize_t	 n;

	while ((n = getline(&r->raw, &r->rawsz, r->fp)) != -1) {
		r->lineno++;
		if (n > CONF_LINELEN) {
			conf_error(r, "line too long");
			continue;
		}
		if (memchr(r->raw, '\0', (size_t)n) != NULL) {
			conf_error(r, "NUL byte in line");
			continue;
		}
		memcpy(r->line, r->raw, (size_t)n + 1);
		if (tokenize(r, a) == -1)
			continue;
		if (a->argc > 0)
			return 1;
	}
	if (ferror(r->fp)) {
		conf_error(r, "read error: %s", strerror(errno));
		clearerr(r->fp);
	}
	return 0;
}

static int
kwcmp(const void *key, const void *elem)
{
	const struct conf_keyword	*kw = elem;

	return strcmp(key, kw->name);
}

/* Find name in a table sorted by name. */
const struct conf_keyword *
conf_lookup(const struct conf_keyword *tab, size_t n, const char *name)
{
	return bsearch(name, tab, n, sizeof(*tab), kwcmp);
}

/*
 * The directive a line holds, with its argument count checked; NULL
 * (reported) if the keyword is unknown or the arguments are wrong.
 */
const struct conf_keyword *
conf_directive(struct conf_reader *r, const struct conf_keyword *tab,
    size_t n, const struct conf_args *a)
{
	const struct conf_keyword	*kw;
	int				 nargs = a->argc - 1;

	if ((kw = conf_lookup(tab, n, a->argv[0])) == NULL) {
		conf_error(r, "unknown keyword \"%s\"", a->argv[0]);
		return NULL;
	}
	if (nargs < kw->minargs) {
		conf_error(r, "%s: missing argument", kw->name);
		return NULL;
	}
	if (nargs > kw->maxargs) {
		conf_error(r, "%s: too many arguments", kw->name);
		return NULL;
	}
	return kw;
}

/* A decimal number in [min, max]; reports and returns -1 otherwise. */
int
conf_uint(struct conf_reader *r, const char *kw, const char *s,
    unsigned long min, unsigned long max, unsigned *out)
{
	unsigned long	 v;
	char		*end;

	if (*s < '0' || *s > '9') {
		conf_error(r, "%s: \"%s\" is not a number", kw, s);
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0') {
		conf_error(r, "%s: \"%s\" is not a number", kw, s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		conf_error(r, "%s: %s is out of range (%lu..%lu)", kw, s, min,
		    max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* "on"/"yes" or "off"/"no". */
int
conf_bool(struct conf_reader *r, const char *kw, const char *s, int *out)
{
	if (strcmp(s, "on") == 0 || strcmp(s, "yes") == 0)
		*out = 1;
	else if (strcmp(s, "off") == 0 || strcmp(s, "no") == 0)
		*out = 0;
	else {
		conf_error(r, "%s: expected on or off, not \"%s\"", kw, s);
		return -1;
	}
	return 0;
}

/*
 * A value that can be written back between double quotes: no quotes
 * and no control characters (there are no escapes in this syntax).
 */
static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"')
			return 0;
	return 1;
}

/* Copy a string argument that must fit in len bytes. */
int
conf_string(struct conf_reader *r, const char *kw, const char *s, char *out,
    size_t len)
{
	size_t	 n = strlen(s);

	if (n == 0 || n >= len) {
		conf_error(r, "%s: \"%s\" is empty or too long (max %zu)", kw,
		    s, len - 1);
		return -1;
	}
	if (!printable(s)) {
		conf_error(r, "%s: quotes and control characters are not "
		    "allowed", kw);
		return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

/*
 * Time values.  Seconds with up to three decimals ("2", "0.25") to milliseconds, in
 * [min, max] ms.  -1 if malformed or out of range.
 */
int
time_parse(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t	 ms = 0;
	unsigned	 frac = 0;
	const char	*p = s;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		ms = ms * 10 + (uint64_t)(*p++ - '0');
		if (ms > 100000000)
			return -1;
	}
	ms *= 1000;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			if (frac == 3)
				return -1;
			ms += (uint64_t)(*p++ - '0') *
			    (frac == 0 ? 100 : frac == 1 ? 10 : 1);
			frac++;
		}
	}
	if (*p != '\0' || ms < min || ms > max)
		return -1;
	*out = (uint32_t)ms;
	return 0;
}

int
conf_time(struct conf_reader *r, const char *kw, const char *s,
    uint32_t min, uint32_t max, uint32_t *out)
{
	if (time_parse(s, min, max, out) == -1) {
		conf_error(r, "%s: \"%s\" is not a time in %u.%03u..%u.%03u "
		    "seconds", kw, s, min / 1000, min % 1000, max / 1000,
		    max % 1000);
		return -1;
	}
	return 0;
}

/* A unicast IPv4 address (the underlay is IPv4). */
int
conf_unicast4(struct conf_reader *r, const char *kw, const char *s,
    uint32_t *out)
{
	uint32_t	 a;

	if (addr4_parse(s, &a) == -1) {
		conf_error(r, "%s: \"%s\" is not an IPv4 address", kw, s);
		return -1;
	}
	if (a == 0 || IN4_MCAST(a) || a == 0xffffffffU) {
		conf_error(r, "%s: %s is not a unicast address", kw, s);
		return -1;
	}
	*out = a;
	return 0;
}

int
conf_ifname(struct conf_reader *r, const char *kw, const char *s,
    char *out)
{
	if (strlen(s) >= IFNAMSIZ || *s == '\0' || strpbrk(s, "/ \t#") !=
	    NULL || !printable(s) || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0) {
		conf_error(r, "%s: \"%s\" is not a valid interface name", kw,
		    s);
		return -1;
	}
	strcpy(out, s);
	return 0;
}

/* Milliseconds back to the seconds notation time_parse() reads. */
const char *
conf_time_str(uint32_t ms)
{
	static char	 buf[4][24];
	static unsigned	 i;
	char		*b = buf[i++ % 4];

	if (ms % 1000 == 0)
		snprintf(b, sizeof(buf[0]), "%u", ms / 1000);
	else if (ms % 100 == 0)
		snprintf(b, sizeof(buf[0]), "%u.%u", ms / 1000, ms % 1000 /
		    100);
	else if (ms % 10 == 0)
		snprintf(b, sizeof(buf[0]), "%u.%02u", ms / 1000, ms % 1000 /
		    10);
	else
		snprintf(b, sizeof(buf[0]), "%u.%03u", ms / 1000, ms % 1000);
	return b;
}


/* ---- the directives every daemon shares ---- */

void
conf_daemon_defaults(struct conf_daemon *d, const char *pidfile,
    const char *ctlsock)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->user, "nobody");
	snprintf(d->pidfile, sizeof(d->pidfile), "%s", pidfile);
	snprintf(d->ctlsock, sizeof(d->ctlsock), "%s", ctlsock);
	d->pcap_limit_kb = 16384;
}

/*
 * Handle a shared directive: 1 if the line was one (errors reported),
 * 0 if it is the daemon's own.  pcap says whether pcap-* exist here.
 */
int
conf_daemon_directive(struct conf_reader *r, const struct conf_args *a,
    struct conf_daemon *d, int pcap)
{
	static const char *const names[] = { "control-socket", "pcap-data",
	    "pcap-file", "pcap-size-limit", "pidfile", "user" };
	const char	*kw = a->argv[0], *v = a->argv[1];
	unsigned	 i;

	for (i = 0; i < NELEM(names); i++)
		if (strcmp(kw, names[i]) == 0)
			break;
	if (i == NELEM(names) || (!pcap && strncmp(kw, "pcap-", 5) == 0))
		return 0;
	if (a->argc != 2) {
		conf_error(r, "%s: %s", kw, a->argc < 2 ? "missing argument" :
		    "too many arguments");
		return 1;
	}
	if (strcmp(kw, "user") == 0)
		(void)conf_string(r, kw, v, d->user, sizeof(d->user));
	else if (strcmp(kw, "pidfile") == 0)
		(void)conf_string(r, kw, v, d->pidfile, sizeof(d->pidfile));
	else if (strcmp(kw, "control-socket") == 0)
		(void)conf_string(r, kw, v, d->ctlsock, sizeof(d->ctlsock));
	else if (strcmp(kw, "pcap-file") == 0)
		(void)conf_string(r, kw, v, d->pcap_file,
		    sizeof(d->pcap_file));
	else if (strcmp(kw, "pcap-size-limit") == 0)
		(void)conf_uint(r, kw, v, 0, 4194304, &d->pcap_limit_kb);
	else
		(void)conf_bool(r, kw, v, &d->pcap_data);
	return 1;
}

void
conf_daemon_print(const struct conf_daemon *d, int pcap, FILE *fp)
{
	fprintf(fp, "user \"%s\"\n", d->user);
	fprintf(fp, "pidfile \"%s\"\n", d->pidfile);
	fprintf(fp, "control-socket \"%s\"\n", d->ctlsock);
	if (!pcap)
		return;
	if (d->pcap_file[0] != '\0')
		fprintf(fp, "pcap-file \"%s\"\n", d->pcap_file);
	fprintf(fp, "pcap-size-limit %u\n", d->pcap_limit_kb);
	fprintf(fp, "pcap-data %s\n", d->pcap_data ? "on" : "off");
}
