package engine

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shutdownAsync starts s.Shutdown(ctx) and returns the channel of its
// result.
func shutdownAsync(s *Server, ctx context.Context) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(ctx) }()
	return done
}

// waitResult waits up to d for Shutdown's result.
func waitResult(t *testing.T, done <-chan error, d time.Duration) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("Shutdown did not return within %v", d)
		return nil
	}
}

func TestShutdownWithNothingOpenReturnsAtOnce(t *testing.T) {
	s := New(hello, Config{})
	require.NoError(t, s.Start("127.0.0.1:0"))
	require.NoError(t, waitResult(t, shutdownAsync(s, context.Background()), ioTimeout))
	assert.True(t, refused(s.Addr()))
}

// BenchmarkShutdown starts a server and drains it with nothing open: a
// drain that waits on a poll interval (gnet's is 500 ms) shows here, not
// as a timed assertion that a busy machine would break.
func BenchmarkShutdown(b *testing.B) {
	b.Run("open=0", func(b *testing.B) {
		for b.Loop() {
			s := New(hello, Config{})
			if err := s.Start("127.0.0.1:0"); err != nil {
				b.Fatal(err)
			}
			if err := s.Shutdown(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestShutdownBeforeStartReturns(t *testing.T) {
	s := New(hello, Config{})
	assert.NoError(t, s.Shutdown(context.Background()))
	assert.NoError(t, s.Close())
}

func TestDrainServesARequestOnAnIdleConnection(t *testing.T) {
	s := New(hello, Config{})
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	active, idle := dialRaw(t, s), dialRaw(t, s)
	for _, c := range []*client{active, idle} {
		c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, _ := c.read("GET")
		require.False(t, resp.Close)
	}
	done := shutdownAsync(s, context.Background())
	require.Eventually(t, func() bool { return refused(s.Addr()) }, ioTimeout, time.Millisecond)
	// A client that sends on its keep-alive connection just after the
	// drain began is served, not cut off: the request comes once both
	// idle connections are on the drain's grace.
	graced := func(c *conn) bool {
		return c.timer.kind == timerIdle && c.timer.deadline <= s.drainIdleDeadline()
	}
	require.Eventually(t, func() bool { return connsWhere(s, graced) == 2 }, ioTimeout, time.Millisecond)
	active.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, body := active.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Hello, World!", body)
	assert.True(t, resp.Close, "Connection: close during the drain")
	assert.True(t, active.closedByServer())
	assert.True(t, idle.closedByServer(), "the idle connection closes after the grace")
	assert.NoError(t, waitResult(t, done, ioTimeout))
}

// gatedListener is a TCP listener whose Accept waits until the test
// opens the gate, or a drain wakes it: connections made meanwhile wait
// in the kernel's accept queue.
type gatedListener struct {
	*net.TCPListener
	gate chan struct{}
	once sync.Once
}

func (g *gatedListener) Accept() (net.Conn, error) {
	<-g.gate
	return g.TCPListener.Accept()
}

func (g *gatedListener) SetDeadline(t time.Time) error {
	g.once.Do(func() { close(g.gate) })
	return g.TCPListener.SetDeadline(t)
}

func TestDrainServesTheAcceptQueue(t *testing.T) {
	ln, err := Listen("127.0.0.1:0", false)
	require.NoError(t, err)
	gated := &gatedListener{TCPListener: ln.(*net.TCPListener), gate: make(chan struct{})}
	s := New(hello, Config{})
	require.NoError(t, s.StartListener(gated))
	t.Cleanup(func() { _ = s.Close() })
	// The kernel completes these connections; nothing accepts them yet.
	queued := make([]*client, 3)
	for i := range queued {
		queued[i] = dialRaw(t, s)
		queued[i].send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	}
	done := shutdownAsync(s, context.Background())
	for i, c := range queued {
		resp, body := c.read("GET")
		assert.Equal(t, 200, resp.StatusCode, "queued connection %d", i)
		assert.Equal(t, "Hello, World!", body)
		assert.True(t, resp.Close)
	}
	assert.NoError(t, waitResult(t, done, ioTimeout))
	assert.True(t, refused(s.Addr()))
}

func TestDrainCountsOnlyWhatWasInProgress(t *testing.T) {
	started := make(chan struct{}, 2)
	stuck := make(chan struct{})
	defer close(stuck)
	s := New(HandlerFunc(func(c *Context) error {
		if string(c.Path()) != "/stuck" {
			return hello.Serve(c)
		}
		return Blocking(HandlerFunc(func(*Context) error {
			started <- struct{}{}
			<-stuck
			return nil
		})).Serve(c)
	}), Config{})
	require.NoError(t, s.Start("127.0.0.1:0"))
	a, b, idle := dialRaw(t, s), dialRaw(t, s), dialRaw(t, s)
	a.send("GET /stuck HTTP/1.1\r\nHost: a\r\n\r\n")
	b.send("GET /stuck HTTP/1.1\r\nHost: a\r\n\r\n")
	<-started
	<-started
	idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	_, _ = idle.read("GET")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.Shutdown(ctx)
	var cut *ShutdownError
	require.ErrorAs(t, err, &cut)
	assert.Equal(t, 2, cut.CutOff, "the idle connection cut nothing off")
	for _, c := range []*client{a, b} {
		resp, _ := c.read("GET")
		assert.Equal(t, 503, resp.StatusCode)
		assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	}
	assert.True(t, idle.closedByServer())
}

// failingListener fails its first n Accepts with EMFILE, then waits for
// Close.
type failingListener struct {
	net.Listener
	mu     sync.Mutex
	n      int
	closed chan struct{}
}

func (f *failingListener) Accept() (net.Conn, error) {
	f.mu.Lock()
	fail := f.n > 0
	if fail {
		f.n--
	}
	f.mu.Unlock()
	if fail {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	<-f.closed
	return nil, net.ErrClosed
}

func (f *failingListener) left() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

func (f *failingListener) Close() error {
	select {
	case <-f.closed:
	default:
		close(f.closed)
	}
	return nil
}

func TestAcceptFailuresAreRetried(t *testing.T) {
	ln, err := Listen("127.0.0.1:0", false)
	require.NoError(t, err)
	defer ln.Close()
	var logged bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logged, mu: &mu}, nil))
	f := &failingListener{Listener: ln, n: 4, closed: make(chan struct{})}
	s := New(hello, Config{Logger: logger})
	require.NoError(t, s.StartListener(f))
	require.Eventually(t, func() bool { return f.left() == 0 }, ioTimeout, time.Millisecond,
		"the acceptor keeps trying after a failure")
	require.NoError(t, s.Close())
	mu.Lock()
	defer mu.Unlock()
	lines := strings.Count(logged.String(), "accept failed")
	assert.Equal(t, 2, lines, "the first failure at once, the rest in one line: %s", logged.String())
	assert.Contains(t, logged.String(), "count=3")
}

func TestAcceptErrorsLogOncePerSecond(t *testing.T) {
	var logged bytes.Buffer
	e := acceptErrors{logger: slog.New(slog.NewTextHandler(&logged, nil))}
	start := time.Unix(1000, 0)
	for i := 0; i < 2500; i++ {
		// 2.5 s of failures, one a millisecond.
		e.add(syscall.EMFILE, start.Add(time.Duration(i)*time.Millisecond))
	}
	e.flush(start.Add(3 * time.Second))
	lines := strings.Split(strings.TrimSpace(logged.String()), "\n")
	require.Len(t, lines, 4)
	for i, want := range []string{"count=1", "count=1000", "count=1000", "count=499"} {
		assert.Contains(t, lines[i], want, "line %d", i)
	}
}

// lockedWriter serialises writes to w, for a log read by the test.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestDrainAnswersEveryPipelinedRequest(t *testing.T) {
	tests := []struct {
		name    string
		handler Handler
	}{
		{name: "inline", handler: hello},
		{name: "blocking", handler: Blocking(hello)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.handler, Config{})
			require.NoError(t, s.Start("127.0.0.1:0"))
			t.Cleanup(func() { _ = s.Close() })
			c := dialRaw(t, s)
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			_, _ = c.read("GET")
			done := shutdownAsync(s, context.Background())
			require.Eventually(t, func() bool { return refused(s.Addr()) }, ioTimeout, time.Millisecond)
			c.send(strings.Repeat("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 3))
			for i := 0; i < 3; i++ {
				resp, body := c.read("GET")
				assert.Equal(t, 200, resp.StatusCode, "response %d", i)
				assert.Equal(t, "Hello, World!", body)
				assert.Equal(t, i == 2, resp.Close, "only the last response closes, response %d", i)
			}
			assert.True(t, c.closedByServer())
			assert.NoError(t, waitResult(t, done, ioTimeout))
		})
	}
}
