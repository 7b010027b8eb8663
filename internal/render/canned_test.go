package render

import (
	"io"
	"testing"

	httperrors "github.com/rawhttpd/rawhttpd/errors"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	errTestVersion = httperrors.NewClosing(httperrors.StatusHTTPVersionNotSupported, "only HTTP/1.x")
	errTestBusy    = httperrors.New(httperrors.StatusServiceUnavailable, "busy").WithRetryAfter(2)
)

func TestCannedEqualsRenderer(t *testing.T) {
	c := NewCanned("rawhttpd", errTestVersion, errTestBusy)
	for _, e := range []*httperrors.Error{errTestVersion, errTestBusy} {
		for _, head := range []bool{false, true} {
			got, ok := c.Append([]byte("prefix"), e, testDate, head)
			require.True(t, ok)
			want := AppendError([]byte("prefix"), e, Options{Close: e.Closes(), Head: head, Date: testDate, Server: "rawhttpd"})
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

// TestCannedMissIsRenderedTheSame: Canned is a cache of AppendError keyed by
// the Error it rendered, not a notion of sameness of its own. A copy that
// errors.Is matches to a canned sentinel misses the cache and still gets
// the same bytes from AppendError.
func TestCannedMissIsRenderedTheSame(t *testing.T) {
	c := NewCanned("rawhttpd", errTestVersion)
	copied := errTestVersion.WithCause(io.EOF)
	require.ErrorIs(t, copied, errTestVersion)
	want, ok := c.Append(nil, errTestVersion, testDate, false)
	require.True(t, ok)
	_, ok = c.Append(nil, copied, testDate, false)
	require.False(t, ok)
	got := AppendError(nil, copied, Options{Close: copied.Closes(), Date: testDate, Server: "rawhttpd"})
	assert.Equal(t, string(want), string(got))
}
