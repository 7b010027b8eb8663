package parser

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestPathQuery(t *testing.T) {
	tests := []struct {
		method, target string
		path, query    string
		noPath         bool
		noQuery        bool
	}{
		{method: "GET", target: "/", path: "/", noQuery: true},
		{method: "GET", target: "/a/b?x=1&y", path: "/a/b", query: "x=1&y"},
		{method: "GET", target: "/a?", path: "/a", query: ""},
		{method: "GET", target: "http://h.example/a?q", path: "/a", query: "q"},
		{method: "GET", target: "http://h.example", path: "/", noQuery: true},
		{method: "GET", target: "http://h.example?q", path: "/", query: "q"},
		{method: "OPTIONS", target: "*", path: "*", noQuery: true},
		{method: "CONNECT", target: "h.example:443", noPath: true, noQuery: true},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			_, req, err := mustParse(t, Config{}, tt.method+" "+tt.target+" HTTP/1.1\r\nHost: h\r\n\r\n")
			require.NoError(t, err)
			if tt.noPath {
				assert.Nil(t, req.Path())
			} else {
				assert.Equal(t, tt.path, string(req.Path()))
			}
			if tt.noQuery {
				assert.Nil(t, req.Query())
			} else {
				assert.Equal(t, tt.query, string(req.Query()))
			}
		})
	}
}

func TestRequestHeader(t *testing.T) {
	_, req, err := mustParse(t, Config{}, "GET / HTTP/1.1\r\nHost: h\r\nX-Thing: 1\r\nx-thing: 2\r\nAccept:\r\n\r\n")
	require.NoError(t, err)
	assert.Equal(t, "1", string(req.Header("x-THING")))
	assert.Equal(t, "h", string(req.Header("host")))
	assert.NotNil(t, req.Header("Accept"))
	assert.Empty(t, req.Header("Accept"))
	assert.Nil(t, req.Header("Missing"))
	assert.Nil(t, req.Header("X-Thin"))
}

func TestRequestReset(t *testing.T) {
	_, req, err := mustParse(t, Config{}, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx")
	require.NoError(t, err)
	fields := cap(req.Fields)
	req.Reset()
	assert.Equal(t, Request{Fields: req.Fields, ContentLength: -1}, *req)
	assert.Empty(t, req.Fields)
	assert.Equal(t, fields, cap(req.Fields))
}

func TestRequestMethodName(t *testing.T) {
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PROPFIND"} {
		r := Request{Method: []byte(m)}
		assert.Equal(t, m, r.MethodName())
	}
	r := Request{Method: []byte("GET")}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = r.MethodName() }), "a common method is a constant")
}

// TestAppendToParsedSlicesLeavesTheBuffer: every slice of a parsed Request
// is capped at its own length, so a handler that appends to one (a Field's
// Value, the Body) gets a copy, and the connection's buffer, with the next
// field and the next pipelined request in it, stays as it was. Each
// request is fed whole, and byte by byte into a fresh buffer with spare
// capacity each time, as a connection's buffer grows.
func TestAppendToParsedSlicesLeavesTheBuffer(t *testing.T) {
	const next = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
	tests := []struct {
		name string
		raw  string
	}{
		{"length body", "POST /a?q=1 HTTP/1.1\r\nHost: h\r\nX-A: one\r\nX-B: two\r\nContent-Length: 3\r\n\r\nabc"},
		{"chunked body", "POST /a?q=1 HTTP/1.1\r\nHost: h\r\nX-A: one\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
		{"no body", "GET /a?q=1 HTTP/1.1\r\nHost: h\r\nX-A: one\r\nX-B: two\r\n\r\n"},
	}
	for _, tt := range tests {
		for _, feed := range []string{"whole", "bytewise"} {
			t.Run(tt.name+"/feed="+feed, func(t *testing.T) {
				raw := tt.raw + next
				first := len(raw)
				if feed == "bytewise" {
					first = 1
				}
				p := New(Config{})
				var req Request
				var buf []byte
				n := 0
				for size := first; n == 0 && size <= len(raw); size++ {
					buf = make([]byte, size, len(raw)+64)
					copy(buf, raw)
					var err error
					n, err = p.Parse(buf, &req)
					require.NoError(t, err)
				}
				require.Equal(t, len(tt.raw), n)
				// A chunked body is decoded in place: the buffer as Parse
				// left it is what appending must not change.
				parsed := string(buf)
				slices := [][]byte{req.Method, req.Target, req.Host, req.Path(), req.Query(), req.Body}
				for _, f := range req.Fields {
					slices = append(slices, f.Name, f.Value)
				}
				for i, s := range slices {
					if s == nil {
						continue // no body
					}
					before := string(s)
					_ = append(s, "appended by a handler"...)
					assert.Equal(t, before, string(s), "slice %d", i)
					assert.Equal(t, parsed, string(buf), "after appending to slice %d (%q)", i, before)
				}
			})
		}
	}
}
