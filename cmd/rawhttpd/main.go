// Command rawhttpd runs the rawhttpd engine as a small HTTP/1.x server.
//
// With no flags it listens on 127.0.0.1:8080 and answers every request
// with a short plaintext greeting; with -upstream it is a reverse proxy
// to those servers (the gateway mode, package engine/gateway); -h lists
// every flag with its default.
// SIGUSR1 toggles maintenance mode; SIGINT and SIGTERM drain the server
// gracefully within -shutdown-timeout, then it exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs made explicit: it returns the
// exit status (0 after a clean stop, 1 when serving fails, 2 for bad
// flags).
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
		fmt.Fprintln(stdout, "rawhttpd", version())
		return 0
	}
	logger := newLogger(opts, stderr)
	opts.engine.Logger = logger
	if opts.accessLog {
		out := newBufferedWriter(stderr)
		defer out.Close()
		opts.engine.AccessLog = newLogger(opts, out)
	}
	opts.engine.MaintenanceExempt = append(opts.engine.MaintenanceExempt, opts.healthPath, opts.readyPath)

	app, mode := respond(opts), "respond"
	gw, err := newGateway(opts.gateway, logger)
	if err != nil {
		fmt.Fprintln(stderr, "rawhttpd:", err)
		return 2
	}
	if gw != nil {
		defer gw.Close()
		app, mode = gw, "gateway"
	}
	if opts.root != "" {
		files, root, err := newFiles(opts.root)
		if err != nil {
			fmt.Fprintln(stderr, "rawhttpd:", err)
			return 2
		}
		defer root.Close()
		app, mode = files, "files"
	}
	// Signals are caught before the listening line is printed: a SIGUSR1
	// sent as soon as the server says it listens must toggle maintenance,
	// not end the process with the signal's default action.
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1)
	defer signal.Stop(sig)
	var srv *engine.Server
	srv = engine.New(withProbes(opts, app, func() *engine.Server { return srv }), opts.engine)
	if err := srv.Start(opts.addr); err != nil {
		fmt.Fprintln(stderr, "rawhttpd:", err)
		return 1
	}
	fmt.Fprintf(stdout, "rawhttpd: listening on http://%s (mode %s)\n", srv.Addr(), mode)
	return waitForSignals(sig, srv, opts, logger)
}

// waitForSignals serves until SIGINT or SIGTERM, toggling maintenance on
// SIGUSR1, then drains the server and returns the exit status.
func waitForSignals(sig <-chan os.Signal, srv *engine.Server, opts options, logger *slog.Logger) int {
	for s := range sig {
		if s == syscall.SIGUSR1 {
			if srv.InMaintenance() {
				srv.ClearMaintenance()
				logger.Info("maintenance mode off")
			} else {
				srv.SetMaintenance(time.Duration(opts.engine.RetryAfter) * time.Second)
				logger.Info("maintenance mode on", "retry_after", opts.engine.RetryAfter)
			}
			continue
		}
		logger.Info("draining", "signal", s.String(), "timeout", opts.shutdownTimeout)
		ctx, cancel := context.WithTimeout(context.Background(), opts.shutdownTimeout)
		err := srv.Shutdown(ctx)
		cancel()
		if err != nil {
			logger.Warn("drain ended at the timeout; remaining connections closed", "err", err)
		}
		return 0
	}
	return 0
}

// withProbes answers the health and readiness paths and passes every other
// request to app.
func withProbes(o options, app engine.Handler, srv func() *engine.Server) engine.Handler {
	health := engine.HealthHandler()
	metrics := metricsHandler(srv)
	// A target shorter than every probe path cannot name one: most
	// requests pass without their path being cut from the target.
	shortest := -1
	for _, p := range []string{o.healthPath, o.readyPath, o.metricsPath} {
		if p != "" && (shortest < 0 || len(p) < shortest) {
			shortest = len(p)
		}
	}
	return engine.HandlerFunc(func(c *engine.Context) error {
		if shortest < 0 || len(c.Target()) < shortest {
			return app.Serve(c)
		}
		// Compared as string(path) == ..., which does not copy the bytes.
		switch path := c.Path(); {
		case o.healthPath != "" && string(path) == o.healthPath:
			return health.Serve(c)
		case o.readyPath != "" && string(path) == o.readyPath:
			return srv().ReadinessHandler().Serve(c)
		case o.metricsPath != "" && string(path) == o.metricsPath:
			return metrics.Serve(c)
		}
		return app.Serve(c)
	})
}

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

// newLogger returns the logger -log-format and -log-level ask for.
func newLogger(o options, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: o.logLevel}
	if o.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// version returns the module version the binary was built from, or
// "devel" for a build from a work tree.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
