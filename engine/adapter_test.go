package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/parser"
)

// adapterMux is a net/http handler exercising what handlers commonly do.
func adapterMux(t *testing.T) http.Handler {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file.txt"), []byte("0123456789abcdefghij"), 0o644))
	mux := http.NewServeMux()
	mux.HandleFunc("/headers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Single", "one")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "created")
	})
	mux.HandleFunc("/request", func(w http.ResponseWriter, r *http.Request) {
		_, _ = fmt.Fprintf(w, "method=%s path=%s query=%s host=%v proto=%s tls=%v remote=%v ua=%s",
			r.Method, r.URL.Path, r.URL.RawQuery, strings.HasPrefix(r.Host, "127.0.0.1:"), r.Proto, r.TLS != nil, r.RemoteAddr != "", r.UserAgent())
	})
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256(b)
		_, _ = fmt.Fprintf(w, "%d %s", len(b), hex.EncodeToString(sum[:]))
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 3; i++ {
			_, _ = fmt.Fprintf(w, "chunk %d\n", i)
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/sniff", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "<html><body>hi</body></html>")
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("length") {
			w.Header().Set("Content-Length", strconv.Itoa(1<<20))
		}
		for i := 0; i < 1<<10; i++ {
			_, _ = io.WriteString(w, strings.Repeat(string(rune('a'+i%26)), 1<<10))
		}
	})
	mux.HandleFunc("/notfound", http.NotFound)
	mux.Handle("/files/", http.StripPrefix("/files/", http.FileServer(http.Dir(dir))))
	return mux
}

func TestFromHTTPMatchesNetHTTP(t *testing.T) {
	h := adapterMux(t)
	ref := httptest.NewServer(h)
	t.Cleanup(ref.Close)
	s := startServer(t, FromHTTP(h), Config{})
	ours := "http://" + s.Addr().String()

	bigBody := strings.Repeat("x", 1<<20)
	tests := []struct {
		name    string
		method  string
		path    string
		body    string
		headers map[string]string
		compare []string // response fields that must be equal
	}{
		{name: "headers and status", method: "GET", path: "/headers", compare: []string{"X-Single", "X-Multi", "Content-Type", "Content-Length"}},
		{name: "request fields", method: "GET", path: "/request?a=1&b=2", headers: map[string]string{"User-Agent": "probe/1"}},
		{name: "large body", method: "POST", path: "/upload", body: bigBody},
		{name: "streamed", method: "GET", path: "/stream", compare: []string{"Content-Type"}},
		{name: "sniffed type", method: "GET", path: "/sniff", compare: []string{"Content-Type"}},
		{name: "not found", method: "GET", path: "/notfound", compare: []string{"Content-Type", "X-Content-Type-Options"}},
		{name: "file", method: "GET", path: "/files/file.txt", compare: []string{"Content-Type", "Content-Length", "Last-Modified", "Accept-Ranges"}},
		{name: "file range", method: "GET", path: "/files/file.txt", headers: map[string]string{"Range": "bytes=5-9"}, compare: []string{"Content-Range", "Content-Length"}},
		{name: "file HEAD", method: "HEAD", path: "/files/file.txt", compare: []string{"Content-Length", "Content-Type"}},
		{name: "directory listing", method: "GET", path: "/files/", compare: []string{"Content-Type"}},
		{name: "large response, no length", method: "GET", path: "/big", compare: []string{"Content-Type", "Content-Length"}},
		{name: "large response with its length", method: "GET", path: "/big?length=1", compare: []string{"Content-Type", "Content-Length"}},
	}
	client := &http.Client{Timeout: ioTimeout}
	do := func(t *testing.T, base string, method, path, body string, headers map[string]string) (*http.Response, string) {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantBody := do(t, ref.URL, tt.method, tt.path, tt.body, tt.headers)
			got, gotBody := do(t, ours, tt.method, tt.path, tt.body, tt.headers)
			assert.Equal(t, want.StatusCode, got.StatusCode)
			assert.Equal(t, wantBody, gotBody)
			for _, field := range tt.compare {
				assert.Equal(t, want.Header.Values(field), got.Header.Values(field), field)
			}
			assert.Equal(t, want.TransferEncoding, got.TransferEncoding)
		})
	}
}

