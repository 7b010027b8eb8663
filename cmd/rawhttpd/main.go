// Command rawhttpd runs the rawhttpd engine as a small HTTP/1.x server.
//
// With no flags it listens on 127.0.0.1:8080 and answers every request
// with a short plaintext greeting; with -root it serves static files, and
// with -upstream it is a reverse proxy to those servers (the gateway
// mode, package engine/gateway); -h lists the flags by mode.
//
// Signals follow nginx's conventions: SIGINT and SIGTERM drain the server
// gracefully within -shutdown-timeout, then it exits 0 (1 when the drain
// ran out of time), and a second one during the drain exits at once with
// status 1; SIGUSR1 and SIGHUP reopen
// the log files, for logrotate. Maintenance mode is on while the
// -maintenance-file exists.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/engine/gateway"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs made explicit: it returns the
// exit status (0 after a clean stop; 1 when serving fails, the drain runs
// out of time, or a second signal cuts it short; 2 for bad flags).
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "rawhttpd:", err)
		return 2
	}
	if opts.version {
		fmt.Fprintln(stdout, "rawhttpd", buildVersion())
		return 0
	}
	logs, err := openLogs(opts, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "rawhttpd:", err)
		return 2
	}
	defer logs.Close()
	logger := logs.logger
	opts.engine.Logger = logger
	opts.engine.MaintenanceExempt = append(opts.engine.MaintenanceExempt, opts.healthPath, opts.readyPath, opts.metricsPath)

	var srv *engine.Server
	current := func() *engine.Server { return srv }
	var m *metrics
	if opts.metricsPath != "" {
		m = newMetrics(current)
	}
	opts.engine.OnAccess = onAccess(logs.access, m)

	app, mode, closeMode, err := selectMode(opts, logger)
	if err != nil {
		fmt.Fprintln(stderr, "rawhttpd:", err)
		return 2
	}
	defer closeMode()
	// Signals are caught before the listening line is printed: a signal
	// sent as soon as the server says it listens must be handled, not end
	// the process with the signal's default action.
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, append([]os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}, unixSignals...)...)
	defer signal.Stop(sig)
	ln, inherited, err := openListener(opts)
	if err != nil {
		fmt.Fprintln(stderr, "rawhttpd:", err)
		return 1
	}
	if gw, ok := app.(*gateway.Handler); ok && opts.engine.TimerResolution == 0 {
		opts.engine.TimerResolution = gw.TimerResolution()
	}
	srv = engine.New(withProbes(opts, app, m, logger, current), opts.engine)
	if err := srv.StartListener(ln); err != nil {
		fmt.Fprintln(stderr, "rawhttpd:", err)
		return 1
	}
	defer announce(srv, opts, mode, inherited, stdout, logger)()
	stopChores := startChores(srv, opts, logs)
	defer stopChores()
	return (&process{srv: srv, ln: ln, opts: opts, logs: logs}).waitForSignals(sig)
}

// selectMode returns the handler of the mode the flags ask for, its name,
// and what releases its resources at exit.
func selectMode(opts options, logger *slog.Logger) (app engine.Handler, mode string, closeMode func(), err error) {
	gw, err := newGateway(opts.gateway, logger)
	if err != nil {
		return nil, "", nil, err
	}
	if gw != nil {
		return gw, "gateway", gw.Close, nil
	}
	if opts.root != "" {
		files, err := newFiles(opts.root, opts.files)
		if err != nil {
			return nil, "", nil, err
		}
		return files, "files", func() { _ = files.Close() }, nil
	}
	return respond(opts), "respond", func() {}, nil
}

// openListener returns the listener a predecessor handed over in a hot
// upgrade, or a new one on -addr.
func openListener(opts options) (ln net.Listener, inherited bool, err error) {
	ln, err = inheritedListener()
	if err != nil || ln != nil {
		return ln, ln != nil, err
	}
	ln, err = engine.Listen(opts.addr, opts.engine.ReusePort)
	return ln, false, err
}

