#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The Debian packages, as an operator gets them: built from a copy of
# this tree with dpkg-buildpackage (unit tests included), checked by
# lintian (no error), installed with dpkg, checked (files, conffiles,
# the _amt user, the configuration parsing, nothing started or enabled),
# purged, and the machine left as it was (the user removed if this test
# made it) on every exit path.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d /tmp/amtgw-pkg.XXXXXX)
PKGS="amtgw amtgw-relay amtgw-tools"
VERSION=$(cat "$TOP/VERSION")
installed=0

fail() {
	echo "FAIL: debian: $*"
	exit 99
}

ok() {
	echo "  ok: $*"
}

[ "$(id -u)" = 0 ] || { echo "SKIP: debian: needs root"; exit 77; }
for p in $PKGS; do
	dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' &&
	    { echo "SKIP: debian: $p is installed on this machine"; exit 77; }
done
user_before=0
getent passwd _amt >/dev/null && user_before=1

cleanup() {
	rc=$?
	set +e
	if [ $installed = 1 ]; then
		dpkg --purge $PKGS >"$TMP/purge-on-exit.log" 2>&1
	fi
	if [ $user_before = 0 ] && getent passwd _amt >/dev/null; then
		deluser --system --quiet _amt >/dev/null 2>&1
		getent group _amt >/dev/null && delgroup --system --quiet _amt \
		    >/dev/null 2>&1
	fi
	[ $rc != 0 ] && [ -f "$TMP/build.log" ] && tail -30 "$TMP/build.log"
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP

# 1. Build from a copy of the tracked files (what a release holds).
src="$TMP/amtgw-$VERSION"
mkdir -p "$src"
(cd "$TOP" && git ls-files -z | xargs -0 tar -cf - ) | (cd "$src" && tar -xf -) ||
    fail "copying the tree"
t0=$(date +%s)
(cd "$src" && dpkg-buildpackage -b -us -uc -j2) >"$TMP/build.log" 2>&1 ||
    fail "dpkg-buildpackage"
grep -q "Checks: [0-9]*, Failures: 0, Errors: 0" "$TMP/build.log" ||
    fail "the unit tests did not run in the build"
for p in $PKGS; do
	[ -f "$TMP/${p}_${VERSION}_amd64.deb" ] || fail "no $p package"
done
ok "dpkg-buildpackage -b -us -uc: $(ls "$TMP"/*.deb | wc -l) packages in $(($(date +%s) - t0)) s, unit tests passed in the build"

# 2. lintian: no error.
lintian --tag-display-limit 0 "$TMP/amtgw_${VERSION}_amd64.changes" \
    >"$TMP/lintian.log" 2>&1
grep '^E: ' "$TMP/lintian.log" && fail "lintian errors"
ok "lintian: no error ($(grep -c '^W: ' "$TMP/lintian.log") warnings)"

# 3. Installed: files, conffiles, user, configuration; nothing running.
installed=1
dpkg -i "$TMP/amtgw-tools_${VERSION}_amd64.deb" "$TMP/amtgw_${VERSION}_amd64.deb" \
    "$TMP/amtgw-relay_${VERSION}_amd64.deb" >"$TMP/install.log" 2>&1 ||
    fail "dpkg -i: $(cat "$TMP/install.log")"
for f in /usr/sbin/amtgwd /usr/sbin/igmpproxyd /usr/sbin/amtrelayd \
    /usr/sbin/amtctl /etc/init.d/amtgwd /etc/init.d/amtrelayd; do
	[ -x "$f" ] || fail "$f missing"
done
for f in /lib/systemd/system/amtgwd.service /usr/share/man/man8/amtctl.8.gz \
    /usr/share/man/man5/amtgwd.conf.5.gz /etc/default/igmpproxyd; do
	[ -f "$f" ] || fail "$f missing"
done
[ "$(/usr/sbin/amtgwd -V)" = "amtgwd $VERSION" ] || fail "amtgwd -V"
dpkg-query -W -f='${Conffiles}\n' amtgw | grep -q "/etc/amt/amtgwd.conf" ||
    fail "amtgwd.conf is not a conffile"
getent passwd _amt | grep -q ":/nonexistent:" || fail "no system user _amt"
grep -q "^user _amt$" /etc/amt/amtgwd.conf || fail "the config does not name _amt"
/usr/sbin/amtgwd -n >/dev/null 2>"$TMP/n.err" ||
    fail "the installed amtgwd.conf: $(cat "$TMP/n.err")"
/usr/sbin/amtrelayd -n >/dev/null 2>"$TMP/n.err" ||
    fail "the installed amtrelayd.conf: $(cat "$TMP/n.err")"
for d in amtgwd igmpproxyd amtrelayd; do
	for p in $(pgrep -x "$d"); do
		[ "$(readlink "/proc/$p/exe")" = "/usr/sbin/$d" ] &&
		    fail "$d was started by the installation"
	done
	ls /etc/rc2.d/S*"$d" >/dev/null 2>&1 && fail "$d enabled at boot"
	[ -e "/etc/systemd/system/multi-user.target.wants/$d.service" ] &&
	    fail "$d.service enabled"
done
ok "installed: programs, man pages, init scripts, units, conffiles, the _amt user; configurations valid; nothing started or enabled"

# 4. Purged: nothing left.
dpkg --purge $PKGS >"$TMP/purge.log" 2>&1 || fail "dpkg --purge"
installed=0
for f in /usr/sbin/amtgwd /usr/sbin/amtctl /etc/amt/amtgwd.conf \
    /etc/init.d/amtgwd /lib/systemd/system/amtgwd.service; do
	[ -e "$f" ] && fail "$f left after purge"
done
ok "purged: no file left (the _amt user goes at the end when this test made it)"
echo "PASS: debian"
