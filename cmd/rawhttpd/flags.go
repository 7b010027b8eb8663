package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/engine/files"
)

// options are the parsed command line.
type options struct {
	addr            string
	respond         string
	status          int
	delay           time.Duration
	healthPath      string
	readyPath       string
	shutdownTimeout time.Duration
	shutdownDelay   time.Duration
	engine          engine.Config
	gateway         gatewayOptions
	root            string
	files           filesOptions
	accessLog       accessLogFlag
	errorLog        string
	logFormat       string
	logLevel        slog.Level
	metricsPath     string
	maintenanceFile string
	pidFile         string
	version         bool
}

// accessLogFlag is -access-log: a boolean that may name a file.
// "-access-log" alone logs to stderr, "-access-log=PATH" appends to PATH,
// "-access-log=false" turns it off.
type accessLogFlag struct {
	on   bool
	path string // "" for stderr
}

// String returns the flag's value as -h shows it.
func (f *accessLogFlag) String() string {
	switch {
	case f == nil || !f.on:
		return "false"
	case f.path == "":
		return "true"
	}
	return f.path
}

// Set takes "true" (the flag alone) or "false", or a file's path.
func (f *accessLogFlag) Set(s string) error {
	switch s {
	case "true", "stderr":
		f.on, f.path = true, ""
	case "false", "":
		f.on, f.path = false, ""
	default:
		f.on, f.path = true, s
	}
	return nil
}

// IsBoolFlag lets the flag stand alone on the command line.
func (f *accessLogFlag) IsBoolFlag() bool { return true }