// announce tells the world the server listens: the PID file, systemd,
// the listening line on stdout and, after a hot upgrade, the predecessor.
// The returned func removes the PID file at exit, if it still names this
// process.
func announce(srv *engine.Server, opts options, mode string, inherited bool, stdout io.Writer, logger *slog.Logger) (atExit func()) {
	atExit = func() {}
	if opts.pidFile != "" {
		if err := writePIDFile(opts.pidFile, os.Getpid()); err != nil {
			logger.Error("writing the PID file failed", "file", opts.pidFile, "err", err)
		}
		atExit = func() { removePIDFile(opts.pidFile, os.Getpid()) }
	}
	ready := "READY=1"
	if inherited {
		// A successor after a hot upgrade: systemd is to follow it.
		ready = "MAINPID=" + strconv.Itoa(os.Getpid()) + "\nREADY=1"
	}
	if err := notifySystemd(ready); err != nil {
		logger.Warn("notifying systemd failed", "err", err)
	}
	// Printed after the PID file: whoever waits for this line finds it
	// written.
	fmt.Fprintf(stdout, "rawhttpd: listening on %s (mode %s)\n", addrText(srv.Addr()), mode)
	if inherited {
		logger.Info("serving on the inherited listener", "pid", os.Getpid())
		if err := tellPredecessor(); err != nil {
			logger.Warn("telling the old process failed", "err", err)
		}
	}
	return atExit
}

// onAccess returns the engine's OnAccess hook: the access log's line and
// the duration histogram, whichever are on; nil when neither is.
func onAccess(log *accessLog, m *metrics) func(engine.Access) {
	switch {
	case log != nil && m != nil:
		return func(a engine.Access) {
			m.observe(a)
			log.log(a)
		}
	case log != nil:
		return log.log
	case m != nil:
		return m.observe
	}
	return nil
}

// withProbes answers the health, readiness and metrics paths and passes
// every other request to app.
func withProbes(o options, app engine.Handler, m *metrics, logger *slog.Logger, srv func() *engine.Server) engine.Handler {
	health := engine.HealthHandler()
	var metricsHandler engine.Handler
	if m != nil {
		metricsHandler = m.handler(logger)
	}
	// A target shorter than every probe path cannot name one: most
	// requests pass without their path being cut from the target.
	shortest := -1
	for _, p := range []string{o.healthPath, o.readyPath, o.metricsPath} {
		if p != "" && (shortest < 0 || len(p) < shortest) {
			shortest = len(p)
		}
	}
	h := engine.HandlerFunc(func(c *engine.Context) error {
		if shortest < 0 || len(c.Target()) < shortest {
			return app.Serve(c)
		}
		// Compared as string(path) == ..., which does not copy the bytes.
		switch path := c.Path(); {
		case o.healthPath != "" && string(path) == o.healthPath:
			return health.Serve(c)
		case o.readyPath != "" && string(path) == o.readyPath:
			return srv().ReadinessHandler().Serve(c)
		case metricsHandler != nil && string(path) == o.metricsPath:
			return metricsHandler.Serve(c)
		}
		return app.Serve(c)
	})
	if bs, ok := app.(engine.BodyStreamer); ok && bs.StreamsBodies() {
		// The gateway's uploads stay streamed behind the probes; a probe
		// path asked with a body still arriving is answered at once.
		return streamingBodies{h}
	}
	return h
}

// streamingBodies is a handler whose request bodies are streamed to it
// as they arrive (engine.BodyStreamer).
type streamingBodies struct{ engine.HandlerFunc }

// StreamsBodies reports true.
func (streamingBodies) StreamsBodies() bool { return true }

// respond returns the default mode's handler: every request gets the same
// status and plaintext body, produced on the worker pool after -delay when
// it is set (a stand-in for a slow backend).
func respond(o options) engine.Handler {
	body, status, delay := o.respond, o.status, o.delay
	contentType := engine.MustField("Content-Type", "text/plain; charset=utf-8")
	h := engine.HandlerFunc(func(c *engine.Context) error {
		if delay > 0 {
			time.Sleep(delay)
		}
		if err := c.SetStatus(status); err != nil {
			return err
		}
		c.AddField(contentType)
		_, _ = c.WriteString(body)
		return nil
	})
	if delay > 0 {
		return engine.Blocking(h)
	}
	return h
}
