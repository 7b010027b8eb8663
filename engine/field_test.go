package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewField(t *testing.T) {
	tests := []struct {
		name, value string
		err         error
	}{
		{"Content-Type", "text/plain", nil},
		{"X-Ok", "", nil},
		{"Connection", "close", nil},
		{"X-Evil", "a\r\nb", ErrInvalidHeader},
		{"X-Evil", "a\x00b", ErrInvalidHeader},
		{"Bad Name", "v", ErrInvalidHeader},
		{"", "v", ErrInvalidHeader},
		{"Content-Length", "3", ErrReservedHeader},
		{"transfer-encoding", "chunked", ErrReservedHeader},
		{"Connection", "upgrade", ErrReservedHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := NewField(tt.name, tt.value)
			var x Context
			setErr := x.SetHeader(tt.name, tt.value)
			if tt.err == nil {
				assert.NoError(t, err)
				assert.NoError(t, setErr)
			} else {
				assert.ErrorIs(t, err, tt.err)
				assert.ErrorIs(t, setErr, tt.err, "SetHeader decides as NewField does")
			}
		})
	}
	assert.Panics(t, func() { MustField("X", "a\nb") })
}

func TestAddFieldOnTheWire(t *testing.T) {
	ct := MustField("Content-Type", "text/plain")
	server := MustField("Server", "custom")
	closeField := MustField("Connection", "close")
	s := startServer(t, HandlerFunc(func(c *Context) error {
		c.AddField(ct)
		c.AddField(server)
		if string(c.Path()) == "/close" {
			c.AddField(closeField)
		}
		return nil
	}), Config{})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, _ := c.read("GET")
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	assert.Equal(t, []string{"custom"}, resp.Header.Values("Server"))
	c.send("GET /close HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, _ = c.read("GET")
	require.True(t, resp.Close)
	assert.True(t, c.closedByServer())
}
