package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// accessLogFlushEvery bounds how long an access-log line may wait in the
// buffer before it reaches the output.
const accessLogFlushEvery = 100 * time.Millisecond

// bufferedWriter batches access-log lines: writing each line with its own
// system call cost more than serving the request (perf: one write per
// request), so lines are collected in a 64 KiB buffer and written when it
// fills or every accessLogFlushEvery, whichever comes first.
type bufferedWriter struct {
	mu   sync.Mutex // guards w
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// newBufferedWriter starts a writer over out; Close flushes and stops it.
func newBufferedWriter(out io.Writer) *bufferedWriter {
	b := &bufferedWriter{w: bufio.NewWriterSize(out, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushLoop()
	return b
}

// Write adds p to the buffer; a log handler writes one line per call.
func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// flushLoop flushes the buffer every accessLogFlushEvery until Close.
func (b *bufferedWriter) flushLoop() {
	defer close(b.done)
	tick := time.NewTicker(accessLogFlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			b.flush()
		case <-b.stop:
			b.flush()
			return
		}
	}
}

// flush writes out what is buffered.
func (b *bufferedWriter) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.w.Flush()
}

// Close flushes the last lines and stops the flushing goroutine.
func (b *bufferedWriter) Close() error {
	close(b.stop)
	<-b.done
	return nil
}
