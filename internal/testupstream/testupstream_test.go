package testupstream

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A server's connections reach serve, and a serve still waiting on its
// connection when the test ends is ended by the cleanup, which then
// returns.
func TestServeHandsConnectionsAndEndsThem(t *testing.T) {
	ended := make(chan struct{})
	t.Run("serve", func(t *testing.T) {
		addr := Serve(t, func(conn net.Conn) {
			_, _ = io.WriteString(conn, "hello")
			_, _ = io.Copy(io.Discard, conn) // until the cleanup closes conn
			close(ended)
		})
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
		got := make([]byte, 5)
		_, err = io.ReadFull(conn, got)
		require.NoError(t, err)
		assert.Equal(t, "hello", string(got))
	})
	select {
	case <-ended:
	default:
		t.Fatal("the cleanup returned before serve did")
	}
}
