#!/usr/bin/env bash
# gateway.sh: proxied throughput of rawhttpd's gateway mode against
# httputil.ReverseProxy on net/http (bench/cmd/proxyd), per core of proxy
# CPU. Run from the repository root:
#
#	bench/gateway.sh [--rounds N] [--duration SECS] [--conns N]
#
# Three processes, on loopback only:
#   - upstreamd (bench/cmd/upstreamd) answers "Hello, World!"; one instance
#     serves both proxies, so its cost is the same for each;
#   - the proxy under test, pinned to --proxy-cpu (0) with GOMAXPROCS=1:
#     "rawhttpd -loops 1 -upstream URL" or "proxyd -upstream URL";
#   - wrk -t1, keep-alive, --conns connections, pinned with the upstream
#     to --load-cpu (1), so that the proxy has a core of its own.
# The three are built from this repository; wrk is installed with apt-get
# when it is missing (as root).
# Each round starts each proxy afresh (the order alternates between
# rounds), checks that GET / answers 200, warms it for 1 s, then runs wrk
# for --duration. The proxy's CPU time (utime + stime from /proc/PID/stat)
# is read over the middle of the run, 0.5 s trimmed at both ends. The table
# gives medians over the rounds: req/s, the proxy's CPU as a share of one
# core, req/s per proxy CPU (req/s / share: requests per core-second), and
# the CPU of the load core (wrk + upstream); the last lines give
# rawhttpd / nethttp for req/s and for req/s per proxy CPU.
#
# A run whose responses were not all 2xx, or that saw socket errors, is
# reported and left out of the medians. The script kills only what it
# started, by PID, and every wait is bounded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds=5 duration=5 conns=64 proxy_cpu=0 load_cpu=1
warmup=1 trim=0.5

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	cat <<EOF
Options: --rounds N ($rounds), --duration SECS ($duration), --conns N ($conns),
         --proxy-cpu N ($proxy_cpu), --load-cpu N ($load_cpu)
EOF
}

fail() {
	printf 'gateway.sh: %s\n' "$*" >&2
	exit 1
}

while (($#)); do
	case $1 in
	-h | --help)
		usage || true
		exit 0
		;;
	--rounds | --duration | --conns | --proxy-cpu | --load-cpu)
		(($# >= 2)) || fail "$1 needs a value"
		[[ $2 =~ ^[0-9]+$ ]] || fail "$1 wants a whole number, got '$2'"
		case $1 in
		--rounds) rounds=$2 ;;
		--duration) duration=$2 ;;
		--conns) conns=$2 ;;
		--proxy-cpu) proxy_cpu=$2 ;;
		--load-cpu) load_cpu=$2 ;;
		esac
		shift 2
		;;
	*) fail "unknown argument '$1' (see --help)" ;;
	esac
done
((rounds >= 1 && duration >= 2 && conns >= 1)) || fail "want --rounds >= 1, --duration >= 2, --conns >= 1"
((proxy_cpu != load_cpu)) || fail "--proxy-cpu and --load-cpu must differ"
if ! command -v wrk >/dev/null && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
	say "gateway.sh: installing wrk with apt-get"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } ||
		fail "apt-get could not install wrk"
fi
for tool in go wrk curl taskset timeout awk sort; do
	command -v "$tool" >/dev/null || fail "'$tool' is needed and missing"
done
taskset -c "$proxy_cpu" true 2>/dev/null || fail "CPU $proxy_cpu is not usable here"
taskset -c "$load_cpu" true 2>/dev/null || fail "CPU $load_cpu is not usable here"
[[ -f go.mod && -d cmd/rawhttpd ]] || fail "run from the repository root"

work=$(mktemp -d "${TMPDIR:-/tmp}/gateway-bench.XXXXXX")
hz=$(getconf CLK_TCK)
started=() # PIDs of the processes this script started and has not reaped
wrk_pid=""

finish_on_exit

# launch cpu log cmd...: starts cmd pinned to cpu with GOMAXPROCS=1;
# taskset and env exec, so $! is the command itself, whose CPU is read and
# which is stopped by that PID.
launch() {
	local cpu=$1 log=$2
	shift 2
	taskset -c "$cpu" env GOMAXPROCS=1 "$@" >"$log" 2>&1 </dev/null &
	pid=$!
	started+=("$pid")
}

port_of() { # label: a fixed loopback port for each process
	case $1 in
	upstream) echo 19180 ;;
	rawhttpd) echo 19181 ;;
	nethttp) echo 19182 ;;
	esac
}

for label in upstream rawhttpd nethttp; do
	! accepts "$(port_of "$label")" || fail "port $(port_of "$label") on 127.0.0.1 is taken by another process"
done
say "gateway.sh: building into $work"
go build -o "$work/rawhttpd" ./cmd/rawhttpd
go build -o "$work/proxyd" ./bench/cmd/proxyd
go build -o "$work/upstreamd" ./bench/cmd/upstreamd

