/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * Detaching, pidfiles and privilege dropping.  The privilege drop
 * follows chrony's and smcroute's: keep capabilities across setresuid()
 * with PR_SET_KEEPCAPS, then trim the permitted set to what the caller
 * names, and check that root cannot be regained.
 */

#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl.h"
#include "daemon.h"
#include "log.h"
#include "pcapw.h"
#include "util.h"

static char	 pidfile_path[4096];
static int	 pidfile_fd = -1;

static int	 ready_fd = -1;
static char	 ctl_path[PATH_MAX];	/* the control socket (daemon_atexit) */

#define READY_MARK	'\001'	/* never in a log line */

/*
 * The parent of a detaching daemon: copy what the daemon says until it
 * is ready (its warnings and errors, for the init script) to standard
 * error, and exit 0 once it is ready, 1 if it died first.
 */
static void __attribute__((__noreturn__))
wait_ready(int fd)
{
	char	 buf[1024], *mark;
	ssize_t	 n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		if ((mark = memchr(buf, READY_MARK, (size_t)n)) != NULL) {
			if (write(STDERR_FILENO, buf, (size_t)(mark - buf)) < 0)
				_exit(0);	/* nowhere to say it */
			_exit(0);
		}
		if (write(STDERR_FILENO, buf, (size_t)n) < 0)
			continue;	/* keep waiting for the outcome */
	}
}

/*
 * Fork into the background.  The parent does not exit until the daemon
 * calls daemon_ready() (exit 0) or dies first (exit 1), so that init
 * scripts and systemd (Type=forking) see a started daemon, pidfile and
 * all, or a failure, and what went wrong on their standard error.
 * Returns 0 in the daemon.
 */
int
daemon_detach(void)
{
	pid_t	 pid;
	int	 fd, p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid != 0) {
		close(p[1]);
		wait_ready(p[0]);
	}
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);	/* the parent may be gone */
	if (setsid() == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid != 0)
		_exit(0);
	ready_fd = p[1];
	log_startup_fd(ready_fd);
	if (chdir("/") == -1)
		return -1;
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

/* Tell the waiting parent the daemon is up (no-op in the foreground). */
void
daemon_ready(void)
{
	char	 c = READY_MARK;

	if (ready_fd == -1)
		return;
	log_startup_fd(-1);
	if (write(ready_fd, &c, 1) != 1)
		log_warn("daemon_ready");
	close(ready_fd);
	ready_fd = -1;
}

/* Look up a user; NULL (logged) if unknown. */
static struct passwd *
lookup_user(const char *user)
{
	struct passwd	*pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		if (errno != 0)
			log_warn("getpwnam %s", user);
		else
			log_warnx("unknown user %s", user);
	}
	return pw;
}

/*
 * Make sure dir exists and belongs to user, so that the daemon can
 * still remove its pidfile and sockets there after dropping root.
 */
int
rundir_create(const char *dir, const char *user)
{
	struct passwd	*pw;
	struct stat	 st;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", dir);
		return -1;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_warnx("%s is not a directory", dir);
		return -1;
	}
	if (user == NULL || (pw = lookup_user(user)) == NULL)
		return user == NULL ? 0 : -1;
	if (st.st_uid != pw->pw_uid && chown(dir, pw->pw_uid, pw->pw_gid)
	    == -1) {
		log_warn("chown %s", dir);
		return -1;
	}
	return 0;
}

/* Create the run directory if either path lies in it. */
int
daemon_rundir(const char *dir, const char *user, const char *p1,
    const char *p2)
{
	size_t	 n = strlen(dir);

	if ((strncmp(p1, dir, n) == 0 && p1[n] == '/') ||
	    (strncmp(p2, dir, n) == 0 && p2[n] == '/'))
		return rundir_create(dir, user);
	return 0;
}

/*
 * Create and lock the pidfile; fails if another instance holds it.
 * The file is handed to user so it can be removed after the drop.
 */
