//go:build !race

package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/internal/testreq"
)

// browserGET is the shared browser request, as parser and bench use it.
const browserGET = testreq.Browser

func TestServeAllocatesNothingPerRequest(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"minimal", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"browser", browserGET},
		{"pipelined16", strings.Repeat(browserGET, 16)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memTransport{}
			c := memConn(hello, m)
			in := []byte(tt.in)
			serve := func() {
				m.in, m.out = in, m.out[:0]
				c.serve()
			}
			serve() // warm up the loop's buffers
			require.Contains(t, string(m.out), "Hello, World!")
			require.Zero(t, testing.AllocsPerRun(100, serve))
		})
	}
}

func TestRejectionAllocatesNothing(t *testing.T) {
	for _, raw := range []string{"GET / HTTP/2.0\r\n\r\n", "BREW / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\n\r\n"} {
		m := &memTransport{}
		c := memConn(hello, m)
		in := []byte(raw)
		serve := func() {
			m.in, m.out = in, m.out[:0]
			c.state = stateIdle
			if c.ex != nil {
				c.ex.parser.Reset()
				c.ex.req.Reset()
			}
			c.serve()
		}
		serve()
		require.Contains(t, string(m.out), "Connection: close")
		require.Zero(t, testing.AllocsPerRun(100, serve), raw)
	}
}

func TestOnAccessAllocatesNothingPerRequest(t *testing.T) {
	m := &memTransport{}
	calls := 0
	s := New(hello, Config{OnAccess: func(a Access) { calls += a.Status / 200 }})
	c := &conn{srv: s, loop: newLoop(s, nil), t: m}
	in := []byte(strings.Repeat(browserGET, 16))
	serve := func() {
		m.in, m.out = in, m.out[:0]
		c.serve()
	}
	serve()
	require.Equal(t, 16, calls)
	require.Zero(t, testing.AllocsPerRun(100, serve))
}

func TestRoutedRequestAllocatesNothing(t *testing.T) {
	r := NewRouter()
	noop := HandlerFunc(func(*Context) error { return nil })
	for _, p := range benchRoutes {
		r.Handle(p, noop)
	}
	r.HandleFunc("GET /items/{id}", func(c *Context) error {
		_ = c.SetContentType("text/plain")
		_ = c.SetContentType("text/plain; charset=utf-8") // replaces
		_ = c.AddHeader("Vary", "Accept")
		_, _ = c.Write(c.PathValue("id"))
		_, _ = c.Write(c.QueryArg("q"))
		_, _ = c.Write(c.QueryArgDecoded("q"))
		_, _ = c.Write(c.PathDecoded())
		for v := range c.HeaderValues("Accept") {
			_, _ = c.Write(v)
		}
		return nil
	})
	tests := []struct {
		name, raw, want string
	}{
		{"one wildcard", "GET /items/42?q=a+b HTTP/1.1\r\nHost: a\r\nAccept: x\r\n\r\n", "HTTP/1.1 200 OK"},
		{"escaped wildcard", "GET /items/4%2F2?q=%41 HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK"},
		{"rest wildcard", "GET /repos/a/b/contents/x/y%20z HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK"},
		{"404", "GET /nothing/here HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 404 Not Found"},
		{"405", "DELETE /items/42 HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"},
		{"405 in problem+json", "DELETE /gists HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\n\r\n", "HTTP/1.1 405 Method Not Allowed"},
		{"redirect", "GET /static?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 307 Temporary Redirect"},
		{"not clean", "GET /a/../users HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 307 Temporary Redirect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memTransport{}
			c := memConn(requestID(r), m)
			in := []byte(tt.raw)
			serve := func() {
				m.in, m.out = in, m.out[:0]
				c.serve()
			}
			serve() // warm up the buffers and the 405's Allow
			require.True(t, strings.HasPrefix(string(m.out), tt.want+"\r\n"), string(m.out))
			require.Contains(t, string(m.out), "X-Request-Id: req-1\r\n")
			require.Zero(t, testing.AllocsPerRun(100, serve))
		})
	}
}
