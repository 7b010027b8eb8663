package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// With one connection slot shared by two event loops, the requests that
// wait for it are served whichever loop frees it: clients are spread over
// the loops round robin, so some wait on the loop that does not hold the
// connection.
func TestSlotFreedOnOneLoopServesAWaiterOnAnother(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		close bool // the upstream closes each connection after its response
	}{
		{"connection kept alive", false},
		{"connection closed after each response", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			const clients = 6
			first, release := make(chan struct{}), make(chan struct{})
			var (
				requests atomic.Int32
				once     sync.Once
			)
			upstream := testupstream.Serve(t, func(conn net.Conn) {
				r := bufio.NewReader(conn)
				for {
					_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
					req, err := http.ReadRequest(r)
					if err != nil {
						return
					}
					if requests.Add(1) == 1 {
						once.Do(func() { close(first) })
						<-release // holds the only slot while the others queue
					}
					closing := ""
					if tt.close {
						closing = "Connection: close\r\n"
					}
					_, err = fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s", closing, len(req.URL.Path), req.URL.Path)
					if err != nil || tt.close {
						return
					}
				}
			})
			opts := Options{MaxConnsPerUpstream: 1, PoolWait: 2 * ioTimeout}
			s := startGateway(t, []string{"http://" + upstream}, opts, engine.Config{NumLoops: 2})
			conns := make([]*client, clients)
			for i := range conns {
				conns[i] = dialRaw(t, s)
				require.NoError(t, conns[i].conn.SetDeadline(time.Now().Add(3*ioTimeout)))
			}
			_, err := fmt.Fprintf(conns[0].conn, "GET /0 HTTP/1.1\r\nHost: h\r\n\r\n")
			require.NoError(t, err)
			waitFor(t, first, "the upstream never got the first request")
			for i := 1; i < clients; i++ {
				_, err := fmt.Fprintf(conns[i].conn, "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i)
				require.NoError(t, err)
			}
			close(release)
			for i, c := range conns {
				resp, err := http.ReadResponse(c.r, nil)
				require.NoError(t, err, "client %d", i)
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, resp.StatusCode, "client %d: %s", i, body)
				assert.Equal(t, fmt.Sprintf("/%d", i), string(body))
			}
		})
	}
}

func TestSlotPoolHandsFreedSlotsToWaitersInOrder(t *testing.T) {
	t.Parallel()
	a, b := &loopState{}, &loopState{}
	p := slotPool{max: 1}
	require.True(t, p.takeOrWait(a), "a free slot is taken")
	require.False(t, p.takeOrWait(a))
	require.False(t, p.takeOrWait(b))
	require.Equal(t, p.max, p.open, "no slot is free while requests wait")
	assert.False(t, p.popIfHead(b), "b is not at the head")
	assert.Same(t, a, p.release(), "the first to wait gets the slot, still counted")
	assert.Equal(t, p.max, p.open, "the slot a waiter got stays counted")
	assert.Same(t, b, p.release())
	assert.Nil(t, p.release(), "nobody waits: the slot is free")
	assert.Zero(t, p.open, "the slot is free again")
	assert.Zero(t, p.waiters.Load())
}
