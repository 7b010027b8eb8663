package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
)

// process is the running server as the signal loop sees it.
type process struct {
	srv  *engine.Server
	ln   net.Listener // handed to a successor on SIGUSR2
	opts options
	logs *logs
}

// upgradeResult is the outcome of a hot upgrade: the new process's ID,
// or why there is none.
type upgradeResult struct {
	pid int
	err error
}

// waitForSignals serves until SIGINT or SIGTERM and returns the exit
// status, following nginx's conventions:
//
//   - SIGTERM or SIGINT: with -shutdown-delay, readiness answers 503 for
//     that long first, everything else served as usual; then the server
//     drains. 0 once the drain ends, 1 when it ran out of time and cut
//     requests off.
//   - a second SIGTERM or SIGINT, during the delay or the drain: exit at
//     once with status 1.
//   - SIGUSR1 or SIGHUP: reopen the log files, at any time; nothing else
//     changes.
//   - SIGUSR2: hot upgrade. Start the binary on disk with the same flags
//     on the same listening socket; once it serves, drain and exit 0. If
//     it fails, go on serving.
func (p *process) waitForSignals(sig <-chan os.Signal) int {
	logger := p.logs.logger
	var (
		stopping  bool
		delayDone <-chan time.Time   // fires when -shutdown-delay has passed
		drained   chan int           // receives the drain's exit status
		upgraded  chan upgradeResult // receives a hot upgrade's outcome
	)
	for {
		select {
		case s := <-sig:
			switch {
			case s == reopenSignal || s == syscall.SIGHUP:
				p.reopenLogs(s)
			case s == upgradeSignal:
				if stopping || upgraded != nil {
					logger.Warn("hot upgrade refused: already stopping or upgrading", "signal", s.String())
					continue
				}
				logger.Info("hot upgrade: starting the new binary", "signal", s.String())
				upgraded = make(chan upgradeResult, 1)
				go func() {
					pid, err := startSuccessor(p.ln)
					upgraded <- upgradeResult{pid, err}
				}()
			case stopping:
				logger.Warn("second signal during the shutdown: exiting now", "signal", s.String())
				return 1
			default:
				stopping = true
				_ = notifySystemd("STOPPING=1")
				if d := p.opts.shutdownDelay; d > 0 {
					p.srv.SetReady(false)
					logger.Info("not ready; draining after the delay", "signal", s.String(), "delay", d)
					delayDone = time.After(d)
					continue
				}
				logger.Info("draining", "signal", s.String(), "timeout", p.opts.shutdownTimeout)
				drained = p.startDrain()
			}
		case <-delayDone:
			logger.Info("draining", "timeout", p.opts.shutdownTimeout)
			drained = p.startDrain()
		case up := <-upgraded:
			upgraded = nil
			if up.err != nil {
				logger.Error("hot upgrade failed; this process goes on serving", "err", up.err)
				continue
			}
			if stopping {
				// Already draining: the successor serves, this process
				// ends as it was asked to.
				continue
			}
			// No STOPPING=1 here: the unit is not stopping, and systemd
			// would take it as the whole service stopping, although
			// MAINPID now names the successor.
			stopping = true
			logger.Info("hot upgrade: the new process serves; draining", "new_pid", up.pid, "timeout", p.opts.shutdownTimeout)
			drained = p.startDrain()
		case code := <-drained:
			return code
		}
	}
}

// reopenLogs reopens the log files for signal s.
func (p *process) reopenLogs(s os.Signal) {
	logger := p.logs.logger
	if err := p.logs.Reopen(); err != nil {
		logger.Error("reopening the log files failed; still writing to the old ones", "signal", s.String(), "err", err)
		return
	}
	logger.Info("log files reopened", "signal", s.String())
}

// startDrain begins the drain; the channel receives its exit status.
func (p *process) startDrain() chan int {
	done := make(chan int, 1)
	go func() { done <- drain(p.srv, p.opts.shutdownTimeout, p.logs.logger) }()
	return done
}

// drain shuts srv down gracefully within timeout and returns the exit
// status: 1 when requests in progress had to be cut off.
func drain(srv *engine.Server, timeout time.Duration, logger *slog.Logger) int {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if cut := (*engine.ShutdownError)(nil); errors.As(err, &cut) {
		logger.Error("drain timed out; requests in progress cut off", "cut_off", cut.CutOff, "err", cut.Err)
		return 1
	}
	if err != nil {
		logger.Warn("drain ended with an error", "err", err)
	}
	return 0
}
