package engine

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaxConnsPolicies(t *testing.T) {
	tests := []struct {
		name   string
		policy OverloadPolicy
	}{
		{"refuse", Refuse},
		{"respond 503", Respond503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var served atomic.Int32
			s := startServer(t, HandlerFunc(func(c *Context) error {
				served.Add(1)
				return nil
			}), Config{MaxConns: 1, Overload: tt.policy, RetryAfter: 5})
			first := dialRaw(t, s)
			first.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, _ := first.read("GET")
			require.Equal(t, 200, resp.StatusCode)

			over := dialRaw(t, s)
			if tt.policy == Respond503 {
				over.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, body := over.read("GET")
				assert.Equal(t, 503, resp.StatusCode)
				assert.Equal(t, "5", resp.Header.Get("Retry-After"))
				assert.True(t, resp.Close)
				assert.Contains(t, body, "temporary")
			}
			assert.True(t, over.closedByServer())
			assert.Equal(t, int32(1), served.Load(), "the refused connection never reached the handler")
			st := s.Stats()
			assert.Equal(t, uint64(1), st.ConnsRefused)
			assert.Equal(t, uint64(1), st.ConnsAccepted)
		})
	}
}
