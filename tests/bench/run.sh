#!/bin/sh
# SPDX-License-Identifier: ISC
#
# make bench: every benchmark, each against a baseline measured in the
# same run (the machine is shared and noisy: compare ratios, not runs).

set -u
cd "$(dirname "$0")"
rc=0
for b in ${*:-gw proxy relay crowd e2e driad mld}; do
	[ -x "./$b.sh" ] || continue
	echo "######## bench: $b"
	sh "./$b.sh" || rc=1
done
exit $rc
