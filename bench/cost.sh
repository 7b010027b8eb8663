#!/usr/bin/env bash
# cost.sh: server CPU per request, split into user and kernel time, for
# the files mode, the net/http adapter and the gateway, side by side with
# their peers. Run from the repository root:
#
#	bench/cost.sh [--scenario adapter,files,gateway] [--rounds N] [--duration SECS]
#	bench/cost.sh --scenario files --record   # and a perf profile of each
#	bench/cost.sh --scenario files --peers nginx --files 'NEW -addr {addr} -root {root}' \
#		--base 'OLD -addr {addr} -root {root}'   # two builds side by side
#	bench/cost.sh --scenario gateway --peers nginx --gateway 'NEW -addr {addr} -upstream {upstream}' \
#		--base 'OLD -addr {addr} -upstream {upstream}'
#	bench/cost.sh --scenario adapter --adapter 'NEW -addr {addr}' \
#		--base 'OLD -addr {addr}'                # two adapterd builds side by side
#
# Servers, all built from this repository except nginx (Debian's, installed
# with apt-get when missing, as root):
#   - adapter: bench/cmd/adapterd (a net/http handler through
#     engine.FromHTTP) against bench/cmd/nethttpd (the same handler on
#     net/http), GET /;
#   - files: cmd/rawhttpd -root, bench/cmd/nethttpfs (http.FileServer) and
#     nginx (one worker, sendfile, tcp_nopush, open_file_cache), GET of a
#     file of each --sizes (random bytes in a fresh directory);
#   - gateway: cmd/rawhttpd -upstream, nginx proxy_pass (one worker,
#     HTTP/1.1 to an upstream block with keepalive 256) and, with the
#     nethttp peer, bench/cmd/proxyd (httputil.ReverseProxy), GET / through
#     each to one upstream nginx that answers "Hello, World!" (one worker,
#     pinned to --wrk-cpu, started once and shared by every proxy, so its
#     cost is the same for each and is not counted).
# Each server runs pinned to --server-cpu (0) with GOMAXPROCS=1, wrk -t1
# pinned to --wrk-cpu (1). Per round and server: started afresh, checked
# (200 and the body's length), warmed 1 s, then wrk -c --conns for
# --duration per path; the server's user and system CPU (utime and stime of
# every process of its session, /proc/PID/stat) is read before and after
# the wrk run and divided by the requests wrk completed. With --latency, a
# wrk -c1 --latency run of 2 s per path gives one connection's p50/p99.
# With --rt, the servers and the -c1 wrk run under chrt -f 10 (SCHED_FIFO),
# so that other work on a shared machine does not preempt them: their
# one-connection latency is then the servers' own, not the machine's (the
# system keeps 5% of each CPU for other work, and a run is seconds long).
# With --record, perf record -e cpu-clock -g runs on the server during the
# last round's runs and the top symbols (perf report --no-children) are
# kept in the work directory.
#
# CPU per request is steadier than req/s on a shared machine: it does not
# depend on how much CPU the server got, only on what it spent. Rounds
# alternate the servers' order; the table gives medians, and the least CPU
# per request of the rounds, and each round's figures are logged as it
# ends.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds=3 duration=5 conns=64 server_cpu=0 wrk_cpu=1 sizes=1k,64k,1m
scenarios=adapter,files latency=0 record=0 rt=() adapter="" peer="" files="" gateway="" bases=() peers=nethttp,nginx

fail() {
	printf 'cost.sh: %s\n' "$*" >&2
	exit 1
}

while (($#)); do
	case $1 in
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		echo "Options: --scenario LIST ($scenarios), --rounds N ($rounds), --duration SECS ($duration),"
		echo "         --conns N ($conns), --sizes LIST ($sizes), --server-cpu N, --wrk-cpu N, --latency, --rt, --record,"
		echo "         --adapter CMD, --peer CMD (the adapter scenario's servers: {addr} is filled in),"
		echo "         --files CMD (the files target: {addr} and {root} are filled in),"
		echo "         --gateway CMD (the gateway target: {addr} and {upstream} are filled in),"
		echo "         --base CMD (a second target, named base, measured in the same run: a build to compare with,"
		echo "         of the scenario's kind, its placeholders as the target's; given again: base2, base3, ...),"
		echo "         --peers LIST (the files and gateway peers: $peers; none for only rawhttpd and --base)"
		exit 0
		;;
	--latency) latency=1 && shift ;;
	--record) record=1 && shift ;;
	--rt) rt=(chrt -f 10) && shift ;;
	--scenario | --rounds | --duration | --conns | --sizes | --server-cpu | --wrk-cpu | --adapter | --peer | --files | --gateway | --base | --peers)
		(($# >= 2)) || fail "$1 needs a value"
		case $1 in
		--adapter) adapter=$2 ;;
		--peer) peer=$2 ;;
		--files) files=$2 ;;
		--gateway) gateway=$2 ;;
		--base) bases+=("$2") ;;
		--peers) peers=$2 ;;
		--scenario) scenarios=$2 ;;
		--rounds) rounds=$2 ;;
		--duration) duration=$2 ;;
		--conns) conns=$2 ;;
		--sizes) sizes=$2 ;;
		--server-cpu) server_cpu=$2 ;;
		--wrk-cpu) wrk_cpu=$2 ;;
		esac
		shift 2
		;;
	*) fail "unknown option $1 (-h lists them)" ;;
	esac
