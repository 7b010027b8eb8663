//go:build !race

package gateway

import (
	"bytes"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// A request forwarded over a kept-alive client connection to a pooled
// upstream connection allocates nothing in the gateway or the engine: the
// client and the upstream here allocate nothing either, so every
// allocation counted would be the proxy's.
func TestForwardedRequestAllocatesNothing(t *testing.T) {
	response := []byte(ok200)
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		buf := make([]byte, 4096)
		for {
			if _, err := conn.Read(buf); err != nil {
				return
			}
			if _, err := conn.Write(response); err != nil {
				return
			}
		}
	})
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{NumLoops: 1})
	c := dialRaw(t, s)
	req := []byte("GET /hello?x=1 HTTP/1.1\r\nHost: h.example\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n")
	buf := make([]byte, 4096)
	failed := false
	roundTrip := func() {
		if _, err := c.conn.Write(req); err != nil {
			failed = true
			return
		}
		// The response fits one read: the gateway writes it in one piece.
		n, err := c.conn.Read(buf)
		if err != nil || !bytes.HasSuffix(buf[:n], []byte("\r\n\r\nok")) {
			failed = true
		}
	}
	for i := 0; i < 100; i++ {
		roundTrip() // the pools and buffers grow to their size
	}
	allocs := testing.AllocsPerRun(500, roundTrip)
	require.False(t, failed, "a round trip failed")
	assert.Zero(t, allocs)
}
