package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/panjf2000/gnet/v2"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// drainIdleGrace is how long a drain leaves an idle keep-alive connection
// open before closing it. A client may be sending its next request on it
// just as the drain begins; closing at once would lose that request (the
// client sees EOF or a reset after writing it). Within the grace such a
// request is served, with Connection: close.
const drainIdleGrace = time.Second

// drainPoll is how often Shutdown looks whether the connections are done.
const drainPoll = 5 * time.Millisecond

// loopTaskWait bounds how long Shutdown waits for each loop to run a
// task; a loop busy in a long inline handler must not hold it forever.
const loopTaskWait = time.Second

// errDraining answers a request that cannot be served before the end of
// the drain: one still in progress, or just arrived, when Shutdown's
// context ended.
var errDraining = httperrors.NewClosing(httperrors.StatusServiceUnavailable,
	"the server is shutting down")

// ShutdownError is Shutdown's result when its context ended before the
// drain was complete: the requests still in progress were cut off.
type ShutdownError struct {
	// CutOff counts the requests in progress when the context ended
	// (one per connection that had one): each was answered 503 with
	// Retry-After where no part of its response had been sent, or its
	// connection was closed.
	CutOff int
	// Err is the context's error.
	Err error
}

// Error says how many requests the drain cut off, and why.
func (e *ShutdownError) Error() string {
	return fmt.Sprintf("engine: drain cut off %d requests in progress: %v", e.CutOff, e.Err)
}

// Unwrap returns the context's error, so that errors.Is(err,
// context.DeadlineExceeded) holds after a timed-out drain.
func (e *ShutdownError) Unwrap() error { return e.Err }

// Shutdown stops the server gracefully.
//
// It stops accepting at once: connections the kernel had already
// completed are taken from the accept queue and served, then the listener
// closes, so a new connection is refused by the kernel, or goes to another
// process listening on the same port; none is accepted and dropped. Every
// request on an open connection is served; the response to the last one
// its client has sent says Connection: close (requests pipelined behind
// it are answered first). An idle keep-alive connection stays open for a
// grace of a second, in case a request is on its way, and closes after
// it.
//
// Shutdown returns nil once every connection has closed or sent its last
// response. When ctx ends first, each request still in progress is
// answered 503 with Retry-After (or its connection closed, when part of
// its response has left), every connection closes, and Shutdown returns
// a *ShutdownError wrapping ctx.Err() that counts them.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.mu.Lock()
	acc := s.acceptor
	s.mu.Unlock()
	if acc == nil {
		return nil
	}
	acc.stop(true)
	select {
	case <-acc.done:
	case <-ctx.Done():
		return s.cutOff(ctx)
	}
	s.onEachLoop((*loop).graceIdle)
	poll := time.NewTicker(drainPoll)
	defer poll.Stop()
	for s.openConns.Load() > s.lingering.Load() {
		select {
		case <-ctx.Done():
			return s.cutOff(ctx)
		case <-poll.C:
		}
	}
	return s.Close()
}

// cutOff ends a drain whose context ended: it answers the requests in
// progress 503, closes everything and returns the ShutdownError.
func (s *Server) cutOff(ctx context.Context) error {
	s.drainExpired.Store(true)
	n := s.onEachLoop((*loop).cutOff)
	if err := s.Close(); err != nil {
		s.cfg.Logger.Error("engine: close after the drain", "err", err)
	}
	return &ShutdownError{CutOff: n, Err: ctx.Err()}
}

// onEachLoop runs f on every event loop, on the loop's goroutine, and
// returns the sum of what f returned, waiting at most loopTaskWait.
func (s *Server) onEachLoop(f func(*loop) int) int {
	s.mu.Lock()
	loops := make([]*loop, 0, len(s.loops))
	for _, l := range s.loops {
		loops = append(loops, l)
	}
	s.mu.Unlock()
	results := make(chan int, len(loops))
	for _, l := range loops {
		err := l.el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
			results <- f(l)
			return nil
		}))
		if err != nil {
			results <- 0
		}
	}
	timeout := time.NewTimer(loopTaskWait)
	defer timeout.Stop()
	sum := 0
	for range loops {
		select {
		case n := <-results:
			sum += n
		case <-timeout.C:
			return sum
		}
	}
	return sum
}

// closesForDrain reports whether a response closes its connection because
// a drain began. The last request a client has sent is answered with
// Connection: close; one it has pipelined behind others, already
// received (pipelined), is answered after them, so that a drain drops
// none of the requests a client managed to send.
func (s *Server) closesForDrain(pipelined bool) bool {
	return !pipelined && s.draining.Load()
}

// SetReady says whether the server wants traffic: with false, Ready
// reports false and ReadinessHandler answers 503, while every other
// request is served as before. A process about to drain calls
// SetReady(false) first and waits for its load balancer to notice.
func (s *Server) SetReady(ready bool) { s.notReady.Store(!ready) }

// graceIdle starts the drain on the loop: each connection waiting for a
// request with nothing received closes after drainIdleGrace unless a
// request arrives first.
func (l *loop) graceIdle() int {
	deadline := l.srv.drainIdleDeadline()
	for c := range l.conns {
		if c.timer.kind == timerIdle && c.timer.deadline > deadline {
			l.wheel.arm(c, timerIdle, deadline)
		}
	}
	return 0
}

// drainIdleDeadline returns the tick at which a connection idle from now
// closes during a drain: after at least drainIdleGrace (the wheel's ticks
// round a deadline up, and one more tick makes the grace a lower bound).
func (s *Server) drainIdleDeadline() int64 {
	return s.clock.after(drainIdleGrace) + 1
}

// idleDeadline returns the tick at which c, waiting for its next request,
// closes: after the idle timeout, or the shorter grace once a drain began.
func (c *conn) idleDeadline(timeout time.Duration) int64 {
	d := c.srv.clock.after(timeout)
	if c.srv.draining.Load() {
		d = min(d, c.srv.drainIdleDeadline())
	}
	return d
}

// cutOff ends the loop's connections when a drain ran out of time: a
// request in progress is answered 503 with Retry-After, unless part of its
// response has left (a worker began to write it, an asynchronous reply
// sent its head, or output is backed up) or its body is being read off
// the loop, in which case its connection only closes. It returns
// how many requests it cut off.
func (l *loop) cutOff() int {
	n := 0
	for c := range l.conns {
		if c.state == stateClosed || c.finishing() {
			continue
		}
		if c.detached != nil {
			// Its body is being read off the loop, where a goroutine
			// holds the socket: a 503 could only go out once the socket
			// is back on the loop (as a refused body's answer does),
			// which the Close after cutOff does not wait for. The
			// request is cut off as one whose response has begun.
			n++
			c.close()
			continue
		}
		busy := c.state != stateIdle || c.t.InboundBuffered() > 0
		if !busy {
			continue
		}
		n++
		if c.state == stateStalled || (c.pending != nil && !c.pending.claimOutput(outputCutOff)) || (c.reply != nil && c.reply.headSent) {
			c.close()
			continue
		}
		if r := c.reply; r != nil {
			c.reply = nil
			r.abandon()
		}
		c.reject(l.srv.errDraining)
	}
	return n
}
