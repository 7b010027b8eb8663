package files

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
)

// ioTimeout bounds every read and write a test makes.
const ioTimeout = 5 * time.Second

// cacheModes are the ways every behaviour is checked: with the open-file
// cache, with a cache that holds every file's fields but no content (as
// for files larger than it holds), and without a cache.
var cacheModes = []struct {
	name string
	opts Options
}{
	{"cache=on", Options{}},
	{"cache=fields", Options{CacheMaxFile: 1}},
	{"cache=off", Options{CacheBytes: -1}},
}

// newTree makes a root with a file, a subdirectory with an index, one
// without, a dotfile, a secret beside the root and symbolic links inside
// it that point at the secret.
func newTree(t *testing.T) (root string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "www")
	for _, d := range []string{"sub", "bare", ".git"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	files := map[string]string{
		"hello.txt":          "0123456789",
		"index.html":         "<html>home</html>",
		"sub/index.html":     "<html>sub</html>",
		"bare/page.html":     "<html>page</html>",
		"bare/.hidden":       "hidden",
		".env":               "SECRET=1",
		".git/config":        "[core]",
		"noext":              "\x89PNG\r\n\x1a\n0000",
		"a:b.txt":            "colon",
		"../secret.txt":      "TOP SECRET",
		"../outside/doc.txt": "TOP SECRET",
	}
	require.NoError(t, os.MkdirAll(filepath.Join(base, "outside"), 0o755))
	for name, body := range files {
		writeFile(t, filepath.Join(root, name), body)
	}
	require.NoError(t, os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(root, "escape.txt")))
	require.NoError(t, os.Symlink(filepath.Join(base, "outside"), filepath.Join(root, "escapedir")))
	require.NoError(t, os.Symlink("hello.txt", filepath.Join(root, "link.txt")))
	return root
}

// writeFile writes body to p.
func writeFile(t *testing.T, p, body string) {
	t.Helper()
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
}

// fakeClock is a Handler's clock that moves only when a test says.
type fakeClock struct{ ns atomic.Int64 }

func (f *fakeClock) now() int64       { return f.ns.Load() }
func (f *fakeClock) advance(ns int64) { f.ns.Add(ns) }

// startFiles serves root with a Handler of opts on 127.0.0.1 and returns
// the Handler and the server's address; both stop when the test ends.
func startFiles(t *testing.T, root string, opts Options) (*Handler, string) {
	t.Helper()
	h, err := New(root, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	return h, startServer(t, h)
}

// startClocked is startFiles with a Handler whose clock moves only when
// the test advances it; the clock is set before the server starts.
func startClocked(t *testing.T, root string, opts Options) (*Handler, string, *fakeClock) {
	t.Helper()
	h, err := New(root, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	clock := &fakeClock{}
	h.now = clock.now
	return h, startServer(t, h), clock
}

// startServer serves h on 127.0.0.1 and returns its address.
func startServer(t testing.TB, h engine.Handler) string {
	t.Helper()
	s := engine.New(h, engine.Config{})
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	return s.Addr().String()
}

// client is a keep-alive connection to a test server.
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// dial opens a connection to addr.
func dial(t *testing.T, addr string) *client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// do sends raw and reads the one response to it, whose request method is
// method.
func (c *client) do(method, raw string) (*http.Response, string) {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err := io.WriteString(c.conn, raw)
	require.NoError(c.t, err)
	resp, err := http.ReadResponse(c.r, &http.Request{Method: method})
	require.NoError(c.t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, string(body)
}

// get sends a GET of target with the extra header lines (each ending in
// CRLF) on c.
func (c *client) get(target, extra string) (*http.Response, string) {
	c.t.Helper()
	return c.do("GET", "GET "+target+" HTTP/1.1\r\nHost: a\r\n"+extra+"\r\n")
}

// responseLen sends req once on conn and returns the length of the whole
// response, which has a Content-Length (or none, and no body).
func responseLen(t testing.TB, conn net.Conn, req []byte) int {
	t.Helper()
	_, err := conn.Write(req)
	require.NoError(t, err)
	var got []byte
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		require.NoError(t, err)
		got = append(got, buf[:n]...)
		head, body, ok := strings.Cut(string(got), "\r\n\r\n")
		if !ok {
			continue
		}
		length := 0
		for _, line := range strings.Split(head, "\r\n") {
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok && !strings.HasPrefix(string(req), "HEAD") {
				var err error
				length, err = strconv.Atoi(v)
				require.NoError(t, err)
			}
		}
		if len(body) >= length {
			require.Equal(t, length, len(body))
			return len(head) + 4 + length
		}
	}
}
