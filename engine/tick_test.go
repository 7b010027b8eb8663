package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestTickIntervalFollowsTheShortestDeadline checks the timers'
// resolution: a second by default, finer for a short timeout or when
// Config.TimerResolution asks, never below 5 ms.
func TestTickIntervalFollowsTheShortestDeadline(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want time.Duration
	}{
		{"defaults", Config{}, time.Second},
		{"a short write timeout", Config{WriteTimeout: 200 * time.Millisecond}, 50 * time.Millisecond},
		{"asked for", Config{TimerResolution: 25 * time.Millisecond}, 25 * time.Millisecond},
		{"asked for, a timeout shorter still", Config{TimerResolution: 100 * time.Millisecond, IdleTimeout: 200 * time.Millisecond}, 50 * time.Millisecond},
		{"never below 5 ms", Config{TimerResolution: time.Millisecond}, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tickInterval(tt.cfg.withDefaults()))
		})
	}
}
