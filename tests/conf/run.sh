#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Golden configuration tests: "DAEMON -n -f NAME.in" must print NAME.ok
# exactly and exit 0; NAME.err files must be refused with the messages
# in NAME.err-expected.

set -u
cd "$(dirname "$0")"
: "${O:=build}"
BIN="../../$O/bin"
rc=0 n=0
for f in *.in; do
	[ -e "$f" ] || continue
	base=${f%.in}
	daemon=${base%%-*}
	n=$((n + 1))
	if ! "$BIN/$daemon" -n -f "$f" 2>/dev/null | diff -u "$base.ok" -; then
		echo "FAIL: conf $base"
		rc=1
	fi
done
for f in *.err; do
	[ -e "$f" ] || continue
	base=${f%.err}
	daemon=${base%%-*}
	n=$((n + 1))
	if "$BIN/$daemon" -n -f "$f" >/dev/null 2>"/tmp/conf-$$.err"; then
		echo "FAIL: conf $base accepted"
		rc=1
	elif ! diff -u "$base.err-expected" "/tmp/conf-$$.err"; then
		echo "FAIL: conf $base messages"
		rc=1
	fi
	rm -f "/tmp/conf-$$.err"
done
# The example configurations shipped in conf/ must be valid.
for f in ../../conf/*.conf; do
	[ -e "$f" ] || continue
	daemon=$(basename "$f" .conf)
	[ -x "$BIN/$daemon" ] || continue
	n=$((n + 1))
	if ! "$BIN/$daemon" -n -f "$f" >/dev/null 2>&1; then
		echo "FAIL: example $f"
		rc=1
	fi
done
echo "conf: $n golden files, $([ $rc = 0 ] && echo all passed || echo FAILURES)"
exit $rc
