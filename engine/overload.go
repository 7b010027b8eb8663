package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/render"
)

// OverloadPolicy says what happens to a connection past MaxConns.
type OverloadPolicy uint8

const (
	// Refuse closes the connection at once, before reading anything (RFC
	// 9110 §15.6.4: a server may simply refuse the connection).
	Refuse OverloadPolicy = iota
	// Respond503 writes a pre-rendered 503 with Retry-After, then closes.
	Respond503
)

// maxRetryAfter caps a Retry-After derived from the drain rate.
const maxRetryAfter = 60

// errOverConnLimit answers a connection past MaxConns under Respond503.
var errOverConnLimit = httperrors.NewClosing(httperrors.StatusServiceUnavailable,
	"the server has too many open connections")

// errShed answers a blocking request shed because the queue's wait
// exceeds the target.
var errShed = httperrors.New(httperrors.StatusServiceUnavailable,
	"the server is overloaded: requests wait too long for a worker")

// errMaintenance answers every request while in maintenance mode.
var errMaintenance = httperrors.New(httperrors.StatusServiceUnavailable,
	"the server is down for maintenance")

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
// about 30 ns a reading on these virtual machines, three readings a job.
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

// Stats is a snapshot of a server's counters.
type Stats struct {
	ConnsOpen     int64  // connections open now
	ConnsAccepted uint64 // connections accepted since start
	ConnsRefused  uint64 // connections refused past MaxConns
	Requests      uint64 // responses sent, all statuses
	// Responses counts responses by status class: [0] counts 1xx, [1]
	// 2xx ... [4] 5xx.
	Responses [5]uint64
	// Shed counts blocking requests answered 503 because the queue was
	// full or adaptive shedding refused them.
	Shed       uint64
	InFlight   int64         // blocking requests queued or running
	Queued     int64         // blocking requests waiting for a worker
	QueueWait  time.Duration // smoothed time a blocking request waits for a worker
	BytesIn    uint64        // request bytes consumed
	BytesOut   uint64        // response bytes written
	Shedding   bool          // adaptive shedding is refusing requests now
	Draining   bool          // Shutdown has begun
	RetryAfter int           // the Retry-After the shedder would give now
}

// counters are a server's atomic counters; loops and workers add to
// them without locks.
type counters struct {
	accepted, refused, shed atomic.Uint64
	requests                atomic.Uint64
	responses               [6]atomic.Uint64
	bytesIn, bytesOut       atomic.Uint64
	inFlight                atomic.Int64
}

// countResponse records one response of status s.
func (k *counters) countResponse(s httperrors.Status) {
	k.requests.Add(1)
	if class := int(s) / 100; class >= 1 && class <= 5 {
		k.responses[class].Add(1)
	}
}

// Stats returns a snapshot of the server's counters. It asks every event
// loop to publish its own counters first, waiting at most statsWait, so it
// is for other goroutines and Blocking handlers: called from an inline
// handler it would wait on its own loop and return counts up to a tick old.
func (s *Server) Stats() Stats {
	s.publishLoops()
	k := &s.counters
	st := Stats{
		ConnsOpen:     s.openConns.Load(),
		ConnsAccepted: k.accepted.Load(),
		ConnsRefused:  k.refused.Load(),
		Requests:      k.requests.Load(),
		Shed:          k.shed.Load(),
		InFlight:      k.inFlight.Load(),
		Queued:        int64(len(s.pool.jobs)),
		QueueWait:     time.Duration(s.shed.waitNanos.Load()),
		BytesIn:       k.bytesIn.Load(),
		BytesOut:      k.bytesOut.Load(),
		Shedding:      s.shed.shedding.Load(),
		Draining:      s.draining.Load(),
	}
	for i := range st.Responses {
		st.Responses[i] = k.responses[i+1].Load() // the counters index by class: [1] is 1xx
	}
	st.RetryAfter = s.shed.retryAfter(int(st.InFlight))
	return st
}

// maintenanceMode is the 503 answered while in maintenance, pre-rendered.
type maintenanceMode struct {
	err    *httperrors.Error
	canned *render.Canned
}

// SetMaintenance puts the server in maintenance mode: every request,
// except those for Config.MaintenanceExempt paths, is answered 503 with
// Retry-After and an entity saying the condition is temporary.
func (s *Server) SetMaintenance(retryAfter time.Duration) {
	secs := max(int((retryAfter+time.Second-1)/time.Second), 1)
	e := errMaintenance.WithRetryAfter(secs)
	s.maintenance.Store(&maintenanceMode{err: e, canned: render.NewCanned(s.cfg.Server, e)})
}

// ClearMaintenance ends maintenance mode.
func (s *Server) ClearMaintenance() { s.maintenance.Store(nil) }

// InMaintenance reports whether maintenance mode is on.
func (s *Server) InMaintenance() bool { return s.maintenance.Load() != nil }

// Ready reports whether the server wants traffic: not in maintenance, not
// draining, and not marked unready with SetReady(false).
func (s *Server) Ready() bool {
	return !s.InMaintenance() && !s.draining.Load() && !s.notReady.Load()
}

// errNotReady answers a readiness probe during maintenance, a drain, or
// after SetReady(false).
var errNotReady = httperrors.New(httperrors.StatusServiceUnavailable,
	"the server is not ready for traffic: it is in maintenance or shutting down")

// ReadinessHandler returns a handler for load balancers' readiness probes
// (e.g. /readyz): 200 normally, 503 with Retry-After during maintenance,
// a drain or after SetReady(false), so traffic moves away before the
// process goes. Exempt its path from maintenance so that it answers for
// itself.
func (s *Server) ReadinessHandler() Handler {
	notReady := errNotReady.WithRetryAfter(s.cfg.RetryAfter)
	return HandlerFunc(func(c *Context) error {
		if !s.Ready() {
			return notReady
		}
		_ = c.SetContentType("text/plain; charset=utf-8")
		_, _ = c.WriteString("ready\n")
		return nil
	})
}

// HealthHandler returns a handler for liveness probes (e.g. /healthz):
// 200 while the process serves, maintenance included.
func HealthHandler() Handler {
	return HandlerFunc(func(c *Context) error {
		_ = c.SetContentType("text/plain; charset=utf-8")
		_, _ = c.WriteString("ok\n")
		return nil
	})
}

// exempt reports whether path is served in maintenance mode.
func (s *Server) exempt(path []byte) bool {
	for _, p := range s.cfg.MaintenanceExempt {
		if string(path) == p {
			return true
		}
	}
	return false
}

// statsWait bounds how long Stats waits for the loops to publish.
const statsWait = 100 * time.Millisecond

// publishLoops has every loop publish its counters, on its own goroutine.
func (s *Server) publishLoops() {
	s.mu.Lock()
	loops := make([]*loop, 0, len(s.loops))
	for _, l := range s.loops {
		loops = append(loops, l)
	}
	s.mu.Unlock()
	done := make(chan struct{}, len(loops))
	for _, l := range loops {
		err := l.el.Execute(context.Background(), gnet.RunnableFunc(func(context.Context) error {
			l.publish()
			done <- struct{}{}
			return nil
		}))
		if err != nil {
			done <- struct{}{}
		}
	}
	timeout := time.After(statsWait)
	for range loops {
		select {
		case <-done:
		case <-timeout:
			return
		}
	}
}
