#!/usr/bin/env python3
"""sendpaths.py: server CPU per 1 MiB response for each way sendpaths.c
puts the file on the socket, beside rawhttpd -root and net/http's
http.FileServer (bench/cmd/nethttpfs), in the same rounds.

Each variant runs pinned to CPU 0 (GOMAXPROCS=1 for the Go servers), is
warmed by a 1 s wrk, then wrk -t1 -c64 on CPU 1 runs for DURATION seconds;
the server's utime and stime (/proc/PID/stat) over that run, divided by the
requests wrk completed, is its CPU per request. Rounds alternate the order;
the table gives medians and each variant's range. Run from the repository
root:

    cc -O2 -o /tmp/sendpaths bench/sendpaths/sendpaths.c
    go build -o /tmp/rawhttpd ./cmd/rawhttpd
    go build -o /tmp/nethttpfs ./bench/cmd/nethttpfs
    python3 bench/sendpaths/sendpaths.py --bin /tmp --rounds 6 --duration 3 \\
        --variants 'sendfile,splice 1M,vmsplice 1M,write,rawhttpd,net/http'
"""
import argparse, os, re, socket, statistics, subprocess, tempfile, time

TICK = os.sysconf("SC_CLK_TCK")


def variants(bindir, root, file):
    def c(method, *opts):
        return lambda port: [os.path.join(bindir, "sendpaths"), str(port), file, method, *opts]

    def go(name):
        return lambda port: [os.path.join(bindir, name), "-addr", f"127.0.0.1:{port}", "-root", root]

    return {
        "sendfile": c("sendfile"),
        "sendfile 256K calls": c("sendfile", "chunk=262144"),
        "sendfile 64K calls": c("sendfile", "chunk=65536"),
        "write": c("write"),
        "write 256K calls": c("write", "chunk=262144"),
        "write 64K calls": c("write", "chunk=65536"),
        "mmap": c("mmap"),
        "splice 1M": c("splice", "pipe=1048576"),
        "splice 256K": c("splice", "pipe=262144"),
        "vmsplice 1M": c("vmsplice", "pipe=1048576"),
        "zerocopy": c("zerocopy"),
        "sendfile sndbuf 4M": c("sendfile", "sndbuf=4194304"),
        "sendfile sndbuf 256K": c("sendfile", "sndbuf=262144"),
        "sendfile sndbuf 128K": c("sendfile", "sndbuf=131072"),
        "write sndbuf 256K": c("write", "sndbuf=262144"),
        "sendfile lowat 128K": c("sendfile", "lowat=131072"),
        "rawhttpd": go("rawhttpd"),
        "net/http": go("nethttpfs"),
    }


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(proc, port):
    deadline = time.time() + 5
    while time.time() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), 0.1).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


def wrk(url, seconds):
    r = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", "-c64", f"-d{seconds}s", url],
                       capture_output=True, text=True)
    m = re.search(r"(\d+) requests in", r.stdout)
    if not m:
        raise RuntimeError("wrk: " + r.stdout + r.stderr)
    return int(m.group(1))


def measure(argv, seconds):
    port = free_port()
    env = dict(os.environ, GOMAXPROCS="1")
    p = subprocess.Popen(["taskset", "-c", "0", *argv(port)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_port(p, port):
            raise RuntimeError("the server did not listen")
        url = f"http://127.0.0.1:{port}/1m.bin"
        wrk(url, 1)
        u0, s0 = cpu(p.pid)
        n = wrk(url, seconds)
        u1, s1 = cpu(p.pid)
    finally:
        p.kill()
        p.wait()
    return (u1 - u0) / n * 1e6, (s1 - s0) / n * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="directory holding sendpaths, rawhttpd and nethttpfs")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=3, help="seconds of each measured wrk run")
    ap.add_argument("--variants", default="sendfile,write,splice 1M,zerocopy,rawhttpd,net/http",
                    help="comma-separated names: " + ", ".join(variants("", "", "")))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as root:
        file = os.path.join(root, "1m.bin")
        with open(file, "wb") as f:
            f.write(os.urandom(1 << 20))
        table = variants(a.bin, root, file)
        names = a.variants.split(",")
        res = {n: [] for n in names}
        for r in range(a.rounds):
            for n in (names if r % 2 == 0 else names[::-1]):
                try:
                    u, s = measure(table[n], a.duration)
                except RuntimeError as e:
                    print(f"round {r + 1} {n}: {e}", flush=True)
                    continue
                res[n].append((u, s))
                print(f"round {r + 1} {n:22s} user {u:6.1f} kernel {s:6.1f} total {u + s:6.1f} µs/req", flush=True)
    print("load:", open("/proc/loadavg").read().strip())
    print("| variant | user µs/req | kernel µs/req | CPU µs/req (range) |")
    print("| --- | --: | --: | --: |")
    for n in names:
        if not res[n]:
            continue
        us, ks, ts = ([x[0] for x in res[n]], [x[1] for x in res[n]], [x[0] + x[1] for x in res[n]])
        print(f"| {n} | {statistics.median(us):.1f} | {statistics.median(ks):.1f} | "
              f"{statistics.median(ts):.1f} ({min(ts):.0f}–{max(ts):.0f}) |")


main()
