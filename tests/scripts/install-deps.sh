#!/bin/sh
# SPDX-License-Identifier: ISC
#
# scripts/install-deps.sh with apt and dpkg faked (a package missing,
# apt-get succeeding) and its policy-rc.d pointed into a scratch
# directory: it exits 0 whether or not a policy-rc.d was there before
# (Docker-built Debian images ship one), keeps one that was there, and
# removes the one it made, which existed while apt-get ran.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d /tmp/amtgw-deps.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: install-deps: $*"; exit 99; }

mkdir "$TMP/bin"
cat >"$TMP/bin/dpkg-query" <<'EOS'
#!/bin/sh
# Everything installed but check.
for a; do last=$a; done
[ "$last" = check ] && exit 1
printf 'ii '
EOS
cat >"$TMP/bin/apt-get" <<EOS
#!/bin/sh
[ -e "$TMP/policy-rc.d" ] && echo present >>"$TMP/apt.log" || echo absent >>"$TMP/apt.log"
exit 0
EOS
printf '#!/bin/sh\ncat >/dev/null\n' >"$TMP/bin/debconf-set-selections"
chmod 755 "$TMP/bin/"*
run() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: install-deps: needs root"; exit 77; }
	PATH="$TMP/bin:$PATH" POLICY_RC_D="$TMP/policy-rc.d" \
	    sh "$TOP/scripts/install-deps.sh" >"$TMP/out.log" 2>&1
}

# A policy-rc.d already there: kept, and the script succeeds.
printf '#!/bin/sh\nexit 0 # the image'"'"'s own\n' >"$TMP/policy-rc.d"
run || fail "exit $? with a policy-rc.d already there: $(cat "$TMP/out.log")"
grep -q "the image's own" "$TMP/policy-rc.d" || fail "the existing policy-rc.d was replaced or removed"
# None there: ours while apt-get runs, gone after, and success.
rm -f "$TMP/policy-rc.d" "$TMP/apt.log"
run || fail "exit $? without a policy-rc.d: $(cat "$TMP/out.log")"
[ "$(head -1 "$TMP/apt.log")" = present ] || fail "apt-get ran without the policy-rc.d"
[ -e "$TMP/policy-rc.d" ] && fail "its own policy-rc.d was left behind"
grep -q "installing: check" "$TMP/out.log" || fail "the missing package was not named"
echo "PASS: install-deps (with and without a policy-rc.d: exit 0, the old one kept, its own removed)"
