package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// routes answers /block/... on the worker pool and everything else
// inline, each echoing its path.
func routes(slow time.Duration) Handler {
	blocking := Blocking(HandlerFunc(func(c *Context) error {
		time.Sleep(slow) // slow work, which inline answers must not overtake
		_, _ = fmt.Fprintf(c, "blocking %s", c.Path())
		return nil
	}))
	return HandlerFunc(func(c *Context) error {
		if strings.HasPrefix(string(c.Path()), "/block/") {
			return blocking.Serve(c)
		}
		_, _ = fmt.Fprintf(c, "inline %s", c.Path())
		return nil
	})
}

func TestPipelinedInlineAndBlockingKeepOrder(t *testing.T) {
	s := startServer(t, routes(2*time.Millisecond), Config{})
	c := dialRaw(t, s)
	var batch strings.Builder
	for i := 0; i < 16; i++ {
		if i%2 == 0 {
			fmt.Fprintf(&batch, "GET /inline/%d HTTP/1.1\r\nHost: a\r\n\r\n", i)
		} else {
			fmt.Fprintf(&batch, "GET /block/%d HTTP/1.1\r\nHost: a\r\n\r\n", i)
		}
	}
	c.send(batch.String())
	for i := 0; i < 16; i++ {
		resp, body := c.read("GET")
		require.Equal(t, 200, resp.StatusCode)
		if i%2 == 0 {
			assert.Equal(t, fmt.Sprintf("inline /inline/%d", i), body)
		} else {
			assert.Equal(t, fmt.Sprintf("blocking /block/%d", i), body)
		}
	}
}

func TestSlowBlockingHandlerDoesNotDelayTheLoop(t *testing.T) {
	release := make(chan struct{})
	h := HandlerFunc(func(c *Context) error {
		if string(c.Path()) == "/slow" {
			return Blocking(HandlerFunc(func(c *Context) error {
				<-release
				return nil
			})).Serve(c)
		}
		_, _ = c.WriteString("fast")
		return nil
	})
	s := startServer(t, h, Config{NumLoops: 1})
	slow := dialRaw(t, s)
	slow.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
	fast := dialRaw(t, s)
	for i := 0; i < 10; i++ {
		fast.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		_, body := fast.read("GET")
		assert.Equal(t, "fast", body)
	}
	close(release)
	resp, _ := slow.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
}

func TestBlockedHandlersDoNotHoldUpOtherBlockingWork(t *testing.T) {
	tests := []struct {
		name    string
		blocked int // connections whose handler waits until the end
	}{
		{"one blocked", 1},
		{"three blocked, their requests sent together", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			var waiting atomic.Int32
			h := Blocking(HandlerFunc(func(c *Context) error {
				if string(c.Path()) == "/slow" {
					waiting.Add(1)
					<-release
				}
				_, _ = c.WriteString("done")
				return nil
			}))
			s := startServer(t, h, Config{NumLoops: 1, Workers: tt.blocked + 1})
			var slow []*client
			for i := 0; i < tt.blocked; i++ {
				slow = append(slow, dialRaw(t, s))
			}
			fast := dialRaw(t, s)
			for _, c := range slow {
				c.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
			}
			fast.send("GET /fast HTTP/1.1\r\nHost: a\r\n\r\n")
			// Every blocked handler holds a worker; the last one is free
			// for the fast request, whenever it was queued.
			_, body := fast.read("GET")
			assert.Equal(t, "done", body)
			require.Eventually(t, func() bool { return waiting.Load() == int32(tt.blocked) }, ioTimeout, time.Millisecond)
			close(release)
			for _, c := range slow {
				_, body := c.read("GET")
				assert.Equal(t, "done", body)
			}
		})
	}
}

func TestClientDisconnectCancelsBlockingWork(t *testing.T) {
	started := make(chan struct{})
	cancelled := make(chan struct{})
	s := startServer(t, Blocking(HandlerFunc(func(c *Context) error {
		close(started)
		select {
		case <-c.Context().Done():
			close(cancelled)
		case <-time.After(ioTimeout):
		}
		return nil
	})), Config{})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	<-started
	require.NoError(t, c.conn.Close())
	select {
	case <-cancelled:
	case <-time.After(ioTimeout):
		t.Fatal("the handler's context was not cancelled")
	}
}

