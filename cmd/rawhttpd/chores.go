package main

import (
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
)

// choreEvery is how often the background chores run: the maintenance
// file is looked for, and repeated log lines are counted out, this often,
// so maintenance follows the file within a second.
const choreEvery = 250 * time.Millisecond

// startChores starts the goroutine that does the binary's periodic work
// off the request path: it follows -maintenance-file (maintenance is on
// while the file exists) and flushes the repeat limiter's counts. The
// returned func stops it and waits for it.
func startChores(srv *engine.Server, o options, logs *logs) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	retryAfter := time.Duration(o.engine.RetryAfter) * time.Second
	go func() {
		defer close(done)
		tick := time.NewTicker(choreEvery)
		defer tick.Stop()
		for {
			followMaintenanceFile(srv, o.maintenanceFile, retryAfter, logs)
			logs.limiter.flush(time.Now())
			select {
			case <-tick.C:
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// followMaintenanceFile turns maintenance on when the file at path
// exists and off when it does not; a path that cannot be checked (other
// than not existing) leaves the mode as it is.
func followMaintenanceFile(srv *engine.Server, path string, retryAfter time.Duration, logs *logs) {
	if path == "" {
		return
	}
	_, err := os.Stat(path)
	switch {
	case err == nil && !srv.InMaintenance():
		srv.SetMaintenance(retryAfter)
		logs.logger.Info("maintenance mode on", "file", path, "retry_after", retryAfter.Seconds())
	case errors.Is(err, fs.ErrNotExist) && srv.InMaintenance():
		srv.ClearMaintenance()
		logs.logger.Info("maintenance mode off", "file", path)
	}
}
