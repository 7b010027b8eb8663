package gateway

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/parser"
)

// Each event loop keeps its own upstream connections: a LIFO stack of idle
// ones per upstream (the most recently used first, so the others age out
// and a quiet period closes them), the exchanges waiting for a connection
// slot, and the scratch buffers its exchanges reuse. The loop alone
// touches it, so nothing is locked; the only shared state is each
// upstream's count of open connections, bounded by MaxConnsPerUpstream.

// loopState is one event loop's share of a Handler.
type loopState struct {
	h    *Handler
	loop *engine.Loop
	// idle holds, per upstream (by index), the connections that carry no
	// request, the most recently used last.
	idle [][]*upConn
	// waiting holds, per upstream, the exchanges waiting for a slot.
	waiting [][]*exchange
	// free are exchanges ready for reuse.
	free []*exchange
	// text is the scratch renderRequest gathers field text in.
	text requestText
	// idleCount mirrors len(idle[i]) for other loops to look at; grants
	// and sheds are the tasks other loops hand this one (slots.go).
	idleCount     []atomic.Int32
	grants, sheds []func()
}

// maxFreeExchanges bounds a loop's pool of exchanges.
const maxFreeExchanges = 1024

// loopStateOf returns h's state on loop, made on first use.
func (h *Handler) loopStateOf(loop *engine.Loop) *loopState {
	if ls, ok := loop.Value(h).(*loopState); ok {
		return ls
	}
	n := len(h.balancer.upstreams)
	ls := &loopState{h: h, loop: loop, idle: make([][]*upConn, n), waiting: make([][]*exchange, n)}
	ls.makeSlotTasks(h.balancer.upstreams)
	loop.SetValue(h, ls)
	loop.EachTick(ls.closeIdle)
	h.mu.Lock()
	h.states = append(h.states, ls)
	h.mu.Unlock()
	return ls
}

// closeAllIdle closes every idle connection of the loop.
func (ls *loopState) closeAllIdle() {
	for i, stack := range ls.idle {
		ls.idle[i] = nil
		ls.idleCount[i].Store(0)
		for _, uc := range stack {
			uc.pc.Close()
		}
	}
}

// closeIdle closes the idle connections that waited past the idle
// timeout.
func (ls *loopState) closeIdle() {
	now := time.Now()
	for i := range ls.idle {
		ls.expireIdle(i, now)
	}
}

// expireIdle closes the idle connections to upstream i that waited past
// the idle timeout at now: the oldest, at the bottom of the stack.
func (ls *loopState) expireIdle(i int, now time.Time) {
	for stack := ls.idle[i]; len(stack) > 0; stack = ls.idle[i] {
		if now.Sub(stack[0].idleSince) < ls.h.opts.IdleConnTimeout {
			return
		}
		ls.closeOldestIdle(i)
	}
}

// closeOldestIdle closes the oldest idle connection to upstream i, at the
// bottom of its stack, which must not be empty. PeerClosed finds it gone
// from the stack and gives its slot back.
func (ls *loopState) closeOldestIdle(i int) {
	stack := ls.idle[i]
	old := stack[0]
	stack[0] = nil
	ls.idle[i] = stack[1:]
	ls.idleCount[i].Add(-1)
	old.pc.Close()
}

// acquire returns an exchange from the pool, or a new one.
func (ls *loopState) acquire() *exchange {
	if n := len(ls.free); n > 0 {
		x := ls.free[n-1]
		ls.free = ls.free[:n-1]
		return x
	}
	return &exchange{ls: ls, h: ls.h}
}

// release returns x to the pool.
func (ls *loopState) release(x *exchange) {
	x.reset()
	if len(ls.free) < maxFreeExchanges {
		ls.free = append(ls.free, x)
	}
}

// takeIdle returns the most recently used idle connection to u, closing
// those that idled past the idle timeout at now first, or nil when there
// is none.
func (ls *loopState) takeIdle(u *upstream, now time.Time) *upConn {
	ls.expireIdle(u.index, now)
	stack := ls.idle[u.index]
	if len(stack) == 0 {
		return nil
	}
	uc := stack[len(stack)-1]
	ls.idle[u.index] = stack[:len(stack)-1]
	ls.idleCount[u.index].Add(-1)
	return uc
}

