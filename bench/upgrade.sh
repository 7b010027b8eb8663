#!/usr/bin/env bash
# upgrade.sh: hot upgrades of one rawhttpd under direct wrk load, GET and
# POST, counting the requests that failed. Run from the repository root:
#
#	bench/upgrade.sh [--duration SECS] [--conns N] [--upgrades N]
#
# One rawhttpd listens on a free loopback port with -pid-file. For each
# method, wrk (keep-alive, --conns connections) runs for --duration while
# the script sends SIGUSR2 --upgrades times, spread over the run: each
# time the process named by the PID file starts the binary on disk on the
# same socket and drains once the new one serves. A failed request is a
# non-2xx answer or a socket error (connect, read, write, timeout) as wrk
# counts them; the target is 0. After each upgrade the script checks that
# the old PID is gone and the new one serves.
#
# The script kills only what it started (the first rawhttpd, the ones the
# upgrades start in its place, wrk), by PID, and every wait is bounded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

duration=10 conns=64 upgrades=3

fail() {
	printf 'upgrade.sh: %s\n' "$*" >&2
	exit 1
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--duration) duration=$2; shift 2 ;;
	--conns) conns=$2; shift 2 ;;
	--upgrades) upgrades=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "upgrade.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

command -v wrk >/dev/null || { echo "upgrade.sh: wrk is needed (apt-get install wrk)" >&2; exit 2; }
[[ -f go.mod && -d cmd/rawhttpd ]] || fail "run from the repository root"

work=$(mktemp -d "${TMPDIR:-/tmp}/upgrade-bench.XXXXXX")
pidfile=$work/rawhttpd.pid
started=() # PIDs of the processes this script started and has not reaped
wrk_pid=""

finish_on_exit

go build -o "$work/rawhttpd" ./cmd/rawhttpd
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 512)
wrk.headers["Content-Type"] = "text/plain"
LUA

"$work/rawhttpd" -addr 127.0.0.1:0 -pid-file "$pidfile" >"$work/out" 2>&1 </dev/null &
pid=$!
started+=("$pid")
for _ in $(seq 100); do
	grep -q 'listening on' "$work/out" 2>/dev/null && break
	running "$pid" || break
	sleep 0.1
done
addr=$(sed -n 's/.*listening on http:\/\/\([^ ]*\) .*/\1/p' "$work/out" | head -1)
[[ -n $addr ]] || { cat "$work/out" >&2; fail "rawhttpd did not start"; }

# upgrade sends SIGUSR2 to the process in the PID file and waits until a
# new PID is written and the old process is gone; the new process, which
# the old one started, is then the script's to stop.
upgrade() {
	local old new
	old=$(cat "$pidfile")
	kill -USR2 "$old"
	for _ in $(seq 300); do
		new=$(cat "$pidfile" 2>/dev/null || true)
		if [[ -n $new && $new != "$old" ]] && ! running "$old"; then
			wait "$old" 2>/dev/null || true # the first process is a child
			forget "$old"
			started+=("$new")
			say "  upgrade: pid $old -> $new"
			return 0
		fi
		sleep 0.1
	done
	fail "pid $old did not hand over within 30 s"
}

total_failed=0
for method in GET POST; do
	script=()
	[[ $method == POST ]] && script=(-s "$work/post.lua")
	echo "$method: wrk -c$conns -d${duration}s with $upgrades upgrades"
	wrk -t2 -c"$conns" -d"${duration}s" "${script[@]}" "http://$addr/" >"$work/wrk.$method" 2>&1 </dev/null &
	wrk_pid=$!
	gap=$(awk -v d="$duration" -v n="$upgrades" 'BEGIN { printf "%.2f", d / (n + 1) }')
	for _ in $(seq "$upgrades"); do
		sleep "$gap"
		upgrade
	done
	reap_within "$wrk_pid" $((duration + 10)) || fail "wrk did not end in time; see $work/wrk.$method"
	wrk_pid=""
	requests=$(awk '/requests in/ { print $1 }' "$work/wrk.$method")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$work/wrk.$method")
	socket=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$work/wrk.$method")
	failed=$(( ${non2xx:-0} + ${socket:-0} ))
	total_failed=$(( total_failed + failed ))
	echo "  $method: $requests requests, ${non2xx:-0} non-2xx, ${socket:-0} socket errors: $failed failed"
done
status=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://$addr/" || true)
echo "after the upgrades: pid $(cat "$pidfile") answers $status"
echo "failed requests in all: $total_failed"
[[ $total_failed -eq 0 && $status == 200 ]]
