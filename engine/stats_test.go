package engine

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStatsCountRequestsByClass(t *testing.T) {
	s := startServer(t, HandlerFunc(func(c *Context) error {
		code, _ := strconv.Atoi(string(c.Query()))
		_ = c.SetStatus(code)
		return nil
	}), Config{})
	c := dialRaw(t, s)
	for _, code := range []int{200, 201, 404, 500, 302} {
		c.send(fmt.Sprintf("GET /?%d HTTP/1.1\r\nHost: a\r\n\r\n", code))
		_, _ = c.read("GET")
	}
	bad := dialRaw(t, s)
	bad.send("BREW / HTTP/1.1\r\n\r\n")
	_, _ = bad.read("GET")
	st := s.Stats()
	assert.Equal(t, uint64(6), st.Requests)
	assert.Equal(t, [5]uint64{0, 2, 1, 1, 2}, st.Responses) // 1xx 2xx 3xx 4xx 5xx
	assert.Positive(t, st.BytesIn)
	assert.Positive(t, st.BytesOut)
	assert.Equal(t, int64(2), st.ConnsOpen)
}
