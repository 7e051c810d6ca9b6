/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * amtctl doctor: what on this system stops multicast from reaching the
 * LANs, each problem with its fix.  It asks amtgwd and igmpproxyd over
 * their control sockets, reads the kernel's view (/proc/sys, the
 * multicast routing tables, the IGMP memberships, the raw sockets), the
 * nftables rules (nft list ruleset), and watches the traffic for a few
 * seconds: data arriving through the tunnel, reaching multicast
 * routing, routed to the LANs, leaving them.  It changes nothing,
 * except that, when no igmpproxyd answers, it briefly takes the
 * multicast routing table (MRT_INIT, then MRT_DONE) to see whether
 * another program holds it.
 *
 * The rule reading is a heuristic: nftables can say the same thing in
 * many ways.  What the traffic shows is not.
 */

#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <linux/mroute.h>
#include <net/if.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amtctl.h"
#include "ctlproto.h"
#include "ifstat.h"

#define DR_MAXIF	32

struct dr {
	const char	*gw_sock;
	const char	*px_sock;
	unsigned	 sample_s;
	int		 problems;
	char		*gw;		/* amtgwd's state (JSON), NULL: none */
	char		*px;		/* igmpproxyd's interfaces (JSON) */
	char		 tunnel[IFNAMSIZ];
	char		 ds[DR_MAXIF][IFNAMSIZ];	/* downstream names */
	unsigned	 nds;
};

/* ---- saying it ---- */

#define PRINTFLIKE(a, b)	__attribute__((__format__(__printf__, a, b)))

static void	 ok(const char *, ...) PRINTFLIKE(1, 2);
static void	 note(const char *, ...) PRINTFLIKE(1, 2);
static void	 problem(struct dr *, const char *, const char *, ...)
		    PRINTFLIKE(3, 4);