// parseFlags reads the command line in Go's -name value style. Errors
// (and -h) have already been reported to stderr with the usage.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("rawhttpd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printUsage(fs, stderr) }
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`address` to listen on: host:port for TCP (port 0 picks a free one), or unix:/path/to.sock")
	fs.StringVar(&o.respond, "respond", "Hello, World!", "`text` of the default response body")
	fs.IntVar(&o.status, "status", 200, "`status` code of the default response")
	fs.DurationVar(&o.delay, "delay", 0, "produce the default response on the worker pool after this `duration` (a stand-in for a slow backend)")
	loops := fs.Int("loops", 0, "number of event loops (0 = one per CPU)")
	fs.BoolVar(&o.engine.ReusePort, "reuseport", false, "set SO_REUSEPORT on the listener")
	fs.IntVar(&o.engine.MaxTargetBytes, "max-target-bytes", 8<<10, "longest request-target in `bytes` (longer: 414)")
	fs.IntVar(&o.engine.MaxHeaderBytes, "max-header-bytes", 32<<10, "largest header section in `bytes` (larger: 431)")
	fs.IntVar(&o.engine.MaxFields, "max-fields", 100, "most header fields in a request (more: 431)")
	fs.Int64Var(&o.engine.MaxBodyBytes, "max-body-bytes", 4<<20, "largest request body in `bytes` (larger: 413)")
	fs.DurationVar(&o.engine.ReadHeaderTimeout, "read-header-timeout", engine.DefaultReadHeaderTimeout, "time to receive a request's header section (then 408)")
	fs.DurationVar(&o.engine.BodyReadTimeout, "body-read-timeout", engine.DefaultBodyReadTimeout, "time to receive a request's body (then 408)")
	fs.DurationVar(&o.engine.IdleTimeout, "idle-timeout", engine.DefaultIdleTimeout, "time a keep-alive connection may wait for its next request")
	fs.DurationVar(&o.engine.WriteTimeout, "write-timeout", engine.DefaultWriteTimeout, "time output may wait for a client that does not read")
	fs.IntVar(&o.engine.MaxConns, "max-conns", 0, "most open connections (0 = unlimited); see -overload")
	overload := fs.String("overload", "refuse", "past -max-conns: `refuse` the connection, or answer 503 with Retry-After")
	fs.IntVar(&o.engine.RetryAfter, "retry-after", 1, "Retry-After `seconds` of 503 responses (overload, maintenance, shutdown)")
	fs.IntVar(&o.engine.Workers, "workers", engine.DefaultWorkers, "goroutines of the blocking worker pool")
	fs.IntVar(&o.engine.QueueLen, "queue", engine.DefaultQueueLen, "blocking requests that may wait for a worker (more: 503)")
	fs.BoolVar(&o.engine.Shed, "shed", false, "adaptive shedding: 503 when blocking requests would wait longer than the target")
	fs.StringVar(&o.maintenanceFile, "maintenance-file", "", "while the file at `path` exists, answer 503 with Retry-After (probes and metrics excepted)")
	fs.StringVar(&o.pidFile, "pid-file", "", "write the process ID to the file at `path` once listening (removed at exit)")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 30*time.Second, "time SIGINT/SIGTERM give in-flight requests to finish")
	fs.DurationVar(&o.shutdownDelay, "shutdown-delay", 0, "on SIGTERM, answer the readiness path 503 for this `duration` while serving everything else, then drain (lets a load balancer notice first)")
	fs.StringVar(&o.healthPath, "healthz", "/healthz", "liveness `path`: 200 while the process serves (empty: off)")
	fs.StringVar(&o.readyPath, "readyz", "/readyz", "readiness `path`: 200, or 503 in maintenance or while draining (empty: off)")
	fs.StringVar(&o.engine.Server, "server", engine.DefaultServer, "Server header value")
	fs.BoolVar(&o.engine.NoServerHeader, "no-server-header", false, "leave the Server header out")
	addGatewayFlags(fs, &o.gateway)
	methods := fs.String("methods", "", "comma-separated request `methods` to serve besides the mode's: RFC 9110's and PATCH, or in gateway mode the IANA HTTP Method Registry (others: 501)")
	fs.StringVar(&o.root, "root", "", "serve static files from `dir`: the files mode")
	fs.BoolVar(&o.files.browse, "browse", false, "files mode: list a directory that has no index.html (off: 404)")
	fs.BoolVar(&o.files.dotfiles, "dotfiles", false, "files mode: serve paths with a segment starting with \".\" (off: 404)")
	fs.Int64Var(&o.files.cacheBytes, "file-cache-bytes", files.DefaultCacheBytes, "files mode: memory of the open-file cache in `bytes` (0: no cache)")
	fs.Int64Var(&o.files.cacheMaxFile, "file-cache-max-file", files.DefaultCacheMaxFile, "files mode: largest file the cache holds, in `bytes`; larger ones are streamed")
	fs.Var(&o.accessLog, "access-log", "log one line per request: to stderr alone, or appended to a file with -access-log=`path` (reopened on SIGUSR1 and SIGHUP)")
	fs.StringVar(&o.errorLog, "error-log", "", "append the server's own log to the file at `path` (reopened on SIGUSR1 and SIGHUP; default stderr)")
	fs.StringVar(&o.logFormat, "log-format", formatText, "log `format`: text, json or combined (Apache/nginx, access log only; the error log is then text)")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "lowest `level` logged: debug, info, warn or error")
	fs.StringVar(&o.metricsPath, "metrics", "", "serve Prometheus metrics at this `path` (e.g. /metrics; empty: off)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return o, fmt.Errorf("unexpected argument %q (a file for -access-log is given as -access-log=PATH)", fs.Arg(0))
	}
	if o.shutdownDelay < 0 || o.shutdownTimeout < 0 {
		return o, fmt.Errorf("-shutdown-delay and -shutdown-timeout must not be negative")
	}
	if o.status < 100 || o.status > 999 {
		return o, fmt.Errorf("-status %d: not a status code", o.status)
	}
	if *loops < 0 {
		return o, fmt.Errorf("-loops %d: must be 0 or more", *loops)
	}
	switch *overload {
	case "refuse":
		o.engine.Overload = engine.Refuse
	case "503":
		o.engine.Overload = engine.Respond503
	default:
		return o, fmt.Errorf("-overload %q: want refuse or 503", *overload)
	}
	switch o.logFormat {
	case formatText, formatJSON, formatCombined:
	default:
		return o, fmt.Errorf("-log-format %q: want text, json or combined", o.logFormat)
	}
	if o.root != "" && o.gateway.upstreams != "" {
		return o, fmt.Errorf("-root and -upstream are two modes: give one")
	}
	var err error
	if o.engine.Methods, err = methodRegistry(*methods, o.gateway.upstreams != ""); err != nil {
		return o, err
	}
	o.engine.Multicore = *loops == 0
	o.engine.NumLoops = *loops
	return o, nil
}

// parsePrefixes reads a comma-separated list of CIDR prefixes; a bare
// address stands for itself alone.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for s := range strings.SplitSeq(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR prefix nor an address", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
