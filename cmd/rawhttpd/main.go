// Command rawhttpd runs the rawhttpd engine as a small HTTP/1.x server.
//
// With no flags it listens on 127.0.0.1:8080 and answers every request
// with a short plaintext greeting; -h lists every flag with its default.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

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
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	opts.engine.Logger = logger
	srv := engine.New(respond(opts), opts.engine)
	if err := srv.Start(opts.addr); err != nil {
		fmt.Fprintln(stderr, "rawhttpd:", err)
		return 1
	}
	fmt.Fprintf(stdout, "rawhttpd: listening on http://%s (mode respond)\n", srv.Addr())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	signal.Stop(sig)
	if err := srv.Close(); err != nil {
		fmt.Fprintln(stderr, "rawhttpd: stopping:", err)
		return 1
	}
	return 0
}

// respond returns the default mode's handler: every request gets the same
// status and plaintext body.
func respond(o options) engine.Handler {
	body := o.respond
	status := o.status
	return engine.HandlerFunc(func(c *engine.Context) error {
		c.SetStatus(status)
		_ = c.SetContentType("text/plain; charset=utf-8")
		_, _ = c.WriteString(body)
		return nil
	})
}
