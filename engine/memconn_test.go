package engine

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statusLine finds the status lines in a connection's output.
var statusLine = regexp.MustCompile(`HTTP/1\.1 \d{3} [^\r]*`)

func TestServeBytes(t *testing.T) {
	tests := []struct {
		name   string
		h      Handler
		in     string
		heads  []string // the status lines, in order
		closed bool
	}{
		{"inline, kept open", hello, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []string{"HTTP/1.1 200 OK"}, false},
		{"blocking, pipelined", Blocking(hello), strings.Repeat("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 3),
			[]string{"HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"}, false},
		{"closed after a refusal", hello, "GET / HTTP/2.0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
			[]string{"HTTP/1.1 505 HTTP Version Not Supported"}, true},
		{"panic", HandlerFunc(func(*Context) error { panic("boom") }), "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			[]string{"HTTP/1.1 500 Internal Server Error"}, true},
		{"blocking panic", Blocking(HandlerFunc(func(*Context) error { panic("boom") })), "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
			[]string{"HTTP/1.1 500 Internal Server Error"}, true},
		{"incomplete request", hello, "GET / HTTP/1.1\r\nHo", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(tt.h, Config{Logger: discardSlog()})
			out, closed, err := s.ServeBytes(context.Background(), []byte(tt.in))
			require.NoError(t, err)
			assert.Equal(t, tt.heads, statusLine.FindAllString(string(out), -1))
			assert.Equal(t, tt.closed, closed)
			assert.Zero(t, s.Stats().ConnsOpen, "the connection is released")
		})
	}
}

func TestServeBytesGivesUpWithItsContext(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	s := New(Blocking(HandlerFunc(func(c *Context) error {
		<-release
		return nil
	})), Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, closed, err := s.ServeBytes(ctx, []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, closed)
}