int
pidfile_create(const char *path, const char *user)
{
	struct passwd	*pw;
	char		 buf[32];
	int		 fd, n;

	if (strlen(path) >= sizeof(pidfile_path)) {
		log_warnx("pidfile path too long");
		return -1;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) == -1) {
		log_warn("pidfile %s", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			log_warnx("pidfile %s is locked: already running?",
			    path);
		else
			log_warn("flock %s", path);
		close(fd);
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || write(fd, buf, (size_t)n) != n) {
		log_warn("write %s", path);
		close(fd);
		return -1;
	}
	if (user != NULL && (pw = getpwnam(user)) != NULL && pw->pw_uid != 0 &&
	    fchown(fd, pw->pw_uid, pw->pw_gid) == -1)
		log_warn("chown %s", path);
	strcpy(pidfile_path, path);
	pidfile_fd = fd;
	return 0;
}

/* After a fork: the pidfile (created and locked before) names us. */
static void
pidfile_rewrite(void)
{
	char	 buf[32];
	int	 n;

	if (pidfile_fd == -1)
		return;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(pidfile_fd, 0) == -1 ||
	    pwrite(pidfile_fd, buf, (size_t)n, 0) != n)
		log_warn("write %s", pidfile_path);
}

void
pidfile_remove(void)
{
	if (pidfile_fd == -1)
		return;
	if (unlink(pidfile_path) == -1)
		log_debug("unlink %s: %s", pidfile_path, strerror(errno));
	close(pidfile_fd);
	pidfile_fd = -1;
}

/*
 * Become user, keeping only the capabilities in caps (permitted and
 * effective).  With user "root" nothing changes.  Any failure is
 * returned and the caller must not go on.
 */
int
privdrop(const char *user, const cap_value_t *caps, int ncaps)
{
	struct passwd	*pw;
	cap_t		 cap;
	uid_t		 uid;
	gid_t		 gid;

	if ((pw = lookup_user(user)) == NULL)
		return -1;
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		log_info("running as root (user %s)", user);
		return 0;
	}
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) == -1) {
		log_warn("prctl(PR_SET_KEEPCAPS)");
		return -1;
	}
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		log_warn("cannot become user %s", user);
		return -1;
	}
	if ((cap = cap_init()) == NULL) {
		log_warn("cap_init");
		return -1;
	}
	if (ncaps > 0 && (cap_set_flag(cap, CAP_PERMITTED, ncaps, caps,
	    CAP_SET) == -1 || cap_set_flag(cap, CAP_EFFECTIVE, ncaps, caps,
	    CAP_SET) == -1)) {
		log_warn("cap_set_flag");
		cap_free(cap);
		return -1;
	}
	if (cap_set_proc(cap) == -1) {
		log_warn("cap_set_proc");
		cap_free(cap);
		return -1;
	}
	cap_free(cap);
	(void)prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
	/* Fail closed: root must be out of reach now. */
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1) {
		log_warnx("privilege drop did not stick");
		return -1;
	}
	log_info("dropped privileges to user %s (uid %u)", user,
	    (unsigned)uid);
	return 0;
}

static void
libevent_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

/* Route libevent's own messages into our log (as tmux does). */
void
daemon_libevent_logging(void)
{
	event_set_log_callback(libevent_log_cb);
}

/* ---- the start-up and shut-down every daemon shares ---- */

static const int daemon_sigs[DAEMON_NSIGS] = { SIGHUP, SIGTERM, SIGINT,
    SIGUSR1 };

/* The usage line: to stdout and exit 0 when asked (-h), else stderr, 1. */
void
daemon_usage(const char *name, int asked)
{
	fprintf(asked ? stdout : stderr, "usage: %s [-dhnvV] [-f file] "
	    "[-p pidfile]\n", name);
	exit(asked ? 0 : 1);
}

void
daemon_version(const char *name)
{
	printf("%s %s\n", name, AMT_VERSION);
	exit(0);
}

/*
 * path made absolute against the current directory into buf (the
 * daemon changes to / when it detaches, and reloads read the file
 * again).
 */
static const char *
abs_path(const char *path, char *buf, size_t len)
{
	char	 cwd[PATH_MAX];

	if (path[0] == '/')
		return path;
	if (getcwd(cwd, sizeof(cwd)) == NULL ||
	    snprintf(buf, len, "%s/%s", cwd, path) >= (int)len)
		fatalx("%s: cannot make the path absolute", path);
	return buf;
}

