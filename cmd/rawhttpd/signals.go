package main

import (
	"context"
	"os"
	"syscall"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
)

// waitForSignals serves until SIGINT or SIGTERM, then drains the server
// and returns the exit status: 0 once the drain ends, 1 when a second
// SIGINT or SIGTERM cuts it short. SIGUSR1 and SIGHUP reopen the log
// files at any time, the drain included; nothing else changes.
func waitForSignals(sig <-chan os.Signal, srv *engine.Server, opts options, logs *logs) int {
	logger := logs.logger
	var drained chan struct{} // closed when the drain ends; nil before it begins
	for {
		select {
		case s := <-sig:
			switch s {
			case syscall.SIGUSR1, syscall.SIGHUP:
				if err := logs.Reopen(); err != nil {
					logger.Error("reopening the log files failed; still writing to the old ones", "signal", s.String(), "err", err)
				} else {
					logger.Info("log files reopened", "signal", s.String())
				}
				continue
			}
			if drained != nil {
				logger.Warn("second signal during the drain: exiting now", "signal", s.String())
				return 1
			}
			logger.Info("draining", "signal", s.String(), "timeout", opts.shutdownTimeout)
			_ = notifySystemd("STOPPING=1")
			drained = make(chan struct{})
			go drain(srv, opts.shutdownTimeout, logs, drained)
		case <-drained:
			return 0
		}
	}
}

// drain shuts srv down gracefully within timeout and closes done.
func drain(srv *engine.Server, timeout time.Duration, logs *logs, done chan<- struct{}) {
	defer close(done)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		logs.logger.Warn("drain ended at the timeout; remaining connections closed", "err", err)
	}
}
