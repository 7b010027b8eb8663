package gateway

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// An HTTP/1.0 client that asks to keep its connection keeps it after a
// response with no body (204, 304, HEAD), whatever the upstream's framing.
func TestHTTP10KeepAliveAfterAResponseWithoutABody(t *testing.T) {
	tests := []struct {
		name, method, response string
		status                 int
	}{
		{"204", "GET", "HTTP/1.1 204 No Content\r\n\r\n", 204},
		{"304", "GET", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", 304},
		{"HEAD of a chunked response", "HEAD", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startGateway(t, []string{"http://" + testupstream.Serve(t, answer(tt.response))}, Options{}, engine.Config{})
			c := dialRaw(t, s)
			for i := 0; i < 2; i++ {
				resp, _ := c.do(fmt.Sprintf("%s / HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", tt.method))
				require.Equal(t, tt.status, resp.StatusCode, "request %d", i)
				assert.False(t, resp.Close, "request %d: the connection is kept", i)
				if tt.method == "HEAD" {
					assert.Empty(t, resp.Header.Get("Content-Length"), "request %d: a HEAD response claims no length the GET would not have", i)
				}
			}
		})
	}
}
