package engine

import (
	"net/http"
	"sync/atomic"
	"time"
)

// clock is the server's coarse time: a tick counter for the timing wheels
// and the Date field's value, both refreshed by the ticker so that the hot
// path reads the time with one atomic load instead of a clock call.
type clock struct {
	start time.Time
	every time.Duration
	ticks atomic.Int64
	// serverLine is the rendered Server field ("" for none), part of
	// every stamp's okHead.
	serverLine string
	// current is the stamp of this second; each refresh stores a new one,
	// so a loop holding the old one is never raced.
	current atomic.Pointer[stamp]
	lastSec int64 // only the ticker goroutine touches it
}

// stamp is what responses take from the clock for one second.
type stamp struct {
	date [29]byte // the IMF-fixdate
	// serverLine is the rendered Server field ("" for none), for
	// responses that do not start with okHead.
	serverLine string
	// okHead is the start of a 200 response up to its Date field:
	// "HTTP/1.1 200 OK\r\n", the Server field, "Date: ...\r\n". Most
	// responses begin with it, and copy it with one append.
	okHead []byte
}

// newClock returns a clock that ticks every d, for responses that carry
// serverLine.
func newClock(d time.Duration, serverLine string) *clock {
	c := &clock{start: time.Now(), every: d, serverLine: serverLine}
	c.refresh()
	return c
}

// refresh updates the tick count and, once a second, the Date value. Only
// the ticker goroutine calls it (and newClock before that).
func (c *clock) refresh() {
	now := time.Now()
	c.ticks.Store(int64(now.Sub(c.start) / c.every))
	if sec := now.Unix(); sec != c.lastSec || c.current.Load() == nil {
		c.lastSec = sec
		st := &stamp{serverLine: c.serverLine}
		now.UTC().AppendFormat(st.date[:0], http.TimeFormat)
		st.okHead = append(append([]byte("HTTP/1.1 200 OK\r\n"), c.serverLine...), "Date: "...)
		st.okHead = append(append(st.okHead, st.date[:]...), '\r', '\n')
		c.current.Store(st)
	}
}

// nanotime returns monotonic nanoseconds since the clock was made; it
// reads the real clock, for measuring waits off the hot path. time.Since
// of a time with a monotonic reading reads only the monotonic clock.
func (c *clock) nanotime() int64 { return int64(time.Since(c.start)) }

// now returns the current tick.
func (c *clock) now() int64 { return c.ticks.Load() }

// date returns the current Date value; the bytes are never modified.
func (c *clock) date() []byte { return c.current.Load().date[:] }

// stamp returns the current second's stamp; it is never modified.
func (c *clock) stamp() *stamp { return c.current.Load() }

// after returns the first tick at which d from now has surely passed. The
// current tick began up to one tick ago, so d is counted from its end: a
// deadline fires up to one tick late, never early.
func (c *clock) after(d time.Duration) int64 {
	return c.now() + 1 + int64((d+c.every-1)/c.every)
}
