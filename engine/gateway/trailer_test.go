package gateway

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

func TestTrailerFieldsPassedOnWholeAndSplit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("0123456789abcdef", 4<<10) // 64 KiB: streamed, past flushBytes
	chunked := func(body, trailer string) string {
		return fmt.Sprintf("%x\r\n%s\r\n0\r\n%s\r\n", len(body), body, trailer)
	}
	trailer := "X-Sum: abc\r\nX-Hop: 1\r\nContent-Length: 9\r\nKeep-Alive: 1\r\nTrailer: X\r\nX-Two: 2\r\n"
	tests := []struct {
		name     string
		version  string
		head     string // the upstream's fields
		body     string
		trailers string // the trailer section the client gets, "" for none
	}{
		{"announced, short body", "HTTP/1.1", "Trailer: X-Sum\r\nConnection: X-Hop\r\n", "ok", "X-Sum: abc\r\nX-Two: 2\r\n"},
		{"unannounced, short body", "HTTP/1.1", "Connection: X-Hop\r\n", "ok", "X-Sum: abc\r\nX-Two: 2\r\n"},
		{"long body", "HTTP/1.1", "Connection: X-Hop\r\n", long, "X-Sum: abc\r\nX-Two: 2\r\n"},
		{"none to an HTTP/1.0 client", "HTTP/1.0", "Trailer: X-Sum\r\nConnection: X-Hop\r\n", long, ""},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/split=%v", tt.name, split), func(t *testing.T) {
				t.Parallel()
				raw := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + tt.head + "\r\n" + chunked(tt.body, trailer)
				upstream := testupstream.Serve(t, respond(raw, split))
				s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
				c := dialRaw(t, s)
				_, err := io.WriteString(c.conn, "GET / "+tt.version+"\r\nHost: h\r\nConnection: close\r\n\r\n")
				require.NoError(t, err)
				wire := readAllWire(t, c)
				_, resp, body := finalOf(t, wire, "GET")
				require.Equal(t, http.StatusOK, resp.StatusCode)
				assert.True(t, body == tt.body, "the body arrives whole")
				if tt.trailers == "" {
					assert.Empty(t, resp.Trailer)
					assert.True(t, strings.HasSuffix(wire, tt.body), "nothing after the body")
					return
				}
				assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
				assert.True(t, strings.HasSuffix(wire, "\r\n0\r\n"+tt.trailers+"\r\n"), "the trailer section: %q", wire[max(0, len(wire)-80):])
				assert.Equal(t, "abc", resp.Trailer.Get("X-Sum"))
			})
		}
	}
}
