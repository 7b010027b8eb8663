package errors

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	errTestVersion = NewClosing(StatusHTTPVersionNotSupported, "only HTTP/1.x")
	errTestBusy    = New(StatusServiceUnavailable, "busy").WithRetryAfter(2)
)

func TestCannedEqualsRenderer(t *testing.T) {
	c := NewCanned("rawhttpd", errTestVersion, errTestBusy)
	for _, e := range []*Error{errTestVersion, errTestBusy} {
		for _, head := range []bool{false, true} {
			got, ok := c.Append([]byte("prefix"), e, testDate, head)
			require.True(t, ok)
			want := Append([]byte("prefix"), e, Options{Close: e.Closes(), Head: head, Date: testDate, Server: "rawhttpd"})
			assert.Equal(t, string(want), string(got))
		}
	}
}

func TestCannedUnknownErrorAppendsNothing(t *testing.T) {
	c := NewCanned("", errTestBusy)
	got, ok := c.Append([]byte("x"), errTestVersion, testDate, false)
	assert.False(t, ok)
	assert.Equal(t, "x", string(got))
}
