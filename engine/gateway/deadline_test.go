package gateway

import (
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// An upstream half as slow as UpstreamTimeout allows is answered, every
// time: the timeout never fires before it has passed.
func TestUpstreamWithinTheTimeoutIsNeverCutShort(t *testing.T) {
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		for readHead(conn) {
			time.Sleep(500 * time.Millisecond) // the upstream's own pace
			if _, err := io.WriteString(conn, ok200); err != nil {
				return
			}
		}
	})
	s := startGateway(t, []string{"http://" + upstream}, Options{UpstreamTimeout: time.Second}, engine.Config{})
	c := dialRaw(t, s)
	for i := 0; i < 6; i++ {
		resp, body := c.get("/")
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d: %s", i, body)
	}
}
