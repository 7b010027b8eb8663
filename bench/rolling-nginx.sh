#!/usr/bin/env bash
# rolling-nginx.sh: two rawhttpd instances behind nginx, restarted one
# after the other under wrk load, GET and POST, counting the requests
# that failed. Run from the repository root:
#
#	bench/rolling-nginx.sh [--duration SECS] [--conns N]
#
# nginx (installed with apt-get when missing) listens on a free loopback
# port and balances over the two instances: max_fails=0 (a restarting
# instance is never marked down for the other's sake), upstream
# keepalive, and proxy_next_upstream error timeout http_503, so that a
# request refused by a stopping instance goes to the other one (nginx
# passes a request on only while nothing of it was sent upstream when
# its method is not idempotent, POST included). For each method, wrk
# (keep-alive, --conns connections) runs for --duration while the script
# restarts the instances in turn: SIGTERM (the instance stops accepting,
# finishes what it has, answering with Connection: close), wait for its
# exit, start it again on the same port, wait for it to listen, pause.
# A failed request is a non-2xx answer or a socket error as wrk counts
# them; the target is 0.
#
# The script kills only what it started, by PID, and every wait is
# bounded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

duration=10 conns=64

fail() {
	printf 'rolling-nginx.sh: %s\n' "$*" >&2
	exit 1
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--duration) duration=$2; shift 2 ;;
	--conns) conns=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "rolling-nginx.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

command -v wrk >/dev/null || { echo "rolling-nginx.sh: wrk is needed (apt-get install wrk)" >&2; exit 2; }
if ! command -v nginx >/dev/null; then
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi

[[ -f go.mod && -d cmd/rawhttpd ]] || fail "run from the repository root"

work=$(mktemp -d "${TMPDIR:-/tmp}/rolling-nginx-bench.XXXXXX")
declare -A pids=() # port -> PID of the instance serving on it
started=()         # PIDs of the processes this script started and has not reaped
wrk_pid=""

finish_on_exit

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

go build -o "$work/rawhttpd" ./cmd/rawhttpd
cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 512)
wrk.headers["Content-Type"] = "text/plain"
LUA

ports=("$(free_port)" "$(free_port)")
front=$(free_port)

# start_instance starts rawhttpd on port $1 and waits until it listens.
start_instance() {
	local port=$1 out=$work/out.$1
	"$work/rawhttpd" -addr "127.0.0.1:$port" -shutdown-timeout 5s >"$out" 2>&1 </dev/null &
	pid=$!
	started+=("$pid")
	pids[$port]=$pid
	listening "$port" || { cat "$out" >&2; fail "instance on $port did not start"; }
}

# restart_instance stops the instance on port $1 with SIGTERM, waits for
# its exit, and starts it again.
restart_instance() {
	local port=$1 old=${pids[$1]} rc=0
	kill -TERM "$old"
	reap_within "$old" 10 || rc=$?
	forget "$old"
	((rc != 124)) || fail "instance $old did not stop within 10 s"
	start_instance "$port"
	say "  restarted :$port (pid $old -> ${pids[$port]})"
}

for p in "${ports[@]}"; do start_instance "$p"; done

mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
	upstream rawhttpd {
		server 127.0.0.1:${ports[0]} max_fails=0;
		server 127.0.0.1:${ports[1]} max_fails=0;
		keepalive 64;
	}
	server {
		listen 127.0.0.1:$front;
		location / {
			proxy_pass http://rawhttpd;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_next_upstream error timeout http_503;
			proxy_next_upstream_tries 2;
		}
	}
}
EOF
nginx -c "$work/nginx.conf" -p "$work/nginx" </dev/null &
pid=$!
started+=("$pid")
listening "$front" || fail "nginx did not start; see $work/nginx/error.log"
for _ in $(seq 100); do
	[[ $(curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:$front/" || true) == 200 ]] && break
	sleep 0.1
done

total_failed=0
for method in GET POST; do
	script=()
	[[ $method == POST ]] && script=(-s "$work/post.lua")
	echo "$method: wrk -c$conns -d${duration}s through nginx, both instances restarted in turn"
	wrk -t2 -c"$conns" -d"${duration}s" "${script[@]}" "http://127.0.0.1:$front/" >"$work/wrk.$method" 2>&1 </dev/null &
	wrk_pid=$!
	sleep 1
	for p in "${ports[@]}"; do
		restart_instance "$p"
		sleep 1
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
echo "nginx error log (upstream errors it retried elsewhere): $(grep -c 'upstream' "$work/nginx/error.log" || true) lines"
echo "failed requests in all: $total_failed"
[[ $total_failed -eq 0 ]]
