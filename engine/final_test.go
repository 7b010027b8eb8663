package engine

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// handlerKinds wraps a handler the ways a request reaches one: on the
// loop, on the worker pool, and through the net/http adapter (for
// handlers written against the Context, the adapter's row is left out).
var handlerKinds = []struct {
	name string
	wrap func(Handler) Handler
}{
	{"inline", func(h Handler) Handler { return h }},
	{"blocking", Blocking},
}

// endings answers by path: /ok a body, /close a body with Connection:
// close set by the handler, /temp a 503 that keeps the connection, /bad a
// closing 400, /plain a plain error (500).
var endings = HandlerFunc(func(c *Context) error {
	switch string(c.Path()) {
	case "/close":
		_ = c.SetHeader("Connection", "close")
	case "/temp":
		return httperrors.New(httperrors.StatusServiceUnavailable, "try later")
	case "/bad":
		return httperrors.NewClosing(httperrors.StatusBadRequest, "the request is not understood")
	case "/plain":
		return io.ErrUnexpectedEOF
	}
	_ = c.SetContentType("text/plain")
	_, _ = c.WriteString("body")
	return nil
})

// TestResponseEndings checks the rules every response ends by — whether
// the connection stays, what the Connection field says, HEAD without an
// entity, errors rendered and counted — for inline and worker handlers
// alike, over TCP: each request is followed on the same connection by a
// GET that must be answered exactly when the connection stays.
func TestResponseEndings(t *testing.T) {
	tests := []struct {
		name       string
		req        string
		method     string
		status     int
		connection string // the response's Connection field
		body       string // "" for none; a prefix for errors
		stays      bool
	}{
		{"1.1 persists", "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n", "GET", 200, "", "body", true},
		{"1.1 close", "GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "GET", 200, "close", "body", false},
		{"1.0 closes", "GET /ok HTTP/1.0\r\n\r\n", "GET", 200, "close", "body", false},
		{"1.0 keep-alive", "GET /ok HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET", 200, "keep-alive", "body", true},
		{"handler says close", "GET /close HTTP/1.1\r\nHost: a\r\n\r\n", "GET", 200, "close", "body", false},
		{"HEAD", "HEAD /ok HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD", 200, "", "", true},
		{"HEAD after empty lines", "\r\n\r\nHEAD /ok HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD", 200, "", "", true},
		{"error keeps the connection", "GET /temp HTTP/1.1\r\nHost: a\r\n\r\n", "GET", 503, "", "503 Service Unavailable", true},
		{"error to a close request", "GET /temp HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "GET", 503, "close", "503 Service Unavailable", false},
		{"error to HTTP/1.0", "GET /temp HTTP/1.0\r\n\r\n", "GET", 503, "close", "503 Service Unavailable", false},
		{"closing error", "GET /bad HTTP/1.1\r\nHost: a\r\n\r\n", "GET", 400, "close", "400 Bad Request", false},
		{"plain error", "GET /plain HTTP/1.1\r\nHost: a\r\n\r\n", "GET", 500, "", "500 Internal Server Error", true},
		{"error to HEAD", "HEAD /temp HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD", 503, "", "", true},
		{"error to HEAD after empty lines", "\r\nHEAD /temp HTTP/1.1\r\nHost: a\r\n\r\n", "HEAD", 503, "", "", true},
	}
	for _, kind := range handlerKinds {
		s := startServer(t, kind.wrap(endings), Config{Logger: discardSlog()})
		for _, tt := range tests {
			t.Run(kind.name+"/"+tt.name, func(t *testing.T) {
				c := dialRaw(t, s)
				c.send(tt.req + "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, body := c.read(tt.method)
				require.Equal(t, tt.status, resp.StatusCode)
				if tt.connection == "close" {
					assert.True(t, resp.Close, "Connection: close")
				} else {
					assert.False(t, resp.Close)
					assert.Equal(t, tt.connection, resp.Header.Get("Connection"))
				}
				if tt.body == "" {
					assert.Empty(t, body)
					assert.NotEmpty(t, resp.Header.Get("Content-Length"), "HEAD says the length a GET would get")
				} else {
					assert.True(t, strings.HasPrefix(body, tt.body), "body %q", body)
				}
				if !tt.stays {
					assert.True(t, c.closedByServer(), "nothing after the response but EOF")
					return
				}
				resp, body = c.read("GET")
				assert.Equal(t, 200, resp.StatusCode)
				assert.Equal(t, "body", body)
			})
		}
	}
}

// TestEngineAnswersFollowTheCloseRules sends, for each answer the engine
// makes by itself, a request that asks to close (or an HTTP/1.0 one
// without keep-alive) followed by a GET on the same connection: exactly
// one response, then EOF (RFC 9112 §9.6). Without a close the connection
// stays usable.
func TestEngineAnswersFollowTheCloseRules(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	var started atomic.Int32
	hold := Blocking(HandlerFunc(func(c *Context) error {
		started.Add(1)
		<-block
		return nil
	}))
	answers := []struct {
		name   string
		status int
		// start returns a server that makes the answer to GET /.
		start func(t *testing.T) *Server
		// target is the request's method and target.
		target string
	}{
		{"501 to CONNECT", 501, func(t *testing.T) *Server {
			return startServer(t, endings, Config{})
		}, "CONNECT a.example:443"},
		{"maintenance 503", 503, func(t *testing.T) *Server {
			s := startServer(t, endings, Config{})
			s.SetMaintenance(time.Second)
			return s
		}, "GET /ok"},
		{"shedding 503", 503, func(t *testing.T) *Server {
			s := startServer(t, Blocking(endings), Config{Shed: true})
			s.shed.shedding.Store(true)
			s.shed.drainNanos.Store(int64(time.Second))
			return s
		}, "GET /ok"},
		{"full queue 503", 503, func(t *testing.T) *Server {
			s := startServer(t, hold, Config{Workers: 1, QueueLen: 1})
			started.Store(0)
			busy, queued := dialRaw(t, s), dialRaw(t, s)
			busy.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			require.Eventually(t, func() bool { return started.Load() == 1 }, ioTimeout, time.Millisecond)
			queued.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			require.Eventually(t, func() bool { return s.pool.reserved.Load() == 1 }, ioTimeout, time.Millisecond)
			return s
		}, "GET /ok"},
	}
	requests := []struct {
		name  string
		head  string // the request line's version and fields
		stays bool
		// connection is the response's Connection field as net/http
		// leaves it (it takes "close" out into resp.Close): an HTTP/1.0
		// client assumes a close unless it reads keep-alive.
		connection string
	}{
		{"close", " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false, ""},
		{"HTTP/1.0", " HTTP/1.0\r\n\r\n", false, ""},
		{"keep-alive", " HTTP/1.1\r\nHost: a\r\n\r\n", true, ""},
		{"HTTP/1.0 keep-alive", " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true, "keep-alive"},
	}
	for _, a := range answers {
		s := a.start(t)
		for _, r := range requests {
			t.Run(a.name+"/"+r.name, func(t *testing.T) {
				c := dialRaw(t, s)
				c.send(a.target + r.head + "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, body := c.read(strings.Fields(a.target)[0])
				require.Equal(t, a.status, resp.StatusCode)
				assert.NotEmpty(t, body, "an explained entity")
				assert.Equal(t, !r.stays, resp.Close)
				assert.Equal(t, r.connection, resp.Header.Get("Connection"))
				if !r.stays {
					assert.True(t, c.closedByServer(), "exactly one response, then EOF")
					return
				}
				resp, _ = c.read("GET")
				assert.Contains(t, []int{200, a.status}, resp.StatusCode, "the connection is still usable")
			})
		}
	}
}

// TestHalfClosedClientGetsItsResponse sends a request and shuts down the
// client's write side, as `nc -N` does: the response must come back in
// full, then EOF, from an inline, a Blocking and a FromHTTP handler.
func TestHalfClosedClientGetsItsResponse(t *testing.T) {
	netHello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "Hello, World!")
	})
	tests := []struct {
		name string
		h    Handler
	}{
		{"inline", hello},
		{"blocking", Blocking(hello)},
		{"FromHTTP", FromHTTP(netHello)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, tt.h, Config{})
			for i := 0; i < 20; i++ {
				c := dialRaw(t, s)
				c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
				require.NoError(t, c.conn.(*net.TCPConn).CloseWrite())
				resp, body := c.read("GET")
				require.Equal(t, 200, resp.StatusCode, "attempt %d", i)
				require.Equal(t, "Hello, World!", body, "attempt %d", i)
				require.True(t, c.closedByServer(), "attempt %d", i)
			}
		})
	}
}

// TestMiddlewareHeadersSurvive sets a field on the Context before the
// handler runs, as middleware does, and requires it on the response of an
// inline, a Blocking and a FromHTTP handler, and on their error responses.
func TestMiddlewareHeadersSurvive(t *testing.T) {
	inner := HandlerFunc(func(c *Context) error {
		if string(c.Path()) == "/fail" {
			return httperrors.New(httperrors.StatusServiceUnavailable, "try later")
		}
		_, _ = c.WriteString("ok")
		return nil
	})
	netInner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Handler", "net/http")
		_, _ = io.WriteString(w, "ok")
	})
	middleware := func(next Handler) Handler {
		return HandlerFunc(func(c *Context) error {
			_ = c.SetHeader("X-Request-Id", "abc123")
			_ = c.SetContentType("text/html") // replaced by an error's own
			return next.Serve(c)
		})
	}
	tests := []struct {
		name, path string
		h          Handler
		status     int
	}{
		{"inline", "/", middleware(inner), 200},
		{"blocking", "/", middleware(Blocking(inner)), 200},
		{"FromHTTP", "/", middleware(FromHTTP(netInner)), 200},
		{"inline error", "/fail", middleware(inner), 503},
		{"blocking error", "/fail", middleware(Blocking(inner)), 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, tt.h, Config{})
			c := dialRaw(t, s)
			c.send("GET " + tt.path + " HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, _ := c.read("GET")
			require.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, []string{"abc123"}, resp.Header.Values("X-Request-Id"))
			if tt.status == 200 {
				assert.Equal(t, []string{"text/html"}, resp.Header.Values("Content-Type"))
			} else {
				assert.Equal(t, []string{"text/plain; charset=utf-8"}, resp.Header.Values("Content-Type"))
			}
			if tt.name == "FromHTTP" {
				assert.Equal(t, "net/http", resp.Header.Get("X-Handler"))
			}
		})
	}
}

