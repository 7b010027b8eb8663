package engine

import (
	"context"
	stderrors "errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// The acceptor's states: accepting, then stopped for a drain (the accept
// queue is served before the listener closes) or for Close (the listener
// closes at once).
const (
	accepting int32 = iota
	stopDrain
	stopClose
)

// Accept failures are retried after a pause that doubles from
// acceptBackoffMin to acceptBackoffMax, as net/http does: a process out
// of file descriptors must not spin.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
)

// acceptor owns the listening socket. It accepts connections on its own
// goroutine and enrolls each with one of gnet's event loops, which then
// serve it as if gnet had accepted it (OnOpen, OnTraffic, OnClose). gnet
// cannot stop accepting without stopping every connection with it; owning
// the socket lets a drain stop accepting at once while the connections
// already open finish, and lets the socket be inherited from, or shared
// with, another process.
type acceptor struct {
	srv *Server
	ln  net.Listener
	eng gnet.Engine

	state    atomic.Int32
	stopOnce sync.Once
	stopped  chan struct{} // closed by stop, to cut a backoff short
	// done is closed once the listener is closed and, after a drain's
	// stop, every accepted connection is open on a loop or failed.
	done chan struct{}
	// pending holds the results of enrollments not known to be finished;
	// only the accept goroutine touches it.
	pending []<-chan gnet.RegisteredResult
	errs    acceptErrors
}

// newAcceptor returns an acceptor that enrolls what ln accepts with eng.
func newAcceptor(s *Server, ln net.Listener, eng gnet.Engine) *acceptor {
	return &acceptor{srv: s, ln: ln, eng: eng, done: make(chan struct{}), stopped: make(chan struct{}),
		errs: acceptErrors{logger: s.cfg.Logger}}
}

// run accepts until stopped. Stopped for a drain, it then takes what is
// left in the kernel's accept queue, so that closing the socket resets
// no client whose connection the kernel had completed, closes the
// listener, and waits until every connection it accepted is open.
func (a *acceptor) run() {
	defer close(a.done)
	backoff := time.Duration(0)
	var last net.Conn // accepted as the acceptor stopped
	for {
		c, err := a.ln.Accept()
		if a.state.Load() != accepting {
			last = c
			break
		}
		if err != nil {
			if stderrors.Is(err, net.ErrClosed) {
				// Closed under the server by its owner: nothing more comes.
				break
			}
			a.errs.add(err, time.Now())
			backoff = min(max(2*backoff, acceptBackoffMin), acceptBackoffMax)
			pause := time.NewTimer(backoff)
			select {
			case <-pause.C:
			case <-a.stopped:
				pause.Stop()
			}
			continue
		}
		backoff = 0
		if a.errs.count > 0 {
			a.errs.settle(time.Now())
		}
		a.enroll(c)
	}
	var queued []int
	if a.state.Load() == stopDrain {
		queued = a.takeQueue()
	}
	// Closed right after the queue is emptied: a connection the kernel
	// completes in between is reset, and that window is kept to a few
	// system calls.
	_ = a.ln.Close()
	if last != nil {
		a.enroll(last)
	}
	a.enrollQueued(queued)
	a.errs.flush(time.Now())
	if a.state.Load() == stopDrain {
		// The loops run until the drain ends: each enrollment finishes.
		for _, ch := range a.pending {
			<-ch
		}
	}
	a.pending = nil
}

// stop ends accepting, for a drain (drain) or for Close. It does not wait:
// done says when the listener is closed.
func (a *acceptor) stop(drain bool) {
	a.stopOnce.Do(func() {
		defer close(a.stopped)
		d, ok := a.ln.(interface{ SetDeadline(time.Time) error })
		if drain && ok {
			a.state.Store(stopDrain)
			// A deadline in the past wakes the blocked Accept without
			// closing the socket, which the sweep still needs.
			if d.SetDeadline(time.Unix(1, 0)) == nil {
				return
			}
		}
		a.state.Store(stopClose)
		_ = a.ln.Close()
	})
}

// enroll hands c to an event loop. gnet's Register duplicates the socket,
// opens the duplicate on a loop (OnOpen runs there) and closes c. Only
// this goroutine calls Register, which makes gnet's default round-robin
// choice of loop safe (Register's doc warns about concurrent callers).
func (a *acceptor) enroll(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok && a.srv.cfg.TCPDelay {
		_ = tc.SetNoDelay(false)
	}
	ch, err := a.eng.Register(gnet.NewNetConnContext(context.Background(), c))
	if err != nil {
		_ = c.Close()
		a.errs.add(err, time.Now())
		return
	}
	a.pending = append(a.prune(), ch)
}

// prunePending is how many unfinished enrollments may pile up before
// prune looks for finished ones.
const prunePending = 64

// prune drops the enrollments that have finished, logging failures, and
// returns what is left.
func (a *acceptor) prune() []<-chan gnet.RegisteredResult {
	if len(a.pending) < prunePending {
		return a.pending
	}
	left := a.pending[:0]
	for _, ch := range a.pending {
		select {
		case r, ok := <-ch:
			if ok && r.Err != nil {
				a.errs.add(r.Err, time.Now())
			}
		default:
			left = append(left, ch)
		}
	}
	clear(a.pending[len(left):])
	return left
}

// takeQueue accepts, without waiting, every connection left in the
// listener's accept queue, and returns their descriptors: those clients
// connected before the drain stopped accepting, and may have sent a
// request already.
func (a *acceptor) takeQueue() []int {
	sc, ok := a.ln.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	var fds []int
	_ = rc.Control(func(fd uintptr) {
		for {
			// The listener is non-blocking: EAGAIN says the queue is empty.
			nfd, err := acceptFD(int(fd))
			if err == syscall.EINTR || err == syscall.ECONNABORTED {
				continue
			}
			if err != nil {
				return
			}
			fds = append(fds, nfd)
		}
	})
	return fds
}

// enrollQueued enrolls the connections takeQueue accepted.
func (a *acceptor) enrollQueued(fds []int) {
	for _, fd := range fds {
		f := os.NewFile(uintptr(fd), "accepted")
		c, err := net.FileConn(f)
		_ = f.Close()
		if err != nil {
			a.errs.add(err, time.Now())
			continue
		}
		a.enroll(c)
	}
}

// acceptErrors logs accept failures at most once a second, with how many
// there were since the last line: a process out of file descriptors fails
// every accept, and must not flood its log. Only the accept goroutine
// touches it.
type acceptErrors struct {
	logger *slog.Logger
	last   time.Time // when the last line was logged
	count  int       // failures since the last line
	err    error     // the latest failure
}

// add records a failure at now, and logs when a second has passed since
// the last line.
func (e *acceptErrors) add(err error, now time.Time) {
	e.count++
	e.err = err
	e.settle(now)
}

// settle logs the failures not logged yet once a second has passed since
// the last line, so that the count of a burst that ended is not held back.
func (e *acceptErrors) settle(now time.Time) {
	if now.Sub(e.last) >= time.Second {
		e.flush(now)
	}
}

// flush logs the failures not logged yet.
func (e *acceptErrors) flush(now time.Time) {
	if e.count == 0 {
		return
	}
	e.logger.Error("engine: accept failed", "err", e.err, "count", e.count)
	e.count, e.err, e.last = 0, nil, now
}
