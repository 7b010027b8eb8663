package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// seen is what the echo upstream received, as it reports it.
type seen struct {
	Method string
	URI    string
	Host   string
	Header http.Header
	Body   string
}

// echoUpstream runs a net/http upstream that answers every request with a
// JSON description of it, and returns its URL.
func echoUpstream(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(seen{Method: r.Method, URI: r.RequestURI, Host: r.Host, Header: r.Header, Body: string(body)})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// namedUpstream runs an upstream that answers every request with name.
func namedUpstream(t *testing.T, name string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, name)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// decodeSeen reads the echo upstream's report.
func decodeSeen(t *testing.T, body string) seen {
	t.Helper()
	var s seen
	require.NoError(t, json.Unmarshal([]byte(body), &s))
	return s
}

func TestForwardsRequestWithProxyFields(t *testing.T) {
	t.Parallel()
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	s := startGateway(t, []string{echoUpstream(t)}, Options{Forwarded: true, TrustedProxies: loopback}, engine.Config{})
	c := dialRaw(t, s)
	resp, body := c.do("POST /a/b%2Fc?x=1&y=%20 HTTP/1.1\r\n" +
		"Host: client.example:8080\r\n" +
		"Connection: keep-alive, X-Hop\r\n" +
		"X-Hop: private\r\n" +
		"Keep-Alive: timeout=5\r\n" +
		"TE: trailers\r\n" +
		"Trailer: X-T\r\n" +
		"Upgrade: websocket\r\n" +
		"Proxy-Authorization: Basic eDp5\r\n" +
		"Via: 1.1 edge\r\n" +
		"X-Forwarded-For: 192.0.2.7\r\n" +
		"X-Custom: kept\r\n" +
		"Content-Length: 5\r\n" +
		"\r\n" +
		"hello")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	got := decodeSeen(t, body)

	assert.Equal(t, "POST", got.Method)
	assert.Equal(t, "/a/b%2Fc?x=1&y=%20", got.URI)
	assert.Equal(t, "hello", got.Body)
	assert.Equal(t, "client.example:8080", got.Host, "Host is preserved")
	for _, name := range []string{"Connection", "X-Hop", "Keep-Alive", "Te", "Trailer", "Upgrade", "Proxy-Authorization"} {
		assert.Empty(t, got.Header.Values(name), name)
	}
	assert.Equal(t, "kept", got.Header.Get("X-Custom"))
	assert.Equal(t, []string{"1.1 edge, 1.1 rawhttpd"}, got.Header.Values("Via"))
	assert.Equal(t, []string{"192.0.2.7, 127.0.0.1"}, got.Header.Values("X-Forwarded-For"))
	assert.Equal(t, "http", got.Header.Get("X-Forwarded-Proto"))
	assert.Equal(t, "client.example:8080", got.Header.Get("X-Forwarded-Host"))
	assert.Equal(t, `for=127.0.0.1;host="client.example:8080";proto=http`, got.Header.Get("Forwarded"))
	assert.Empty(t, got.Header.Get("User-Agent"), "the Transport adds no User-Agent")
	assert.Empty(t, got.Header.Get("Accept-Encoding"), "the Transport asks for no compression")

	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "1.1 rawhttpd", resp.Header.Get("Via"))
}

func TestForwardingFieldsTrustedOrReplaced(t *testing.T) {
	t.Parallel()
	upstream := echoUpstream(t)
	forged := "GET / HTTP/1.1\r\nHost: h.example\r\n" +
		"X-Forwarded-For: 6.6.6.6\r\n" +
		"X-Forwarded-Host: forged.example\r\n" +
		"X-Forwarded-Proto: https\r\n" +
		"Forwarded: for=6.6.6.6\r\n\r\n"
	tests := []struct {
		name                     string
		trusted                  []netip.Prefix
		xff, xfHost, xfProto, fw string
	}{
		{"untrusted peer: replaced", nil,
			"127.0.0.1", "h.example", "http", `for=127.0.0.1;host="h.example";proto=http`},
		{"peer outside the trusted ranges: replaced", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
			"127.0.0.1", "h.example", "http", `for=127.0.0.1;host="h.example";proto=http`},
		{"trusted peer: appended and kept", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			"6.6.6.6, 127.0.0.1", "forged.example", "https", `for=6.6.6.6, for=127.0.0.1;host="h.example";proto=http`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startGateway(t, []string{upstream}, Options{Forwarded: true, TrustedProxies: tt.trusted}, engine.Config{})
			resp, body := dialRaw(t, s).do(forged)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			got := decodeSeen(t, body)
			assert.Equal(t, []string{tt.xff}, got.Header.Values("X-Forwarded-For"))
			assert.Equal(t, []string{tt.xfHost}, got.Header.Values("X-Forwarded-Host"))
			assert.Equal(t, []string{tt.xfProto}, got.Header.Values("X-Forwarded-Proto"))
			assert.Equal(t, []string{tt.fw}, got.Header.Values("Forwarded"))
		})
	}
}

