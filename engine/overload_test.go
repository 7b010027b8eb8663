package engine

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaxConnsPolicies(t *testing.T) {
	tests := []struct {
		name   string
		policy OverloadPolicy
	}{
		{"refuse", Refuse},
		{"respond 503", Respond503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var served atomic.Int32
			s := startServer(t, HandlerFunc(func(c *Context) error {
				served.Add(1)
				return nil
			}), Config{MaxConns: 1, Overload: tt.policy, RetryAfter: 5})
			first := dialRaw(t, s)
			first.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, _ := first.read("GET")
			require.Equal(t, 200, resp.StatusCode)

			over := dialRaw(t, s)
			if tt.policy == Respond503 {
				over.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, body := over.read("GET")
				assert.Equal(t, 503, resp.StatusCode)
				assert.Equal(t, "5", resp.Header.Get("Retry-After"))
				assert.True(t, resp.Close)
				assert.Contains(t, body, "temporary")
			}
			assert.True(t, over.closedByServer())
			assert.Equal(t, int32(1), served.Load(), "the refused connection never reached the handler")
			st := s.Stats()
			assert.Equal(t, uint64(1), st.ConnsRefused)
			assert.Equal(t, uint64(1), st.ConnsAccepted)
		})
	}
}

func TestMaintenanceMode(t *testing.T) {
	var s *Server
	mux := HandlerFunc(func(c *Context) error {
		switch string(c.Path()) {
		case "/readyz":
			return s.ReadinessHandler().Serve(c)
		case "/healthz":
			return HealthHandler().Serve(c)
		}
		_, _ = c.WriteString("app")
		return nil
	})
	s = startServer(t, mux, Config{MaintenanceExempt: []string{"/healthz", "/readyz"}})
	c := dialRaw(t, s)
	get := func(path string) (int, string, string) {
		c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, body := c.read("GET")
		return resp.StatusCode, resp.Header.Get("Retry-After"), body
	}
	status, _, _ := get("/")
	assert.Equal(t, 200, status)
	status, _, _ = get("/readyz")
	assert.Equal(t, 200, status)

	s.SetMaintenance(30 * time.Second)
	status, retry, body := get("/")
	assert.Equal(t, 503, status)
	assert.Equal(t, "30", retry)
	assert.Contains(t, body, "maintenance")
	assert.Contains(t, body, "temporary")
	status, _, _ = get("/healthz")
	assert.Equal(t, 200, status, "health checks are exempt")
	status, retry, _ = get("/readyz")
	assert.Equal(t, 503, status)
	assert.NotEmpty(t, retry)

	c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, headBody := c.read("HEAD")
	assert.Equal(t, 503, resp.StatusCode)
	assert.Empty(t, headBody)

	c.send("GET / HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\n\r\n")
	resp, body = c.read("GET")
	assertProblem(t, resp, body, 503)
	assert.Equal(t, "30", resp.Header.Get("Retry-After"))
	assert.False(t, resp.Close)

	s.ClearMaintenance()
	status, _, body = get("/")
	assert.Equal(t, 200, status)
	assert.Equal(t, "app", body)
}

func TestReadinessDuringDrain(t *testing.T) {
	s := New(HandlerFunc(func(c *Context) error { return nil }), Config{})
	assert.True(t, s.Ready())
	s.draining.Store(true)
	assert.False(t, s.Ready())
	s.draining.Store(false)
	s.SetReady(false)
	assert.False(t, s.Ready())
	s.SetReady(true)
	assert.True(t, s.Ready())
	s.SetMaintenance(time.Second)
	assert.False(t, s.Ready())
}

func TestStatsCountRequestsByClass(t *testing.T) {
	s := startServer(t, HandlerFunc(func(c *Context) error {
		code, _ := strconv.Atoi(string(c.Query()))
		_ = c.SetStatus(code)
		return nil
	}), Config{})
	c := dialRaw(t, s)
	for _, code := range []int{200, 201, 404, 500, 302} {
		c.send(fmt.Sprintf("GET /?%d HTTP/1.1\r\nHost: a\r\n\r\n", code))
		_, _ = c.read("GET")
	}
	bad := dialRaw(t, s)
	bad.send("BREW / HTTP/1.1\r\n\r\n")
	_, _ = bad.read("GET")
	st := s.Stats()
	assert.Equal(t, uint64(6), st.Requests)
	assert.Equal(t, [5]uint64{0, 2, 1, 1, 2}, st.Responses) // 1xx 2xx 3xx 4xx 5xx
	assert.Positive(t, st.BytesIn)
	assert.Positive(t, st.BytesOut)
	assert.Equal(t, int64(2), st.ConnsOpen)
}

