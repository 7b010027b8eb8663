package engine

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// serveRaw serves raw on an in-memory connection of a fresh server with h
// and returns the first response, parsed, and the bytes written.
func serveRaw(t *testing.T, h Handler, raw string) (*http.Response, string) {
	t.Helper()
	m := &memTransport{in: []byte(raw)}
	c := memConn(h, m)
	c.serve()
	out := string(m.out)
	method, _, _ := strings.Cut(raw, " ")
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), &http.Request{Method: method})
	require.NoError(t, err, out)
	return resp, out
}

func TestContextHeaderFields(t *testing.T) {
	tests := []struct {
		name  string
		set   func(c *Context) error
		lines []string // the response's fields from the handler, in order
	}{
		{"set replaces, ignoring case", func(c *Context) error {
			_ = c.SetHeader("X-A", "1")
			_ = c.SetHeader("X-B", "2")
			return c.SetHeader("x-a", "3")
		}, []string{"X-B: 2", "x-a: 3"}},
		{"add appends", func(c *Context) error {
			_ = c.AddHeader("Set-Cookie", "a=1")
			return c.AddHeader("Set-Cookie", "b=2")
		}, []string{"Set-Cookie: a=1", "Set-Cookie: b=2"}},
		{"set replaces every added line", func(c *Context) error {
			_ = c.AddHeader("Vary", "Accept")
			_ = c.AddHeader("X-Keep", "k")
			_ = c.AddHeader("Vary", "Origin")
			return c.SetHeader("Vary", "Cookie")
		}, []string{"X-Keep: k", "Vary: Cookie"}},
		{"content type twice is sent once", func(c *Context) error {
			_ = c.SetContentType("text/plain")
			return c.SetContentType("application/json")
		}, []string{"Content-Type: application/json"}},
		{"a name that only folds punctuation is another name", func(c *Context) error {
			_ = c.SetHeader("X-^", "1")
			return c.SetHeader("X-~", "2")
		}, []string{"X-^: 1", "X-~: 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var x Context
			x.reset(nil, nil)
			require.NoError(t, tt.set(&x))
			assert.Equal(t, strings.Join(tt.lines, "\r\n")+"\r\n", string(x.fields))
		})
	}
}

func TestContextRefusesInvalidFieldsOnEveryAccessor(t *testing.T) {
	for _, set := range []func(c *Context, name, value string) error{(*Context).SetHeader, (*Context).AddHeader} {
		var x Context
		x.reset(nil, nil)
		assert.ErrorIs(t, set(&x, "X-A", "a\r\nInjected: 1"), ErrInvalidHeader)
		assert.ErrorIs(t, set(&x, "Bad Name", "v"), ErrInvalidHeader)
		assert.ErrorIs(t, set(&x, "content-length", "1"), ErrReservedHeader)
		assert.Empty(t, x.fields)
	}
}

func TestSetStatusRefusesCodesNoStatusLineCarries(t *testing.T) {
	tests := []struct {
		code int
		ok   bool
	}{
		{-1, false}, {0, false}, {99, false}, {100, true}, {404, true}, {999, true}, {1000, false}, {20000, false},
	}
	for _, tt := range tests {
		var x Context
		x.reset(nil, nil)
		err := x.SetStatus(tt.code)
		if tt.ok {
			assert.NoError(t, err, tt.code)
			assert.Equal(t, httperrors.Status(tt.code), x.status)
		} else {
			assert.ErrorIs(t, err, ErrInvalidStatus, tt.code)
			assert.Equal(t, httperrors.StatusOK, x.status, "the status stays as it was")
		}
	}
}