up_port=$(port_of upstream)
upstream_url=http://127.0.0.1:$up_port
launch "$load_cpu" "$work/upstream.log" "$work/upstreamd" -addr "127.0.0.1:$up_port"
up_pid=$pid
listening "$up_port" || fail "upstreamd did not start; see $work/upstream.log"

declare -A results=() # label -> lines "rps proxy_cpu eff load_cpu"
impls=(rawhttpd nethttp)
say "gateway.sh: $rounds rounds x ${duration}s, wrk -t1 -c$conns; load: $(uptime | sed 's/.*load/load/')"
for ((round = 1; round <= rounds; round++)); do
	for ((k = 0; k < 2; k++)); do
		label=${impls[$(((k + round - 1) % 2))]}
		port=$(port_of "$label")
		log=$work/$label.r$round.log
		if [[ $label == rawhttpd ]]; then
			launch "$proxy_cpu" "$log" "$work/rawhttpd" -addr "127.0.0.1:$port" -loops 1 -upstream "$upstream_url"
		else
			launch "$proxy_cpu" "$log" "$work/proxyd" -addr "127.0.0.1:$port" -upstream "$upstream_url"
		fi
		proxy_pid=$pid
		listening "$port" || fail "$label did not start; see $log"
		code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$port/" || true)
		[[ $code == 200 ]] || fail "$label answered GET / with '$code', not 200; see $log"
		timeout $((warmup + 10)) taskset -c "$load_cpu" wrk -t1 "-c$conns" "-d${warmup}s" \
			"http://127.0.0.1:$port/" >"$work/$label.warm.r$round.txt" 2>&1 </dev/null || true

		out=$work/$label.r$round.txt
		# wrk is started directly (not under timeout), so that $! is wrk
		# itself and its CPU can be read; reap_within bounds the wait.
		taskset -c "$load_cpu" wrk -t1 "-c$conns" "-d${duration}s" \
			"http://127.0.0.1:$port/" >"$out" 2>&1 </dev/null &
		wrk_pid=$!
		sleep "$trim"
		t0=$EPOCHREALTIME p0=$(ticks "$proxy_pid") u0=$(ticks "$up_pid") w0=$(ticks "$wrk_pid")
		sleep "$(awk -v d="$duration" -v t="$trim" 'BEGIN { print d - 2 * t }')"
		t1=$EPOCHREALTIME p1=$(ticks "$proxy_pid") u1=$(ticks "$up_pid") w1=$(ticks "$wrk_pid")
		rc=0
		reap_within "$wrk_pid" 10 || rc=$?
		wrk_pid=""
		halt "$proxy_pid"

		# rps, non-2xx responses and socket errors from wrk's report.
		read -r rps bad errs < <(awk '
			/^Requests\/sec:/ { rps = $2 }
			/Non-2xx or 3xx responses:/ { bad = $NF }
			/Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
			END { printf "%s %d %d\n", (rps == "" ? 0 : rps), bad, errs }' "$out")
		read -r pcpu lcpu < <(awk -v p=$((p1 - p0)) -v l=$((u1 - u0 + w1 - w0)) -v hz="$hz" \
			-v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
			'BEGIN { printf "%.1f %.1f\n", p / hz / s * 100, l / hz / s * 100 }')
		line=$(printf '%-8s round %d: %8.0f req/s   proxy %5.1f%% CPU   wrk+upstream %5.1f%% CPU' \
			"$label" "$round" "$rps" "$pcpu" "$lcpu")
		if ((rc != 0 || bad + errs > 0)) || [[ $rps == 0 ]]; then
			say "$line   LEFT OUT: wrk exit $rc, non-2xx $bad, socket errors $errs (see $out)"
			continue
		fi
		say "$line"
		eff=$(awk -v r="$rps" -v c="$pcpu" 'BEGIN { printf "%.0f", (c > 0 ? r / (c / 100) : 0) }')
		results[$label]+="$rps $pcpu $eff $lcpu"$'\n'
	done
done
say "gateway.sh: load after the runs: $(uptime | sed 's/.*load/load/')"

for label in "${impls[@]}"; do
	[[ -n ${results[$label]:-} ]] || fail "no valid run of $label: no table (see $work)"
done
printf '| proxy | runs | req/s (median) | proxy CPU | req/s per proxy CPU | wrk+upstream CPU |\n'
printf '|---|--:|--:|--:|--:|--:|\n'
for label in "${impls[@]}"; do
	n=$(printf '%s' "${results[$label]:-}" | grep -c . || true)
	printf '| %s | %d | %.0f | %.1f%% | %.0f | %.1f%% |\n' "$label" "$n" \
		"$(median "$label" 1)" "$(median "$label" 2)" "$(median "$label" 3)" "$(median "$label" 4)"
done
awk -v a="$(median rawhttpd 1)" -v b="$(median nethttp 1)" -v c="$(median rawhttpd 3)" -v d="$(median nethttp 3)" \
	'BEGIN { printf "\nrawhttpd / nethttp: %.2fx req/s, %.2fx req/s per proxy CPU\n", a / b, c / d }'
