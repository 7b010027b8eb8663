package engine

import (
	"sync"
	"sync/atomic"
	"time"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// maxRetryAfter caps a Retry-After derived from the drain rate.
const maxRetryAfter = 60

// errShed answers a blocking request shed because the queue's wait
// exceeds the target.
var errShed = httperrors.New(httperrors.StatusServiceUnavailable,
	"the server is overloaded: requests wait too long for a worker")

// shedder is the adaptive load shedder of the worker pool, in the spirit
// of CoDel: it watches how long blocking requests wait in the queue and
// starts shedding only when the wait has stayed above the target for a
// whole interval — a standing queue, not a momentary burst. While it
// sheds, a request is refused when its estimated wait (the queue ahead of
// it, itself included, over the observed drain rate) exceeds the target,
// so accepted requests keep a bounded latency while the workers stay busy.
// It stops shedding only after a whole interval in which no job waited
// even half the target: leaving at the first short wait made it cycle,
// letting a fresh backlog build up each time (bench/README.md has the
// figures).
type shedder struct {
	enabled  bool
	target   int64 // ns
	interval int64 // ns

	shedding atomic.Bool
	// drainNanos is the smoothed time between two completions; its
	// inverse is the drain rate.
	drainNanos atomic.Int64
	waitNanos  atomic.Int64 // smoothed queue wait, for Stats

	// mu guards firstAbove, lastAbove and lastDone, updated by workers.
	mu         sync.Mutex
	firstAbove int64 // when the wait first stayed above target; 0 if below
	lastAbove  int64 // when a job last waited at least half the target
	lastDone   int64

	// completions counts finished jobs while shedding is off, to sample
	// the drain rate.
	completions atomic.Uint64
}

// dequeued records the queue wait of a job a worker took at now.
func (d *shedder) dequeued(wait, now int64) {
	d.waitNanos.Store(ewma(d.waitNanos.Load(), wait))
	if !d.enabled {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if wait >= d.target/2 {
		d.lastAbove = now
	}
	switch {
	case wait >= d.target:
		if d.firstAbove == 0 {
			d.firstAbove = now + d.interval
		} else if now >= d.firstAbove {
			d.shedding.Store(true)
		}
	case !d.shedding.Load() || now-d.lastAbove >= d.interval:
		d.firstAbove = 0
		d.shedding.Store(false)
	}
}

// stale reports whether a job that waited wait for its worker should be
// shed instead of served: while shedding, one that waited more than twice
// the target. It drains the backlog admitted before shedding began, which
// would otherwise keep the latency of accepted requests high for as long
// as it lasts.
func (d *shedder) stale(wait int64) bool {
	return d.enabled && d.shedding.Load() && wait > 2*d.target
}

// completed records a finished job, for the drain rate. With shedding
// off the rate only feeds Stats, and the clock is read once per
// sampleEvery completions: the interval is divided among them.
func (d *shedder) completed(c *clock) {
	per := int64(1)
	if !d.enabled {
		if d.completions.Add(1)%sampleEvery != 0 {
			return
		}
		per = sampleEvery
	}
	now := c.nanotime()
	d.mu.Lock()
	last := d.lastDone
	d.lastDone = now
	d.mu.Unlock()
	if last != 0 {
		d.drainNanos.Store(ewma(d.drainNanos.Load(), (now-last)/per))
	}
}

// sampleEvery is how many blocking jobs share one reading of the clock
// when shedding is off and the times only feed Stats: the clock costs
// tens of nanoseconds a reading, three readings a job.
const sampleEvery = 8

// estimatedWait returns how long a job queued behind queued others would
// wait, from the drain rate; 0 when there is no rate yet.
func (d *shedder) estimatedWait(queued int) int64 {
	return int64(queued) * d.drainNanos.Load()
}

// shouldShed reports whether a new job must be refused.
func (d *shedder) shouldShed(queued int) bool {
	return d.enabled && d.shedding.Load() && d.estimatedWait(queued+1) > d.target
}

// retryAfter derives a Retry-After, in whole seconds, from the time the
// backlog needs to drain.
func (d *shedder) retryAfter(backlog int) int {
	secs := int((d.estimatedWait(backlog) + int64(time.Second) - 1) / int64(time.Second))
	return min(max(secs, 1), maxRetryAfter)
}

// ewma folds sample into avg with weight 1/8; the first sample is taken
// as is.
func ewma(avg, sample int64) int64 {
	if avg == 0 {
		return sample
	}
	return avg + (sample-avg)/8
}
