/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * The configuration engine shared by the three daemons: the tokenizer,
 * the value parsers, and the directive tables.  A daemon describes its
 * directives once (type, field, limits, default, reload behaviour) and
 * adds what no table can say: its custom directives and the checks
 * across fields.
 */

#include <sys/types.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "srcset6.h"
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

/* ---- values ---- */

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

/* "on" or "off", and nothing else. */
static int
conf_bool(struct conf_reader *r, const char *kw, const char *s, int *out)
{
	if (strcmp(s, "on") == 0)
		*out = 1;
	else if (strcmp(s, "off") == 0)
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
static int
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
 * Time values: seconds with up to three decimals ("2", "0.25"), to
 * milliseconds in [min, max].  -1 if malformed or out of range.
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

static int
conf_time(struct conf_reader *r, const char *kw, const char *s,
    uint32_t min, uint32_t max, uint32_t step, uint32_t *out)
{
	if (time_parse(s, min, max, out) == -1) {
		conf_error(r, "%s: \"%s\" is not a time in %u.%03u..%u.%03u "
		    "seconds", kw, s, min / 1000, min % 1000, max / 1000,
		    max % 1000);
		return -1;
	}
	if (step != 0 && *out % step != 0) {
		conf_error(r, "%s: %s", kw, step == 1000 ? "whole seconds" :
		    "tenths of a second");
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

/*
 * A unicast address of either family, as a 16-byte key (IPv4 mapped):
 * IPv6 neither multicast, unspecified, link-local (it would need a
 * scope) nor IPv4-mapped.
 */
int
conf_unicast46(struct conf_reader *r, const char *kw, const char *s,
    struct mc_src6 *out)
{
	struct in6_addr	 a6;
	uint32_t	 a4;

	if (strchr(s, ':') == NULL) {
		if (conf_unicast4(r, kw, s, &a4) == -1)
			return -1;
		*out = mc_src6_v4(a4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6) != 1) {
		conf_error(r, "%s: \"%s\" is not an IPv4 or IPv6 address", kw,
		    s);
		return -1;
	}
	if (IN6_IS_ADDR_MULTICAST(&a6) || IN6_IS_ADDR_UNSPECIFIED(&a6) ||
	    IN6_IS_ADDR_LINKLOCAL(&a6) || IN6_IS_ADDR_V4MAPPED(&a6)) {
		conf_error(r, "%s: %s is not a global unicast address", kw, s);
		return -1;
	}
	memcpy(out->a, &a6, 16);
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

/* A multicast prefix, at least /4 long. */
static int
conf_mprefix4(struct conf_reader *r, const char *kw, const char *s,
    struct prefix4 *out)
{
	struct prefix4	 p;

	if (prefix4_parse(s, &p) == -1 || p.len < 4 || !IN4_MCAST(p.addr)) {
		conf_error(r, "%s: \"%s\" is not a multicast prefix", kw, s);
		return -1;
	}
	*out = p;
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

/* ---- the tables ---- */

#define FIELD(c, it)	((void *)((char *)(c) + (it)->off))
#define CFIELD(c, it)	((const void *)((const char *)(c) + (it)->off))

static const struct conf_item *
item_find(const struct conf_table *t, const char *name, size_t *at)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->items[i].name, name) == 0) {
			if (at != NULL)
				*at = i;
			return &t->items[i];
		}
	return NULL;
}

/*
 * Set one value of a standard type from the text s.  Returns 0, or -1
 * (reported at the reader's line).
 */
int
conf_value(struct conf_parse *p, const struct conf_item *it, const char *s,
    void *c)
{
	struct conf_reader	*r = &p->r;
	void			*f = FIELD(c, it);

	switch (it->type) {
	case CT_UINT:
		return conf_uint(r, it->name, s, it->min, it->max, f);
	case CT_TIME:
		return conf_time(r, it->name, s, it->min, it->max, it->step, f);
	case CT_BOOL:
		return conf_bool(r, it->name, s, f);
	case CT_STRING:
		return conf_string(r, it->name, s, f, it->size);
	case CT_IFNAME:
		return conf_ifname(r, it->name, s, f);
	case CT_ADDR4:
		return conf_unicast4(r, it->name, s, f);
	case CT_ADDR46:
		return conf_unicast46(r, it->name, s, f);
	case CT_MPREFIX4:
		return conf_mprefix4(r, it->name, s, f);
	case CT_OBSOLETE:
		log_warnx("%s:%d: %s is obsolete and ignored: %s", r->path,
		    r->lineno, it->name, it->def);
		return 0;
	case CT_CUSTOM:
		break;
	}
	conf_error(r, "%s: no value parser", it->name);
	return -1;
}

/* The directives every daemon has, in a daemon's configuration. */
struct conf_daemon *
conf_daemon_of(const struct conf_table *t, void *c)
{
	return (struct conf_daemon *)(void *)((char *)c + t->doff);
}

/* Every field to its default (the table's defaults are known good). */
void
conf_defaults(const struct conf_table *t, void *c)
{
	struct conf_parse	 p;
	size_t			 i;

	memset(c, 0, t->size);
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.r.path = "(defaults)";
	if (t->n > CONF_MAX_ITEMS)
		fatalx("%s: %zu directives, more than %d", t->daemon, t->n,
		    CONF_MAX_ITEMS);
	for (i = 0; i < t->n; i++) {
		const struct conf_item	*it = &t->items[i];

		if (it->def != NULL && it->type != CT_OBSOLETE &&
		    conf_value(&p, it, it->def, c) == -1)
			fatalx("%s: bad default for %s", t->daemon, it->name);
	}
}

/* One directive line: the keyword found, its words, its value set. */
static void
directive(struct conf_parse *p, const struct conf_args *a, void *c)
{
	const struct conf_item	*it, *ex;
	size_t			 at, xat;
	int			 nargs = a->argc - 1;

	if ((it = item_find(p->t, a->argv[0], &at)) == NULL) {
		conf_error(&p->r, "unknown keyword \"%s\"", a->argv[0]);
		return;
	}
	if (nargs < 1) {
		conf_error(&p->r, "%s: missing argument", it->name);
		return;
	}
	if (nargs > it->maxargs) {
		conf_error(&p->r, "%s: too many arguments", it->name);
		return;
	}
	if (p->line[at] != 0 && !(it->flags & CF_MULTI)) {
		conf_error(&p->r, "%s: given again (first on line %d)",
		    it->name, p->line[at]);
		return;
	}
	if (it->excludes != NULL &&
	    (ex = item_find(p->t, it->excludes, &xat)) != NULL &&
	    p->line[xat] != 0) {
		conf_error(&p->r, "%s: conflicts with %s on line %d",
		    it->name, ex->name, p->line[xat]);
		return;
	}
	if ((it->type == CT_CUSTOM ? it->parse(p, it, a, c) :
	    conf_value(p, it, a->argv[1], c)) == 0)
		p->line[at] = p->r.lineno;
}

/* A path a daemon keeps using after it changed to /: absolute. */
static void
check_abs(struct conf_parse *p, const char *name, const char *path)
{
	if (path[0] != '\0' && path[0] != '/')
		conf_error_at(p, name, "%s: \"%s\" is not an absolute path",
		    name, path);
}

/* What every daemon's file must say right, whatever the daemon. */
static void
check_daemon(struct conf_parse *p, void *c, int live)
{
	struct conf_daemon	*d = conf_daemon_of(p->t, c);

	check_abs(p, "pidfile", d->pidfile);
	check_abs(p, "control-socket", d->ctlsock);
	check_abs(p, "pcap-file", d->pcap_file);
	/* What the system must have: a daemon's own file, not a test's. */
	errno = 0;
	if (live && getpwnam(d->user) == NULL)
		conf_error_at(p, "user", "user: no user \"%s\" on this system "
		    "(create it: adduser --system --group --no-create-home "
		    "%s; or name an existing one)", d->user, d->user);
}

static int
parse_fp(const struct conf_table *t, void *c, FILE *fp, const char *name,
    int live)
{
	struct conf_parse	 p;
	struct conf_args	 a;

	memset(&p, 0, sizeof(p));
	p.t = t;
	conf_from_fp(&p.r, fp, name);
	while (conf_next(&p.r, &a) == 1)
		directive(&p, &a, c);
	p.r.lineno = 0;
	if (t->check != NULL)
		(void)t->check(&p, c);
	if (t->has_daemon)
		check_daemon(&p, c, live);
	if (live && t->live != NULL && p.r.errors == 0)
		t->live(&p, c);
	conf_close(&p.r);
	return p.r.errors == 0 ? 0 : -1;
}

/*
 * Parse a whole file into c, which holds the defaults.  Returns 0 if
 * there were no errors.
 */
int
conf_parse(const struct conf_table *t, void *c, FILE *fp, const char *name)
{
	return parse_fp(t, c, fp, name, 0);
}

/*
 * Defaults, then the file at path, checked against this system too
 * (the user exists); 0 if it parsed without errors.
 */
int
conf_load(const struct conf_table *t, void *c, const char *path)
{
	FILE	*fp;
	int	 rv;

	conf_defaults(t, c);
	if ((fp = fopen(path, "re")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	rv = parse_fp(t, c, fp, path, 1);
	fclose(fp);
	return rv;
}

static int
all_zero(const void *f, size_t n)
{
	const uint8_t	*b = f;

	while (n-- > 0)
		if (*b++ != 0)
			return 0;
	return 1;
}

/* One directive as a file would say it. */
static void
print_item(const struct conf_item *it, const void *c, FILE *fp)
{
	const void	*f = CFIELD(c, it);

	if (it->print != NULL) {
		it->print(it, c, fp);
		return;
	}
	if ((it->flags & CF_OPTIONAL) && all_zero(f, it->size))
		return;
	switch (it->type) {
	case CT_UINT:
		fprintf(fp, "%s %u\n", it->name, *(const unsigned *)f);
		break;
	case CT_TIME:
		fprintf(fp, "%s %s\n", it->name,
		    conf_time_str(*(const uint32_t *)f));
		break;
	case CT_BOOL:
		fprintf(fp, "%s %s\n", it->name, *(const int *)f ? "on" :
		    "off");
		break;
	case CT_STRING:
		fprintf(fp, "%s \"%s\"\n", it->name, (const char *)f);
		break;
	case CT_IFNAME:
		fprintf(fp, "%s %s\n", it->name, (const char *)f);
		break;
	case CT_ADDR4:
		fprintf(fp, "%s %s\n", it->name,
		    addr4_ntoa(*(const uint32_t *)f));
		break;
	case CT_ADDR46:
		if (!mc_src6_is_any(f))
			fprintf(fp, "%s %s\n", it->name,
			    addr6_ntoa(((const struct mc_src6 *)f)->a));
		break;
	case CT_MPREFIX4:
		fprintf(fp, "%s %s\n", it->name, prefix4_ntoa(f));
		break;
	case CT_CUSTOM:
	case CT_OBSOLETE:
		break;
	}
}

/* Every setting, defaults included, in a form that parses again. */
void
conf_print(const struct conf_table *t, const void *c, FILE *fp)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		print_item(&t->items[i], c, fp);
}

/*
 * A reload: for every directive that takes effect only at restart and
 * changed between old and nc, say so and keep the running value.
 * Returns how many there were.
 */
unsigned
conf_restart_diff(const struct conf_table *t, void *nc, const void *old,
    const char *path)
{
	unsigned	 n = 0;
	size_t		 i;

	for (i = 0; i < t->n; i++) {
		const struct conf_item	*it = &t->items[i];

		if (!(it->flags & CF_RESTART) ||
		    memcmp(FIELD(nc, it), CFIELD(old, it), it->size) == 0)
			continue;
		log_warnx("%s: %s changed: it takes effect when %s restarts; "
		    "until then the old value stays", path, it->name,
		    t->daemon);
		memcpy(FIELD(nc, it), CFIELD(old, it), it->size);
		n++;
	}
	return n;
}

/* The line directive name was set on, 0 if it has its default. */
int
conf_line(const struct conf_parse *p, const char *name)
{
	size_t	 at;

	if (item_find(p->t, name, &at) == NULL)
		fatalx("%s: no directive %s", __func__, name);
	return p->line[at];
}

/* "line N" or "the default", for messages about name. */
const char *
conf_where(const struct conf_parse *p, const char *name)
{
	static char	 buf[4][24];
	static unsigned	 i;
	char		*b = buf[i++ % 4];
	int		 line = conf_line(p, name);

	if (line == 0)
		return "the default";
	snprintf(b, sizeof(buf[0]), "line %d", line);
	return b;
}

/*
 * Time directive small (its value at *sv, ms) must stay below big (bv
 * ms).  A default that does not fit is lowered to half of big, in
 * tenths of a second, and the log says so; a value that was set is an
 * error at its line.  rule names the rule broken, or is NULL.
 */
void
conf_below(struct conf_parse *p, const char *small, uint32_t *sv,
    const char *big, uint32_t bv, const char *rule)
{
	uint32_t	 fit = bv / 2 / 100 * 100;

	if (*sv < bv)
		return;
	if (conf_line(p, small) == 0) {
		log_info("%s: %s %s (the default) is not below %s %s (%s): "
		    "using %s", p->r.path, small, conf_time_str(*sv), big,
		    conf_time_str(bv), conf_where(p, big), conf_time_str(fit));
		*sv = fit;
		return;
	}
	conf_error_at(p, small, "%s %s must be less than %s %s (%s%s%s)",
	    small, conf_time_str(*sv), big, conf_time_str(bv),
	    conf_where(p, big), rule != NULL ? "; " : "",
	    rule != NULL ? rule : "");
}

/* A warning at line (0: the file): the configuration still loads. */
void
conf_warn_at(struct conf_parse *p, int line, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		log_warnx("%s:%d: warning: %s", p->r.path, line, msg);
	else
		log_warnx("%s: warning: %s", p->r.path, msg);
}

/* An error about directive name, reported at its line (or the file). */
void
conf_error_at(struct conf_parse *p, const char *name, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;
	int	 save = p->r.lineno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->r.lineno = conf_line(p, name);
	conf_error(&p->r, "%s", msg);
	p->r.lineno = save;
}
