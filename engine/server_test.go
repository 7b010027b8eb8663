package engine

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echo answers with the method, target and body it received.
var echo = HandlerFunc(func(c *Context) error {
	_ = c.SetContentType("text/plain")
	_, _ = fmt.Fprintf(c, "%s %s %s", c.Method(), c.Target(), c.Body())
	return nil
})

func TestKeepAlive(t *testing.T) {
	s := startServer(t, echo, Config{})
	tests := []struct {
		name       string
		req        string
		connection string // the response's Connection field
		stays      bool
	}{
		{"1.1 persists", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "", true},
		{"1.1 close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "close", false},
		{"1.1 close among tokens", "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n", "close", false},
		{"1.0 closes", "GET / HTTP/1.0\r\n\r\n", "close", false},
		{"1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "keep-alive", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, s)
			for i := 0; i < 2; i++ {
				c.send(tt.req)
				resp, body := c.read("GET")
				require.Equal(t, 200, resp.StatusCode)
				assert.Equal(t, "GET / ", body)
				// net/http moves "Connection: close" into resp.Close.
				if tt.connection == "close" {
					assert.True(t, resp.Close)
				} else {
					assert.Equal(t, tt.connection, resp.Header.Get("Connection"))
				}
				if !tt.stays {
					assert.True(t, c.closedByServer())
					return
				}
			}
			assert.True(t, c.stillOpen(50*time.Millisecond))
		})
	}
}

func TestPipelinedRequestsAnsweredInOrderInOneWrite(t *testing.T) {
	s := startServer(t, echo, Config{})
	c := dialRaw(t, s)
	var batch strings.Builder
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&batch, "GET /%d HTTP/1.1\r\nHost: a\r\n\r\n", i)
	}
	c.send(batch.String())
	// One write: all 16 responses are readable from the socket at once.
	require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	_, err := c.r.Peek(1) // one read: what the server's one write put on the socket
	require.NoError(t, err)
	buffered := c.r.Buffered()
	for i := 0; i < 16; i++ {
		resp, body := c.read("GET")
		require.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, fmt.Sprintf("GET /%d ", i), body)
	}
	assert.Greater(t, buffered, 16*100, "the 16 responses arrived together")
}

func TestExpectContinue(t *testing.T) {
	s := startServer(t, echo, Config{})
	t.Run("interim response before the body", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
		interim, _ := c.read("POST")
		require.Equal(t, 100, interim.StatusCode)
		c.send("hello")
		resp, body := c.read("POST")
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, "POST /up hello", body)
	})
	t.Run("no interim response when the body came along", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello")
		resp, _ := c.read("POST")
		assert.Equal(t, 200, resp.StatusCode)
	})
	t.Run("never twice", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
		interim, _ := c.read("POST")
		require.Equal(t, 100, interim.StatusCode)
		c.send("he")
		// The server has read the head and the first piece of the body.
		waitConn(t, s, holdsUnread(len("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhe")))
		c.send("llo")
		resp, _ := c.read("POST")
		assert.Equal(t, 200, resp.StatusCode)
	})
	t.Run("too large: 413 instead of 100", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 99999999\r\n\r\n")
		resp, _ := c.read("POST")
		assert.Equal(t, 413, resp.StatusCode)
	})
}

func TestTimeouts(t *testing.T) {
	cfg := Config{ReadHeaderTimeout: 200 * time.Millisecond, BodyReadTimeout: 200 * time.Millisecond, IdleTimeout: 300 * time.Millisecond}
	s := startServer(t, hello, cfg)
	t.Run("partial head gets 408", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("GET / HTTP/1.1\r\nHo")
		start := time.Now()
		resp, body := c.read("GET")
		assert.Equal(t, 408, resp.StatusCode)
		assert.Contains(t, body, "temporary")
		assert.True(t, resp.Close)
		assert.True(t, c.closedByServer())
		assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	})
	t.Run("partial body gets 408", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
		resp, _ := c.read("POST")
		assert.Equal(t, 408, resp.StatusCode)
		assert.True(t, c.closedByServer())
	})
	t.Run("idle keep-alive closes silently", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, _ := c.read("GET")
		require.Equal(t, 200, resp.StatusCode)
		start := time.Now()
		assert.True(t, c.closedByServer())
		assert.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
	})
	t.Run("a connection that sends nothing closes", func(t *testing.T) {
		c := dialRaw(t, s)
		assert.True(t, c.closedByServer())
	})
	t.Run("a busy connection is not idle", func(t *testing.T) {
		c := dialRaw(t, s)
		for i := 0; i < 6; i++ {
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, _ := c.read("GET")
			require.Equal(t, 200, resp.StatusCode)
			// The client's pause is the case under test: each is shorter
			// than IdleTimeout, together they are longer.
			time.Sleep(100 * time.Millisecond)
		}
	})
}

