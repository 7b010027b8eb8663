package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// logs are the binary's two logs: the error log (the server's own
// messages, through log/slog, repeats limited) and the access log, each
// on stderr or a file that SIGUSR1 and SIGHUP reopen.
type logs struct {
	logger  *slog.Logger
	limiter *repeatLimiter
	errFile *logFile
	access  *accessLog // nil when -access-log is off
	accFile *logFile   // nil when -access-log is off
}

// openLogs opens the logs the flags ask for.
func openLogs(o options, stderr io.Writer) (*logs, error) {
	errFile, err := openLogFile(o.errorLog, stderr, false)
	if err != nil {
		return nil, fmt.Errorf("-error-log: %w", err)
	}
	l := &logs{errFile: errFile}
	hopts := &slog.HandlerOptions{Level: o.logLevel}
	var h slog.Handler = slog.NewTextHandler(errFile, hopts)
	if o.logFormat == formatJSON {
		h = slog.NewJSONHandler(errFile, hopts)
	}
	l.limiter = newRepeatLimiter(h, time.Second)
	l.logger = slog.New(l.limiter)
	if o.accessLog.on {
		f, err := openLogFile(o.accessLog.path, stderr, true)
		if err != nil {
			_ = errFile.Close()
			return nil, fmt.Errorf("-access-log: %w", err)
		}
		l.accFile = f
		l.access = &accessLog{out: f, format: o.logFormat}
	}
	return l, nil
}

// Reopen reopens the log files by name, for logrotate; stderr stays.
func (l *logs) Reopen() error {
	err := l.errFile.Reopen()
	if l.accFile != nil {
		err = errors.Join(err, l.accFile.Reopen())
	}
	return err
}

// Close flushes and closes both logs.
func (l *logs) Close() error {
	var err error
	if l.accFile != nil {
		err = l.accFile.Close()
	}
	return errors.Join(err, l.errFile.Close())
}