func TestFromHTTPStreamsChunked(t *testing.T) {
	s := startServer(t, FromHTTP(adapterMux(t)), Config{})
	c := dialRaw(t, s)
	c.send("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, body := c.read("GET")
	assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
	assert.Equal(t, "chunk 0\nchunk 1\nchunk 2\n", body)

	c = dialRaw(t, s)
	c.send("GET /stream HTTP/1.0\r\n\r\n")
	resp, body = c.read("GET")
	assert.Empty(t, resp.TransferEncoding)
	assert.True(t, resp.Close)
	assert.Equal(t, "chunk 0\nchunk 1\nchunk 2\n", body)
}

func TestFromHTTPPanicIs500(t *testing.T) {
	s := startServer(t, FromHTTP(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	})), Config{Logger: discardSlog()})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, body := c.read("GET")
	assert.Equal(t, 500, resp.StatusCode)
	assert.NotContains(t, body, "boom")
	assert.True(t, resp.Close)
}

func TestFromHTTPResponseControllerDeadlinesAreUnsupported(t *testing.T) {
	errs := make(chan [3]error, 1)
	s := startServer(t, FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		errs <- [3]error{
			rc.SetReadDeadline(time.Now()),
			rc.SetWriteDeadline(time.Now()),
			rc.Flush(),
		}
	})), Config{})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, _ := c.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
	got := <-errs
	assert.ErrorIs(t, got[0], http.ErrNotSupported)
	assert.ErrorIs(t, got[1], http.ErrNotSupported)
	assert.NoError(t, got[2])
}

func TestFromHTTPContextCancelledOnDisconnect(t *testing.T) {
	started := make(chan struct{})
	done := make(chan error, 1)
	s := startServer(t, FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
			done <- r.Context().Err()
		case <-time.After(ioTimeout):
			done <- errors.New("not cancelled")
		}
	})), Config{})
	conn, err := net.Dial("tcp", s.Addr().String())
	require.NoError(t, err)
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	<-started
	require.NoError(t, conn.Close())
	assert.ErrorIs(t, <-done, errCanceled())
}

func TestRequestURLMatchesParseRequestURI(t *testing.T) {
	for _, target := range []string{"/", "/a/b", "/a?b=1&c=2", "/a?", "/a%2Fb", "/a?b=%20", "/x#frag", "//double", "/a?b?c"} {
		want, err := url.ParseRequestURI(target)
		require.NoError(t, err, target)
		got, err := requestURL(target, "GET")
		require.NoError(t, err, target)
		assert.Equal(t, want, got, target)
	}
}

func TestNewHTTPHeaderCanonicalKeys(t *testing.T) {
	h, host, target := newHTTPHeader([]parser.Field{
		{Name: []byte("host"), Value: []byte("a")},
		{Name: []byte("x-custom-thing"), Value: []byte("1")},
		{Name: []byte("X-Custom-Thing"), Value: []byte("2")},
		{Name: []byte("Accept"), Value: nil},
	}, []byte("/a/b?c"))
	assert.Equal(t, http.Header{"X-Custom-Thing": {"1", "2"}, "Accept": {""}}, h)
	assert.Equal(t, "a", host)
	assert.Equal(t, "/a/b?c", target)
}

func TestFromHTTPContextCarriesLocalAddr(t *testing.T) {
	got := make(chan any, 1)
	s := startServer(t, FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Context().Value(http.LocalAddrContextKey)
	})), Config{})
	resp, err := http.Get("http://" + s.Addr().String() + "/")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	addr, ok := (<-got).(net.Addr)
	require.True(t, ok, "the value is a net.Addr, as net/http gives")
	assert.Equal(t, s.Addr().String(), addr.String())
}

// TestFromHTTPLargeResponseWaitsForTheClient has a net/http handler write
// 8 MiB without flushing to a client that reads nothing for a while: the
// adapter must send it as it comes, with the handler held in Write, not
// keep it whole in memory; then the client gets all of it.
func TestFromHTTPLargeResponseWaitsForTheClient(t *testing.T) {
	const piece, n = 64 << 10, 128
	var written atomic.Int64
	s := startServer(t, FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(piece*n))
		p := make([]byte, piece)
		for i := 0; i < n; i++ {
			if _, err := w.Write(p); err != nil {
				return
			}
			written.Add(piece)
		}
	})), Config{})
	c := dialNarrow(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	waitConn(t, s, outputBackedUp)
	held := written.Load()
	t.Logf("bytes the handler wrote while the client read nothing: %d of %d", held, piece*n)
	assert.Less(t, held, int64(piece*n/2), "the handler ran ahead of the client")
	resp, body := c.read("GET")
	assert.Equal(t, strconv.Itoa(piece*n), resp.Header.Get("Content-Length"))
	assert.Len(t, body, piece*n)
}

func TestCommonFieldNamesAreCanonical(t *testing.T) {
	for spelled, key := range commonFieldNames {
		assert.Equal(t, textproto.CanonicalMIMEHeaderKey(spelled), key, spelled)
	}
}
