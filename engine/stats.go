package engine

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

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
	// HeldBack counts the clients whose request body was read off the
	// event loop, at the pace of a handler that took it slowly, since
	// start.
	HeldBack uint64
}

// counters are a server's atomic counters; loops and workers add to
// them without locks.
type counters struct {
	accepted, refused, shed atomic.Uint64
	requests                atomic.Uint64
	responses               [6]atomic.Uint64
	bytesIn, bytesOut       atomic.Uint64
	inFlight                atomic.Int64
	heldBack                atomic.Uint64
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
		Queued:        int64(s.pool.queued()),
		QueueWait:     time.Duration(s.shed.waitNanos.Load()),
		BytesIn:       k.bytesIn.Load(),
		BytesOut:      k.bytesOut.Load(),
		HeldBack:      k.heldBack.Load(),
		Shedding:      s.shed.shedding.Load(),
		Draining:      s.draining.Load(),
	}
	for i := range st.Responses {
		st.Responses[i] = k.responses[i+1].Load() // the counters index by class: [1] is 1xx
	}
	st.RetryAfter = s.shed.retryAfter(int(st.InFlight))
	return st
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

// loopCounts are the counters a loop keeps for Stats.
type loopCounts struct {
	responses         [6]uint64 // by status class; [0] unused
	bytesIn, bytesOut uint64
}

// response counts one response of status s.
func (k *loopCounts) response(s httperrors.Status) {
	if class := int(s) / 100; class >= 1 && class <= 5 {
		k.responses[class]++
	}
}

// publish adds what the loop counted since the last publish to the
// server's counters. It runs on the loop, at every tick and when Stats
// asks.
func (l *loop) publish() {
	k := &l.srv.counters
	for i := range l.counts.responses {
		if d := l.counts.responses[i] - l.published.responses[i]; d > 0 {
			k.responses[i].Add(d)
			k.requests.Add(d)
		}
	}
	k.bytesIn.Add(l.counts.bytesIn - l.published.bytesIn)
	k.bytesOut.Add(l.counts.bytesOut - l.published.bytesOut)
	l.published = l.counts
}
