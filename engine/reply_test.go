package engine

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// scriptedOwner writes a reply with script, run on the loop after the
// handler returned, and reports what the engine tells it.
type scriptedOwner struct {
	script  func(r *Reply)
	expired func(r *Reply)
	gone    chan struct{}
}

func (o *scriptedOwner) ReplyExpired(r *Reply) { o.expired(r) }
func (o *scriptedOwner) ReplyDrained(*Reply)   {}
func (o *scriptedOwner) ReplyClientGone(r *Reply) {
	r.Finish(nil)
	close(o.gone)
}

// asyncHandler answers every request through a Reply that script writes
// later, from the loop.
func asyncHandler(o *scriptedOwner) Handler {
	return HandlerFunc(func(c *Context) error {
		loop := c.Loop()
		r := c.Async(o)
		go func() { _ = loop.Run(func() { o.script(r) }) }()
		return nil
	})
}

func TestReplyFramesTheBodyAndResumesTheConnection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		version   string
		length    int64 // declared; -1 for none
		chunked   bool
		keepAlive bool
	}{
		{"declared length", "HTTP/1.1", 5, false, true},
		{"unknown length to HTTP/1.1: chunked", "HTTP/1.1", -1, true, true},
		{"unknown length to HTTP/1.0: until the close", "HTTP/1.0", -1, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := &scriptedOwner{script: func(r *Reply) {
				assert.NoError(t, r.AddField([]byte("X-Async"), []byte("yes")))
				r.SetContentLength(tt.length)
				assert.NoError(t, r.Write([]byte("he")))
				assert.NoError(t, r.Write([]byte("llo")))
				r.Finish(nil)
			}}
			s := startServer(t, asyncHandler(o), Config{})
			c := dialRaw(t, s)
			connection := ""
			if tt.version == "HTTP/1.0" {
				connection = "Connection: keep-alive\r\n"
			}
			req := "GET / " + tt.version + "\r\nHost: h\r\n" + connection + "\r\n"
			c.send(req + req) // the second waits, pipelined, for the first's reply
			resp, body := c.read("GET")
			assert.Equal(t, "hello", body)
			assert.Equal(t, "yes", resp.Header.Get("X-Async"))
			assert.Equal(t, tt.chunked, len(resp.TransferEncoding) > 0)
			if !tt.keepAlive {
				assert.True(t, c.closedByServer())
				return
			}
			_, body = c.read("GET")
			assert.Equal(t, "hello", body, "the pipelined request is answered after the reply")
		})
	}
}

func TestReplyErrorRenderedLikeEveryError(t *testing.T) {
	t.Parallel()
	e := httperrors.New(httperrors.StatusGatewayTimeout, "the upstream did not answer in time").WithRetryAfter(3)
	tests := []struct {
		name, method, accept string
		contentType          string
		entity               bool
	}{
		{"text", "GET", "", "text/plain", true},
		{"problem+json by Accept", "GET", "application/problem+json", "application/problem+json", true},
		{"HEAD without the entity", "HEAD", "", "text/plain", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := &scriptedOwner{script: func(r *Reply) { r.Finish(e) }}
			s := startServer(t, asyncHandler(o), Config{})
			c := dialRaw(t, s)
			accept := ""
			if tt.accept != "" {
				accept = "Accept: " + tt.accept + "\r\n"
			}
			c.send(tt.method + " / HTTP/1.1\r\nHost: h\r\n" + accept + "\r\n")
			resp, body := c.read(tt.method)
			assert.Equal(t, http.StatusGatewayTimeout, resp.StatusCode)
			assert.Equal(t, "3", resp.Header.Get("Retry-After"))
			assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), tt.contentType), resp.Header.Get("Content-Type"))
			assert.Equal(t, tt.entity, strings.Contains(strings.ToLower(body), "did not answer in time"))
		})
	}
}

func TestReplyFailedAfterItsHeadClosesTheConnection(t *testing.T) {
	t.Parallel()
	o := &scriptedOwner{script: func(r *Reply) {
		assert.NoError(t, r.Write([]byte("part")))
		r.Finish(httperrors.New(httperrors.StatusBadGateway, "the upstream went away"))
	}}
	s := startServer(t, asyncHandler(o), Config{})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	resp, err := http.ReadResponse(c.r, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	_, err = resp.Body.Read(make([]byte, 64))
	require.NoError(t, err)
	assert.True(t, c.closedByServer(), "the client sees the chunked body cut short")
}

func TestReplyOwnerToldOfDeadlineAndDeparture(t *testing.T) {
	t.Parallel()
	expired := make(chan struct{})
	o := &scriptedOwner{
		script: func(r *Reply) { r.SetDeadline(time.Millisecond) },
		expired: func(r *Reply) {
			r.Finish(httperrors.New(httperrors.StatusGatewayTimeout, "too slow"))
			close(expired)
		},
		gone: make(chan struct{}),
	}
	s := startServer(t, asyncHandler(o), Config{})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	resp, _ := c.read("GET")
	assert.Equal(t, http.StatusGatewayTimeout, resp.StatusCode)
	waitClosed(t, expired)

	o2 := &scriptedOwner{script: func(*Reply) {}, gone: make(chan struct{})}
	s2 := startServer(t, asyncHandler(o2), Config{})
	c2 := dialRaw(t, s2)
	c2.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	waitConn(t, s2, func(c *conn) bool { return c.reply != nil })
	require.NoError(t, c2.conn.Close())
	waitClosed(t, o2.gone)
}

// waitClosed waits for ch to close, failing after ioTimeout.
func waitClosed(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(ioTimeout):
		t.Fatal("the owner was not told")
	}
}

// TestReplyFinishedBeforeItsHandlerReturned finishes a reply inside the
// handler that asked for it, as an owner does whose first step fails at
// once: the response still goes out after the ones before it, once, and
// the pipelined requests after it are answered in order.
func TestReplyFinishedBeforeItsHandlerReturned(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		finish func(r *Reply)
		status int
		body   string
	}{
		{"with a body", func(r *Reply) {
			assert.NoError(t, r.Write([]byte("early")))
			r.Finish(nil)
		}, http.StatusOK, "early"},
		{"with an error", func(r *Reply) {
			r.Finish(httperrors.New(httperrors.StatusBadGateway, "the upstream closed at once"))
		}, http.StatusBadGateway, "The upstream closed at once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var served atomic.Int32
			s := startServer(t, HandlerFunc(func(c *Context) error {
				served.Add(1)
				if string(c.Path()) == "/async" {
					tt.finish(c.Async(&scriptedOwner{}))
					return nil
				}
				_, err := c.WriteString("plain " + string(c.Path()))
				return err
			}), Config{NumLoops: 1})
			c := dialRaw(t, s)
			get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n" }
			c.send(get("/before") + get("/async") + get("/after"))
			_, body := c.read("GET")
			assert.Equal(t, "plain /before", body)
			resp, body := c.read("GET")
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Contains(t, body, tt.body)
			_, body = c.read("GET")
			assert.Equal(t, "plain /after", body)
			assert.True(t, c.stillOpen(50*time.Millisecond), "the connection is kept")
			assert.Equal(t, int32(3), served.Load(), "each request is served once")
		})
	}
}