done

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || fail "wrk is missing"
if [[ $scenarios == *files* || $scenarios == *gateway* ]] && ! command -v nginx >/dev/null; then
	apt-get install -y nginx-light >/dev/null 2>&1 || apt-get install -y nginx >/dev/null || fail "nginx is missing"
fi
if ((record)); then command -v perf >/dev/null || fail "--record needs perf"; fi

work=$(mktemp -d /tmp/cost.XXXXXX)
chmod 755 "$work" # nginx's worker runs as an unprivileged user
started=() wrk_pid=""
finish_on_exit
bin=$work/bin
mkdir -p "$bin"
say "cost.sh: building into $bin"
go build -o "$bin/rawhttpd" ./cmd/rawhttpd
go build -o "$bin/adapterd" ./bench/cmd/adapterd
go build -o "$bin/nethttpd" ./bench/cmd/nethttpd
go build -o "$bin/nethttpfs" ./bench/cmd/nethttpfs
go build -o "$bin/proxyd" ./bench/cmd/proxyd

root=$work/files
mkdir -p "$root"
chmod 755 "$root"
declare -A size_of
for s in ${sizes//,/ }; do
	n=${s%[kKmM]}
	case $s in
	*[kK]) n=$((n << 10)) ;;
	*[mM]) n=$((n << 20)) ;;
	esac
	head -c "$n" /dev/urandom >"$root/$s.bin"
	chmod 644 "$root/$s.bin"
	size_of[/$s.bin]=$n
done

hz=$(getconf CLK_TCK)
port=$((20000 + RANDOM % 20000))
declare -A results=()

