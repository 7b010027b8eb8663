package engine

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

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
