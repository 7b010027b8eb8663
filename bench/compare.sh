#!/usr/bin/env bash
# compare.sh: a server against a peer, side by side, per core of server
# CPU. By default the rawhttpd binary (respond mode, one event loop)
# against net/http serving the same plaintext response (bench/cmd/nethttpd);
# both are built from this repository. Run from the repository root:
#
#	bench/compare.sh [--rounds N] [--duration SECS]
#	bench/compare.sh --target './adapterd -addr {addr}' --name adapter
#
# --target and --peer take a shell command run from the current
# directory, in which {addr} becomes 127.0.0.1:PORT; the server must
# answer GET / with 200. Each server runs pinned to --server-cpu (0) with
# GOMAXPROCS=1; wrk -t1 runs pinned to --wrk-cpu (1), so that the load
# generator and the server do not share a core. Two scenarios:
#   - keepalive: --conns connections, one request in flight on each;
#   - pipelined: every write carries --pipeline requests and wrk waits for
#     as many responses (a Lua script written next to the logs).
# Each round starts each server afresh (the order alternates between
# rounds, so slow drift of the machine falls on both), checks that GET /
# answers 200, warms it for 1 s, then runs each scenario for --duration.
# The server's CPU time (utime + stime from /proc/PID/stat) and wrk's are
# read over the middle of each run, 0.5 s trimmed at both ends.
#
# wrk saturates its core before a fast server does, so raw req/s mostly
# say how fast wrk is; the figure to compare is req/s per server CPU
# (req/s over the server's share of one core: requests per core-second).
# The table gives medians over the rounds and the spread between them;
# the last table gives the ratios target / peer.
#
# With --idle N it measures idle memory instead: each server started
# alone, its resident set (VmRSS in /proc/PID/status) read, then N
# keep-alive connections opened by bench/cmd/idleconns (pinned to
# --wrk-cpu), each served one GET / and left idle 2 s, and the resident
# set read again after 1 s of that; bytes per connection is the growth
# over N. The hard open-file limit must exceed N.
#
# A run whose responses were not all 2xx, or that saw socket errors, is
# reported and left out of the medians. wrk is installed with apt-get
# when it is missing (as root). The script stops only what it started, by
# PID, and every wait is bounded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds=3 duration=5 conns=64 pipeline=16 server_cpu=0 wrk_cpu=1 idle=0
target="" name=rawhttpd peer="" peer_name=nethttp
warmup=1 trim=0.5

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	cat <<EOF
Options: --target CMD (the rawhttpd binary), --name NAME ($name),
         --peer CMD (bench/cmd/nethttpd), --peer-name NAME ($peer_name),
         --rounds N ($rounds), --duration SECS ($duration), --conns N ($conns),
         --pipeline N ($pipeline), --server-cpu N ($server_cpu), --wrk-cpu N ($wrk_cpu),
         --idle N (off: measure idle memory with N connections instead)
EOF
}

fail() {
	printf 'compare.sh: %s\n' "$*" >&2
	exit 1
}

while (($#)); do
	case $1 in
	-h | --help)
		usage || true
		exit 0
		;;
	--target | --name | --peer | --peer-name)
		(($# >= 2)) || fail "$1 needs a value"
		case $1 in
		--target) target=$2 ;;
		--name) name=$2 ;;
		--peer) peer=$2 ;;
		--peer-name) peer_name=$2 ;;
		esac
		shift 2
		;;
	--rounds | --duration | --conns | --pipeline | --server-cpu | --wrk-cpu | --idle)
		(($# >= 2)) || fail "$1 needs a value"
		[[ $2 =~ ^[0-9]+$ ]] || fail "$1 wants a whole number, got '$2'"
		case $1 in
		--rounds) rounds=$2 ;;
		--duration) duration=$2 ;;
		--conns) conns=$2 ;;
		--pipeline) pipeline=$2 ;;
		--server-cpu) server_cpu=$2 ;;
		--wrk-cpu) wrk_cpu=$2 ;;
		--idle) idle=$2 ;;
		esac
		shift 2
		;;
	*) fail "unknown argument '$1' (see --help)" ;;
	esac
done
((rounds >= 1 && duration >= 2 && conns >= 1 && pipeline >= 1)) ||
	fail "want --rounds >= 1, --duration >= 2, --conns >= 1, --pipeline >= 1"
((server_cpu != wrk_cpu)) || fail "--server-cpu and --wrk-cpu must differ"
[[ $name != "$peer_name" ]] || fail "--name and --peer-name must differ"
[[ -f go.mod && -d cmd/rawhttpd && -d bench/cmd/nethttpd ]] || fail "run from the repository root"

if ! command -v wrk >/dev/null; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		say "compare.sh: installing wrk with apt-get"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } ||
			fail "apt-get could not install wrk"
	else
		fail "wrk is missing: install it (apt-get install wrk, or build https://github.com/wg/wrk)"
	fi
fi
for tool in go wrk curl taskset timeout awk sort getconf; do
	command -v "$tool" >/dev/null || fail "'$tool' is needed and missing"
