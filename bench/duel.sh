#!/usr/bin/env bash
# duel.sh: two gateways loaded at the same time, for a comparison that a
# shared machine's load disturbs alike. Run from the repository root:
#
#	bench/duel.sh [--rounds N] [--duration SECS] 'A -addr {addr} -upstream {upstream}' \
#		'B -addr {addr} -upstream {upstream}'
#	bench/duel.sh 'NEW -addr {addr} -upstream {upstream}' nginx   # against nginx proxy_pass
#
# One upstream nginx answers "Hello, World!" (one worker, pinned to
# --wrk-cpu), as in cost.sh's gateway scenario. Per round both proxies
# are started afresh, both pinned to --server-cpu with GOMAXPROCS=1,
# warmed 1 s, then each loaded by its own wrk -t1 -c64 (both on
# --wrk-cpu) for --duration at the same time; each proxy's user and system
# CPU (every process of its session) over the run is divided by the
# requests its wrk completed. "nginx" as a command is nginx proxy_pass to
# an upstream block with keepalive 256.
#
# Both share one CPU, so whatever else runs there slows both at once: the
# ratio of their CPU per request (B / A, per round) is steadier than two
# runs taken one after the other. It also exaggerates a difference: the
# cheaper proxy gets more of the CPU, answers more requests per wake-up
# and so spends still less on each. Swap A and B to see the order does not
# matter; read the direction and the order of magnitude, and take the
# size from cost.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds=3 duration=4 server_cpu=0 wrk_cpu=1

fail() {
	printf 'duel.sh: %s\n' "$*" >&2
	exit 1
}

cmds=()
while (($#)); do
	case $1 in
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		echo "Options: --rounds N ($rounds), --duration SECS ($duration), --server-cpu N, --wrk-cpu N"
		exit 0
		;;
	--rounds | --duration | --server-cpu | --wrk-cpu)
		(($# >= 2)) || fail "$1 needs a value"
		case $1 in
		--rounds) rounds=$2 ;;
		--duration) duration=$2 ;;
		--server-cpu) server_cpu=$2 ;;
		--wrk-cpu) wrk_cpu=$2 ;;
		esac
		shift 2
		;;
	-*) fail "unknown option $1 (-h lists them)" ;;
	*) cmds+=("$1") && shift ;;
	esac
done
((${#cmds[@]} == 2)) || fail "want two proxy commands (-h says more)"
command -v wrk >/dev/null || fail "wrk is missing"
command -v nginx >/dev/null || fail "nginx is missing"

work=$(mktemp -d /tmp/duel.XXXXXX)
chmod 755 "$work"
started=() wrk_pid=""
finish_on_exit

port=$((20000 + RANDOM % 20000))
upstream=127.0.0.1:$port
up=$(nginx_cmd "$port" "server { listen $upstream; location / { return 200 \"Hello, World!\"; } }")
setsid taskset -c "$wrk_cpu" bash -c "exec $up" >"$work/upstream.log" 2>&1 &
pid=$!
started+=("$pid")
listening "$port" || fail "the upstream nginx did not start (log: $work/upstream.log)"

# start name cmd: starts one proxy on the next port; sets its pid and port.
start() {
	port=$((port + 1))
	local cmd=$2 addr=127.0.0.1:$port
	if [[ $cmd == nginx ]]; then
		cmd=$(nginx_cmd "$port" "upstream up { server $upstream; keepalive 256; }
  server { listen $addr; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }")
	fi
	cmd=${cmd//\{addr\}/$addr}
	cmd=${cmd//\{upstream\}/http://$upstream}
	GOMAXPROCS=1 setsid taskset -c "$server_cpu" bash -c "exec $cmd" >"$work/$1.log" 2>&1 &
	pid=$!
	started+=("$pid")
	listening "$port" || fail "$1 did not start (log: $work/$1.log)"
	[[ $(curl -s "http://$addr/") == "Hello, World!" ]] || fail "$1 did not relay the upstream's answer"
}

hz=$(getconf CLK_TCK)
echo "| round | A req/s | A user / sys / CPU µs/req | B req/s | B user / sys / CPU µs/req | B / A CPU per request |"
echo "| --: | --: | --: | --: | --: | --: |"
for ((round = 1; round <= rounds; round++)); do
	start A "${cmds[0]}"
	a=$pid pa=$port
	start B "${cmds[1]}"
	b=$pid pb=$port
	taskset -c "$wrk_cpu" wrk -t1 -c64 -d1s "http://127.0.0.1:$pa/" >/dev/null &
	taskset -c "$wrk_cpu" wrk -t1 -c64 -d1s "http://127.0.0.1:$pb/" >/dev/null
	wait $!
	ca=$(session_ticks "$a") cb=$(session_ticks "$b")
	taskset -c "$wrk_cpu" wrk -t1 -c64 -d"${duration}s" "http://127.0.0.1:$pa/" >"$work/wrk-a.out" &
	wrk_pid=$!
	taskset -c "$wrk_cpu" wrk -t1 -c64 -d"${duration}s" "http://127.0.0.1:$pb/" >"$work/wrk-b.out"
	wait "$wrk_pid"
	wrk_pid=""
	ca2=$(session_ticks "$a") cb2=$(session_ticks "$b")
	halt "$a"
	halt "$b"
	ra=$(awk '/requests in/ { print $1 }' "$work/wrk-a.out")
	rb=$(awk '/requests in/ { print $1 }' "$work/wrk-b.out")
	read -r au as <<<"$ca"
	read -r au2 as2 <<<"$ca2"
	read -r bu bs <<<"$cb"
	read -r bu2 bs2 <<<"$cb2"
	awk -v round="$round" -v ra="$ra" -v rb="$rb" -v d="$duration" -v hz="$hz" \
		-v ua=$((au2 - au)) -v sa=$((as2 - as)) -v ub=$((bu2 - bu)) -v sb=$((bs2 - bs)) 'BEGIN {
		f = 1e6 / hz
		printf "| %d | %.0f | %.1f / %.1f / %.1f | %.0f | %.1f / %.1f / %.1f | %.3f |\n", round,
			ra / d, ua * f / ra, sa * f / ra, (ua + sa) * f / ra, rb / d, ub * f / rb, sb * f / rb, (ub + sb) * f / rb,
			((ub + sb) / rb) / ((ua + sa) / ra) }'
done