func TestHostPreservedOrRewritten(t *testing.T) {
	t.Parallel()
	upstream := echoUpstream(t)
	tests := []struct {
		name    string
		rewrite bool
		request string
		want    string
	}{
		{"preserved", false, "GET / HTTP/1.1\r\nHost: client.example\r\n\r\n", "client.example"},
		{"rewritten", true, "GET / HTTP/1.1\r\nHost: client.example\r\n\r\n", strings.TrimPrefix(upstream, "http://")},
		{"HTTP/1.0 without Host", false, "GET / HTTP/1.0\r\n\r\n", strings.TrimPrefix(upstream, "http://")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startGateway(t, []string{upstream}, Options{RewriteHost: tt.rewrite}, engine.Config{})
			resp, body := dialRaw(t, s).do(tt.request)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			got := decodeSeen(t, body)
			assert.Equal(t, tt.want, got.Host)
		})
	}
}

func TestResponseHopByHopFieldsRemoved(t *testing.T) {
	t.Parallel()
	upstream := testupstream.Serve(t, answer("HTTP/1.1 200 OK\r\n"+
		"Connection: X-Private\r\n"+
		"X-Private: secret\r\n"+
		"Keep-Alive: timeout=5\r\n"+
		"Proxy-Authenticate: Basic\r\n"+
		"Upgrade: h2c\r\n"+
		"Via: 1.0 origin\r\n"+
		"Date: Mon, 01 Jan 2001 00:00:00 GMT\r\n"+
		"Set-Cookie: a=1\r\n"+
		"Set-Cookie: b=2\r\n"+
		"Server: origin\r\n"+
		"Transfer-Encoding: chunked\r\n"+
		"\r\n"+
		"5\r\nhello\r\n0\r\n\r\n"))
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	resp, body := dialRaw(t, s).get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "hello", body)
	for _, name := range []string{"X-Private", "Keep-Alive", "Proxy-Authenticate", "Upgrade"} {
		assert.Empty(t, resp.Header.Values(name), name)
	}
	assert.Equal(t, []string{"a=1", "b=2"}, resp.Header.Values("Set-Cookie"))
	assert.Equal(t, "origin", resp.Header.Get("Server"))
	assert.Equal(t, "1.0 origin, 1.1 rawhttpd", resp.Header.Get("Via"))
	assert.NotEqual(t, "Mon, 01 Jan 2001 00:00:00 GMT", resp.Header.Get("Date"), "the engine dates the response")
	assert.Equal(t, int64(5), resp.ContentLength, "a short body is framed by length")
}

func TestUpstream5xxPassedThrough(t *testing.T) {
	t.Parallel()
	upstream := testupstream.Serve(t, answer("HTTP/1.1 503 Service Unavailable\r\n"+
		"Retry-After: 7\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nupstream down"))
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	for i := 0; i < 2; i++ {
		resp, body := c.get("/")
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Equal(t, "upstream down", body)
		assert.Equal(t, "7", resp.Header.Get("Retry-After"))
	}
}

func TestSlowUpstreamWithinTimeout(t *testing.T) {
	t.Parallel()
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		for readHead(conn) {
			time.Sleep(200 * time.Millisecond) // slow, but within the timeout
			if _, err := io.WriteString(conn, ok200); err != nil {
				return
			}
		}
	})
	s := startGateway(t, []string{"http://" + upstream}, Options{UpstreamTimeout: 2 * time.Second}, engine.Config{})
	resp, body := dialRaw(t, s).get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok", body)
}

func TestLargeBodyStreamedInChunks(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(payload) // no Content-Length: net/http chunks it
	}))
	t.Cleanup(srv.Close)
	s := startGateway(t, []string{srv.URL}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	resp, body := c.get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
	assert.Equal(t, len(payload), len(body))
	assert.True(t, body == string(payload))
	resp, _ = c.get("/")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the connection stays usable")
}