func TestFullQueueAnswers503AndKeepsTheConnection(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	s := startServer(t, Blocking(HandlerFunc(func(c *Context) error {
		calls.Add(1)
		<-release
		return nil
	})), Config{Workers: 1, QueueLen: 1, RetryAfter: 7})
	busy := dialRaw(t, s)
	busy.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n") // taken by the worker
	require.Eventually(t, func() bool { return calls.Load() == 1 }, ioTimeout, time.Millisecond)
	queued := dialRaw(t, s)
	queued.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n") // waits in the queue
	require.Eventually(t, func() bool { return s.Stats().Queued == 1 }, ioTimeout, time.Millisecond)

	refused := dialRaw(t, s)
	refused.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, body := refused.read("GET")
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "7", resp.Header.Get("Retry-After"))
	assert.Contains(t, body, "temporary")
	assert.False(t, resp.Close)
	// HEAD gets the same answer without the entity: a body here would be
	// read as the start of the next response below.
	refused.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, _ = refused.read("HEAD")
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "7", resp.Header.Get("Retry-After"))
	refused.send("GET / HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\n\r\n")
	resp, body = refused.read("GET")
	assertProblem(t, resp, body, 503)
	assert.Equal(t, "7", resp.Header.Get("Retry-After"))

	close(release)
	for _, c := range []*client{busy, queued} {
		resp, _ := c.read("GET")
		assert.Equal(t, 200, resp.StatusCode)
	}
	refused.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, _ = refused.read("GET")
	assert.Equal(t, 200, resp.StatusCode, "the refused connection is still usable")
}

func TestBlockingHandlerStreams(t *testing.T) {
	s := startServer(t, Blocking(HandlerFunc(func(c *Context) error {
		for i := 0; i < 3; i++ {
			_, _ = fmt.Fprintf(c, "part %d;", i)
			if err := c.Flush(); err != nil {
				return err
			}
		}
		_, _ = c.WriteString("end")
		return nil
	})), Config{})
	t.Run("chunked to HTTP/1.1", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, body := c.read("GET")
		assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
		assert.Equal(t, "part 0;part 1;part 2;end", body)
		assert.False(t, resp.Close)
		c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		_, body = c.read("GET")
		assert.Equal(t, "part 0;part 1;part 2;end", body)
	})
	t.Run("close-delimited to HTTP/1.0", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		resp, body := c.read("GET")
		assert.Empty(t, resp.TransferEncoding)
		assert.Equal(t, int64(-1), resp.ContentLength)
		assert.True(t, resp.Close)
		assert.Equal(t, "part 0;part 1;part 2;end", body)
	})
}

func TestInlineFlushIsRefused(t *testing.T) {
	got := make(chan error, 1)
	s := startServer(t, HandlerFunc(func(c *Context) error {
		got <- c.Flush()
		return nil
	}), Config{})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, _ := c.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.ErrorIs(t, <-got, ErrNotBlocking)
}

func TestNonReadingClientDoesNotGrowServerMemory(t *testing.T) {
	const chunk = 64 << 10
	var sent atomic.Int64
	done := make(chan error, 1)
	s := startServer(t, Blocking(HandlerFunc(func(c *Context) error {
		p := make([]byte, chunk)
		for i := 0; i < 1024; i++ { // 64 MiB if nothing held it back
			_, _ = c.Write(p)
			if err := c.Flush(); err != nil {
				done <- err
				return err
			}
			sent.Add(chunk)
		}
		done <- nil
		return nil
	})), Config{WriteTimeout: 500 * time.Millisecond})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	// The client reads nothing: the handler must stall once the socket
	// buffers and the server's bounded backlog are full, until the write
	// timeout ends the stream; all it wrote by then is what the server
	// took from it.
	select {
	case err := <-done:
		assert.Error(t, err, "the stream ends with an error once the write timeout closes the connection")
	case <-time.After(ioTimeout):
		t.Fatal("the stalled handler was never released")
	}
	stalledAt := sent.Load()
	assert.Less(t, stalledAt, int64(16<<20), "the handler ran ahead of the client")
	t.Logf("bytes accepted from the handler before it stalled: %d", stalledAt)
}

func TestShutdownCompletesInFlightRequests(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	s := New(Blocking(HandlerFunc(func(c *Context) error {
		if string(c.Path()) == "/busy" {
			close(started)
			<-release
		}
		_, _ = c.WriteString("finished")
		return nil
	})), Config{})
	require.NoError(t, s.Start("127.0.0.1:0"))
	busy := dialRaw(t, s)
	busy.send("GET /busy HTTP/1.1\r\nHost: a\r\n\r\n")
	<-started
	idle := dialRaw(t, s)
	idle.send("GET /idle HTTP/1.1\r\nHost: a\r\n\r\n")
	_, _ = idle.read("GET")

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	require.Eventually(t, func() bool { return refused(s.Addr()) }, ioTimeout, time.Millisecond,
		"new connections are refused by the kernel")
	assert.True(t, idle.closedByServer(), "idle connections close after the grace")
	close(release)
	resp, body := busy.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "finished", body)
	assert.True(t, resp.Close, "responses during the drain say Connection: close")
	select {
	case err := <-shut:
		assert.NoError(t, err)
	case <-time.After(ioTimeout):
		t.Fatal("Shutdown did not return")
	}
}