// TestHalfClosedPipelineIsAnsweredInFull pipelines blocking and inline
// requests and half-closes at once: gnet closes the connection on the
// EOF while the first request's work is running, and every request must
// still be answered, in order, before the server closes.
func TestHalfClosedPipelineIsAnsweredInFull(t *testing.T) {
	s := startServer(t, routes(20*time.Millisecond), Config{})
	for i := 0; i < 5; i++ {
		c := dialRaw(t, s)
		c.send("GET /block/0 HTTP/1.1\r\nHost: a\r\n\r\n" +
			"GET /inline/1 HTTP/1.1\r\nHost: a\r\n\r\n" +
			"GET /block/2 HTTP/1.1\r\nHost: a\r\n\r\n")
		require.NoError(t, c.conn.(*net.TCPConn).CloseWrite())
		for _, want := range []string{"blocking /block/0", "inline /inline/1", "blocking /block/2"} {
			resp, body := c.read("GET")
			require.Equal(t, 200, resp.StatusCode, "attempt %d", i)
			require.Equal(t, want, body, "attempt %d", i)
		}
		require.True(t, c.closedByServer(), "attempt %d", i)
	}
}

// TestSlowReaderGetsALargeInlineResponse answers with a body much larger
// than the socket buffers to a client that reads all along, but takes
// several write timeouts to read it: the timeout is for a client that does
// not read, so the response arrives in full, then EOF.
func TestSlowReaderGetsALargeInlineResponse(t *testing.T) {
	const writeTimeout = 300 * time.Millisecond
	body := strings.Repeat("0123456789abcdef", 6<<16) // 6 MiB
	s := startServer(t, HandlerFunc(func(c *Context) error {
		_, err := c.WriteString(body)
		return err
	}), Config{WriteTimeout: writeTimeout})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	// Paced, not synchronised: 64 KiB every 10 ms, so the 6 MiB take at
	// least three write timeouts to read. got is allocated once: a
	// growing copy under the race detector can stall the reader for
	// longer than a write timeout, which is not what this test is about.
	got := make([]byte, 0, len(body)+64<<10)
	buf := make([]byte, 64<<10)
	start := time.Now()
	for {
		n, err := io.ReadFull(c.conn, buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.Greater(t, time.Since(start), 3*writeTimeout, "the client read for several write timeouts")
	require.True(t, strings.HasSuffix(string(got), body), "the whole body arrived, got %d bytes", len(got))
}