func TestPanicAnswers500WhileOthersAreServed(t *testing.T) {
	s := startServer(t, HandlerFunc(func(c *Context) error {
		if string(c.Path()) == "/panic" {
			panic("secret detail")
		}
		_, _ = c.WriteString("ok")
		return nil
	}), Config{Logger: discardSlog()})

	var wg sync.WaitGroup
	stop := make(chan struct{})
	served := 0
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := dialRaw(t, s)
		for {
			select {
			case <-stop:
				return
			default:
			}
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, body := c.read("GET")
			if resp.StatusCode != 200 || body != "ok" {
				t.Errorf("parallel client got %d %q", resp.StatusCode, body)
				return
			}
			served++
		}
	}()
	for i := 0; i < 20; i++ {
		c := dialRaw(t, s)
		c.send("GET /panic HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, body := c.read("GET")
		require.Equal(t, 500, resp.StatusCode)
		assert.True(t, resp.Close)
		assert.NotContains(t, body, "secret")
		assert.Contains(t, body, "temporary")
		assert.True(t, c.closedByServer())
	}
	close(stop)
	wg.Wait()
	assert.Positive(t, served)
}

func TestRequestWhileDraining(t *testing.T) {
	get := "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	tests := []struct {
		name    string
		in      string
		expired bool // the drain's context has ended
		want    string
		status  int
		entity  bool
	}{
		{name: "served during the drain", in: get, status: 200, want: "Hello, World!", entity: true},
		{name: "refused past the deadline", in: get, expired: true, status: 503, want: "shutting down", entity: true},
		{name: "HEAD past the deadline", in: "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", expired: true, status: 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memTransport{in: []byte(tt.in)}
			c := memConn(hello, m)
			c.srv.draining.Store(true)
			c.srv.drainExpired.Store(tt.expired)
			c.serve()
			method := strings.SplitN(tt.in, " ", 2)[0]
			resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(m.out)), &http.Request{Method: method})
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.True(t, resp.Close, "Connection: close")
			body, _ := io.ReadAll(resp.Body)
			if !tt.entity {
				assert.True(t, strings.HasSuffix(string(m.out), "\r\n\r\n"), "no entity after the head: %q", m.out)
				return
			}
			assert.Contains(t, string(body), tt.want)
			if tt.status == 503 {
				assert.Equal(t, "1", resp.Header.Get("Retry-After"))
				assert.Contains(t, string(body), "temporary")
			}
		})
	}
}

// TestFailedWriteLeavesTheConnectionAlone has the write of a batch's
// responses fail, with the connection closed and released under it as
// gnet does, and requires the engine to touch nothing of it afterwards.
// A client that pipelines thousands of requests and resets without
// reading made the engine read the released exchange, and its recover
// path panic again, which ended the process.
func TestFailedWriteLeavesTheConnectionAlone(t *testing.T) {
	get := "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	panics := HandlerFunc(func(*Context) error { panic("boom") })
	serve := func(c *conn) { c.serve() }
	tests := []struct {
		name  string
		in    string
		h     Handler
		serve func(c *conn)
	}{
		{"pipeline ending in a partial request", strings.Repeat(get, 3) + "GET / HT", plaintext, serve},
		{"pipeline, all complete", strings.Repeat(get, 3), plaintext, serve},
		{"parse error", get + "FOO / HTTP/1.1\r\n", plaintext, serve},
		{"header timeout", "GET / HT", plaintext, func(c *conn) { c.serve(); c.timeOut() }},
		{"panicking handler", get, panics, serve},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memTransport{in: []byte(tt.in)}
			c := memConn(tt.h, m)
			c.srv.cfg.Logger = discardSlog()
			m.failWrite = c.release
			require.NotPanics(t, func() { tt.serve(c) })
			assert.Equal(t, stateClosed, c.state, "no graceful close of a connection already gone")
			assert.Nil(t, c.ex, "the exchange went back to the loop once")
			assert.Zero(t, c.srv.lingering.Load())
		})
	}
}

func TestResetAfterALongPipelineLeavesTheServerServing(t *testing.T) {
	s := startServer(t, hello, Config{})
	burst := strings.Repeat("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 5000) + "GET / HT"
	for i := 0; i < 3; i++ {
		c := dialRaw(t, s)
		c.send(burst)
		require.NoError(t, c.conn.(*net.TCPConn).SetLinger(0))
		require.NoError(t, c.conn.Close()) // reset, nothing read
	}
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, _ := c.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
}
