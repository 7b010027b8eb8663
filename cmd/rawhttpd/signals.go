package main

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
)

// waitForSignals serves until SIGINT or SIGTERM, then drains the server
// and returns the exit status: 0 once the drain ends, 1 when it ran out
// of time and cut requests off, or when a second SIGINT or SIGTERM cuts
// it short. SIGUSR1 and SIGHUP reopen the log
// files at any time, the drain included; nothing else changes.
func waitForSignals(sig <-chan os.Signal, srv *engine.Server, opts options, logs *logs) int {
	logger := logs.logger
	var drained chan int // receives the drain's exit status; nil before it begins
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
			drained = make(chan int, 1)
			go drain(srv, opts.shutdownTimeout, logs, drained)
		case code := <-drained:
			return code
		}
	}
}

// drain shuts srv down gracefully within timeout and sends the exit
// status on done: 1 when requests in progress had to be cut off.
func drain(srv *engine.Server, timeout time.Duration, logs *logs, done chan<- int) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if cut := (*engine.ShutdownError)(nil); errors.As(err, &cut) {
		logs.logger.Error("drain timed out; requests in progress cut off", "cut_off", cut.CutOff, "err", cut.Err)
		done <- 1
		return
	}
	if err != nil {
		logs.logger.Warn("drain ended with an error", "err", err)
	}
	done <- 0
}
