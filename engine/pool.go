package engine

import (
	"sync"
	"sync/atomic"
)

// pool is the bounded worker pool of blocking handlers: a fixed set of
// goroutines fed by a bounded queue. A full queue is answered 503, never
// waited on, so the event loop never blocks. A place in the queue is
// reserved when the request is dispatched, and the job queued once the
// batch's earlier responses are written: the push then never waits.
//
// A worker that finishes a job takes the next one queued without parking,
// and a queued job wakes a parked worker only when no worker is already
// on its way to the queue (searching): a loop that queues the jobs of one
// batch of reads and then yields its P has them all served by one worker
// in a row, instead of paying a goroutine switch each way per job. A
// worker that takes a job and leaves more queued wakes the next one, so a
// handler that blocks never holds up the jobs behind it while a worker is
// parked.
type pool struct {
	// mu guards queue, parked and stopped, and every change of searching.
	mu      sync.Mutex
	queue   jobRing
	parked  []*poolWorker
	stopped bool
	// searching counts the workers woken that have not yet looked at the
	// queue; read without mu by a loop deciding whether to yield.
	searching atomic.Int32

	// capacity is how many jobs the queue holds (Config.QueueLen).
	capacity int64
	// reserved counts the places taken in the queue: queued, or about to be.
	reserved atomic.Int64
	wg       sync.WaitGroup
}

// poolWorker is a worker goroutine as the pool sees it while it is parked.
type poolWorker struct {
	// wake holds the one wake-up a parked worker is owed.
	wake chan struct{}
}

// newPoolWorker returns a worker ready to take jobs.
func newPoolWorker() *poolWorker { return &poolWorker{wake: make(chan struct{}, 1)} }

// start launches n workers.
func (p *pool) start(n int) {
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			w := newPoolWorker()
			for j := p.take(w, nil); j != nil; j = p.take(w, nil) {
				j.run()
			}
		}()
	}
}

// reserve takes a place in the queue, or reports false when it is full.
func (p *pool) reserve() bool {
	if p.reserved.Add(1) > p.capacity {
		p.reserved.Add(-1)
		return false
	}
	return true
}

// push queues j, whose place reserve took, and wakes a parked worker
// unless one is already on its way to the queue.
func (p *pool) push(j *job) {
	p.mu.Lock()
	p.queue.push(j)
	if p.searching.Load() == 0 {
		p.wakeOne()
	}
	p.mu.Unlock()
}

// take returns the next queued job, parking w until there is one. It
// returns nil once the pool has stopped and its queue is empty, or when
// stop is closed while w waits (ServeBytes's own worker).
func (p *pool) take(w *poolWorker, stop <-chan struct{}) *job {
	p.mu.Lock()
	for p.queue.len() == 0 {
		if p.stopped {
			p.mu.Unlock()
			return nil
		}
		p.parked = append(p.parked, w)
		p.mu.Unlock()
		if stop == nil {
			<-w.wake // a pool worker's wait: a plain receive, cheaper than select
			p.mu.Lock()
			p.searching.Add(-1)
			continue
		}
		select {
		case <-w.wake:
		case <-stop:
			p.mu.Lock()
			if p.unpark(w) {
				p.mu.Unlock()
				return nil
			}
			// Woken as it stopped: hand the wake-up on, so that the job
			// that caused it is not left without a worker.
			p.searching.Add(-1)
			if p.queue.len() > 0 && p.searching.Load() == 0 {
				p.wakeOne()
			}
			p.mu.Unlock()
			return nil
		}
		p.mu.Lock()
		p.searching.Add(-1)
	}
	j := p.queue.pop()
	if p.queue.len() > 0 && p.searching.Load() == 0 {
		p.wakeOne() // j's handler may block: the next job gets a worker
	}
	p.mu.Unlock()
	return j
}

// wakeOne wakes the most recently parked worker, if any; p.mu is held.
func (p *pool) wakeOne() {
	n := len(p.parked)
	if n == 0 {
		return // every worker is busy: each takes a job when it is done
	}
	w := p.parked[n-1]
	p.parked[n-1] = nil
	p.parked = p.parked[:n-1]
	p.searching.Add(1)
	w.wake <- struct{}{} // never waits: a parked worker's wake is empty
}

// unpark removes w from the parked workers and reports whether it was
// there; p.mu is held.
func (p *pool) unpark(w *poolWorker) bool {
	for i, v := range p.parked {
		if v == w {
			p.parked = append(p.parked[:i], p.parked[i+1:]...)
			return true
		}
	}
	return false
}

// awaited reports whether a woken worker has yet to run: a loop that
// keeps its P would hold it back.
func (p *pool) awaited() bool { return p.searching.Load() > 0 }

// queued returns how many jobs wait for a worker.
func (p *pool) queued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queue.len()
}

// stop ends the workers once the queue is empty; it does not wait.
func (p *pool) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.stopped = true
	for len(p.parked) > 0 {
		p.wakeOne()
	}
}

// jobRing is a first-in first-out queue of jobs that grows as needed
// (the pool's reservations keep it within Config.QueueLen).
type jobRing struct {
	buf  []*job
	head int // index of the oldest job
	n    int // jobs held
}

func (r *jobRing) len() int { return r.n }

func (r *jobRing) push(j *job) {
	if r.n == len(r.buf) {
		grown := make([]*job, max(2*len(r.buf), 16))
		for i := 0; i < r.n; i++ {
			grown[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = grown, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = j
	r.n++
}

func (r *jobRing) pop() *job {
	j := r.buf[r.head]
	r.buf[r.head] = nil
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	return j
}
