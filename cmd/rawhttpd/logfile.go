package main

import (
	"bufio"
	"io"
	"os"
	"sync"
	"time"
)

// logFlushEvery bounds how long a buffered log line may wait before it
// reaches its file.
const logFlushEvery = 100 * time.Millisecond

// logFile is a log destination that logrotate can move: a file opened for
// appending, or the process's stderr, optionally buffered, and reopened
// by name on Reopen. Writing each access-log line with its own system
// call cost more than serving the request, so the access log buffers 64
// KiB and is flushed when the buffer fills, every logFlushEvery and on
// Reopen and Close.
//
// logrotate's move-then-signal loses no line and writes none twice: the
// old file, moved, stays open until Reopen; Reopen flushes what is
// buffered to it and swaps in the new file under the same lock that
// every Write takes, so each line lands whole in exactly one of them.
type logFile struct {
	path string // "" for stderr, which is never reopened

	mu  sync.Mutex    // guards out, f and w, and serialises writes
	out io.Writer     // where lines go: w when buffered, else f (or stderr)
	f   *os.File      // the open file; nil for stderr
	w   *bufio.Writer // nil when unbuffered

	stop chan struct{} // closed by Close; nil when unbuffered
	done chan struct{} // closed when flushLoop returns
}

// openLogFile opens path for appending (creating it), or uses stderr when
// path is empty. A buffered logFile flushes itself every logFlushEvery
// until Close.
func openLogFile(path string, stderr io.Writer, buffered bool) (*logFile, error) {
	l := &logFile{path: path, out: stderr}
	if path != "" {
		f, err := openAppend(path)
		if err != nil {
			return nil, err
		}
		l.f, l.out = f, f
	}
	if buffered {
		l.w = bufio.NewWriterSize(l.out, 64<<10)
		l.out = l.w
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.flushLoop()
	}
	return l, nil
}

// openAppend opens path for appending, creating it readable by others as
// web servers' logs usually are.
func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
}

// Write writes p, one whole line from a log handler, under the lock.
func (l *logFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writeLocked(p)
}

// writeLocked writes p with l.mu held. A line that does not fit in what
// is left of the buffer goes out after a flush, in one piece: split
// across two writes, it could be cut by the other log's line when both
// share stderr.
func (l *logFile) writeLocked(p []byte) (int, error) {
	if l.w != nil && l.w.Buffered() > 0 && l.w.Available() < len(p) {
		if err := l.w.Flush(); err != nil {
			return 0, err
		}
	}
	return l.out.Write(p)
}

// Reopen flushes what is buffered to the current file, then opens the
// file by its name again and writes there from now on: after logrotate
// moved the old file away, a new one is created. On failure the old file
// stays in use and the error is returned.
func (l *logFile) Reopen() error {
	if l.path == "" {
		return nil
	}
	f, err := openAppend(l.path)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w != nil {
		_ = l.w.Flush()
		l.w.Reset(f)
	} else {
		l.out = f
	}
	old := l.f
	l.f = f
	return old.Close()
}

// flushLoop flushes the buffer every logFlushEvery until Close.
func (l *logFile) flushLoop() {
	defer close(l.done)
	tick := time.NewTicker(logFlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			l.flush()
		case <-l.stop:
			return
		}
	}
}

// flush writes out what is buffered.
func (l *logFile) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w != nil {
		_ = l.w.Flush()
	}
}

// Close flushes the last lines, stops the flushing goroutine and closes
// the file.
func (l *logFile) Close() error {
	if l.stop != nil {
		close(l.stop)
		<-l.done
	}
	l.flush()
	if l.f != nil {
		return l.f.Close()
	}
	return nil
}
