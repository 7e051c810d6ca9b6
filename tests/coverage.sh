#!/bin/sh
# SPDX-License-Identifier: ISC
#
# make coverage: run every test layer (unit, conf, netns) on the
# coverage build and print line coverage per file, in total, and for
# the files that decide (state machines, engines, codecs).  The
# daemons drop privileges, so every process writes its counts under a
# scratch prefix (GCOV_PREFIX) that any user may write to, with a umask
# that keeps them so; the notes files are copied beside them for gcovr.

set -eu
cd "$(dirname "$0")/.."
: "${O:=build-cov}"
TOP=$(pwd)
prefix=$(mktemp -d /tmp/amtgw-cov.XXXXXX)
trap 'rm -rf "$prefix"' EXIT INT TERM
chmod 1777 "$prefix"
export GCOV_PREFIX="$prefix"
# Counts written as root must stay writable by the daemons' user.
umask 000

find "$O" -name '*.gcda' -delete
rc=0
TESTDATA=tests/data "$O/tests/unit_tests" >/dev/null || rc=1
O=$O tests/conf/run.sh >/dev/null || rc=1
O=$O COVERAGE=1 tests/netns/run.sh >"$prefix/netns.log" 2>&1 || {
	tail -40 "$prefix/netns.log"
	rc=1
}
(cd "$O" && find . -name '*.gcno' -exec cp --parents {} \
    "$prefix$TOP/$O/" \;)

LOGIC='(common/(srcset|amt_proto|igmp_proto|ip4|mrtmsg|buf|cksum|conf)|amtgwd/(gw_fsm|gw_subs|gw_conf)|igmpproxyd/(group|iface|upstream|mfc|px|px_conf)|amtrelayd/(relay_fsm|mac|relay_conf))\.c'
echo "== line coverage, every file of the daemons and common/"
gcovr -r "$TOP" "$prefix$TOP/$O" --filter 'common/' --filter 'amtgwd/' \
    --filter 'igmpproxyd/' --filter 'amtrelayd/' --filter 'amtctl/' \
    --exclude 'tests/'
echo "== line coverage, the logic files (state machines, engines, codecs)"
gcovr -r "$TOP" "$prefix$TOP/$O" --filter "$LOGIC" | tail -3
exit $rc