done
taskset -c "$server_cpu" true 2>/dev/null || fail "CPU $server_cpu is not usable here"
taskset -c "$wrk_cpu" true 2>/dev/null || fail "CPU $wrk_cpu is not usable here"

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-bench.XXXXXX")
hz=$(getconf CLK_TCK)
started=() # PIDs of the processes this script started and has not reaped
wrk_pid=""

finish_on_exit

# launch log cmd: starts the shell command cmd pinned to --server-cpu with
# GOMAXPROCS=1. taskset, env and bash all exec, so $! is the server
# itself, whose CPU is read and which is stopped by that PID.
launch() {
	taskset -c "$server_cpu" env GOMAXPROCS=1 bash -c "exec $2" >"$1" 2>&1 </dev/null &
	pid=$!
	started+=("$pid")
}

port_of() { # label: a fixed loopback port for each server
	if [[ $1 == "$name" ]]; then echo 19191; else echo 19192; fi
}

for label in "$name" "$peer_name"; do
	! accepts "$(port_of "$label")" || fail "port $(port_of "$label") on 127.0.0.1 is taken by another process"
done
say "compare.sh: building into $work"
if [[ -z $target ]]; then
	go build -o "$work/rawhttpd" ./cmd/rawhttpd
	target="$work/rawhttpd -addr {addr} -loops 1"
fi
if [[ -z $peer ]]; then
	go build -o "$work/nethttpd" ./bench/cmd/nethttpd
	peer="$work/nethttpd -addr {addr}"
fi
declare -A command_of=(["$name"]=$target ["$peer_name"]=$peer)

# rss_kib pid: the process's resident set in KiB, 0 once it has gone.
rss_kib() {
	awk '/^VmRSS:/ { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# measure_idle: the idle-memory table, one fresh server each, then exit.
measure_idle() {
	go build -o "$work/idleconns" ./bench/cmd/idleconns
	local label port log before held i ic out
	declare -A growth_of=()
	printf '| server | conns | RSS before | RSS held | growth | bytes/conn |\n|---|--:|--:|--:|--:|--:|\n'
	for label in "$name" "$peer_name"; do
		port=$(port_of "$label") log=$work/$label.idle.log out=$work/$label.idleconns.txt
		launch "$log" "${command_of[$label]//\{addr\}/127.0.0.1:$port}"
		server_pid=$pid
		listening "$port" || fail "$label did not start; see $log"
		sleep 0.5 # let the server settle after its start before the baseline
		before=$(rss_kib "$server_pid")
		taskset -c "$wrk_cpu" "$work/idleconns" -addr "127.0.0.1:$port" -conns "$idle" -hold 2s >"$out" 2>&1 </dev/null &
		ic=$!
		started+=("$ic")
		for ((i = 0; i < 1200; i++)); do
			grep -q '^held' "$out" && break
			running "$ic" || fail "idleconns failed against $label: $(cat "$out")"
			sleep 0.1
		done
		grep -q '^held' "$out" || fail "idleconns did not open $idle connections to $label in 120 s"
		sleep 1
		held=$(rss_kib "$server_pid")
		halt "$ic"
		halt "$server_pid"
		growth_of[$label]=$((held - before))
		awk -v l="$label" -v n="$idle" -v b="$before" -v h="$held" 'BEGIN {
			printf "| %s | %d | %.1f MiB | %.1f MiB | %.1f MiB | %.0f |\n", l, n, b / 1024, h / 1024, (h - b) / 1024, (h - b) * 1024 / n }'
	done
	awk -v a="${growth_of[$name]}" -v b="${growth_of[$peer_name]}" -v x="$name" -v y="$peer_name" \
		'BEGIN { if (b > 0) printf "\n%s / %s bytes per idle connection: %.3fx\n", x, y, a / b }'
	exit 0
}
if ((idle > 0)); then measure_idle; fi

# The pipelined scenario's request: wrk sends what request() returns as
# one write, here depth copies of a GET of /, and counts each response.
cat >"$work/pipeline.lua" <<'EOF'
local batch
function init(args)
	local depth = tonumber(args[1]) or 16
	local one = wrk.format("GET", "/")
	batch = string.rep(one, depth)
end
function request()
	return batch
end
EOF

