#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Install, with apt-get, every Debian package that building, testing,
# fuzzing, benchmarking and the demo need.  Idempotent: when everything
# is present it prints nothing (with --quiet) and takes a fraction of a
# second.  Services shipped by these packages (igmpproxy) are never
# started: a policy-rc.d forbids it for the duration of the install.

set -eu

PACKAGES="build-essential pkg-config libevent-dev libpcap-dev check
libsodium-dev libcap-dev clang libclang-rt-14-dev iproute2 procps
tshark tcpdump python3-scapy mandoc igmpproxy ethtool gcovr frr
nftables conntrack
debhelper dpkg-dev lintian
libunbound-dev bind9 bind9-utils
systemd"

quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1

missing=""
for p in $PACKAGES; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	[ "$quiet" = 1 ] || echo "install-deps: all packages present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages:$missing" >&2
	echo "install-deps: run as root (sudo make deps) to install them" >&2
	exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
policy=${POLICY_RC_D:-/usr/sbin/policy-rc.d}	# (the tests point it elsewhere)
own_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	own_policy=1
fi
# Remove our policy file (never one that was there before); the trap's
# status must not become the script's.
cleanup() {
	if [ "$own_policy" = 1 ]; then
		rm -f "$policy"
	fi
	return 0
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "wireshark-common wireshark-common/install-setuid boolean false" |
    debconf-set-selections 2>/dev/null || true

# shellcheck disable=SC2086
if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing
fi
echo "install-deps: done"