/* -d -f -h -n -p -v -V, then logging to standard error until detached. */
void
daemon_options(int argc, char *argv[], const char *name, const char *conf,
    struct daemon_opts *o)
{
	static const struct option	 longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int				 ch;

	memset(o, 0, sizeof(*o));
	o->name = name;
	o->conf_path = o->conf_abs = conf;
	log_procname(name);
	while ((ch = getopt_long(argc, argv, "df:hnp:vV", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'd':
			o->debug = 1;
			break;
		case 'f':
			o->conf_path = optarg;
			o->conf_abs = abs_path(optarg, o->conf_buf,
			    sizeof(o->conf_buf));
			break;
		case 'h':
			daemon_usage(name, 1);
		case 'n':
			o->check = 1;
			break;
		case 'p':
			o->pidfile = abs_path(optarg, o->pid_buf,
			    sizeof(o->pid_buf));
			break;
		case 'v':
			o->verbose++;
			break;
		case 'V':
			daemon_version(name);
		default:
			daemon_usage(name, 0);
		}
	}
	if (optind != argc)
		daemon_usage(name, 0);
	log_init(1, LOG_DAEMON);
	log_setverbose(o->verbose);
}

/*
 * The configuration at o->conf_path, by table t: loaded, printed for
 * -n, and the daemon exits for -n and for errors.  Applies -p.
 * Returns the configuration (allocated).
 */
void *
daemon_load(const struct daemon_opts *o, const struct conf_table *t)
{
	struct conf_daemon	*d;
	void			*c;

	if ((c = malloc(t->size)) == NULL)
		fatal("malloc");
	if (conf_load(t, c, o->conf_path) != 0) {
		if (o->check)
			fprintf(stderr, "%s: configuration invalid\n",
			    o->conf_path);
		exit(1);
	}
	d = conf_daemon_of(t, c);
	if (o->pidfile != NULL) {
		if (strlen(o->pidfile) >= sizeof(d->pidfile))
			fatalx("pidfile path too long");
		strcpy(d->pidfile, o->pidfile);
	}
	if (o->check) {
		conf_print(t, c, stdout);
		fprintf(stderr, "%s: configuration OK\n", o->conf_path);
		exit(0);
	}
	if (geteuid() != 0)
		fatalx("must be started as root");
	return c;
}

/* A start that fails leaves no pidfile and no control socket behind. */
static void
daemon_atexit(void)
{
	pidfile_remove();
	if (ctl_path[0] != '\0')
		(void)unlink(ctl_path);
}

/*
 * After the privileged sockets are open: the run directory and the
 * pidfile (before detaching, so their errors reach the terminal or the
 * init script; a second instance stops here), detaching (unless -d),
 * the event base and the control socket.
 */
struct event_base *
daemon_enter(const struct daemon_opts *o, const struct conf_daemon *d,
    struct ctl **ctl, ctl_handler handler, void *arg)
{
	struct event_base	*base;

	if (daemon_rundir(RUNDIR, d->user, d->pidfile, d->ctlsock) == -1 ||
	    pidfile_create(d->pidfile, d->user) == -1)
		exit(1);
	atexit(daemon_atexit);
	if (!o->debug) {
		if (daemon_detach() == -1)
			fatal("daemon");
		pidfile_rewrite();
	}
	log_init(o->debug, LOG_DAEMON);
	daemon_libevent_logging();
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if ((*ctl = ctl_open(base, d->ctlsock, d->user, o->name, handler,
	    arg)) == NULL)
		log_warnx("no control socket: amtctl will not reach %s",
		    o->name);
	else
		snprintf(ctl_path, sizeof(ctl_path), "%s", d->ctlsock);
	return base;
}

static struct event	*pcap_ev;

static void
pcap_tick(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	pcapw_flush(arg);
}

/*
 * pcap-file, if configured (as root, before the drop): opened, and
 * flushed every second so that tcpdump or Wireshark can read it while
 * the daemon runs.  Returns 1 if it is on.
 */
int
daemon_pcap(struct event_base *base, const struct conf_daemon *d,
    struct pcapw *pc)
{
	struct timeval	 sec = { 1, 0 };

