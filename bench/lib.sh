# Shell functions the bench scripts share: processes they start, pinned,
# watched through /proc, and stopped by their PID. A script that sources
# this keeps the PIDs it started in the array started, wrk's in wrk_pid,
# its output directory in work, and calls finish_on_exit.

say() { printf '%s\n' "$*" >&2; }

# running pid: true while the process exists and is not a zombie.
running() {
	local line
	{ read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
	line=${line##*) }
	[[ ${line:0:1} != Z ]]
}

# reap_within pid secs: waits for the process to end, at most secs more
# seconds, then stops it; returns its exit status (non-zero if stopped).
reap_within() {
	local pid=$1 i
	for ((i = 0; i < $2 * 20; i++)); do
		running "$pid" || break
		sleep 0.05
	done
	if running "$pid"; then
		halt "$pid"
		return 124
	fi
	wait "$pid"
}

# halt pid: TERM the process, KILL it after 2 s, reap it.
halt() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 40; i++)); do
		running "$pid" || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	forget "$pid"
}

# forget pid: drops an ended process from started, so that finish never
# signals the PID, which the system may give to another process.
forget() {
	local i rest=()
	for i in "${started[@]}"; do [[ $i == "$1" ]] || rest+=("$i"); done
	started=("${rest[@]}")
}

# finish_on_exit runs finish when the script exits, and turns INT, TERM,
# HUP and PIPE into an exit with the shell's status for the signal, so
# that finish runs for them too.
finish_on_exit() {
	trap finish EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	trap 'exit 141' PIPE
}

finish() {
	trap '' INT TERM HUP PIPE
	if [[ -n $wrk_pid ]]; then halt "$wrk_pid"; fi
	local pid
	for pid in "${started[@]}"; do halt "$pid"; done
	say "${0##*/}: logs and wrk output kept in $work"
}

accepts() { # port: true when 127.0.0.1:port takes a connection
	timeout 1 bash -c ': <>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# listening port: waits up to 10 s for 127.0.0.1:port to accept, while the
# process just launched ($pid) lives.
listening() {
	local i
	for ((i = 0; i < 200; i++)); do
		if accepts "$1"; then return 0; fi
		running "$pid" || return 1
		sleep 0.05
	done
	return 1
}

# ticks pid: prints the process's user + system CPU time in clock ticks
# (fields 14 and 15 of /proc/PID/stat, counted after the parenthesised
# command name, which may hold spaces). A process that has gone counts 0,
# which shows in the table.
ticks() {
	local line
	{ read -r line <"/proc/$1/stat"; } 2>/dev/null || {
		echo 0
		return
	}
	awk '{ print $12 + $13 }' <<<"${line##*) }"
}

# session_ticks sid: "user system" clock ticks of every process in the session.
session_ticks() {
	local p line u=0 s=0
	for p in $(pgrep -s "$1"); do
		{ read -r line <"/proc/$p/stat"; } 2>/dev/null || continue
		read -r -a f <<<"${line##*) }"
		u=$((u + f[11])) s=$((s + f[12]))
	done
	echo "$u $s"
}

# nginx_cmd port [block]: writes the configuration of a one-worker nginx
# under $work, running block (by default a server on 127.0.0.1:port
# serving $root), and prints the command that starts it.
nginx_cmd() {
	local d=$work/nginx-$1
	local block=${2:-"server { listen 127.0.0.1:$1; root ${root:-/nonexistent}; }"}
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $d/tmp; proxy_temp_path $d/tmp; fastcgi_temp_path $d/tmp;
  uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp;
  sendfile on; tcp_nopush on;
  open_file_cache max=10000 inactive=60s; open_file_cache_valid 60s;
  $block
}
EOF
	echo "nginx -c $d/nginx.conf -p $d"
}

# median key column: the median of one column over a key's rounds.
median() {
	printf '%s' "${results[$1]}" | awk -v c="$2" '{ print $c }' | sort -g |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
