package gateway

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseUpstream(t *testing.T) {
	tests := []struct {
		raw, scheme, host, authority, prefix string
	}{
		{"http://10.0.0.5:8080", "http", "10.0.0.5:8080", "10.0.0.5:8080", ""},
		{"http://app.internal", "http", "app.internal:80", "app.internal", ""},
		{"https://app.internal/", "https", "app.internal:443", "app.internal", ""},
		{"http://[::1]:9000/api/", "http", "[::1]:9000", "[::1]:9000", "/api"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := parseUpstream(tt.raw, 4)
			require.NoError(t, err)
			assert.Equal(t, tt.scheme, u.scheme)
			assert.Equal(t, tt.host, u.host)
			assert.Equal(t, tt.authority, u.authority)
			assert.Equal(t, tt.prefix, u.prefix)
			assert.Equal(t, 4, cap(u.slots))
		})
	}
}

func TestBalancerSkipsUnhealthyAndSaysWhenToRetry(t *testing.T) {
	now := time.Unix(1000, 0)
	a, b := &upstream{host: "a"}, &upstream{host: "b"}
	bal := &balancer{upstreams: []*upstream{a, b}}

	u, _ := bal.pick(now)
	assert.Same(t, a, u)
	u, _ = bal.pick(now)
	assert.Same(t, b, u)

	a.markUnhealthy(now, 5*time.Second)
	for i := 0; i < 3; i++ {
		u, _ = bal.pick(now)
		assert.Same(t, b, u)
	}

	b.markUnhealthy(now, 2500*time.Millisecond)
	u, retryAfter := bal.pick(now)
	assert.Nil(t, u)
	assert.Equal(t, 3, retryAfter, "rounded up to the first upstream's return")

	u, _ = bal.pick(now.Add(3 * time.Second))
	assert.Same(t, b, u, "back after its time")
}

func TestAcquireWaitsThenGivesUp(t *testing.T) {
	u := &upstream{slots: make(chan struct{}, 1)}
	require.True(t, u.acquire(time.Millisecond))
	assert.False(t, u.acquire(10*time.Millisecond))
	u.release()
	assert.True(t, u.acquire(time.Millisecond))
}

// TestTimerResolutionFitsTheShortestDeadline checks what the Handler asks
// of the engine's timers: a quarter of its shortest engine-timed deadline.
func TestTimerResolutionFitsTheShortestDeadline(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want time.Duration
	}{
		{"defaults: the pool wait", Options{}, DefaultPoolWait / 4},
		{"a short upstream timeout", Options{UpstreamTimeout: 200 * time.Millisecond, PoolWait: time.Second}, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := New([]string{"http://127.0.0.1:1"}, tt.opts)
			require.NoError(t, err)
			defer h.Close()
			assert.Equal(t, tt.want, h.TimerResolution())
		})
	}
}
