//go:build !race

package files

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCachedFileAllocatesNothing serves cached files through a real
// server over loopback and counts the allocations of the whole process per
// request: the engine offers packages outside it no in-memory connection,
// so the loop's work is measured from outside. The client side writes and
// reads fixed buffers and allocates nothing itself; AllocsPerRun's
// integer average absorbs the rare allocation of the server's once-a-second
// clock.
func TestCachedFileAllocatesNothing(t *testing.T) {
	root := newTree(t)
	writeFile(t, root+"/1k.txt", strings.Repeat("x", 1024))
	writeFile(t, root+"/large.txt", strings.Repeat("x", DefaultCacheMaxFile+1))
	_, addr := startFiles(t, root, Options{})
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(time.Minute)))

	resp, _ := dial(t, addr).get("/1k.txt", "")
	etag := resp.Header.Get("ETag")
	tests := []struct{ name, raw string }{
		{"GET", "GET /1k.txt HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"HEAD", "HEAD /1k.txt HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"304", "GET /1k.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: " + etag + "\r\n\r\n"},
		{"If-Modified-Since 304", "GET /1k.txt HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: " + resp.Header.Get("Last-Modified") + "\r\n\r\n"},
		{"416", "GET /1k.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=5000-\r\n\r\n"},
		{"404 refused", "GET /.env HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"HEAD of a file too large to hold", "HEAD /large.txt HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"304 of a file too large to hold", "GET /large.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: *\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := []byte(tt.raw)
			n := responseLen(t, conn, req)
			buf := make([]byte, n)
			roundTrip := func() {
				_, err := conn.Write(req)
				require.NoError(t, err)
				_, err = io.ReadFull(conn, buf)
				require.NoError(t, err)
			}
			roundTrip()
			require.Zero(t, testing.AllocsPerRun(1000, roundTrip))
		})
	}
}
