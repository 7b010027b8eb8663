package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// repeatLimiter is a slog.Handler that writes at most one warning or
// error a second for each message and upstream: with an upstream down,
// the gateway logged one line per failed request (40,792 lines in 3 s).
// A line that follows dropped ones carries count, the failures since the
// last line written, itself included; flush writes the count of a burst
// that ended with dropped lines. Records below Warn, and records that
// carry a count already, pass untouched.
type repeatLimiter struct {
	next  slog.Handler
	state *repeatState // shared by the handlers WithAttrs and WithGroup derive
}

// repeatState is the per-key history of a repeatLimiter.
type repeatState struct {
	every time.Duration
	mu    sync.Mutex // guards seen
	seen  map[repeatKey]*repeats
}

// repeatKey identifies a repeated line: its message and, for the
// gateway's, the upstream it names. The number of keys is bounded by the
// program's messages times its upstreams.
type repeatKey struct{ msg, upstream string }

// repeats is what a key has seen since its last line.
type repeats struct {
	written time.Time    // when its last line was written
	dropped int          // lines dropped since
	last    slog.Record  // the last dropped record, for flush
	next    slog.Handler // the handler that would have written it
}

// newRepeatLimiter limits next's warnings and errors to one per key per
// every.
func newRepeatLimiter(next slog.Handler, every time.Duration) *repeatLimiter {
	return &repeatLimiter{next: next, state: &repeatState{every: every, seen: map[repeatKey]*repeats{}}}
}

// Enabled reports whether next logs level.
func (h *repeatLimiter) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle writes r, or counts it when a line of its key was written less
// than every ago.
func (h *repeatLimiter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	key := repeatKey{msg: r.Message}
	counted := false
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "upstream":
			key.upstream = a.Value.String()
		case "count":
			counted = true
		}
		return true
	})
	if counted {
		// Already a summary of repeats (the engine counts its accept
		// failures itself): limiting it again would split its count.
		return h.next.Handle(ctx, r)
	}
	st := h.state
	st.mu.Lock()
	rep := st.seen[key]
	if rep == nil {
		rep = &repeats{}
		st.seen[key] = rep
	}
	if !rep.written.IsZero() && r.Time.Sub(rep.written) < st.every {
		rep.dropped++
		rep.last, rep.next = r.Clone(), h.next
		st.mu.Unlock()
		return nil
	}
	dropped := rep.dropped
	rep.written, rep.dropped, rep.last, rep.next = r.Time, 0, slog.Record{}, nil
	st.mu.Unlock()
	if dropped > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("count", dropped+1))
	}
	return h.next.Handle(ctx, r)
}

// flush writes, for each key whose last line is older than every and
// which dropped lines since, its last dropped record with their count.
// The program calls it about once a second, so that the end of a burst
// is reported even when no further line of its key comes.
func (h *repeatLimiter) flush(now time.Time) {
	type pending struct {
		r    slog.Record
		next slog.Handler
	}
	var out []pending
	st := h.state
	st.mu.Lock()
	for _, rep := range st.seen {
		if rep.dropped > 0 && now.Sub(rep.written) >= st.every {
			r := rep.last
			r.AddAttrs(slog.Int("count", rep.dropped))
			out = append(out, pending{r, rep.next})
			rep.written, rep.dropped, rep.last, rep.next = now, 0, slog.Record{}, nil
		}
	}
	st.mu.Unlock()
	for _, p := range out {
		_ = p.next.Handle(context.Background(), p.r)
	}
}

// WithAttrs returns a limiter over next.WithAttrs that shares h's history.
func (h *repeatLimiter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &repeatLimiter{next: h.next.WithAttrs(attrs), state: h.state}
}

// WithGroup returns a limiter over next.WithGroup that shares h's history.
func (h *repeatLimiter) WithGroup(name string) slog.Handler {
	return &repeatLimiter{next: h.next.WithGroup(name), state: h.state}
}
