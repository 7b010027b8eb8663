package main

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordedLine is what the recording handler keeps of a record.
type recordedLine struct {
	msg, upstream string
	count         int64 // 0 when the record has no count
}

// recordingHandler keeps the records it is given.
type recordingHandler struct {
	mu    sync.Mutex
	lines []recordedLine
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler            { return h }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	line := recordedLine{msg: r.Message}
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "upstream":
			line.upstream = a.Value.String()
		case "count":
			line.count = a.Value.Int64()
		}
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, line)
	return nil
}

func TestRepeatLimiterOneLinePerUpstreamPerSecond(t *testing.T) {
	rec := &recordingHandler{}
	l := newRepeatLimiter(rec, time.Second)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	log := func(at time.Duration, level slog.Level, msg, upstream string) {
		r := slog.NewRecord(t0.Add(at), level, msg, 0)
		if upstream != "" {
			r.AddAttrs(slog.String("upstream", upstream), slog.String("error", "connection refused"))
		}
		require.NoError(t, l.Handle(context.Background(), r))
	}
	// 3 s of failures on upstream a, 1,000 a second, and one on b.
	for i := range 3000 {
		log(time.Duration(i)*time.Millisecond, slog.LevelWarn, "gateway: upstream failed", "a")
	}
	log(500*time.Millisecond, slog.LevelWarn, "gateway: upstream failed", "b")
	log(600*time.Millisecond, slog.LevelInfo, "draining", "")
	log(700*time.Millisecond, slog.LevelInfo, "draining", "")
	for _, at := range []time.Duration{800 * time.Millisecond, 900 * time.Millisecond} {
		r := slog.NewRecord(t0.Add(at), slog.LevelError, "engine: accept failed", 0)
		r.AddAttrs(slog.Int("count", 7))
		require.NoError(t, l.Handle(context.Background(), r))
	}
	l.flush(t0.Add(5 * time.Second))

	assert.Equal(t, []recordedLine{
		{msg: "gateway: upstream failed", upstream: "a"},
		{msg: "gateway: upstream failed", upstream: "a", count: 1000},
		{msg: "gateway: upstream failed", upstream: "a", count: 1000},
		{msg: "gateway: upstream failed", upstream: "b"},
		{msg: "draining"},
		{msg: "draining"},
		{msg: "engine: accept failed", count: 7},
		{msg: "engine: accept failed", count: 7},
		{msg: "gateway: upstream failed", upstream: "a", count: 999},
	}, rec.lines, "the first line at once, then one a second with the failures since the last, the rest at flush; info and counted lines pass")
}
