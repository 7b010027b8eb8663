package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBodyArrivingInPiecesIsLookedAtOnce feeds a 1 MiB Content-Length body
// in 16 KiB reads: once its head is parsed the request is looked at again
// only when the whole body is there, since looking (gnet's Peek) copies
// every byte held so far.
func TestBodyArrivingInPiecesIsLookedAtOnce(t *testing.T) {
	const body = 1 << 20
	var got int
	m := &memTransport{}
	c := memConn(HandlerFunc(func(x *Context) error {
		got = len(x.Body())
		return nil
	}), m)
	raw := "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1048576\r\n\r\n" + strings.Repeat("b", body)
	for sent := 0; sent < len(raw); {
		n := min(16<<10, len(raw)-sent)
		m.in = append(m.in, raw[sent:sent+n]...)
		sent += n
		c.serve()
	}
	require.Equal(t, body, got, "the request was answered with its whole body")
	assert.True(t, strings.HasPrefix(string(m.out), "HTTP/1.1 200 OK\r\n"), string(m.out))
	assert.Less(t, m.peeked, 3*len(raw), "bytes looked at: the body was not looked at once per piece")
}