// putIdle keeps uc for the next request to its upstream. While requests
// wait for a slot of it, uc goes to this loop's first waiter when this
// loop heads the wait; otherwise it is closed, and its slot goes to the
// head, on whichever loop (slots.go).
func (ls *loopState) putIdle(uc *upConn) {
	uc.idleSince = time.Now()
	u := uc.u
	if u.loopSlots.waiters.Load() > 0 {
		if u.loopSlots.popIfHead(ls) {
			if x := ls.nextWaiting(u); x != nil {
				x.send(uc)
				return
			}
		}
		uc.pc.Close()
		return
	}
	ls.idle[u.index] = append(ls.idle[u.index], uc)
	ls.idleCount[u.index].Add(1)
}

// dropIdle removes uc from the idle stack, if it is there.
func (ls *loopState) dropIdle(uc *upConn) {
	stack := ls.idle[uc.u.index]
	for i, c := range stack {
		if c == uc {
			ls.idle[uc.u.index] = append(stack[:i], stack[i+1:]...)
			stack[len(stack)-1] = nil
			ls.idleCount[uc.u.index].Add(-1)
			return
		}
	}
}

// nextWaiting removes and returns the first exchange waiting for a slot
// of u whose client is still there, or nil.
func (ls *loopState) nextWaiting(u *upstream) *exchange {
	for q := ls.waiting[u.index]; len(q) > 0; q = ls.waiting[u.index] {
		x := q[0]
		ls.waiting[u.index] = q[1:]
		if x.state == waitingSlot && x.u == u {
			return x
		}
	}
	return nil
}

// upConn is one upstream connection served on a loop.
type upConn struct {
	ls *loopState
	u  *upstream
	pc *engine.PeerConn
	// x is the exchange the connection carries, nil while idle.
	x      *exchange
	parser parser.ResponseParser
	resp   parser.Response
	// used: the connection carried a request before the current one.
	used bool
	// detached: the connection left the loop (exchange.detach); its
	// slot is the detached reader's to give back.
	detached  bool
	idleSince time.Time
}

// PeerOpened hands the new connection to the exchange that dialled it,
// or keeps it idle when that exchange's client is gone.
func (uc *upConn) PeerOpened(pc *engine.PeerConn) {
	uc.pc = pc
	x := uc.x
	uc.x = nil
	if x.state != dialing {
		x.ls.release(x)
		uc.ls.putIdle(uc)
		return
	}
	x.send(uc)
}

// PeerTraffic relays what the upstream sent to the exchange's client.
func (uc *upConn) PeerTraffic(pc *engine.PeerConn) {
	if uc.x == nil {
		// An idle connection that speaks: nothing was asked, so nothing
		// it says can be trusted; it is not reused.
		pc.Close()
		return
	}
	uc.x.relay()
}

// PeerClosed forgets the connection; an exchange it carried learns why.
func (uc *upConn) PeerClosed(_ *engine.PeerConn, err error) {
	if uc.detached {
		return
	}
	if x := uc.x; x != nil {
		uc.x = nil
		if x.upstreamClosed(err) {
			return // the slot went to the request's new connection
		}
	} else {
		uc.ls.dropIdle(uc)
	}
	uc.ls.giveBackSlot(uc.u)
}

// errEnrollFailed wraps a failure to put a dialled connection on a loop.
var errEnrollFailed = errors.New("gateway: the upstream connection could not join the event loop")

// dialUpstream dials u off the loop and enrolls the connection on x's
// loop, where PeerOpened hands it to x; a failure goes back to x on the
// loop.
func (h *Handler) dialUpstream(x *exchange, u *upstream) {
	loop := x.ls.loop
	uc := &upConn{ls: x.ls, u: u, x: x}
	go func() {
		conn, err := h.dialer.DialContext(context.Background(), "tcp", u.host)
		if err == nil {
			if err = loop.Enroll(conn, uc); err != nil {
				err = &dialError{op: opConnect, err: errors.Join(errEnrollFailed, err)}
			}
		}
		if err != nil {
			_ = loop.Run(func() { x.dialFailed(err) })
		}
	}()
}
