package bench

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
)

// The overload load test drives a server whose only handler is a slow
// Blocking one past its capacity and measures what its clients see. Life
// of a run:
//
//  1. startOverloadServer starts the engine on 127.0.0.1:0 with W workers
//     whose handler sleeps S (or returns early when its client has gone),
//     so the server can complete at most C = W/S requests a second.
//  2. An open-loop generator (openLoop) sends requests at a fixed rate,
//     whatever the answers, each on a keep-alive connection that has no
//     request outstanding, dialling a new one when none is idle: the
//     client never waits for the server before sending, as real users do
//     not. A closed loop (closedLoop) instead keeps a fixed number of
//     requests outstanding, to find the maximum goodput.
//  3. Each request records when it was sent, its client-measured latency
//     (write to whole response read), its status and whether a 503
//     carried a valid Retry-After.
//  4. summarize reduces the records over the measuring window, which
//     leaves out the first warmup of the run (the onset of overload).
//
// Every read and write has a deadline and the generator stops sending at
// the end of the run, so every goroutine and connection ends by itself.

// overloadScenario is one load-test configuration.
type overloadScenario struct {
	workers int           // blocking workers, W
	service time.Duration // the handler's service time, S
	cfg     engine.Config // overload settings; Workers is set from workers

	rate     float64       // open-loop arrivals per second; 0 means closed loop
	conns    int           // closed loop: requests kept outstanding
	duration time.Duration // how long requests are sent
	warmup   time.Duration // left out of the measuring window
}

// capacity is the most requests a second the workers can complete.
func (sc overloadScenario) capacity() float64 {
	return float64(sc.workers) / sc.service.Seconds()
}

// requestRecord is what the client saw of one request.
type requestRecord struct {
	sent    time.Duration // since the run began
	latency time.Duration // write to whole response read
	status  int           // 0 when the request failed
	// retryAfter is the 503's Retry-After in seconds, -1 when absent or
	// not delay-seconds (RFC 9110 §10.2.3).
	retryAfter int
}

// overloadResult summarizes a run over its measuring window.
type overloadResult struct {
	sent, ok, unavailable, failed int
	missingRetryAfter             int // 503s without a valid Retry-After
	minRetryAfter, maxRetryAfter  int
	goodput                       float64 // 200s completed per second
	p50, p99                      time.Duration
	p99All                        time.Duration // p99 of 200s over the whole run
	stats                         engine.Stats
}

// shedShare is the share of answered requests that got 503, in percent.
func (r overloadResult) shedShare() float64 {
	if r.ok+r.unavailable == 0 {
		return 0
	}
	return 100 * float64(r.unavailable) / float64(r.ok+r.unavailable)
}

// overloadRequest is the request every client sends.
var overloadRequest = []byte("GET /slow HTTP/1.1\r\nHost: bench\r\n\r\n")

// requestTimeout bounds each request's write and read; a queue of 1024
// jobs at 400/s drains in under 3 s.
const requestTimeout = 8 * time.Second

// BenchmarkOverload drives a blocking handler (8 workers, 20 ms each:
// capacity 400/s) with 3× its capacity, with the plain queue (the default
// 1024 jobs) and with adaptive shedding (target 5 ms, interval 100 ms),
// and reports goodput, latency of 200s and the share of 503s. Each sub-benchmark runs one fixed-length scenario whatever
// b.N; run it with -benchtime 1x. load=max is a closed loop that keeps
// the workers busy: its goodput is the maximum the others are held to.
func BenchmarkOverload(b *testing.B) {
	const workers, service = 8, 20 * time.Millisecond
	base := overloadScenario{workers: workers, service: service, duration: 4 * time.Second, warmup: time.Second}
	capacity := base.capacity()
	// The target leaves room for the queue wait the estimate misses (the
	// job's own turn, timer slack) within the 2×S bound on p99.
	shed := engine.Config{Shed: true, ShedTarget: service / 4, ShedInterval: 100 * time.Millisecond}
	cases := []struct {
		name string
		load float64 // × capacity; 0 for the closed loop
		cfg  engine.Config
	}{
		{"load=max/mode=queue", 0, engine.Config{}},
		{"load=0.8x/mode=shed", 0.8, shed},
		{"load=3x/mode=queue", 3, engine.Config{}},
		{"load=3x/mode=shed", 3, shed},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			sc := base
			sc.cfg = c.cfg
			sc.rate = c.load * capacity
			sc.conns = 2 * workers
			r, err := runOverload(sc)
			require.NoError(b, err)
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(r.goodput, "goodput_rps")
			b.ReportMetric(100*r.goodput/capacity, "goodput_pct_of_WperS")
			b.ReportMetric(ms(r.p50), "p50_ms")
			b.ReportMetric(ms(r.p99), "p99_ms")
			b.ReportMetric(ms(r.p99All), "p99_whole_run_ms")
			b.ReportMetric(r.shedShare(), "503_pct")
			b.ReportMetric(float64(r.missingRetryAfter), "503_no_retry_after")
			b.ReportMetric(float64(r.failed), "errors")
			b.Logf("sent %d, 200 %d, 503 %d (Retry-After %d..%d s), failed %d; server: shed %d, queue wait %v",
				r.sent, r.ok, r.unavailable, r.minRetryAfter, r.maxRetryAfter, r.failed,
				r.stats.Shed, r.stats.QueueWait)
		})
	}
}

