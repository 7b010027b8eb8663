package engine

import (
	"net/http"
	"sync/atomic"
	"time"
	_ "unsafe" // for go:linkname
)

// clock is the server's coarse time: a tick counter for the timing wheels
// and the Date field's value, both refreshed by the ticker so that the hot
// path reads the time with one atomic load instead of a clock call.
type clock struct {
	start time.Time
	every time.Duration
	ticks atomic.Int64
	// dateValue is the current IMF-fixdate; each refresh stores a new
	// array, so a loop holding the old one is never raced.
	dateValue atomic.Pointer[[29]byte]
	lastSec   int64 // only the ticker goroutine touches it
}

// newClock returns a clock that ticks every d.
func newClock(d time.Duration) *clock {
	c := &clock{start: time.Now(), every: d}
	c.refresh()
	return c
}

// refresh updates the tick count and, once a second, the Date value. Only
// the ticker goroutine calls it (and newClock before that).
func (c *clock) refresh() {
	now := time.Now()
	c.ticks.Store(int64(now.Sub(c.start) / c.every))
	if sec := now.Unix(); sec != c.lastSec || c.dateValue.Load() == nil {
		c.lastSec = sec
		var d [29]byte
		now.UTC().AppendFormat(d[:0], http.TimeFormat)
		c.dateValue.Store(&d)
	}
}

// nanotime returns monotonic nanoseconds since an arbitrary origin; it
// reads the real clock, for measuring waits off the hot path. It is the
// runtime's monotonic clock, which time.Since reads too, without the wall
// clock time.Now adds: every blocking request reads it three times.
func (c *clock) nanotime() int64 { return runtimeNanotime() }

// runtimeNanotime is the runtime's monotonic clock. The runtime keeps
// this name linkable for packages outside it.
//
//go:linkname runtimeNanotime runtime.nanotime
func runtimeNanotime() int64

// now returns the current tick.
func (c *clock) now() int64 { return c.ticks.Load() }

// date returns the current Date value; the bytes are never modified.
func (c *clock) date() []byte { return c.dateValue.Load()[:] }

// after returns the tick at which d from now has passed, rounded up.
func (c *clock) after(d time.Duration) int64 {
	return c.now() + int64((d+c.every-1)/c.every)
}
