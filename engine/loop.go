package engine

import (
	"context"

	"github.com/panjf2000/gnet/v2"

	"github.com/rawhttpd/rawhttpd/parser"
)

// maxFreeExchanges bounds a loop's pool of parse states; a burst beyond it
// is left to the garbage collector.
const maxFreeExchanges = 1024

// loop is the state one event loop owns: scratch reused by every
// connection on it, since the loop serves one batch at a time. Only the
// loop's goroutine touches it.
type loop struct {
	srv *Server
	el  gnet.EventLoop
	out []byte // the batch's responses, written with one write
	// iov holds the batch and a shared body for one writev (sendShared),
	// so that the call allocates nothing.
	iov  [2][]byte
	ctx  Context // the handler context, reused per request
	free []*exchange
	// pub is the loop as code running on it sees it.
	pub Loop
	// freeReplies are asynchronous replies ready for reuse.
	freeReplies []*Reply
	wheel       wheel
	// conns holds the loop's open connections, for a drain to visit
	// (the wheel holds only those with a deadline).
	conns map[*conn]struct{}
	// counts are this loop's counters, plain since only the loop writes
	// them; publish adds them to the server's atomics.
	counts, published loopCounts
	// jobs counts the blocking jobs this loop started, to sample their
	// queue wait.
	jobs uint64
	// sweep is handed to el.Execute by the ticker; made once so a tick
	// allocates nothing.
	sweep gnet.RunnableFunc

	// The hand-off of blocking work (handoff.go). yieldPosted: the
	// batch's afterHandOvers is posted. finished takes the jobs the
	// workers completed; finishing is the spare list it swaps in.
	yieldPosted                        bool
	finished                           finishedJobs
	finishing                          []*job
	afterHandOversTask, finishJobsTask gnet.RunnableFunc
}

// exchange is the parse state of a connection that has a request in
// progress. Idle connections hold none: it goes back to the loop's pool, so
// an idle connection costs only its conn.
type exchange struct {
	parser  *parser.Parser
	req     parser.Request
	sent100 bool // "100 Continue" was sent for the request in progress
}

// newLoop returns the state for event loop el.
func newLoop(s *Server, el gnet.EventLoop) *loop {
	l := &loop{srv: s, el: el, conns: make(map[*conn]struct{})}
	l.pub.l = l
	l.newHandOffTasks()
	l.wheel.now = s.clock.now()
	l.sweep = func(context.Context) error {
		l.wheel.advance(l.srv.clock.now(), l.expire)
		for _, fn := range l.pub.ticks {
			fn()
		}
		l.publish()
		return nil
	}
	return l
}

// acquire returns a reset exchange from the pool, or a new one.
func (l *loop) acquire() *exchange {
	if n := len(l.free); n > 0 {
		x := l.free[n-1]
		l.free = l.free[:n-1]
		return x
	}
	return &exchange{parser: parser.New(l.srv.parserConfig)}
}

// release resets x and returns it to the pool.
func (l *loop) release(x *exchange) {
	x.parser.Reset()
	x.req.Reset()
	x.sent100 = false
	if len(l.free) < maxFreeExchanges {
		l.free = append(l.free, x)
	}
}

// expire acts on a connection whose deadline passed.
func (l *loop) expire(c *conn) {
	switch c.timer.kind {
	case timerIdle:
		if l.srv.draining.Load() {
			// The drain's grace is over: close gracefully, so that a
			// request crossing the close meets EOF rather than a reset.
			c.setState(stateClosing)
			c.finish()
			return
		}
		c.close()
	case timerLinger:
		c.close()
	case timerHeader, timerBody:
		c.timeOut()
	case timerWrite:
		c.checkOutput()
	case timerReply:
		if c.reply != nil {
			c.reply.expired()
		}
	}
}