// TestOverloadAnswers503WithRetryAfter checks, at 3× overload, that every
// request is answered 200 or 503, that some are served and some shed,
// that every 503 carries Retry-After, and that the server's shed count
// matches the 503s the client saw. It checks behaviour only: the goodput
// and latency bounds are BenchmarkOverload's figures, not assertions.
func TestOverloadAnswers503WithRetryAfter(t *testing.T) {
	const workers, service = 2, 10 * time.Millisecond
	cases := []struct {
		name string
		cfg  engine.Config
	}{
		{"queue full", engine.Config{QueueLen: 4}},
		{"adaptive shedding", engine.Config{Shed: true, ShedTarget: service / 2, ShedInterval: 50 * time.Millisecond}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := overloadScenario{workers: workers, service: service, cfg: c.cfg, duration: 800 * time.Millisecond}
			sc.rate = 3 * sc.capacity()
			r, err := runOverload(sc)
			require.NoError(t, err)
			assert.Zero(t, r.failed)
			assert.Equal(t, r.sent, r.ok+r.unavailable)
			assert.NotZero(t, r.ok, "the requests within capacity are served")
			assert.NotZero(t, r.unavailable)
			assert.Zero(t, r.missingRetryAfter)
			assert.Equal(t, uint64(r.unavailable), r.stats.Shed)
		})
	}
}

// runOverload runs sc against a fresh server and summarizes what the
// client saw.
func runOverload(sc overloadScenario) (overloadResult, error) {
	srv, err := startOverloadServer(sc)
	if err != nil {
		return overloadResult{}, err
	}
	defer srv.Close()
	cl := &loadClient{addr: srv.Addr().String(), idle: make(chan *clientConn, 8192)}
	start := time.Now()
	if sc.rate > 0 {
		cl.openLoop(start, sc.rate, sc.duration)
	} else {
		cl.closedLoop(start, sc.conns, sc.duration)
	}
	cl.wg.Wait()
	cl.closeIdle()
	r := summarize(cl.records, sc.warmup, sc.duration)
	r.stats = srv.Stats()
	return r, nil
}

// startOverloadServer starts a server on loopback whose handler sleeps
// the service time on the worker pool.
func startOverloadServer(sc overloadScenario) (*engine.Server, error) {
	slow := engine.HandlerFunc(func(c *engine.Context) error {
		t := time.NewTimer(sc.service)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.Context().Done():
			// The client has gone; its queued work must not outlive the run.
			return nil
		}
		_, _ = c.WriteString("ok\n")
		return nil
	})
	cfg := sc.cfg
	cfg.Workers = sc.workers
	srv := engine.New(engine.Blocking(slow), cfg)
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return srv, nil
}

// loadClient sends requests over keep-alive connections, one request
// outstanding per connection, and records the outcomes.
type loadClient struct {
	addr string
	idle chan *clientConn // connections with no request outstanding
	wg   sync.WaitGroup   // one per request in progress

	// mu guards records.
	mu      sync.Mutex
	records []requestRecord
}

// clientConn is one keep-alive connection of a loadClient.
type clientConn struct {
	nc net.Conn
	br *bufio.Reader
}

