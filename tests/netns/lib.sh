# SPDX-License-Identifier: ISC
#
# Shared helpers for the network-namespace tests.  Every namespace and
# process a test creates is recorded and removed on every exit path
# (success, failure, Ctrl-C).  Exit codes follow smcroute: 0 pass,
# 77 skip, 99 fail.  Waiting is done on events (a line in a log, a
# process ending) with a deadline, never with fixed sleeps.

set -u

: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${O:=build}"
BIN="$TOP/$O/bin"
TID="amt$$"
NSES=""
PIDS=""
TMP=$(mktemp -d "/tmp/${TMPPREFIX:-amtgw-test}.XXXXXX")
chmod 1777 "$TMP"
TESTNAME=$(basename "$0" .sh)

cleanup() {
	rc=$?
	set +e
	# Daemons that detached (the init scripts start them) are known by
	# their pidfiles under $TMP, whatever step failed; a pid counts as
	# ours only while its command line names this test's directory.
	for f in "$TMP"/*.pid; do
		[ -s "$f" ] || continue
		p=$(cat "$f")
		case "$p" in ''|*[!0-9]*) continue ;; esac
		grep -qaF "$TMP" "/proc/$p/cmdline" 2>/dev/null && PIDS="$PIDS $p"
	done
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.02
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for n in $NSES; do
		ip netns del "$n" 2>/dev/null
		rm -rf "/etc/netns/$n"	# a resolv.conf of the test's
	done
	# A sanitizer report in any log (a leak at exit included) fails
	# the test, whatever it checked.
	if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$TMP"/*.log >"$TMP/sanitizer.hits" 2>/dev/null; then
		echo "FAIL: $TESTNAME: sanitizer reports in" \
		    $(cat "$TMP/sanitizer.hits")
		[ "$rc" = 0 ] && rc=99
	fi
	if [ "$rc" != 0 ] && [ -z "${KEEP_LOGS:-}" ]; then
		for f in "$TMP"/*.log; do
			[ -f "$f" ] || continue
			echo "----- $(basename "$f") (last 40 lines)"
			tail -40 "$f"
		done
	fi
	[ -n "${KEEP_LOGS:-}" ] && echo "logs kept in $TMP" || rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP

fail() {
	echo "FAIL: $TESTNAME: $*"
	exit 99
}

skip() {
	echo "SKIP: $TESTNAME: $*"
	exit 77
}

ok() {
	echo "  ok: $*"
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	ip netns add "${TID}-probe" 2>/dev/null || skip "no network namespaces"
	ip netns del "${TID}-probe"
	sweep_stale
}

# A test killed outright (SIGKILL, a CI time-out) runs no trap: its
# namespaces stay.  Remove those of a test whose shell is gone, when no
# process is left in them; a live test's are never touched.
sweep_stale() {
	for n in $(ip netns list | awk '/^amt[0-9]+-/ {print $1}'); do
		p=${n#amt}
		p=${p%%-*}
		kill -0 "$p" 2>/dev/null && continue
		[ -z "$(ip netns pids "$n" 2>/dev/null)" ] || continue
		ip netns del "$n" 2>/dev/null && rm -rf "/etc/netns/$n"
	done
}

# ns_add NAME: a namespace with loopback up; run in it with nsx NAME.
ns_add() {
	ip netns add "${TID}-$1" || fail "ip netns add $1"
	NSES="$NSES ${TID}-$1"
	ip -n "${TID}-$1" link set lo up
	ip netns exec "${TID}-$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.default.rp_filter=0 >/dev/null
}

nsname() {
	echo "${TID}-$1"
}

nsx() {
	n=$1
	shift
	ip netns exec "${TID}-$n" "$@"
}

# link NS1 IF1 ADDR1/LEN NS2 IF2 ADDR2/LEN: a veth pair between two
# namespaces (an address of "-" leaves that end without one).
link() {
	ip link add "$2" netns "${TID}-$1" type veth peer name "$5" \
	    netns "${TID}-$4" || fail "veth $2-$5"
	[ "$3" != "-" ] && ip -n "${TID}-$1" addr add "$3" dev "$2"
	[ "$6" != "-" ] && ip -n "${TID}-$4" addr add "$6" dev "$5"
	ip -n "${TID}-$1" link set "$2" up
	ip -n "${TID}-$4" link set "$5" up
}

# bg NS LOGNAME CMD...: start CMD in NS with output to $TMP/LOGNAME.log;
# its pid is left in $LASTPID and remembered for cleanup.
bg() {
	n=$1
	log="$TMP/$2.log"
	shift 2
	: >"$log"	# now, not in the child: no stale lines to wait on
	ip netns exec "${TID}-$n" "$@" >>"$log" 2>&1 &
	LASTPID=$!
	PIDS="$PIDS $LASTPID"
}

# stop_pid PID [SECONDS]: SIGTERM and wait for the exit; 1 if it hangs.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 0
	wait_exit "$1" "${2:-5}"
}

# wait_exit PID SECONDS: wait for a process of ours to end.
wait_exit() {
	deadline=$(($(date +%s%N) / 1000000 + $2 * 1000))
	while kill -0 "$1" 2>/dev/null; do
		[ "$(($(date +%s%N) / 1000000))" -ge "$deadline" ] && return 1
		sleep 0.01
	done
	wait "$1" 2>/dev/null
	return 0
}

# wait_log LOGNAME REGEX SECONDS: wait until the log has a matching line.
wait_log() {
	f="$TMP/$1.log"
	deadline=$(($(date +%s%N) / 1000000 + $3 * 1000))
	while ! grep -Eq -- "$2" "$f" 2>/dev/null; do
		[ "$(($(date +%s%N) / 1000000))" -ge "$deadline" ] && return 1
		sleep 0.01
	done
	return 0
}

# count_log LOGNAME REGEX: number of matching lines.
count_log() {
	grep -Ec -- "$2" "$TMP/$1.log" 2>/dev/null || true
}

# now_ms: a monotonic-enough clock for measurements in the scripts.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# ll_wait "NS IF" ...: until each interface has a link-local IPv6
# address past DAD (MLD is sent from it); fails the test after 5 s.
ll_wait() {
	deadline=$(($(now_ms) + 5000))
	for x in "$@"; do
		set -- $x
		until nsx "$1" ip -6 addr show dev "$2" scope link |
		    grep -q inet6 &&
		    ! nsx "$1" ip -6 addr show dev "$2" | grep -q tentative; do
			[ "$(now_ms)" -ge $deadline ] &&
			    fail "$1 $2: no link-local address"
			sleep 0.05
		done
	done
}

# dump_state PID LOGNAME: SIGUSR1 and wait for the dump's end line.
dump_state() {
	before=$(count_log "$2" 'state dump ends')
	kill -USR1 "$1"
	i=0
	while [ "$(count_log "$2" 'state dump ends')" = "$before" ]; do
		i=$((i + 1))
		[ $i -gt 300 ] && return 1
		sleep 0.01
	done
	return 0
}

# ctl SOCKET ARGS...: amtctl -j into $TMP/ctl.json (fails the test if
# the daemon does not answer).
ctl() {
	s=$1
	shift
	"$BIN/amtctl" -j -s "$s" "$@" >"$TMP/ctl.json" 2>"$TMP/ctl.err" ||
	    fail "amtctl $*: $(cat "$TMP/ctl.err")"
}

# jget EXPR: evaluate a Python expression on the last answer, as d.
jget() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2], {"d": d}))' "$TMP/ctl.json" "$1"
}

[ -x "$BIN/amtgwd" ] || fail "binaries missing in $BIN (run make)"