	if (d->pcap_file[0] == '\0' || pcapw_open(pc, d->pcap_file,
	    d->pcap_limit_kb, d->pcap_data, d->user) == -1)
		return 0;
	if ((pcap_ev = event_new(base, -1, EV_PERSIST, pcap_tick, pc)) ==
	    NULL || event_add(pcap_ev, &sec) == -1)
		log_warnx("pcap-file: no flush timer; the file is written "
		    "when the buffer fills");
	return 1;
}

/* Become the configured user with caps only, or stop here. */
void
daemon_drop(const struct conf_daemon *d, const cap_value_t *caps,
    int ncaps)
{
	if (privdrop(d->user, caps, ncaps) == -1) {
		pidfile_remove();
		fatalx("refusing to run with privileges");
	}
}

/* A signal: SIGHUP reloads, SIGUSR1 dumps, SIGTERM and SIGINT stop. */
static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	const struct daemon_hooks	*h = arg;

	(void)ev;
	switch (sig) {
	case SIGHUP:
		h->reload(h->arg);
		break;
	case SIGUSR1:
		daemon_dump(h->show, h->arg, h->views);
		break;
	default:
		if (h->stop != NULL) {
			h->stop(h->arg);
			break;
		}
		log_info("shutting down");
		event_base_loopbreak(h->base);
		break;
	}
}

/* SIGHUP, SIGTERM, SIGINT and SIGUSR1 to the hooks; SIGPIPE ignored. */
void
daemon_signals(struct event **ev, const struct daemon_hooks *h)
{
	int	 i;

	for (i = 0; i < DAEMON_NSIGS; i++) {
		ev[i] = evsignal_new(h->base, daemon_sigs[i], signal_cb,
		    (void *)(uintptr_t)h);
		if (ev[i] == NULL || event_add(ev[i], NULL) == -1)
			fatalx("evsignal_add");
	}
	signal(SIGPIPE, SIG_IGN);
}

/* The end: control socket, signal events, event base, pidfile. */
void
daemon_leave(struct event_base *base, struct ctl *ctl, struct event **ev)
{
	int	 i;

	ctl_close(ctl);
	ctl_path[0] = '\0';
	if (pcap_ev != NULL) {
		event_free(pcap_ev);
		pcap_ev = NULL;
	}
	for (i = 0; i < DAEMON_NSIGS; i++)
		event_free(ev[i]);
	event_base_free(base);
	pidfile_remove();
}

/* Arm ev for the absolute deadline dl (ms); UINT64_MAX disarms it. */
void
daemon_arm(struct event *ev, uint64_t dl, uint64_t now)
{
	struct timeval	 tv;
	int64_t		 ms;

	if (dl == UINT64_MAX) {
		evtimer_del(ev);
		return;
	}
	ms = ms_until(dl, now);
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	if (evtimer_add(ev, &tv) == -1)
		fatalx("evtimer_add");
}

/* SIGUSR1: every view the control socket offers, as text, to the log. */
void
daemon_dump(ctl_handler handler, void *arg, const char *const *views)
{
	struct emit	 e;

	emit_init(&e, 0);
	for (; *views != NULL; views++)
		(void)handler(arg, *views, &e);
	emit_done(&e);
	log_info("---- state dump begins (version %s) ----", AMT_VERSION);
	emit_to_log(&e);
	log_info("---- state dump ends ----");
	emit_free(&e);
}

/*
 * SIGHUP: load a fresh configuration by table t for the daemon running
 * with old.  The -p pidfile stays; what takes effect only at restart
 * keeps its running value (and the log says so).  Returns the new
 * configuration, or NULL (logged) if the file has errors: the caller
 * keeps the running one.
 */
void *
daemon_reload(const struct daemon_opts *o, const struct conf_table *t,
    const void *old)
{
	void	*nc;

	log_info("reloading %s", o->conf_abs);
	if ((nc = malloc(t->size)) == NULL) {
		log_warn("reload");
		return NULL;
	}
	if (conf_load(t, nc, o->conf_abs) == -1) {
		log_warnx("%s has errors; keeping the running configuration",
		    o->conf_abs);
		free(nc);
		return NULL;
	}
	if (o->pidfile != NULL)
		strcpy(conf_daemon_of(t, nc)->pidfile, o->pidfile);
	(void)conf_restart_diff(t, nc, old, o->conf_abs);
	return nc;
}