static void
ok(const char *fmt, ...)
{
	va_list	 ap;

	printf("  ok    ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void
note(const char *fmt, ...)
{
	va_list	 ap;

	printf("  note  ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* A problem and, on the next line, its fix. */
static void
problem(struct dr *d, const char *fix, const char *fmt, ...)
{
	va_list	 ap;

	d->problems++;
	printf("  FAIL  ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n        fix: %s\n", fix);
}

/* ---- reading ---- */

/* The first number after "key": in JSON text j; -1 if none. */
static long long
jnum(const char *j, const char *key)
{
	char		 pat[80];
	const char	*p;

	if (j == NULL)
		return -1;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	if ((p = strstr(j, pat)) == NULL)
		return -1;
	p += strlen(pat);
	if (*p < '0' || *p > '9')
		return -1;
	return strtoll(p, NULL, 10);
}

/* The first string after "key": in j, into out; 0 if none. */
static int
jstr(const char *j, const char *key, char *out, size_t len)
{
	char		 pat[80];
	const char	*p;
	size_t		 n;

	out[0] = '\0';
	if (j == NULL)
		return 0;
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	if ((p = strstr(j, pat)) == NULL)
		return 0;
	p += strlen(pat);
	n = strcspn(p, "\"");
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

/* An integer from /proc/sys/net/ipv4/<dir>/<name>; -1 if unreadable. */
static long
sysctl_get(const char *dir, const char *name)
{
	char	 path[128];
	FILE	*fp;
	long	 v = -1;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/%s%s%s", dir,
	    dir[0] != '\0' ? "/" : "", name);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	if (fscanf(fp, "%ld", &v) != 1)
		v = -1;
	fclose(fp);
	return v;
}

/* What an interface transmitted of IPv4 (ifstat.h); 0 if unknown. */
static unsigned long long
tx_packets(const char *ifname)
{
	uint64_t	 v;

	return ifstat_tx4(ifname, &v) == 0 ? v : 0;
}

/* A VIF's packets in and out (/proc/net/ip_mr_vif); 0 if no VIF. */
static int
vif_counts(const char *ifname, unsigned long long *in,
    unsigned long long *out)
{
	char			 line[256], name[IFNAMSIZ + 1];
	unsigned long long	 bi, pi, bo, po;
	FILE			*fp;
	int			 idx, found = 0;

	*in = *out = 0;
	if ((fp = fopen("/proc/net/ip_mr_vif", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "%d %16s %llu %llu %llu %llu", &idx, name, &bi,
		    &pi, &bo, &po) == 6 && strcmp(name, ifname) == 0) {
			*in = pi;
			*out = po;
			found = 1;
		}
	fclose(fp);
	return found;
}

/* The names of the downstream interfaces igmpproxyd lists. */
static void
px_downstreams(struct dr *d)
{
	const char	*p;
	char		 name[IFNAMSIZ];
	const char	*ds;

	d->nds = 0;
	if (d->px == NULL || (ds = strstr(d->px, "\"downstream\":")) == NULL)
		return;
	for (p = ds; d->nds < DR_MAXIF &&
	    (p = strstr(p, "\"name\":\"")) != NULL; p++) {
		if (jstr(p, "name", name, sizeof(name)))
			snprintf(d->ds[d->nds++], IFNAMSIZ, "%s", name);
	}
}

/* ---- the checks ---- */

/*
 * The default tunnel's IPv6 cycle: a relay that answers IPv4 Requests
 * and leaves those with the P flag unanswered serves no IPv6 group.
 */
static void
check_mld_cycle(struct dr *d, const char *relay)
{
	const char	*m = strstr(d->gw, "\"mld\":");
	char		 st[32];
	long long	 sent = jnum(d->gw, "mld-request-sent");
	long long	 got = jnum(d->gw, "mld-query-received");

	if (m == NULL || !jstr(m, "state", st, sizeof(st)) ||
	    strcmp(st, "requesting") != 0 || sent - got < 4)
		return;
	problem(d, "use a relay that serves IPv6 multicast (on amtrelayd: "
	    "mld on), or leave IPv6 groups to native routing",
	    "relay %s leaves this gateway's IPv6 Requests (the P flag) "
	    "unanswered: %lld sent, %lld answered; IPv6 groups wait", relay,
	    sent, got);
}

static void
check_daemons(struct dr *d)
{
	char	 state[32], relay[64], up[IFNAMSIZ];
	long long ms, serr;

	if (ask(d->gw_sock, "amtgwd", CTL_CMD_GATEWAY " " CTL_JSON "\n",
	    &d->gw, 1) == -1 || strncmp(d->gw, "{\"" CTL_ERROR, 7) == 0) {
		free(d->gw);
		d->gw = NULL;
		problem(d, "start it (systemctl start amtgwd, or "
		    "/etc/init.d/amtgwd start) and read its log",
		    "amtgwd does not answer on %s", d->gw_sock);
	} else {
		jstr(d->gw, "pseudo-interface", d->tunnel, sizeof(d->tunnel));
		jstr(d->gw, "state", state, sizeof(state));
		jstr(d->gw, "relay", relay, sizeof(relay));
		ms = jnum(d->gw, "age-ms");	/* of the last Query */
		serr = jnum(d->gw, "send-error");
		if (strcmp(state, "established") == 0)
			ok("amtgwd: tunnel %s to relay %s established",
			    d->tunnel, relay);
		else if (serr > 0 && strchr(relay, ':') != NULL)
			problem(d, "give this host an IPv6 route to the "
			    "relay, or configure an IPv4 relay or discovery "
			    "address in amtgwd.conf", "relay %s is IPv6 and "
			    "this host refused %lld message(s) to it (amtgwd's "
			    "log: \"cannot send to\")", relay, serr);
		else if (serr > 0)
			problem(d, "check the route to the relay (ip route "
			    "get ADDRESS) and the firewall's output chain (udp "
			    "dport 2268)", "this host refused %lld message(s) "
			    "to relay %s (amtgwd's log: \"cannot send to\" "
			    "says why)", serr, relay);
		else
			problem(d, "the relay must be reachable on UDP port "
			    "2268 both ways: check the route, the firewalls "
			    "on the way and here (input: udp sport 2268), and "
			    "the relay or discovery address in amtgwd.conf",
			    "relay %s does not answer: amtgwd is %s; %s %lld s "
			    "ago", relay, state, ms < 0 ? "it started" :
			    "its last Query came", ms < 0 ? jnum(d->gw,
			    "state-ms") / 1000 : ms / 1000);
		check_mld_cycle(d, relay);
	}
	if (ask(d->px_sock, "igmpproxyd", CTL_CMD_INTERFACES " " CTL_JSON
	    "\n", &d->px, 1) == -1 || strncmp(d->px, "{\"" CTL_ERROR, 7) ==
	    0) {
		free(d->px);
		d->px = NULL;
		problem(d, "start it (systemctl start igmpproxyd) and read "
		    "its log", "igmpproxyd does not answer on %s", d->px_sock);
		return;
	}
	px_downstreams(d);
	jstr(strstr(d->px, "\"upstream\":"), "name", up, sizeof(up));
	ok("igmpproxyd: upstream %s, %u downstream interface(s)", up, d->nds);
	if (d->tunnel[0] == '\0')
		snprintf(d->tunnel, sizeof(d->tunnel), "%s", up);
}

static void
check_rpfilter(struct dr *d)
{
	char	 dir[IFNAMSIZ + 8];
	long	 all = sysctl_get("conf/all", "rp_filter");
	long	 one, eff;
	char	 fix[160];

	snprintf(dir, sizeof(dir), "conf/%s", d->tunnel);
	one = sysctl_get(dir, "rp_filter");
	eff = all > one ? all : one;
	if (one == -1) {
		note("rp_filter: no interface %s to check", d->tunnel);
		return;
	}
	if (eff == 0) {
		ok("rp_filter is off for %s", d->tunnel);
		return;
	}
	snprintf(fix, sizeof(fix), "sysctl -w net.ipv4.conf.all.rp_filter=0 "
	    "net.ipv4.conf.%s.rp_filter=0 (and in /etc/sysctl.d)", d->tunnel);
	problem(d, fix, "rp_filter is %ld (%s) on %s (all %ld, %s %ld; the "
	    "higher applies): the tunnel has no route back to the sources, "
	    "so the kernel drops their multicast, strict and loose alike",
	    eff, eff == 1 ? "strict" : "loose", d->tunnel, all, d->tunnel,
	    one);
}

/* ---- nftables: base chains, their policy and what their rules say ---- */

struct chain_view {
	int	 hook_input, hook_forward;
	int	 policy_drop;
	int	 igmp, amt, tun;	/* -1 dropped, 1 accepted, 0 unsaid */
	int	 established;
	int	 all_dropped;		/* a bare drop rule */
};

/* What one rule line says, first match wins (in order). */
static void
rule_line(struct chain_view *c, const char *l, const char *tunnel)
{
	char	 tq[IFNAMSIZ + 4];
	int	 drop = strstr(l, " drop") != NULL || strncmp(l, "drop", 4) ==
	    0 || strstr(l, "reject") != NULL;
	int	 accept = strstr(l, "accept") != NULL;
	int	 v = drop ? -1 : accept ? 1 : 0;
	int	 any = 0;

	if (v == 0)
		return;
	snprintf(tq, sizeof(tq), "\"%s\"", tunnel);
	if (strstr(l, "established") != NULL && v == 1)
		c->established = 1;
	if (strstr(l, "igmp") != NULL && (any = 1) && c->igmp == 0)
		c->igmp = v;
	if (strstr(l, "2268") != NULL && (any = 1) && c->amt == 0)
		c->amt = v;
	if (strstr(l, tq) != NULL && (any = 1) && c->tun == 0)
		c->tun = v;
	if (!any && v == -1 && strstr(l, "saddr") == NULL &&
	    strstr(l, "daddr") == NULL && strstr(l, "dport") == NULL &&
	    strstr(l, "sport") == NULL && strstr(l, "ifname") == NULL &&
	    strstr(l, "protocol") == NULL && strstr(l, "state") == NULL)
		c->all_dropped = 1;
}

static void
judge_chain(struct dr *d, const struct chain_view *c, const char *name)
{
	char	 fix[256];
	int	 closed;

	if (c->hook_input) {
		closed = c->policy_drop || c->all_dropped;
		if (c->igmp == -1 || (closed && c->igmp != 1))
			problem(d, "accept IGMP in the input chain, before any "
			    "drop: nft add rule inet filter input ip protocol "
			    "igmp accept", "firewall: input chain %s drops "
			    "IGMP: the hosts' reports never reach igmpproxyd",
			    name);
		if (c->amt == -1 || (closed && c->amt != 1 &&
		    !c->established))
			problem(d, "accept the relay's answers: nft add rule "
			    "inet filter input udp sport 2268 accept (or ct "
			    "state established,related accept)", "firewall: "
			    "input chain %s drops AMT (UDP 2268) from the "
			    "relay", name);
	}
	if (c->hook_forward) {
		closed = c->policy_drop || c->all_dropped;
		if (c->tun == -1 || (closed && c->tun != 1)) {
			snprintf(fix, sizeof(fix), "let multicast from the "
			    "tunnel through: nft add rule inet filter forward "
			    "iifname \"%s\" ip daddr 224.0.0.0/4 accept",
			    d->tunnel);
			problem(d, fix, "firewall: forward chain %s drops "
			    "what comes in on %s: no multicast reaches the "
			    "LANs", name, d->tunnel);
		}
	}
}

static void
check_firewall(struct dr *d)
{
	struct chain_view	 c;
	char			 line[512], name[64] = "";
	FILE			*fp;
	int			 in_chain = 0, chains = 0, before = d->problems;

	if ((fp = popen("nft list ruleset 2>/dev/null", "r")) == NULL) {
		note("firewall: cannot run nft");
		return;
	}
	memset(&c, 0, sizeof(c));
	while (fgets(line, sizeof(line), fp) != NULL) {
		char	*l = line + strspn(line, " \t");

		if (strncmp(l, "chain ", 6) == 0) {
			memset(&c, 0, sizeof(c));
			sscanf(l + 6, "%63s", name);
			in_chain = 1;
			continue;
		}
		if (!in_chain)
			continue;
		if (l[0] == '}') {
			if (c.hook_input || c.hook_forward) {
				chains++;
				judge_chain(d, &c, name);
			}
			in_chain = 0;
			continue;
		}
		if (strncmp(l, "type ", 5) == 0) {
			c.hook_input = strstr(l, "hook input") != NULL;
			c.hook_forward = strstr(l, "hook forward") != NULL;
			c.policy_drop = strstr(l, "policy drop") != NULL;
			continue;
		}
		rule_line(&c, l, d->tunnel);
	}
	if (pclose(fp) != 0 && chains == 0) {
		note("firewall: nft list ruleset failed (not installed, or "
		    "not root); rules not read");
		return;
	}
	if (d->problems == before)
		ok("firewall: %d input/forward chain(s), none seen dropping "
		    "IGMP, AMT or the tunnel's multicast", chains);
}

/* The inodes of the raw IGMP sockets (the multicast routing API's). */
static unsigned
raw_igmp_inodes(unsigned long *inodes, unsigned max)
{
	char		 line[512];
	unsigned	 n = 0, proto;
	unsigned long	 ino;
	FILE		*fp;

	if ((fp = fopen("/proc/net/raw", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL && n < max)
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %*x %*x:%*x %*x:%*x "
		    "%*x %*u %*d %lu", &proto, &ino) == 2 && proto == 2)
			inodes[n++] = ino;
	fclose(fp);
	return n;
}

/* Does process pid hold one of the sockets? */
static int
holds_socket(const char *pid, const unsigned long *inodes, unsigned n)
{
	char		 path[PATH_MAX], link[64], want[40];
	DIR		*fd;
	struct dirent	*fe;
	ssize_t		 k;
	unsigned	 i;
	int		 found = 0;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if ((fd = opendir(path)) == NULL)
		return 0;
	while (!found && (fe = readdir(fd)) != NULL) {
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid,
		    fe->d_name);
		if ((k = readlink(path, link, sizeof(link) - 1)) <= 0)
			continue;
		link[k] = '\0';
		for (i = 0; i < n && !found; i++) {
			snprintf(want, sizeof(want), "socket:[%lu]", inodes[i]);
			found = strcmp(link, want) == 0;
		}
	}
	closedir(fd);
	return found;
}

/* Processes holding raw IGMP sockets: "name (pid N), ..." into out. */
static void
raw_igmp_owners(char *out, size_t len)
{
	char		 path[PATH_MAX], comm[32];
	unsigned long	 inodes[16];
	unsigned	 n;
	size_t		 k;
	FILE		*fp;
	DIR		*pd;
	struct dirent	*pe;

	out[0] = '\0';
	if ((n = raw_igmp_inodes(inodes, 16)) == 0 ||
	    (pd = opendir("/proc")) == NULL)
		return;
	while ((pe = readdir(pd)) != NULL) {
		if (pe->d_name[0] < '0' || pe->d_name[0] > '9' ||
		    !holds_socket(pe->d_name, inodes, n))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", pe->d_name);
		comm[0] = '\0';
		if ((fp = fopen(path, "re")) != NULL) {
			if (fgets(comm, sizeof(comm), fp) == NULL)
				comm[0] = '\0';
			fclose(fp);
		}
		comm[strcspn(comm, "\n")] = '\0';
		k = strlen(out);
		if (snprintf(out + k, len - k, "%s%s (pid %.16s)", k > 0 ?
		    ", " : "", comm, pe->d_name) < 0)
			break;
	}
	closedir(pd);
}

static void
check_mroute(struct dr *d)
{
	char	 who[256];
	int	 s, one = 1;

	if (d->px != NULL) {
		ok("multicast routing: igmpproxyd holds the table");
		return;
	}
	if ((s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IGMP)) ==
	    -1) {
		note("multicast routing: cannot check (%s; run as root)",
		    strerror(errno));
		return;
	}
	if (setsockopt(s, IPPROTO_IP, MRT_INIT, &one, sizeof(one)) == 0) {
		(void)setsockopt(s, IPPROTO_IP, MRT_DONE, NULL, 0);
		close(s);
		ok("multicast routing: the table is free for igmpproxyd");
		return;
	}
	close(s);
	if (errno != EADDRINUSE) {
		note("multicast routing: MRT_INIT: %s", strerror(errno));
		return;
	}
	raw_igmp_owners(who, sizeof(who));
	problem(d, "stop that program (igmpproxy, smcroute, pimd, mrouted "
	    "and FRR's pimd each take it), or give igmpproxyd another table "
	    "(mroute-table)", "multicast routing: another program holds the "
	    "kernel's table, so igmpproxyd cannot start: %s",
	    who[0] != '\0' ? who : "(not found)");
}

/*
 * Memberships per interface (not counting 224.0.0.0/24, which the
 * limit leaves alone) against igmp_max_memberships, a per-socket limit:
 * as many on one interface as the limit is where receivers hit it.
 */
static void
check_limits(struct dr *d)
{
	char		 line[256], name[IFNAMSIZ + 1] = "", fix[128];
	char		 tmp[IFNAMSIZ + 1];
	char		 worst_if[IFNAMSIZ + 1] = "";
	long		 max = sysctl_get("", "igmp_max_memberships");
	int		 idx, count, n = 0, worst = 0;
	unsigned	 g;
	FILE		*fp;

	if (max < 0 || (fp = fopen("/proc/net/igmp", "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] != '\t') {		/* a device line */
			if (sscanf(line, "%d %16s : %d", &idx, tmp, &count) ==
			    3)
				snprintf(name, sizeof(name), "%s", tmp);
			n = 0;
			continue;
		}
		if (sscanf(line, " %x", &g) != 1)
			continue;
		if ((ntohl(g) & 0xffffff00U) == 0xe0000000U)
			continue;	/* 224.0.0.0/24 */
		if (++n > worst) {
			worst = n;
			snprintf(worst_if, sizeof(worst_if), "%s", name);
		}
	}
	fclose(fp);
	if (worst < max) {
		ok("IGMP memberships: at most %d on an interface, limit %ld "
		    "per socket", worst, max);
		return;
	}
	snprintf(fix, sizeof(fix), "sysctl -w "
	    "net.ipv4.igmp_max_memberships=%ld (and in /etc/sysctl.d)",
	    max < 512 ? 1024 : max * 2);
	problem(d, fix, "IGMP memberships: %d groups joined on %s and "
	    "net.ipv4.igmp_max_memberships is %ld: a receiver that joins "
	    "more on one socket fails (ENOBUFS)", worst, worst_if, max);
}

/* DRIAD: whether DNS answers the lookups, and validates. */
static void
check_driad(struct dr *d)
{
	long long	 lk = jnum(d->gw, "driad-lookups");
	long long	 ans = jnum(d->gw, "driad-answers");
	long long	 failed = jnum(d->gw, "driad-lookup-failed");
	long long	 bogus = jnum(d->gw, "driad-dnssec-bogus");
	long long	 full = jnum(d->gw, "tunnels-max-reached");

	if (d->gw == NULL || strstr(d->gw, "\"driad\":true") == NULL ||
	    lk <= 0)
		return;
	if (bogus > 0 && ans <= 0)
		problem(d, "check the dnssec-trust-anchor file (it must hold "
		    "the anchor of the zones' signed chain) and the clock",
		    "DRIAD: every answer failed DNSSEC validation (%lld); "
		    "sources use the default relay", bogus);
	else if (failed > 0 && ans <= 0)
		problem(d, "a nameserver in /etc/resolv.conf must answer "
		    "from this host (UDP and TCP port 53)",
		    "DRIAD: no DNS answer to %lld lookup(s); sources use the "
		    "default relay", failed);
	else
		ok("DRIAD: %lld lookup(s), %lld answered, %lld failed, "
		    "%lld bogus", lk, ans, failed < 0 ? 0 : failed,
		    bogus < 0 ? 0 : bogus);
	if (full > 0)
		problem(d, "raise tunnels-max in amtgwd.conf", "DRIAD: %lld "
		    "relay(s) not used for want of a tunnel (tunnels-max)",
		    full);
}

/* What the traffic shows, over the sample. */
struct counts {
	long long		 data;		/* amtgwd data-packets */
	int			 vif;		/* the tunnel has a VIF */
	unsigned long long	 vin, vout;
	unsigned long long	 dsout[DR_MAXIF], dstx[DR_MAXIF];
};

static void
take_counts(struct dr *d, struct counts *c)
{
	char			*gw = NULL;
	unsigned long long	 in;
	unsigned		 i;

	memset(c, 0, sizeof(*c));
	c->data = -1;
	if (ask(d->gw_sock, "amtgwd", CTL_CMD_GATEWAY " " CTL_JSON "\n", &gw,
	    1) != -1) {
		c->data = jnum(gw, "data-packets");
		free(gw);
	}
	c->vif = vif_counts(d->tunnel, &c->vin, &c->vout);
	for (i = 0; i < d->nds; i++) {
		(void)vif_counts(d->ds[i], &in, &c->dsout[i]);
		c->dstx[i] = tx_packets(d->ds[i]);
	}
}

static void
check_flow(struct dr *d)
{
	struct counts		 a, b;
	struct timespec		 ts = { (time_t)d->sample_s, 0 };
	unsigned long long	 data, vin, out = 0, tx = 0, dso, dst;
	unsigned		 i;
	char			 fix[200];

	if (d->gw == NULL || d->tunnel[0] == '\0')
		return;
	take_counts(d, &a);
	nanosleep(&ts, NULL);
	take_counts(d, &b);
	if (a.data < 0 || b.data < a.data)
		return;
	data = (unsigned long long)(b.data - a.data);
	if (data == 0) {
		note("traffic: no multicast data through the tunnel in %u s "
		    "(nothing joined, or the source sends nothing)",
		    d->sample_s);
		return;
	}
	if (!b.vif) {
		problem(d, "start igmpproxyd with the tunnel as its upstream",
		    "traffic: %llu datagrams came through the tunnel in %u s, "
		    "but %s is no multicast routing interface", data,
		    d->sample_s, d->tunnel);
		return;
	}
	vin = b.vin - a.vin;
	if (vin < data / 2) {
		snprintf(fix, sizeof(fix), "rp_filter off on %s and all; no "
		    "prerouting rule dropping multicast from %s", d->tunnel,
		    d->tunnel);
		problem(d, fix, "traffic: %llu datagrams came through the "
		    "tunnel in %u s, multicast routing saw %llu: the kernel "
		    "drops them on the way in", data, d->sample_s, vin);
		return;
	}
	for (i = 0; i < d->nds; i++) {
		dso = b.dsout[i] - a.dsout[i];
		dst = b.dstx[i] - a.dstx[i];
		out += dso;
		tx += dst;
		if (dso >= 20 && dst < dso / 2) {
			snprintf(fix, sizeof(fix), "allow forwarding from %s "
			    "to %s in the firewall (nft list ruleset, chain "
			    "with hook forward)", d->tunnel, d->ds[i]);
			problem(d, fix, "traffic: %llu datagrams routed to %s "
			    "in %u s, %llu left it: dropped after the "
			    "routing", dso, d->ds[i], d->sample_s, dst);
		}
	}
	if (out == 0)
		note("traffic: %llu datagrams in %u s through the tunnel and "
		    "into multicast routing, none routed to a LAN (no host "
		    "asked there, or igmpproxyd is not their querier: amtctl "
		    "proxy interfaces)", vin, d->sample_s);
	else
		ok("traffic: %llu datagrams in through %s, %llu routed to the "
		    "LANs, %llu sent there, in %u s", vin, d->tunnel, out, tx,
		    d->sample_s);
}

int
doctor(int argc, char *argv[])
{
	struct dr	 d;
	int		 ch;

	memset(&d, 0, sizeof(d));
	d.gw_sock = CTL_SOCK_GATEWAY;
	d.px_sock = CTL_SOCK_PROXY;
	d.sample_s = 2;
	optind = 1;
	while ((ch = getopt(argc, argv, "g:p:t:")) != -1) {
		switch (ch) {
		case 'g':
			d.gw_sock = optarg;
			break;
		case 'p':
			d.px_sock = optarg;
			break;
		case 't':
			d.sample_s = (unsigned)strtoul(optarg, NULL, 10);
			if (d.sample_s == 0 || d.sample_s > 60)
				d.sample_s = 2;
			break;
		default:
			fprintf(stderr, "usage: amtctl doctor [-g gateway-"
			    "socket] [-p proxy-socket] [-t seconds]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("amtctl doctor: what stops multicast reaching the LANs\n");
	check_daemons(&d);
	if (d.tunnel[0] == '\0')
		snprintf(d.tunnel, sizeof(d.tunnel), "amt0");
	check_rpfilter(&d);
	check_firewall(&d);
	check_mroute(&d);
	check_limits(&d);
	check_driad(&d);
	check_flow(&d);
	if (d.problems == 0)
		printf("no problem found\n");
	else
		printf("%d problem(s) found\n", d.problems);
	free(d.gw);
	free(d.px);
	return d.problems == 0 ? 0 : 1;
}