func TestRoundRobin(t *testing.T) {
	t.Parallel()
	a, b := namedUpstream(t, "a"), namedUpstream(t, "b")
	s := startGateway(t, []string{a, b}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	var got []string
	for i := 0; i < 6; i++ {
		resp, body := c.get("/")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		got = append(got, body)
	}
	assert.Equal(t, []string{"a", "b", "a", "b", "a", "b"}, got)
}

func TestUnhealthyUpstreamSkipped(t *testing.T) {
	t.Parallel()
	good := namedUpstream(t, "good")
	s := startGateway(t, []string{"http://" + testupstream.RefusingAddr(t), good}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	for i := 0; i < 4; i++ {
		resp, body := c.get("/")
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d: the refused request goes on to the next upstream", i)
		assert.Equal(t, "good", body)
	}
}

func TestPoolFullAnswers503(t *testing.T) {
	t.Parallel()
	accepted := make(chan struct{}, 1)
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		if readHead(conn) {
			accepted <- struct{}{}
		}
		_, _ = io.Copy(io.Discard, conn) // never answers; ends at cleanup
	})
	opts := Options{MaxConnsPerUpstream: 1, PoolWait: 50 * time.Millisecond}
	s := startGateway(t, []string{"http://" + upstream}, opts, engine.Config{})
	first := dialRaw(t, s)
	require.NoError(t, first.conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err := io.WriteString(first.conn, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	require.NoError(t, err)
	select {
	case <-accepted: // the first request holds the only slot
	case <-time.After(ioTimeout):
		t.Fatal("the upstream never got the first request")
	}
	resp, body := dialRaw(t, s).get("/")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Contains(t, strings.ToLower(body), strings.ToLower(ErrPoolFull.Detail()))
	assert.Contains(t, body, "temporary")
}

func TestNameResolvedThroughResolver(t *testing.T) {
	t.Parallel()
	upstream := testupstream.Serve(t, answer(ok200))
	opts := Options{Resolver: NewResolver(serveDNS(t, localhostDNS))}
	s := startGateway(t, []string{"http://upstream.test:" + portOf(t, upstream)}, opts, engine.Config{})
	resp, body := dialRaw(t, s).get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok", body)
}

// records counts the log records written through it.
type records struct {
	mu   sync.Mutex // guards msgs
	msgs []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}

func (r *records) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.msgs...)
}

func TestClientDisconnectIsNotAnUpstreamError(t *testing.T) {
	t.Parallel()
	got := make(chan struct{}, 1)
	gone := make(chan struct{}, 1)
	hanging := testupstream.Serve(t, func(conn net.Conn) {
		if readHead(conn) {
			got <- struct{}{}
		}
		_ = conn.SetReadDeadline(time.Time{})
		_, _ = io.Copy(io.Discard, conn) // ends when the gateway gives up the request
		gone <- struct{}{}
	})
	log := &records{}
	refused := "http://" + testupstream.RefusingAddr(t)
	// One worker: the second request runs only after the first handler
	// has returned, so its log record comes after anything the first
	// wrote.
	hHanging, err := New([]string{"http://" + hanging}, Options{Logger: slog.New(log)})
	require.NoError(t, err)
	hRefused, err := New([]string{refused}, Options{Logger: slog.New(log)})
	require.NoError(t, err)
	t.Cleanup(hHanging.Close)
	t.Cleanup(hRefused.Close)
	route := engine.HandlerFunc(func(c *engine.Context) error {
		if string(c.Path()) == "/hang" {
			return hHanging.Serve(c)
		}
		return hRefused.Serve(c)
	})
	s := engine.New(route, engine.Config{Workers: 1})
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })

	first := dialRaw(t, s)
	_, err = io.WriteString(first.conn, "GET /hang HTTP/1.1\r\nHost: h\r\n\r\n")
	require.NoError(t, err)
	waitFor(t, got, "the upstream never got the request")
	require.NoError(t, first.conn.Close())
	waitFor(t, gone, "the gateway did not give up the request of a client that left")

	resp, _ := dialRaw(t, s).get("/refused")
	require.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, []string{"gateway: upstream failed"}, log.messages(), "only the refusal is logged")
}

