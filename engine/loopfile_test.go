package engine

import (
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// loopFileHandler is an inline handler that sends the whole of f with
// SendFileInline, counting the regions the engine took and released, and
// answers 500 when the engine does not take one.
func loopFileHandler(f *os.File, size int64, taken, released *atomic.Int32) Handler {
	return HandlerFunc(func(c *Context) error {
		if !c.SendFileInline(f, 0, size, func() { released.Add(1) }) {
			return ErrNotBlocking
		}
		taken.Add(1)
		return nil
	})
}

// TestSendFileInline sends a file from the loop to clients that read at
// once and to one whose small receive buffer makes the socket full before
// the region has gone, so that a worker finishes it: each gets every byte,
// on a connection that goes on, and every region is released once.
func TestSendFileInline(t *testing.T) {
	name, content := writeSendFile(t, sendFileSize)
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	tests := []struct {
		name string
		dial func(*testing.T, *Server) *client
	}{
		{"reading client", dialRaw},
		{"narrow client", dialNarrow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var taken, released atomic.Int32
			s := startServer(t, loopFileHandler(f, int64(len(content)), &taken, &released), Config{})
			c := tt.dial(t, s)
			const get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
			c.send(get + "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n" + get)
			for _, m := range []string{"GET", "HEAD", "GET"} {
				resp, body := c.read(m)
				require.Equal(t, 200, resp.StatusCode, m)
				require.EqualValues(t, len(content), resp.ContentLength, m)
				if m == "HEAD" {
					require.Empty(t, body)
				} else {
					require.Equal(t, string(content), body)
				}
			}
			require.True(t, c.stillOpen(20*time.Millisecond))
			require.EqualValues(t, 3, taken.Load())
			require.Eventually(t, func() bool { return released.Load() == 3 }, ioTimeout, time.Millisecond)
		})
	}
}

// TestSendFileInlineToASilentClient pipelines requests for a file sent
// from the loop and reads nothing: the write timeout closes the
// connection, and the regions taken are all released.
func TestSendFileInlineToASilentClient(t *testing.T) {
	name, content := writeSendFile(t, sendFileSize)
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	var taken, released atomic.Int32
	s := startServer(t, loopFileHandler(f, int64(len(content)), &taken, &released),
		Config{WriteTimeout: 100 * time.Millisecond})
	c := dialNarrow(t, s)
	c.send(strings.Repeat("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 16))
	require.Eventually(t, func() bool { return taken.Load() > 0 }, ioTimeout, time.Millisecond)
	require.Eventually(t, func() bool { return s.Stats().ConnsOpen == 0 }, ioTimeout, time.Millisecond,
		"the write timeout closes the connection")
	require.Eventually(t, func() bool { return released.Load() == taken.Load() }, ioTimeout, time.Millisecond)
}
