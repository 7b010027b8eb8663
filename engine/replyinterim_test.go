package engine

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

func TestReplyInterimAndTrailersOnTheWire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version string
		want    string // the wire up to the Date of the final head, and after the body
	}{
		{"HTTP/1.1: interim and trailers", "HTTP/1.1",
			"HTTP/1.1 103 " + httperrors.Status(103).Reason() + "\r\nLink: </a>\r\n\r\n|3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n"},
		{"HTTP/1.0: neither", "HTTP/1.0", "|abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := &scriptedOwner{script: func(r *Reply) {
				assert.ErrorIs(t, r.WriteInterim(101), ErrInterimStatus, "no tunnels")
				assert.ErrorIs(t, r.WriteInterim(200), ErrInterimStatus)
				assert.NoError(t, r.AddInterimField([]byte("Link"), []byte("</a>")))
				assert.NoError(t, r.WriteInterim(103))
				assert.ErrorIs(t, r.AddTrailer([]byte("Content-Length"), []byte("3")), ErrReservedHeader)
				assert.NoError(t, r.AddTrailer([]byte("X-Sum"), []byte("1")))
				assert.NoError(t, r.Write([]byte("abc")))
				assert.ErrorIs(t, r.WriteInterim(103), ErrInterimStatus, "after the final head")
				r.Finish(nil)
			}}
			s := startServer(t, asyncHandler(o), Config{})
			c := dialRaw(t, s)
			c.send("GET / " + tt.version + "\r\nHost: h\r\nConnection: close\r\n\r\n")
			require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
			wire, err := io.ReadAll(c.r)
			require.NoError(t, err)
			got := string(wire)
			final := strings.Index(got, "HTTP/1.1 200")
			require.GreaterOrEqual(t, final, 0, got)
			body := got[final+strings.Index(got[final:], "\r\n\r\n")+4:]
			assert.Equal(t, tt.want, got[:final]+"|"+body)
		})
	}
}