func TestShutdownWithAStuckHandlerCutsItOffAtDeadline(t *testing.T) {
	stuck := make(chan struct{})
	defer close(stuck)
	started := make(chan struct{})
	s := New(Blocking(HandlerFunc(func(c *Context) error {
		close(started)
		<-stuck
		return nil
	})), Config{RetryAfter: 4})
	require.NoError(t, s.Start("127.0.0.1:0"))
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := s.Shutdown(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var cut *ShutdownError
	require.ErrorAs(t, err, &cut)
	assert.Equal(t, 1, cut.CutOff)
	assert.Contains(t, err.Error(), "cut off 1 request")
	resp, body := c.read("GET")
	assert.Equal(t, 503, resp.StatusCode, "the request that cannot finish is answered")
	assert.Equal(t, "4", resp.Header.Get("Retry-After"))
	assert.True(t, resp.Close)
	assert.Contains(t, body, "shutting down")
	assert.True(t, c.closedByServer())
}

func TestRequestDuringDrainIsServed(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	s := New(HandlerFunc(func(c *Context) error {
		if string(c.Path()) == "/hold" {
			return Blocking(HandlerFunc(func(c *Context) error {
				close(started)
				<-release
				return nil
			})).Serve(c)
		}
		return nil
	}), Config{RetryAfter: 3, ReadHeaderTimeout: 2 * time.Second})
	require.NoError(t, s.Start("127.0.0.1:0"))
	hold := dialRaw(t, s)
	hold.send("GET /hold HTTP/1.1\r\nHost: a\r\n\r\n")
	<-started
	// A connection that is mid-request when the drain begins is not idle.
	partial := dialRaw(t, s)
	partial.send("GET / HTTP/1.1\r\n")
	require.Eventually(t, func() bool { return s.Stats().ConnsOpen == 2 }, ioTimeout, time.Millisecond)
	go func() { _ = s.Shutdown(context.Background()) }()
	require.Eventually(t, s.draining.Load, ioTimeout, time.Millisecond)
	partial.send("Host: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, _ := partial.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.False(t, resp.Close, "a request pipelined behind it is answered too")
	resp, _ = partial.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.True(t, resp.Close)
	close(release)
	_, _ = hold.read("GET")
}

// TestNonReadingPipelinedClientHoldsWorkBack sends a long pipeline of
// requests for large responses and reads nothing: work must stop starting
// once the connection's output is backed up, not run the whole pipeline
// into server memory, and go on once the client reads. Inline requests all
// arrive in one read, so one batch must not answer them all; blocking
// work must not start the next request while the last response waits.
func TestNonReadingPipelinedClientHoldsWorkBack(t *testing.T) {
	tests := []struct {
		name     string
		size, n  int // 16 MiB if nothing held it back
		blocking bool
	}{
		{name: "inline", size: 512 << 10, n: 32},
		{name: "blocking", size: 256 << 10, n: 64, blocking: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			body := make([]byte, tt.size)
			var h Handler = HandlerFunc(func(c *Context) error {
				prefix := strconv.Itoa(int(calls.Add(1)-1)) + " "
				_, _ = c.WriteString(prefix)
				_, _ = c.Write(body[len(prefix):])
				return nil
			})
			if tt.blocking {
				h = Blocking(h)
			}
			s := startServer(t, h, Config{WriteTimeout: 5 * time.Second})
			c := dialNarrow(t, s)
			c.send(strings.Repeat("GET / HTTP/1.1\r\nHost: a\r\n\r\n", tt.n))
			waitConn(t, s, outputBackedUp)
			held := calls.Load()
			t.Logf("responses produced while the client read nothing: %d of %d", held, tt.n)
			assert.Less(t, held, int32(tt.n/2), "the work ran ahead of the client")
			c.readPipelined(tt.n, tt.size)
		})
	}
}

func TestStatsCountStreamedBytes(t *testing.T) {
	const piece, pieces = 10_000, 10
	s := startServer(t, Blocking(HandlerFunc(func(c *Context) error {
		for range pieces {
			_, _ = c.WriteString(strings.Repeat("s", piece))
			if err := c.Flush(); err != nil {
				return err
			}
		}
		return nil
	})), Config{})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	_, body := c.read("GET")
	require.Len(t, body, piece*pieces)
	assert.GreaterOrEqual(t, s.Stats().BytesOut, uint64(piece*pieces), "every byte Flush sent is counted")
}