func TestSetStatusRefusalOnTheWire(t *testing.T) {
	h := HandlerFunc(func(c *Context) error {
		_ = c.SetStatus(1000) // refused: the response stays 200
		_, _ = c.WriteString("ok")
		return nil
	})
	_, out := serveRaw(t, h, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.True(t, strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n"), out)
}

func TestHeaderValues(t *testing.T) {
	raw := "GET / HTTP/1.1\r\nHost: a\r\nAccept: text/html, text/plain\r\nX-Other: 1\r\naccept: image/png\r\n\r\n"
	tests := []struct {
		name string
		want []string
	}{
		{"Accept", []string{"text/html, text/plain", "image/png"}},
		{"ACCEPT", []string{"text/html, text/plain", "image/png"}},
		{"X-Other", []string{"1"}},
		{"Absent", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			h := HandlerFunc(func(c *Context) error {
				for v := range c.HeaderValues(tt.name) {
					got = append(got, string(v))
				}
				return nil
			})
			serveRaw(t, h, raw)
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("stops when the loop breaks", func(t *testing.T) {
		n := 0
		serveRaw(t, HandlerFunc(func(c *Context) error {
			for range c.HeaderValues("Accept") {
				n++
				break
			}
			return nil
		}), raw)
		assert.Equal(t, 1, n)
	})
}

func TestPathDecoded(t *testing.T) {
	tests := []struct {
		target, path, decoded string
	}{
		{"/plain/path?q=1", "/plain/path", "/plain/path"},
		{"/caf%C3%A9", "/caf%C3%A9", "/café"},
		{"/a%2Fb", "/a%2Fb", "/a/b"},
		{"/%41%62?x=%41", "/%41%62", "/Ab"},
		{"/a+b", "/a+b", "/a+b"},
		{"http://example.com/x%20y?z", "/x%20y", "/x y"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			var path, decoded string
			var same bool
			h := HandlerFunc(func(c *Context) error {
				path, decoded = string(c.Path()), string(c.PathDecoded())
				same = &c.Path()[0] == &c.PathDecoded()[0]
				assert.Equal(t, decoded, string(c.PathDecoded()), "a second call")
				return nil
			})
			serveRaw(t, h, "GET "+tt.target+" HTTP/1.1\r\nHost: a\r\n\r\n")
			assert.Equal(t, tt.path, path)
			assert.Equal(t, tt.decoded, decoded)
			assert.Equal(t, !strings.Contains(tt.path, "%"), same, "a path without escapes is returned as it is")
		})
	}
}

func TestQueryArg(t *testing.T) {
	tests := []struct {
		query, name string
		raw, dec    []byte // nil: absent
	}{
		{"a=1&b=2", "b", []byte("2"), []byte("2")},
		{"a=1&b=2", "c", nil, nil},
		{"a=1&a=2", "a", []byte("1"), []byte("1")},
		{"flag&b=2", "flag", []byte{}, []byte{}},
		{"flag=&b=2", "flag", []byte{}, []byte{}},
		{"q=a+b%21", "q", []byte("a+b%21"), []byte("a b!")},
		{"a%20b=1", "a b", []byte("1"), []byte("1")},
		{"a+b=1", "a b", []byte("1"), []byte("1")},
		{"ab=1", "a", nil, nil},
		{"a;b=1", "b", nil, nil}, // ';' separates nothing
		{"", "a", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query+"/"+tt.name, func(t *testing.T) {
			var raw, dec []byte
			h := HandlerFunc(func(c *Context) error {
				raw, dec = bytes.Clone(c.QueryArg(tt.name)), bytes.Clone(c.QueryArgDecoded(tt.name))
				return nil
			})
			serveRaw(t, h, "GET /p?"+tt.query+" HTTP/1.1\r\nHost: a\r\n\r\n")
			assert.Equal(t, tt.raw, raw)
			assert.Equal(t, tt.dec, dec)
		})
	}
}

func TestErrorResponseKeepsHandlerFields(t *testing.T) {
	h := HandlerFunc(func(c *Context) error {
		_ = c.SetHeader("X-Request-Id", "r-1")
		_ = c.SetContentType("application/json")
		_ = c.SetHeader("Content-Language", "en")
		_ = c.AddHeader("Set-Cookie", "a=1")
		_, _ = c.WriteString(`{"partial":`)
		return httperrors.New(409, "the resource changed")
	})
	resp, out := serveRaw(t, h, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 409, resp.StatusCode)
	assert.Equal(t, "r-1", resp.Header.Get("X-Request-Id"))
	assert.Equal(t, "a=1", resp.Header.Get("Set-Cookie"))
	assert.Equal(t, []string{"text/plain; charset=utf-8"}, resp.Header["Content-Type"], "the body's fields went with it")
	assert.Empty(t, resp.Header.Get("Content-Language"))
	assert.NotContains(t, out, "partial")
}

func TestWriteShared(t *testing.T) {
	const get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	large := bytes.Repeat([]byte("0123456789abcdef"), sharedByRef/16+1) // written by reference
	sendLarge := HandlerFunc(func(c *Context) error { _, err := c.WriteShared(large); return err })
	tests := []struct {
		name   string
		h      Handler
		in     string
		bodies []string // the bodies answered, in order
	}{
		{"alone", HandlerFunc(func(c *Context) error { _, err := c.WriteShared([]byte("shared")); return err }),
			get, []string{"shared"}},
		{"then Write", HandlerFunc(func(c *Context) error {
			_, _ = c.WriteShared([]byte("sha"))
			_, err := c.WriteString("red")
			return err
		}), get, []string{"shared"}},
		{"after Write", HandlerFunc(func(c *Context) error {
			_, _ = c.WriteString("sha")
			_, err := c.WriteShared([]byte("red"))
			return err
		}), get, []string{"shared"}},
		{"twice", HandlerFunc(func(c *Context) error {
			_, _ = c.WriteShared([]byte("sha"))
			_, err := c.WriteShared([]byte("red"))
			return err
		}), get, []string{"shared"}},
		{"HEAD", HandlerFunc(func(c *Context) error { _, err := c.WriteShared([]byte("shared")); return err }),
			"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", []string{""}},
		{"blocking", Blocking(HandlerFunc(func(c *Context) error { _, err := c.WriteShared([]byte("shared")); return err })),
			get, []string{"shared"}},
		{"large", sendLarge, get, []string{string(large)}},
		{"large, pipelined", sendLarge, get + "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n" + get,
			[]string{string(large), "", string(large)}},
		{"large, then Write", HandlerFunc(func(c *Context) error {
			_, _ = c.WriteShared(large)
			_, err := c.WriteString("!")
			return err
		}), get, []string{string(large) + "!"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.h, Config{Logger: discardSlog()})
			out, _, err := s.ServeBytes(context.Background(), []byte(tt.in))
			require.NoError(t, err)
			resps := responsesOf(t, out, tt.in)
			require.Len(t, resps, len(tt.bodies))
			for i, body := range tt.bodies {
				assert.Equal(t, body, resps[i], "response %d", i)
			}
			length := len(tt.bodies[0])
			if tt.name == "HEAD" {
				length = len("shared")
			}
			assert.Contains(t, string(out), "Content-Length: "+strconv.Itoa(length)+"\r\n", "the length of the body a GET gets")
		})
	}
}

func TestWriteSharedLeavesTheCallersBytesAlone(t *testing.T) {
	// The first request's body is the caller's; the second request's
	// body, written into the reused Context, must not land in it.
	shared := []byte("cached bytes")
	first := true
	s := New(HandlerFunc(func(c *Context) error {
		if first {
			first = false
			_, err := c.WriteShared(shared)
			return err
		}
		_, err := c.WriteString("other")
		return err
	}), Config{Logger: discardSlog()})
	const get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	out, _, err := s.ServeBytes(context.Background(), []byte(get+get))
	require.NoError(t, err)
	assert.Equal(t, []string{"cached bytes", "other"}, responsesOf(t, out, get+get))
	assert.Equal(t, "cached bytes", string(shared))
}

// responsesOf returns the bodies of the responses in out, read as the
// answers to the requests in, by their methods.
func responsesOf(t *testing.T, out []byte, in string) []string {
	var methods []string
	for _, line := range strings.Split(in, "\r\n") {
		if m, _, ok := strings.Cut(line, " /"); ok {
			methods = append(methods, m)
		}
	}
	t.Helper()
	var bodies []string
	r := bufio.NewReader(bytes.NewReader(out))
	for {
		if _, err := r.Peek(1); err != nil {
			return bodies
		}
		require.Less(t, len(bodies), len(methods), "more responses than requests")
		req := &http.Request{Method: methods[len(bodies)]}
		resp, err := http.ReadResponse(r, req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		bodies = append(bodies, string(b))
	}
}