# one_server name cmd paths...: one round of one server.
one_server() {
	local name=$1 cmd=$2
	shift 2
	port=$((port + 1))
	local addr=127.0.0.1:$port
	[[ $cmd == nginx ]] && cmd=$(nginx_cmd "$port")
	[[ $cmd == nginx-proxy ]] && cmd=$(nginx_cmd "$port" "upstream up { server $upstream_addr; keepalive 256; }
  server { listen 127.0.0.1:$port; location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }")
	cmd=${cmd//\{addr\}/$addr}
	GOMAXPROCS=1 setsid "${rt[@]}" taskset -c "$server_cpu" bash -c "exec $cmd" >"$work/$name.log" 2>&1 &
	pid=$!
	started+=("$pid")
	listening "$port" || fail "$name did not start (log: $work/$name.log)"
	local path
	for path in "$@"; do
		local got
		got=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "http://$addr$path")
		[[ $got == "200 ${size_of[$path]:-13}" ]] || fail "$name GET $path: $got"
	done
	taskset -c "$wrk_cpu" wrk -t1 -c"$conns" -d1s "http://$addr$1" >/dev/null
	for path in "$@"; do
		local before after out reqs recorder=""
		if ((record)) && [[ $round == "$rounds" ]]; then
			perf record -e cpu-clock -g -o "$work/perf-$name${path//\//-}.data" -p "$(pgrep -s "$pid" | tr '\n' ,| sed 's/,$//')" \
				>/dev/null 2>&1 &
			recorder=$!
		fi
		before=$(session_ticks "$pid")
		out=$(taskset -c "$wrk_cpu" wrk -t1 -c"$conns" -d"${duration}s" "http://$addr$path")
		after=$(session_ticks "$pid")
		if [[ -n $recorder ]]; then
			kill -INT "$recorder"
			wait "$recorder" || true
			perf report -i "$work/perf-$name${path//\//-}.data" --no-children --sort sym --stdio 2>/dev/null |
				grep -v '^#' | grep '%' | head -40 >"$work/top-$name${path//\//-}.txt" || true
		fi
		reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
		grep -q 'Non-2xx\|Socket errors' <<<"$out" && say "cost.sh: $name $path: $(grep 'Non-2xx\|Socket errors' <<<"$out")"
		local lat=""
		if ((latency)); then
			local l
			l=$("${rt[@]}" taskset -c "$wrk_cpu" wrk -t1 -c1 -d2s --latency "http://$addr$path")
			lat=$(awk 'function us(v) {
				if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1e6; return v }
				$1 == "50%" { a = us($2) } $1 == "99%" { b = us($2) } END { print a, b }' <<<"$l")
		fi
		read -r bu bs <<<"$before"
		read -r au as <<<"$after"
		say "cost.sh: $name $path: $(awk -v r="$reqs" -v u=$((au - bu)) -v s=$((as - bs)) -v hz="$hz" -v d="$duration" \
			'BEGIN { printf "%.0f req/s, user %.2f + sys %.2f = %.2f µs/req", r / d, u / hz * 1e6 / r, s / hz * 1e6 / r, (u + s) / hz * 1e6 / r }') $lat"
		results["$path $name"]+="$(awk -v r="$reqs" -v u=$((au - bu)) -v s=$((as - bs)) -v hz="$hz" -v d="$duration" -v lat="$lat" \
			'BEGIN { printf "%.0f %.2f %.2f %.2f %s\n", r / d, u / hz * 1e6 / r, s / hz * 1e6 / r, (u + s) / hz * 1e6 / r, lat }')"$'\n'
	done
	halt "$pid"
}

declare -a names=() cmds=() paths=()
run_scenario() { # paths, then name=cmd pairs
	local -a ps=($1)
	shift
	local -a ns=() cs=()
	local kv
	for kv in "$@"; do ns+=("${kv%%=*}") cs+=("${kv#*=}"); done
	for ((round = 1; round <= rounds; round++)); do
		local i k n=${#ns[@]}
		for ((k = 0; k < n; k++)); do
			i=$(((k + round) % n))
			say "cost.sh: round $round/$rounds ${ns[i]}"
			one_server "${ns[i]}" "${cs[i]}" "${ps[@]}"
		done
	done
	local p
	for p in "${ps[@]}"; do
		for kv in "${ns[@]}"; do
			printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$p" "$kv" "$(median "$p $kv" 1)" \
				"$(median "$p $kv" 2)" "$(median "$p $kv" 3)" "$(median "$p $kv" 4)" "$(least "$p $kv" 4)" \
				"$( ((latency)) && echo "$(median "$p $kv" 5) / $(median "$p $kv" 6)" || echo -)"
		done
	done
}

# add_bases: the --base targets, named base, base2, ..., appended to
# servers, with {root} and {upstream} filled in.
add_bases() {
	local i name cmd
	for i in "${!bases[@]}"; do
		name=base
		((i == 0)) || name=base$((i + 1))
		cmd=${bases[i]//\{root\}/$root}
		servers+=("$name=${cmd//\{upstream\}/http://${upstream_addr:-}}")
	done
}

# median of a column: lib.sh's median reads results[key]; least, the
# smallest of the rounds: on a shared machine others' work only adds to a
# round's CPU per request (cache misses, preemption), so the least is the
# server's own cost more nearly than the median is.
least() { printf '%s' "${results[$1]}" | awk -v c="$2" '{ print $c }' | sort -g | head -1; }
echo "| path | server | req/s | user µs/req | sys µs/req | CPU µs/req | least CPU µs/req | c1 p50 / p99 |"
echo "| --- | --- | --: | --: | --: | --: | --: | --: |"
if [[ ,$scenarios, == *,adapter,* ]]; then
	[[ -n $adapter ]] || adapter="$bin/adapterd -addr {addr}"
	[[ -n $peer ]] || peer="$bin/nethttpd -addr {addr}"
	servers=("adapter=$adapter")
	add_bases
	servers+=("nethttp=$peer")
	run_scenario "/" "${servers[@]}"
fi
if [[ ,$scenarios, == *,files,* ]]; then
	fp=""
	for s in ${sizes//,/ }; do fp+="/$s.bin "; done
	[[ -n $files ]] || files="$bin/rawhttpd -addr {addr} -root {root}"
	servers=("rawhttpd=${files//\{root\}/$root}")
	add_bases
	[[ ,$peers, == *,nethttp,* ]] && servers+=("nethttp=$bin/nethttpfs -addr {addr} -root $root")
	[[ ,$peers, == *,nginx,* ]] && servers+=("nginx=nginx")
	run_scenario "$fp" "${servers[@]}"
fi
if [[ ,$scenarios, == *,gateway,* ]]; then
	port=$((port + 1))
	upstream_addr=127.0.0.1:$port
	up=$(nginx_cmd "$port" "server { listen $upstream_addr; location / { return 200 \"Hello, World!\"; } }")
	setsid taskset -c "$wrk_cpu" bash -c "exec $up" >"$work/upstream.log" 2>&1 &
	started+=("$!")
	pid=$!
	listening "$port" || fail "the upstream nginx did not start (log: $work/upstream.log)"
	[[ -n $gateway ]] || gateway="$bin/rawhttpd -addr {addr} -upstream {upstream}"
	servers=("rawhttpd=${gateway//\{upstream\}/http://$upstream_addr}")
	add_bases
	[[ ,$peers, == *,nethttp,* ]] && servers+=("nethttp=$bin/proxyd -addr {addr} -upstream http://$upstream_addr")
	[[ ,$peers, == *,nginx,* ]] && servers+=("nginx=nginx-proxy")
	run_scenario "/" "${servers[@]}"
fi
