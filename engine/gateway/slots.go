package gateway

import (
	"sync"
	"sync/atomic"
)

// Connection slots shared by the event loops. The connections of every
// loop to one upstream are bounded by MaxConnsPerUpstream; a request that
// finds none free and none idle on its loop waits, and the waiting
// requests of all loops are served in the order they began to wait:
//
//	slotOrWait    takes a free slot, or queues the request's loop in the
//	              upstream's FIFO of waiters (one entry per request)
//	giveBackSlot  a connection closed (or a dial failed): its slot goes
//	              to the loop at the head of the FIFO, on that loop
//	              (Loop.Run with a task made once), or back to the pool
//	putIdle       a connection freed while requests wait goes to its own
//	              loop's waiter when that loop heads the FIFO; otherwise
//	              it is closed, which gives its slot to the head
//	shedIdle      a request that begins to wait asks a loop that keeps an
//	              idle connection to the upstream to close it
//
// A slot handed on is never counted free in between, so a request that
// arrives meanwhile cannot take it ahead of one that waits. Each loop
// keeps its own queue of waiting requests per upstream; an entry of the
// FIFO stands for one of them. A request that gave up (503 after
// PoolWait) or whose client left keeps its entry: the slot granted for
// it goes to its loop's next waiter, or on to the next entry. So every
// waiting request has an entry ahead of it in the FIFO or is served,
// whichever loop frees a slot. In steady state nothing is allocated: the
// FIFO and the queues reuse their arrays, and the tasks handed to other
// loops are made once per loop and upstream (gnet's Execute allocates its
// own small task record per hand-over).

// slotPool is an upstream's share of connection slots among the loops.
type slotPool struct {
	// mu guards open and the FIFO.
	mu   sync.Mutex
	open int64 // slots held: connections open or being dialled
	max  int64
	// fifo holds the loops of the waiting requests from head; its
	// array is reused.
	fifo []*loopState
	head int
	// waiters mirrors len(fifo)-head for a look without the lock.
	waiters atomic.Int32
}

// takeOrWait takes a free slot, or queues ls for the next one freed.
func (p *slotPool) takeOrWait(ls *loopState) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open < p.max {
		p.open++
		return true
	}
	if p.head > 0 && p.head == len(p.fifo) {
		p.fifo, p.head = p.fifo[:0], 0
	}
	p.fifo = append(p.fifo, ls)
	p.waiters.Add(1)
	return false
}

// release gives back a slot: it returns the loop whose waiter gets it,
// still counted, or nil when nobody waits and it is free.
func (p *slotPool) release() *loopState {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.head == len(p.fifo) {
		p.open--
		return nil
	}
	return p.pop()
}

// popIfHead removes the head of the FIFO when it is ls, and reports
// whether it did.
func (p *slotPool) popIfHead(ls *loopState) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.head == len(p.fifo) || p.fifo[p.head] != ls {
		return false
	}
	p.pop()
	return true
}

// pop removes and returns the head of the FIFO; p.mu is held.
func (p *slotPool) pop() *loopState {
	ls := p.fifo[p.head]
	p.fifo[p.head] = nil
	p.head++
	p.waiters.Add(-1)
	if p.head == len(p.fifo) {
		p.fifo, p.head = p.fifo[:0], 0
	}
	return ls
}

// giveBackSlot gives back a slot of u that a connection of ls held: to
// the longest waiting request, on its loop, or to the pool.
func (ls *loopState) giveBackSlot(u *upstream) {
	for {
		to := u.loopSlots.release()
		switch {
		case to == nil:
			return
		case to == ls:
			to.slotGranted(u)
			return
		case to.loop.Run(to.grants[u.index]) == nil:
			return
		}
		// That loop has stopped: the slot goes to the next.
	}
}

// slotGranted runs on ls's loop with a slot of u held for its waiter:
// the first still waiting dials with it, or the slot is handed on.
func (ls *loopState) slotGranted(u *upstream) {
	if x := ls.nextWaiting(u); x != nil {
		x.dial()
		return
	}
	ls.giveBackSlot(u)
}

// wait queues x for a slot of its upstream, after takeOrWait failed, and
// asks a loop that keeps an idle connection to it to close one.
func (ls *loopState) wait(x *exchange) {
	u := x.u
	ls.waiting[u.index] = append(ls.waiting[u.index], x)
	if ls.idleCount[u.index].Load() > 0 {
		ls.shedIdle(u)
		return
	}
	ls.h.mu.Lock()
	defer ls.h.mu.Unlock()
	for _, other := range ls.h.states {
		if other != ls && other.idleCount[u.index].Load() > 0 {
			_ = other.loop.Run(other.sheds[u.index])
			return
		}
	}
}

// shedIdle closes the oldest idle connection of ls to u, whose slot then
// goes to the longest waiting request.
func (ls *loopState) shedIdle(u *upstream) {
	if len(ls.idle[u.index]) > 0 {
		ls.closeOldestIdle(u.index)
	}
}

// makeSlotTasks makes, once per loop, the tasks other loops hand to ls.
func (ls *loopState) makeSlotTasks(upstreams []*upstream) {
	ls.grants = make([]func(), len(upstreams))
	ls.sheds = make([]func(), len(upstreams))
	ls.idleCount = make([]atomic.Int32, len(upstreams))
	for i, u := range upstreams {
		ls.grants[i] = func() { ls.slotGranted(u) }
		ls.sheds[i] = func() { ls.shedIdle(u) }
	}
}
