#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Run every network-namespace test (or those named on the command
# line).  Each test exits 0 (pass), 77 (skip) or 99 (fail).

set -u
cd "$(dirname "$0")"
pass=0 failn=0 skipn=0 failed=""
tests=${*:-$(ls ./*.sh | grep -v -e lib.sh -e run.sh -e topo.sh)}
for t in $tests; do
	name=$(basename "$t" .sh)
	start=$(date +%s)
	echo "== netns: $name"
	sh "./$name.sh"
	rc=$?
	echo "   ($(($(date +%s) - start)) s)"
	case $rc in
	0) pass=$((pass + 1)) ;;
	77) skipn=$((skipn + 1)) ;;
	*) failn=$((failn + 1)); failed="$failed $name" ;;
	esac
done
echo "netns: $pass passed, $failn failed, $skipn skipped"
[ $failn -eq 0 ] || { echo "netns failures:$failed"; exit 1; }
[ $pass -gt 0 ] || { echo "netns: nothing ran"; exit 1; }
exit 0
