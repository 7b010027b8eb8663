package gateway

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
)

// An https upstream among http ones gets its turn: the request the
// balancer picked it for goes to the worker path with it, not with a
// second pick that the round robin moves on to an http one.
func TestMixedSchemesShareTheRoundRobin(t *testing.T) {
	var plainHits, tlsHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		plainHits.Add(1)
	}))
	t.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		tlsHits.Add(1)
	}))
	t.Cleanup(secure.Close)

	h, err := New([]string{plain.URL, secure.URL}, Options{Logger: quietLogger})
	require.NoError(t, err)
	h.transport.TLSClientConfig = secure.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	s := engine.New(h, engine.Config{TimerResolution: h.TimerResolution()})
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() {
		_ = s.Close()
		h.Close()
	})

	c := dialRaw(t, s)
	const requests = 6
	for range requests {
		resp, _ := c.get("/")
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	assert.Equal(t, int32(requests/2), plainHits.Load(), "requests to the http upstream")
	assert.Equal(t, int32(requests/2), tlsHits.Load(), "requests to the https upstream")
}
