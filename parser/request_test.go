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
