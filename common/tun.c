/*
 * SPDX-License-Identifier: ISC
 * Copyright (c) 2026 The amtgw project contributors
 */

/*
 * TUN device creation (IFF_TUN | IFF_NO_PI, so reads and writes are
 * bare IP datagrams) and the interface settings amtgwd applies to it.
 * The device is not persistent: it disappears when its fd is closed.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_tun.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tun.h"

/* Create (or attach to) TUN device name; returns a non-blocking fd. */
int
tun_open(const char *name, char actual[IFNAMSIZ])
{
	struct ifreq	 ifr;
	int		 fd;

	if (strlen(name) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	memcpy(actual, ifr.ifr_name, IFNAMSIZ);
	actual[IFNAMSIZ - 1] = '\0';
	return fd;
}

static int
if_ioctl(unsigned long req, struct ifreq *ifr)
{
	int	 s, rv;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	rv = ioctl(s, req, ifr);
	if (rv == -1) {
		int saved = errno;

		close(s);
		errno = saved;
		return -1;
	}
	close(s);
	return 0;
}

static void
ifreq_init(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
}

int
if_set_mtu(const char *name, int mtu)
{
	struct ifreq	 ifr;

	ifreq_init(&ifr, name);
	ifr.ifr_mtu = mtu;
	return if_ioctl(SIOCSIFMTU, &ifr);
}

/* Bring the interface up. */
int
if_set_up(const char *name)
{
	struct ifreq	 ifr;

	ifreq_init(&ifr, name);
	if (if_ioctl(SIOCGIFFLAGS, &ifr) == -1)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return if_ioctl(SIOCSIFFLAGS, &ifr);
}

/* Assign an IPv4 address and prefix length (host order address). */
int
if_set_addr4(const char *name, uint32_t addr, uint8_t plen)
{
	struct ifreq		 ifr;
	struct sockaddr_in	 sin;
	uint32_t		 mask;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	ifreq_init(&ifr, name);
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	if (if_ioctl(SIOCSIFADDR, &ifr) == -1)
		return -1;
	mask = plen == 0 ? 0 : 0xffffffffU << (32 - plen);
	sin.sin_addr.s_addr = htonl(mask);
	ifreq_init(&ifr, name);
	memcpy(&ifr.ifr_netmask, &sin, sizeof(sin));
	return if_ioctl(SIOCSIFNETMASK, &ifr);
}

int
sysctl_write_str(const char *path, const char *val)
{
	int	 fd;
	ssize_t	 n;
	size_t	 len = strlen(val);

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, val, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

int
sysctl_read_int(const char *path, int *v)
{
	char	 buf[32];
	int	 fd;
	ssize_t	 n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%d", v) != 1)
		return -1;
	return 0;
}

/*
 * Turn reverse-path filtering off on ifname: tunnelled sources have no
 * route back through it.  The kernel uses max(all, dev), so a host-wide
 * setting above 0 still drops them; say so, with the fix.
 */
int
rp_filter_setup(const char *ifname)
{
	char	 path[128];
	int	 all = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter",
	    ifname);
	if (sysctl_write_str(path, "0") == -1) {
		log_warn("cannot set %s to 0", path);
		return -1;
	}
	if (sysctl_read_int("/proc/sys/net/ipv4/conf/all/rp_filter", &all)
	    == 0 && all != 0)
		log_warnx("net.ipv4.conf.all.rp_filter is %d: the kernel will "
		    "still drop multicast from tunnelled sources on %s; fix "
		    "with \"sysctl -w net.ipv4.conf.all.rp_filter=0\" (the "
		    "effective value is the larger of all and %s)", all,
		    ifname, ifname);
	return 0;
}