// waitFor waits for an event on ch, failing with msg after ioTimeout.
func waitFor(t *testing.T, ch <-chan struct{}, msg string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(ioTimeout):
		t.Fatal(msg)
	}
}

func TestConnectIsNotImplemented(t *testing.T) {
	t.Parallel()
	s := startGateway(t, []string{namedUpstream(t, "a")}, Options{}, engine.Config{})
	resp, body := dialRaw(t, s).do("CONNECT h.example:443 HTTP/1.1\r\nHost: h.example:443\r\n\r\n")
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode)
	assert.Contains(t, body, "CONNECT")
}

func TestNewRejectsBadUpstreams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		upstreams []string
	}{
		{"none", nil},
		{"no scheme", []string{"127.0.0.1:8080"}},
		{"other scheme", []string{"ftp://h"}},
		{"no host", []string{"http:///path"}},
		{"user info", []string{"http://u:p@h"}},
		{"query", []string{"http://h/?a=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.upstreams, Options{})
			assert.Error(t, err)
		})
	}
}

func TestHeadKeepsTheUpstreamsLength(t *testing.T) {
	t.Parallel()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1234")
		if r.Method != http.MethodHead {
			_, _ = w.Write(make([]byte, 1234))
		}
	}))
	t.Cleanup(upstream.Close)
	s := startGateway(t, []string{upstream.URL}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	resp, body := c.do("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "1234", resp.Header.Get("Content-Length"))
	assert.Empty(t, body)
	resp, body = c.get("/")
	assert.Equal(t, "1234", resp.Header.Get("Content-Length"))
	assert.Len(t, body, 1234)
}

// BenchmarkGateway measures one forwarded GET at a time over one
// keep-alive client connection, to a raw upstream that answers ok200
// (upstream=raw): the gateway's own cost per request, plus loopback round
// trips. Its allocs/op include the client's and the upstream's, which are
// the same in every run.
func BenchmarkGateway(b *testing.B) {
	b.Run("upstream=raw", benchmarkForwardToRaw)
}

// benchmarkForwardToRaw is BenchmarkGateway/upstream=raw.
func benchmarkForwardToRaw(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				for {
					if _, err := conn.Read(buf); err != nil {
						return
					}
					if _, err := io.WriteString(conn, ok200); err != nil {
						return
					}
				}
			}()
		}
	}()
	defer ln.Close()
	h, err := New([]string{"http://" + ln.Addr().String()}, Options{Logger: quietLogger})
	require.NoError(b, err)
	s := engine.New(h, engine.Config{NumLoops: 1})
	require.NoError(b, s.Start("127.0.0.1:0"))
	defer func() { _ = s.Close(); h.Close() }()
	conn, err := net.Dial("tcp", s.Addr().String())
	require.NoError(b, err)
	defer conn.Close()
	req := []byte("GET /hello HTTP/1.1\r\nHost: h.example\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	buf := make([]byte, 4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		// The response fits one read: its head and 2-byte body are well
		// under buf, and the gateway writes it in one piece.
		n, err := conn.Read(buf)
		if err != nil || !bytes.HasSuffix(buf[:n], []byte("\r\n\r\nok")) {
			b.Fatalf("response %q, %v", buf[:n], err)
		}
	}
}

func TestLoneUpstreamIsNeverSkipped(t *testing.T) {
	t.Parallel()
	s := startGateway(t, []string{"http://" + testupstream.RefusingAddr(t)}, Options{}, engine.Config{})
	for i := 0; i < 3; i++ {
		resp, _ := dialRaw(t, s).get("/")
		assert.Equal(t, http.StatusBadGateway, resp.StatusCode, "request %d: each one tries the upstream and is told it refused", i)
	}
}

func TestEveryUpstreamUnhealthyAnswers503(t *testing.T) {
	t.Parallel()
	upstreams := []string{"http://" + testupstream.RefusingAddr(t), "http://" + testupstream.RefusingAddr(t)}
	s := startGateway(t, upstreams, Options{UnhealthyFor: time.Minute}, engine.Config{})
	resp, _ := dialRaw(t, s).get("/")
	require.Equal(t, http.StatusBadGateway, resp.StatusCode, "both were tried and refused")
	resp, body := dialRaw(t, s).get("/")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "60", resp.Header.Get("Retry-After"))
	assert.Contains(t, body, "temporary")
}
