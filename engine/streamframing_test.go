package engine

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStreamedResponseWithoutBodyKeepsHTTP10Connection answers an HTTP/1.0
// client that asked to keep its connection with a response that has no
// body (HEAD, 204, 304) although the handler wrote one: streamed from a
// worker (Flush before the end, length unknown) or whole, inline. Nothing
// of the body reaches the wire, nothing ends at the close, so the
// connection stays; a streamed head claims no Content-Length it does not
// know.
func TestStreamedResponseWithoutBodyKeepsHTTP10Connection(t *testing.T) {
	tests := []struct {
		name, method string
		status       int
	}{
		{"HEAD", "HEAD", http.StatusOK},
		{"204", "GET", http.StatusNoContent},
		{"304", "GET", http.StatusNotModified},
	}
	for _, tt := range tests {
		for _, streamed := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/streamed=%t", tt.name, streamed), func(t *testing.T) {
				var h Handler = HandlerFunc(func(c *Context) error {
					if err := c.SetStatus(tt.status); err != nil {
						return err
					}
					if _, err := c.WriteString("body"); err != nil {
						return err
					}
					if streamed {
						return c.Flush()
					}
					return nil
				})
				if streamed {
					h = Blocking(h)
				}
				s := startServer(t, h, Config{})
				c := dialRaw(t, s)
				for i := 0; i < 2; i++ {
					c.send(tt.method + " / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n")
					resp, body := c.read(tt.method)
					require.Equal(t, tt.status, resp.StatusCode, "request %d", i)
					assert.Empty(t, body, "request %d: no body", i)
					assert.False(t, resp.Close, "request %d: the connection is kept", i)
					if streamed {
						assert.Empty(t, resp.Header.Get("Content-Length"), "request %d: no length is claimed", i)
					}
					assert.True(t, strings.EqualFold(resp.Header.Get("Connection"), "keep-alive"), "request %d: HTTP/1.0 keep-alive is confirmed", i)
				}
			})
		}
	}
}