# load label scenario port: runs wrk for --duration against the server
# and records its req/s, its CPU and wrk's, or reports the run left out.
load() {
	local label=$1 scenario=$2 port=$3 out=$work/$1.$2.r$round.txt
	local args=(-t1 "-c$conns" "-d${duration}s" "http://127.0.0.1:$port/")
	if [[ $scenario == pipelined ]]; then args+=(-s "$work/pipeline.lua" -- "$pipeline"); fi
	# wrk is started directly (not under timeout), so that $! is wrk
	# itself and its CPU can be read; reap_within bounds the wait.
	taskset -c "$wrk_cpu" wrk "${args[@]}" >"$out" 2>&1 </dev/null &
	wrk_pid=$!
	sleep "$trim"
	local t0=$EPOCHREALTIME s0 w0 t1 s1 w1 rc=0
	s0=$(ticks "$server_pid") w0=$(ticks "$wrk_pid")
	sleep "$(awk -v d="$duration" -v t="$trim" 'BEGIN { print d - 2 * t }')"
	t1=$EPOCHREALTIME s1=$(ticks "$server_pid") w1=$(ticks "$wrk_pid")
	reap_within "$wrk_pid" 10 || rc=$?
	wrk_pid=""

	local rps bad errs scpu wcpu line eff
	# req/s, non-2xx responses and socket errors from wrk's report.
	read -r rps bad errs < <(awk '
		/^Requests\/sec:/ { rps = $2 }
		/Non-2xx or 3xx responses:/ { bad = $NF }
		/Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
		END { printf "%s %d %d\n", (rps == "" ? 0 : rps), bad, errs }' "$out")
	read -r scpu wcpu < <(awk -v s=$((s1 - s0)) -v w=$((w1 - w0)) -v hz="$hz" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.1f %.1f\n", s / hz / (t1 - t0) * 100, w / hz / (t1 - t0) * 100 }')
	line=$(printf '%-9s %-9s round %d: %10.0f req/s   server %5.1f%% CPU   wrk %5.1f%% CPU' \
		"$scenario" "$label" "$round" "$rps" "$scpu" "$wcpu")
	if ((rc != 0 || bad + errs > 0)) || [[ $rps == 0 ]]; then
		say "$line   LEFT OUT: wrk exit $rc, non-2xx $bad, socket errors $errs (see $out)"
		return
	fi
	say "$line"
	eff=$(awk -v r="$rps" -v c="$scpu" 'BEGIN { printf "%.0f", (c > 0 ? r / (c / 100) : 0) }')
	results[$label/$scenario]+="$rps $scpu $eff $wcpu"$'\n'
}

declare -A results=() # label/scenario -> lines "rps server_cpu eff wrk_cpu"
labels=("$name" "$peer_name")
scenarios=(keepalive pipelined)
say "compare.sh: $rounds rounds x ${duration}s per scenario, wrk -t1 -c$conns, pipeline $pipeline; load: $(uptime | sed 's/.*load/load/')"
for ((round = 1; round <= rounds; round++)); do
	for ((k = 0; k < 2; k++)); do
		label=${labels[$(((k + round - 1) % 2))]}
		port=$(port_of "$label")
		log=$work/$label.r$round.log
		launch "$log" "${command_of[$label]//\{addr\}/127.0.0.1:$port}"
		server_pid=$pid
		listening "$port" || fail "$label did not start; see $log"
		code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$port/" || true)
		[[ $code == 200 ]] || fail "$label answered GET / with '$code', not 200; see $log"
		timeout $((warmup + 10)) taskset -c "$wrk_cpu" wrk -t1 "-c$conns" "-d${warmup}s" \
			"http://127.0.0.1:$port/" >"$work/$label.warm.r$round.txt" 2>&1 </dev/null || true
		for scenario in "${scenarios[@]}"; do load "$label" "$scenario" "$port"; done
		halt "$server_pid"
	done
done
say "compare.sh: load after the runs: $(uptime | sed 's/.*load/load/')"

# spread key: (max - min) / median of req/s over a key's rounds.
spread() {
	printf '%s' "${results[$1]}" | awk -v m="$(median "$1" 1)" '
		NR == 1 || $1 < lo { lo = $1 } NR == 1 || $1 > hi { hi = $1 }
		END { printf "%.1f%%", (m > 0 ? (hi - lo) / m * 100 : 0) }'
}

for scenario in "${scenarios[@]}"; do
	for label in "${labels[@]}"; do
		[[ -n ${results[$label/$scenario]:-} ]] || fail "no valid $scenario run of $label: no table (see $work)"
	done
done
printf '| scenario | server | runs | req/s (median) | spread | server CPU | req/s per server CPU | wrk CPU |\n'
printf '|---|---|--:|--:|--:|--:|--:|--:|\n'
for scenario in "${scenarios[@]}"; do
	for label in "${labels[@]}"; do
		key=$label/$scenario
		printf '| %s | %s | %d | %.0f | %s | %.1f%% | %.0f | %.1f%% |\n' "$scenario" "$label" \
			"$(printf '%s' "${results[$key]}" | grep -c .)" "$(median "$key" 1)" "$(spread "$key")" \
			"$(median "$key" 2)" "$(median "$key" 3)" "$(median "$key" 4)"
	done
done
printf '\n| scenario | %s / %s req/s | %s / %s req/s per server CPU |\n' "$name" "$peer_name" "$name" "$peer_name"
printf '|---|--:|--:|\n'
for scenario in "${scenarios[@]}"; do
	awk -v s="$scenario" -v a="$(median "$name/$scenario" 1)" -v b="$(median "$peer_name/$scenario" 1)" \
		-v c="$(median "$name/$scenario" 3)" -v d="$(median "$peer_name/$scenario" 3)" \
		'BEGIN { printf "| %s | %.2fx | %.2fx |\n", s, a / b, c / d }'
done
