package files

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
)

// largeBody returns n bytes that do not repeat within a few KiB, so that
// a misplaced or missing piece shows.
func largeBody(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), 1+i%7))
		b.WriteByte(byte('0' + i%10))
	}
	return b.String()[:n]
}

// TestLargeCachedFileFromLoop asks, on one connection, for a file larger
// than the cache holds in memory, which it keeps open: the first request
// fills the entry, the later ones are sent from the loop with sendfile.
// Each table row is pipelined in one write and every response is checked
// whole, byte for byte.
func TestLargeCachedFileFromLoop(t *testing.T) {
	root := newTree(t)
	body := largeBody(1 << 20)
	writeFile(t, filepath.Join(root, "large.bin"), body)
	const small = "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n"
	get := "GET /large.bin HTTP/1.1\r\nHost: a\r\n\r\n"
	type want struct {
		method, status, body string
	}
	tests := []struct {
		name  string
		raw   string
		wants []want
	}{
		{"whole", get, []want{{"GET", "200", body}}},
		{"twice", get + get, []want{{"GET", "200", body}, {"GET", "200", body}}},
		{"behind small requests", small + small + get + small, []want{
			{"GET", "200", "0123456789"}, {"GET", "200", "0123456789"},
			{"GET", "200", body}, {"GET", "200", "0123456789"},
		}},
		{"HEAD", "HEAD /large.bin HTTP/1.1\r\nHost: a\r\n\r\n", []want{{"HEAD", "200", ""}}},
		{"range", "GET /large.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=1000-300999\r\n\r\n",
			[]want{{"GET", "206", body[1000:301000]}}},
		{"suffix range then whole", "GET /large.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=-10\r\n\r\n" + get,
			[]want{{"GET", "206", body[len(body)-10:]}, {"GET", "200", body}}},
		{"close", "GET /large.bin HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", []want{{"GET", "200", body}}},
	}
	_, addr := startFiles(t, root, Options{})
	c := dial(t, addr)
	resp, got := c.get("/large.bin", "") // fills the cache's entry
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, body, got)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", addr, ioTimeout)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
			_, err = io.WriteString(conn, tt.raw)
			require.NoError(t, err)
			r := bufio.NewReader(conn)
			for i, w := range tt.wants {
				resp, err := http.ReadResponse(r, &http.Request{Method: w.method})
				require.NoError(t, err, "response %d", i)
				got, err := io.ReadAll(resp.Body)
				require.NoError(t, err, "response %d", i)
				require.Equal(t, w.status, resp.Status[:3], "response %d", i)
				require.Equal(t, w.body, string(got), "response %d", i)
				if w.method == "HEAD" {
					require.EqualValues(t, len(body), resp.ContentLength)
				}
			}
			// Nothing follows the last response: the connection closes
			// (Connection: close) or stays open with nothing more sent.
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(50*time.Millisecond)))
			n, _ := r.Read(make([]byte, 1))
			require.Zero(t, n)
		})
	}
}

// TestLargeCachedFileToSilentClient sends a long pipeline of requests for
// a large cached file and reads nothing: the loop's sendfile fills the
// socket, the rest waits for a worker under the write timeout, the server
// buffers no more than its bound, and the write timeout closes the
// connection; the client then finds fewer bytes than it asked for.
func TestLargeCachedFileToSilentClient(t *testing.T) {
	root := newTree(t)
	body := largeBody(1 << 20)
	writeFile(t, filepath.Join(root, "large.bin"), body)
	h, err := New(root, Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	s := engine.New(h, engine.Config{WriteTimeout: 200 * time.Millisecond})
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	addr := s.Addr().String()
	resp, got := dial(t, addr).get("/large.bin", "") // fills the cache's entry
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, body, got)

	accepted := s.Stats().ConnsAccepted
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.(*net.TCPConn).SetReadBuffer(64<<10))
	const count = 32 // 32 MiB of responses, far more than the sockets hold
	_, err = io.WriteString(conn, strings.Repeat("GET /large.bin HTTP/1.1\r\nHost: a\r\n\r\n", count))
	require.NoError(t, err)
	// The count of open connections is read once this one is in it: read
	// before, it could miss it, and the close would never show.
	require.Eventually(t, func() bool { return s.Stats().ConnsAccepted > accepted }, ioTimeout, 5*time.Millisecond)
	open := s.Stats().ConnsOpen
	require.Eventually(t, func() bool { return s.Stats().ConnsOpen < open }, ioTimeout, 10*time.Millisecond,
		"the write timeout closes the connection of a client that does not read")
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	n, _ := io.Copy(io.Discard, conn)
	require.Less(t, n, int64(count*len(body)))
}
