package engine

import (
	"runtime/debug"
	"sync/atomic"
	"time"
)

// largeBuffered is how many bytes a closing connection must hold in
// gnet's buffers (unread requests and unsent responses) for its release
// to count as large.
const largeBuffered = 64 << 10

// memoryReturnEvery bounds how often the engine hands memory back to the
// operating system: each return is a full garbage collection.
const memoryReturnEvery = time.Second

// memoryReturnRounds is how many returns follow a large release: buffers
// go back to pools (sync.Pool) first, which keep them through one
// collection and drop them at the next.
const memoryReturnRounds = 2

// memoryReturn hands the memory of large connection buffers back to the
// operating system soon after the connections that held them closed.
// Go's scavenger returns freed memory at its own slow pace, and a server
// that goes quiet after a burst collects no garbage at all: memory taken
// by hostile clients (that pipeline requests and never read) stayed
// resident for minutes after they left. Loops note a large release; the
// ticker goroutine, at most once a second, forces a collection and
// returns what it freed (debug.FreeOSMemory).
type memoryReturn struct {
	// released is set by a loop that closed a connection holding large
	// buffers.
	released atomic.Bool
	// rounds and last are the ticker goroutine's alone.
	rounds int       // returns still due
	last   time.Time // when memory was last returned
	// free returns memory; nil means debug.FreeOSMemory.
	free func()
}

// noteRelease records that a connection holding buffered bytes closed.
// Any loop may call it.
func (m *memoryReturn) noteRelease(buffered int) {
	if buffered >= largeBuffered && !m.released.Load() {
		m.released.Store(true)
	}
}

// tick returns memory to the operating system when a large release asks
// for it and the last return is a second old. Only the ticker goroutine
// calls it.
func (m *memoryReturn) tick(now time.Time) {
	if m.released.Swap(false) {
		m.rounds = memoryReturnRounds
	}
	if m.rounds == 0 || now.Sub(m.last) < memoryReturnEvery {
		return
	}
	m.rounds--
	m.last = now
	if m.free != nil {
		m.free()
		return
	}
	debug.FreeOSMemory()
}