func TestShedderNeedsAStandingQueue(t *testing.T) {
	ms := int64(time.Millisecond)
	d := shedder{enabled: true, target: 10 * ms, interval: 100 * ms}
	d.drainNanos.Store(5 * ms)
	// A burst: waits above target for less than an interval.
	d.dequeued(50*ms, 0)
	d.dequeued(50*ms, 50*ms)
	d.dequeued(1*ms, 60*ms)
	assert.False(t, d.shedding.Load(), "a momentary burst is not shed")
	// A standing queue: above target for a whole interval.
	d.dequeued(50*ms, 200*ms)
	d.dequeued(50*ms, 250*ms)
	d.dequeued(50*ms, 301*ms)
	assert.True(t, d.shedding.Load())
	assert.False(t, d.shouldShed(0), "a request that waits less than the target gets in")
	assert.True(t, d.shouldShed(2), "one whose estimated wait exceeds it is shed")
	assert.False(t, d.stale(20*ms))
	assert.True(t, d.stale(21*ms), "while shedding, a job that waited over twice the target is shed")
	d.dequeued(1*ms, 320*ms)
	assert.True(t, d.shedding.Load(), "one short wait does not end shedding")
	d.dequeued(1*ms, 402*ms)
	assert.False(t, d.shedding.Load(), "shedding stops after an interval without a wait of half the target")
}

func TestShedderRetryAfterFollowsDrainRate(t *testing.T) {
	d := shedder{enabled: true}
	d.drainNanos.Store(int64(100 * time.Millisecond)) // 10 requests per second
	assert.Equal(t, 1, d.retryAfter(5))
	assert.Equal(t, 3, d.retryAfter(25))
	assert.Equal(t, maxRetryAfter, d.retryAfter(100000))
}

func TestAdaptiveSheddingUnderOverload(t *testing.T) {
	const service = 10 * time.Millisecond
	s := startServer(t, Blocking(HandlerFunc(func(c *Context) error {
		time.Sleep(service) // the work that takes time: the load under test
		return nil
	})), Config{Workers: 2, QueueLen: 1000, Shed: true, ShedTarget: 5 * time.Millisecond, ShedInterval: 50 * time.Millisecond})
	// 40 clients against a capacity of 2 in flight: a standing queue.
	var ok, shed, badRetry atomic.Int32
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dialRaw(t, s)
			for time.Now().Before(deadline) {
				c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, _ := c.read("GET")
				switch resp.StatusCode {
				case 200:
					ok.Add(1)
				case 503:
					shed.Add(1)
					if resp.Header.Get("Retry-After") == "" {
						badRetry.Add(1)
					}
					time.Sleep(service) // a client backs off before it retries
				}
			}
		}()
	}
	wg.Wait()
	assert.Positive(t, ok.Load())
	assert.Positive(t, shed.Load(), "a standing queue is shed")
	assert.Zero(t, badRetry.Load(), "every 503 carries Retry-After")
	assert.Equal(t, uint64(shed.Load()), s.Stats().Shed)
}

func TestPanicUnderConcurrentLoadLeavesOthersUnaffected(t *testing.T) {
	s := startServer(t, HandlerFunc(func(c *Context) error {
		if string(c.Path()) == "/panic" {
			panic("boom")
		}
		if string(c.Path()) == "/slow" {
			return Blocking(HandlerFunc(func(c *Context) error {
				time.Sleep(time.Millisecond) // slow work, served beside the panics
				_, _ = c.WriteString("ok")
				return nil
			})).Serve(c)
		}
		_, _ = c.WriteString("ok")
		return nil
	}), Config{Multicore: true, Logger: discardSlog()})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var failures, served atomic.Int32
	for i := 0; i < 8; i++ {
		path := "/"
		if i%2 == 1 {
			path = "/slow"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dialRaw(t, s)
			for ctx.Err() == nil {
				c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, body := c.read("GET")
				if resp.StatusCode != 200 || body != "ok" {
					failures.Add(1)
				}
				served.Add(1)
			}
		}()
	}
	for ctx.Err() == nil {
		c := dialRaw(t, s)
		c.send("GET /panic HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, _ := c.read("GET")
		require.Equal(t, 500, resp.StatusCode)
	}
	wg.Wait()
	assert.Zero(t, failures.Load())
	assert.Positive(t, served.Load())
}