// openLoop sends rate requests a second from start for d, each on its own
// goroutine, whatever the answers. When the sender falls behind it
// catches up at once, so the rate holds on average.
func (cl *loadClient) openLoop(start time.Time, rate float64, d time.Duration) {
	period := time.Duration(float64(time.Second) / rate)
	for i := 0; ; i++ {
		at := time.Duration(i) * period
		if at >= d {
			return
		}
		if wait := time.Until(start.Add(at)); wait > 0 {
			time.Sleep(wait) // the arrival schedule is the load itself
		}
		cl.wg.Add(1)
		go func() {
			defer cl.wg.Done()
			cl.record(cl.do(start))
		}()
	}
}

// closedLoop keeps n requests outstanding from start for d.
func (cl *loadClient) closedLoop(start time.Time, n int, d time.Duration) {
	for range n {
		cl.wg.Add(1)
		go func() {
			defer cl.wg.Done()
			for time.Since(start) < d {
				cl.record(cl.do(start))
			}
		}()
	}
}

// do sends one request on an idle connection, or a new one, and reads
// its response.
func (cl *loadClient) do(start time.Time) requestRecord {
	rec := requestRecord{sent: time.Since(start), retryAfter: -1}
	cc, err := cl.conn()
	if err != nil {
		return rec
	}
	t0 := time.Now()
	if err := cc.nc.SetDeadline(t0.Add(requestTimeout)); err != nil {
		_ = cc.nc.Close()
		return rec
	}
	resp, err := cc.roundTrip()
	rec.latency = time.Since(t0)
	if err != nil {
		_ = cc.nc.Close()
		return rec
	}
	rec.status = resp.StatusCode
	if v, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && v >= 0 {
		rec.retryAfter = v
	}
	if resp.Close {
		_ = cc.nc.Close()
		return rec
	}
	select {
	case cl.idle <- cc:
	default:
		_ = cc.nc.Close()
	}
	return rec
}

// roundTrip writes the request and reads the whole response.
func (cc *clientConn) roundTrip() (*http.Response, error) {
	if _, err := cc.nc.Write(overloadRequest); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(cc.br, nil)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp, err
}

// conn returns an idle connection, or dials a new one.
func (cl *loadClient) conn() (*clientConn, error) {
	select {
	case cc := <-cl.idle:
		return cc, nil
	default:
	}
	nc, err := net.DialTimeout("tcp", cl.addr, time.Second)
	if err != nil {
		return nil, err
	}
	return &clientConn{nc: nc, br: bufio.NewReader(nc)}, nil
}

// closeIdle closes every idle connection; call it once no request is in
// progress.
func (cl *loadClient) closeIdle() {
	for {
		select {
		case cc := <-cl.idle:
			_ = cc.nc.Close()
		default:
			return
		}
	}
}

// record keeps rec.
func (cl *loadClient) record(rec requestRecord) {
	cl.mu.Lock()
	cl.records = append(cl.records, rec)
	cl.mu.Unlock()
}

// summarize reduces records to the measuring window: requests sent from
// warmup to d, and 200s completed in it for the goodput.
func summarize(records []requestRecord, warmup, d time.Duration) overloadResult {
	r := overloadResult{minRetryAfter: -1}
	var lat, latAll []time.Duration
	var done int
	for _, rec := range records {
		if rec.status == http.StatusOK {
			latAll = append(latAll, rec.latency)
			if end := rec.sent + rec.latency; end >= warmup && end < d {
				done++
			}
		}
		if rec.sent < warmup {
			continue
		}
		r.sent++
		switch rec.status {
		case http.StatusOK:
			r.ok++
			lat = append(lat, rec.latency)
		case http.StatusServiceUnavailable:
			r.unavailable++
			r.countRetryAfter(rec.retryAfter)
		default:
			r.failed++
		}
	}
	r.goodput = float64(done) / (d - warmup).Seconds()
	r.p50, r.p99 = percentile(lat, 50), percentile(lat, 99)
	r.p99All = percentile(latAll, 99)
	return r
}

// countRetryAfter records one 503's Retry-After, -1 when missing.
func (r *overloadResult) countRetryAfter(secs int) {
	if secs < 0 {
		r.missingRetryAfter++
		return
	}
	if r.minRetryAfter < 0 || secs < r.minRetryAfter {
		r.minRetryAfter = secs
	}
	r.maxRetryAfter = max(r.maxRetryAfter, secs)
}

// percentile returns the p-th percentile of ds (nearest rank), 0 when
// empty; it sorts ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := (len(ds)*p + 99) / 100
	return ds[max(i-1, 0)]
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
