package engine_test

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/engine/enginetest"
	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// These tests look at what a handler's response becomes on the wire,
// where a socket adds nothing: enginetest serves them in memory through
// the engine's own path.

// hello answers every request with a short plaintext body.
var hello = engine.HandlerFunc(func(c *engine.Context) error {
	_ = c.SetContentType("text/plain; charset=utf-8")
	_, _ = c.WriteString("Hello, World!")
	return nil
})

func TestHeadHasHeadersWithoutBody(t *testing.T) {
	responses, err := enginetest.Serve(engine.New(hello, engine.Config{}),
		"HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	require.Len(t, responses, 2)
	head, get := responses[0], responses[1]
	assert.Equal(t, 200, head.StatusCode)
	assert.Empty(t, head.Body)
	assert.True(t, strings.HasSuffix(head.Raw, "\r\n\r\n"), "nothing after the head")
	assert.Equal(t, "13", head.Header.Get("Content-Length"))
	assert.Equal(t, "Hello, World!", string(get.Body))
	assert.Equal(t, get.Header.Get("Content-Type"), head.Header.Get("Content-Type"))
}

func TestResponseHeaders(t *testing.T) {
	resp, err := enginetest.Do(hello, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	assert.Equal(t, "rawhttpd", resp.Header.Get("Server"))
	_, err = http.ParseTime(resp.Header.Get("Date"))
	assert.NoError(t, err)
	assert.Equal(t, "13", resp.Header.Get("Content-Length"))

	responses, err := enginetest.Serve(engine.New(hello, engine.Config{NoServerHeader: true}), "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	assert.Empty(t, responses[0].Header.Values("Server"))
}

func TestBodies(t *testing.T) {
	const limit = 1000
	s := engine.New(engine.HandlerFunc(func(c *engine.Context) error {
		_, _ = c.WriteString(strconv.Itoa(len(c.Body())))
		return nil
	}), engine.Config{MaxBodyBytes: limit})
	tests := []struct {
		name   string
		req    string
		status int
		body   string
	}{
		{"at the limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + strings.Repeat("x", limit), 200, "1000"},
		{"over the limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n" + strings.Repeat("x", limit+1), 413, ""},
		{"chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\nTrailer: x\r\n\r\n", 200, "19"},
		{"chunked at the limit", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + strings.Repeat("x", limit) + "\r\n0\r\n\r\n", 200, "1000"},
		{"chunked over the limit", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + strings.Repeat("x", limit) + "\r\n1\r\nx\r\n0\r\n\r\n", 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			responses, err := enginetest.Serve(s, tt.req)
			require.NoError(t, err)
			require.Len(t, responses, 1)
			resp := responses[0]
			require.Equal(t, tt.status, resp.StatusCode)
			if tt.status == 200 {
				assert.Equal(t, tt.body, string(resp.Body))
				assert.False(t, resp.Closed)
			} else {
				assert.Contains(t, resp.Raw, "\r\nConnection: close\r\n")
				assert.True(t, resp.Closed)
			}
		})
	}
}

func TestHandlerErrors(t *testing.T) {
	s := engine.New(engine.HandlerFunc(func(c *engine.Context) error {
		_, _ = c.WriteString("partial output is discarded")
		switch string(c.Path()) {
		case "/busy":
			return httperrors.New(httperrors.StatusServiceUnavailable, "try later").WithRetryAfter(9)
		case "/plain":
			return io.ErrUnexpectedEOF
		}
		return nil
	}), engine.Config{Logger: slog.New(slog.DiscardHandler)})
	responses, err := enginetest.Serve(s, "GET /busy HTTP/1.1\r\nHost: a\r\n\r\n"+
		"GET /plain HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\n\r\n"+
		"HEAD /busy HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	require.Len(t, responses, 3)

	busy := responses[0]
	assert.Equal(t, 503, busy.StatusCode)
	assert.Equal(t, "9", busy.Header.Get("Retry-After"))
	assert.NotContains(t, string(busy.Body), "partial")
	assert.Empty(t, busy.Header.Get("Connection"))

	plain := responses[1]
	assert.Equal(t, 500, plain.StatusCode)
	assert.Equal(t, "application/problem+json", plain.Header.Get("Content-Type"))
	assert.Contains(t, string(plain.Body), `"status":500`)
	assert.NotContains(t, string(plain.Body), "unexpected EOF")

	head := responses[2]
	assert.Equal(t, 503, head.StatusCode)
	assert.Empty(t, head.Body)
	assert.NotEqual(t, "0", head.Header.Get("Content-Length"))
}

func TestResponseHeaderInjectionRefused(t *testing.T) {
	var errs []error
	resp, err := enginetest.Do(engine.HandlerFunc(func(c *engine.Context) error {
		errs = []error{
			c.SetHeader("X-Evil", "a\r\nSet-Cookie: owned=1"),
			c.SetHeader("X-Evil", "a\nb"),
			c.AddHeader("X-Evil", "a\x00b"),
			c.SetHeader("Bad Name", "v"),
			c.AddHeader("X-Evil\r\nInjected", "v"),
			c.SetHeader("Content-Length", "5"),
			c.SetHeader("X-Fine", "ok"),
		}
		return nil
	}), "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	for i, err := range errs[:5] {
		assert.ErrorIs(t, err, engine.ErrInvalidHeader, "case %d", i)
	}
	assert.ErrorIs(t, errs[5], engine.ErrReservedHeader)
	assert.NoError(t, errs[6])
	assert.Empty(t, resp.Header.Get("Set-Cookie"))
	assert.Empty(t, resp.Header.Get("X-Evil"))
	assert.Empty(t, resp.Header.Get("Injected"))
	assert.Equal(t, "0", resp.Header.Get("Content-Length"))
	assert.Equal(t, "ok", resp.Header.Get("X-Fine"))
}

func TestRouterWildcardsReachEveryKindOfHandler(t *testing.T) {
	r := engine.NewRouter()
	r.HandleFunc("GET /inline/{id}", func(c *engine.Context) error {
		_, _ = c.WriteString("inline " + string(c.PathValue("id")) + " " + c.Pattern())
		return nil
	})
	r.Handle("GET /blocking/{id}", engine.Blocking(engine.HandlerFunc(func(c *engine.Context) error {
		_, _ = c.WriteString("blocking " + string(c.PathValue("id")) + " " + c.Pattern())
		return nil
	})))
	r.Handle("GET /nethttp/{id}/{rest...}", engine.FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.WriteString(w, "nethttp "+req.PathValue("id")+" "+req.PathValue("rest")+" "+req.Pattern)
	})))
	tests := []struct{ target, body string }{
		{"/inline/7", "inline 7 GET /inline/{id}"},
		{"/blocking/a%2Fb", "blocking a/b GET /blocking/{id}"},
		{"/nethttp/9/x/y%20z", "nethttp 9 x/y z GET /nethttp/{id}/{rest...}"},
	}
	var raw strings.Builder
	for _, tt := range tests {
		raw.WriteString("GET " + tt.target + " HTTP/1.1\r\nHost: h\r\n\r\n")
	}
	// One connection: the blocking responses come back in order with the
	// inline ones, each with its own values.
	responses, err := enginetest.Serve(engine.New(r, engine.Config{}), raw.String()+raw.String())
	require.NoError(t, err)
	require.Len(t, responses, 2*len(tests))
	for i, resp := range responses {
		assert.Equal(t, 200, resp.StatusCode)
		assert.Equal(t, tests[i%len(tests)].body, string(resp.Body))
	}
}
