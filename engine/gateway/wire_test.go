package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// failingPath is the request target a misbehaving upstream of these tests
// misbehaves on; on any other it answers ok200 and keeps the connection.
const failingPath = "/fail"

// largeBody is a response body long enough that its head goes out before
// its end arrives (more than flushBytes).
const largeBody = 4 * flushBytes

// misbehaveOn serves a connection to the gateway: a request for
// failingPath gets misbehave(conn), which ends or holds the connection;
// any other gets ok200, and the connection serves its next request.
func misbehaveOn(misbehave func(net.Conn)) func(net.Conn) {
	return func(conn net.Conn) {
		r := bufio.NewReader(conn)
		for {
			_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
			req, err := http.ReadRequest(r)
			if err != nil {
				_ = conn.Close()
				return
			}
			if req.URL.Path == failingPath {
				misbehave(conn)
				return
			}
			if _, err := io.WriteString(conn, ok200); err != nil {
				return
			}
		}
	}
}

// writeThen writes raw and then ends as end says: "close" closes,
// "reset" resets (SO_LINGER 0), and "hang" keeps the connection open,
// reading nothing more, until the test ends.
func writeThen(raw, end string) func(net.Conn) {
	return func(conn net.Conn) {
		_, _ = io.WriteString(conn, raw)
		switch end {
		case "reset":
			_ = conn.(*net.TCPConn).SetLinger(0)
		case "hang":
			_ = conn.SetReadDeadline(time.Time{})
			_, _ = io.Copy(io.Discard, conn) // returns when the test closes conn
		}
		_ = conn.Close()
	}
}

// failingWith starts, for a case of TestMisbehavingUpstreamsOnTheWire,
// one upstream that answers failingPath with raw and then ends as end
// says (see writeThen).
func failingWith(raw, end string) func(t *testing.T, _ <-chan struct{}) []string {
	return func(t *testing.T, _ <-chan struct{}) []string {
		return []string{"http://" + testupstream.Serve(t, misbehaveOn(writeThen(raw, end)))}
	}
}

// largeHead is the head of a response whose body, largeBody bytes long,
// the misbehaving upstreams below cut short after half of it.
var largeHead = "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(largeBody) + "\r\n\r\n"

// halfLarge is half of a largeBody body.
var halfLarge = strings.Repeat("x", largeBody/2)

// A misbehaving upstream, as the gateway's client sees it over raw TCP,
// its request written whole and one byte at a time: the status, the
// explanation and Retry-After, or, once the head went out, a body cut
// short and the connection closed; and after it, a next request answered
// (on the same connection, or on a new one where the first had to close).
func TestMisbehavingUpstreamsOnTheWire(t *testing.T) {
	// A deadline is only as exact as the loop's clock, which ticks once a
	// second here: two seconds keep the quick answers to the next request
	// clear of it.
	const shortTimeout = 2 * time.Second
	tests := []struct {
		name string
		// upstreams starts the upstreams; cut, when the test closes it,
		// lets an upstream that relays half a large body end it.
		upstreams func(t *testing.T, cut <-chan struct{}) []string
		opts      Options
		// want is the gateway's answer; nil for a large body cut short
		// after its head went out.
		want *httperrors.Error
		// broken: every request fails alike, the next one too.
		broken bool
		// resetAfterBytes: a reset that follows bytes of the response is
		// at times seen as the connection's end (gnet reads the bytes and
		// the hang-up together), so ErrClosed answers it as well.
		resetAfterBytes bool
	}{
		{
			name: "refuses the connection",
			upstreams: func(t *testing.T, _ <-chan struct{}) []string {
				return []string{"http://" + testupstream.RefusingAddr(t)}
			},
			want:   ErrRefused,
			broken: true,
		},
		{
			name:      "resets before any byte",
			upstreams: failingWith("", "reset"),
			want:      ErrReset,
		},
		{
			name:            "resets in the middle of the head",
			upstreams:       failingWith("HTTP/1.1 200 OK\r\nContent-Ty", "reset"),
			want:            ErrReset,
			resetAfterBytes: true,
		},
		{
			name:            "resets in the middle of a short body",
			upstreams:       failingWith("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf", "reset"),
			want:            ErrReset,
			resetAfterBytes: true,
		},
		{
			name:            "resets in the middle of a chunked body",
			upstreams:       failingWith("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nhalf\r\n", "reset"),
			want:            ErrReset,
			resetAfterBytes: true,
		},
		{
			name: "resets in the middle of a large body",
			upstreams: func(t *testing.T, cut <-chan struct{}) []string {
				return []string{"http://" + testupstream.Serve(t, misbehaveOn(func(conn net.Conn) {
					_, _ = io.WriteString(conn, largeHead+halfLarge)
					<-cut
					writeThen("", "reset")(conn)
				}))}
			},
		},
		{
			name:      "sends garbage",
			upstreams: failingWith("SSH-2.0-OpenSSH_9.6\r\n\r\n", "close"),
			want:      ErrInvalidResponse,
		},
		{
			name:      "closes before any byte",
			upstreams: failingWith("", "close"),
			want:      ErrClosed,
		},
		{
			name:      "closes in the middle of the head",
			upstreams: failingWith("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n", "close"),
			want:      ErrClosed,
		},
		{
			name:      "closes in the middle of a short body",
			upstreams: failingWith("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf", "close"),
			want:      ErrClosed,
		},
		{
			name: "closes in the middle of a large body",
			upstreams: func(t *testing.T, cut <-chan struct{}) []string {
				return []string{"http://" + testupstream.Serve(t, misbehaveOn(func(conn net.Conn) {
					_, _ = io.WriteString(conn, largeHead+halfLarge)
					<-cut
					_ = conn.Close()
				}))}
			},
		},
		{
			name:      "sends no head in time",
			upstreams: failingWith("", "hang"),
			opts:      Options{UpstreamTimeout: shortTimeout},
			want:      ErrResponseTimeout,
		},
		{
			name:      "sends half a head, then nothing in time",
			upstreams: failingWith("HTTP/1.1 200 OK\r\nContent-Ty", "hang"),
			opts:      Options{UpstreamTimeout: shortTimeout},
			want:      ErrResponseTimeout,
		},
		{
			name:      "sends half a short body, then nothing in time",
			upstreams: failingWith("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf", "hang"),
			opts:      Options{UpstreamTimeout: shortTimeout},
			want:      ErrResponseTimeout,
		},
		{
			name:      "sends half a large body, then nothing in time",
			upstreams: failingWith(largeHead+halfLarge, "hang"),
			opts:      Options{UpstreamTimeout: shortTimeout},
		},
		{
			name: "its name does not exist",
			upstreams: func(t *testing.T, _ <-chan struct{}) []string {
				return []string{"http://upstream.invalid:" + portOf(t, testupstream.Serve(t, misbehaveOn(writeThen(ok200, "close"))))}
			},
			want:   ErrUnknownHost,
			broken: true,
		},
		{
			name: "its DNS server does not answer",
			upstreams: func(t *testing.T, _ <-chan struct{}) []string {
				return []string{"http://upstream.test:" + portOf(t, testupstream.Serve(t, misbehaveOn(writeThen(ok200, "close"))))}
			},
			opts:   Options{DNSTimeout: shortTimeout},
			want:   ErrLookupTimeout,
			broken: true,
		},
		{
			name: "every upstream refuses and is marked unhealthy",
			upstreams: func(t *testing.T, _ <-chan struct{}) []string {
				return []string{"http://" + testupstream.RefusingAddr(t), "http://" + testupstream.RefusingAddr(t)}
			},
			opts:   Options{UnhealthyFor: time.Minute},
			want:   ErrRefused, // then, every one marked, ErrAllUnhealthy
			broken: true,
		},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			name := tt.name + map[bool]string{false: "/whole", true: "/split"}[split]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				opts := tt.opts
				switch tt.want {
				case ErrLookupTimeout:
					opts.Resolver = NewResolver(serveDNS(t, silentDNS))
				case ErrUnknownHost:
					opts.Resolver = NewResolver(serveDNS(t, nxdomainDNS))
				}
				cut := make(chan struct{})
				cutOnce := func() {
					select {
					case <-cut:
					default:
						close(cut)
					}
				}
				t.Cleanup(cutOnce)
				s := startGateway(t, tt.upstreams(t, cut), opts, engine.Config{})
				c := dialRaw(t, s)
				get := func(path string) string {
					return "GET " + path + " HTTP/1.1\r\nHost: h.example\r\n\r\n"
				}
				if tt.want == nil {
					assertCutShort(t, c, get(failingPath), split, cutOnce)
					// The client's connection closed; a new one is served,
					// over a new upstream connection.
					assertServed(t, dialRaw(t, s), get("/ok"), split)
					return
				}
				var alt *httperrors.Error
				if tt.resetAfterBytes {
					alt = ErrClosed
				}
				assertWireReplyOf(t, c, get(failingPath), split, tt.want, alt)
				switch {
				case tt.opts.UnhealthyFor > 0:
					// Both were tried and marked: from now on 503 with
					// Retry-After, on the same connection.
					assertWireReply(t, ErrAllUnhealthy, c, get("/ok"), split)
					assertWireReply(t, ErrAllUnhealthy, c, get("/ok"), split)
				case tt.broken:
					assertWireReply(t, tt.want, c, get("/ok"), split)
				default:
					assertServed(t, c, get("/ok"), split)
				}
			})
		}
	}
}

// send writes raw over c, whole or one byte at a time.
func (c *client) send(raw string, split bool) {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetDeadline(time.Now().Add(ioTimeout)))
	if split {
		require.NoError(c.t, writeSplit(c.conn, raw))
		return
	}
	_, err := io.WriteString(c.conn, raw)
	require.NoError(c.t, err)
}

// assertWireReply sends the GET raw over c and checks that the answer is
// want: its status, its explanation, that the failure is temporary, and
// Retry-After exactly when the answer is a 503; the connection stays open.
func assertWireReply(t *testing.T, want *httperrors.Error, c *client, raw string, split bool) {
	t.Helper()
	assertWireReplyOf(t, c, raw, split, want, nil)
}

// assertWireReplyOf is assertWireReply where the answer may also be alt,
// when alt is not nil.
func assertWireReplyOf(t *testing.T, c *client, raw string, split bool, want, alt *httperrors.Error) {
	t.Helper()
	c.send(raw, split)
	resp, err := http.ReadResponse(c.r, &http.Request{Method: http.MethodGet})
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if alt != nil && strings.Contains(strings.ToLower(string(body)), strings.ToLower(alt.Detail())) {
		want = alt
	}
	require.Equal(t, int(want.Status()), resp.StatusCode, string(body))
	assert.Contains(t, strings.ToLower(string(body)), strings.ToLower(want.Detail())) // the renderer capitalizes
	assert.Contains(t, string(body), "temporary")
	assert.False(t, resp.Close, "the client's connection stays open")
	if want.Status() == httperrors.StatusServiceUnavailable {
		secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err, "Retry-After %q", resp.Header.Get("Retry-After"))
		assert.True(t, secs >= 1 && secs <= 60, "Retry-After %d", secs)
	} else {
		assert.Empty(t, resp.Header.Get("Retry-After"))
	}
}

// assertServed sends the GET raw over c and checks that the upstream's
// answer, ok200, comes back through the gateway.
func assertServed(t *testing.T, c *client, raw string, split bool) {
	t.Helper()
	c.send(raw, split)
	resp, err := http.ReadResponse(c.r, &http.Request{Method: http.MethodGet})
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Equal(t, "ok", string(body))
	assert.Equal(t, "1.1 rawhttpd", resp.Header.Get("Via"))
}

// assertCutShort sends the GET raw over c, whose upstream sends half of a
// largeBody body and then fails: the client gets the upstream's head with
// its length, then fewer bytes than it says, then the connection's close.
// cut is called once the head has arrived.
func assertCutShort(t *testing.T, c *client, raw string, split bool, cut func()) {
	t.Helper()
	c.send(raw, split)
	resp, err := http.ReadResponse(c.r, &http.Request{Method: http.MethodGet})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, int64(largeBody), resp.ContentLength)
	cut()
	got, err := io.Copy(io.Discard, resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the body is cut short, not ended as if whole")
	assert.Less(t, got, int64(largeBody))
	_, err = c.r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection closes after a cut body")
}

// Each framing of an upstream response, relayed to an HTTP/1.1 client
// whose request is written whole and one byte at a time: the status, the
// framing the client gets, the fields that matter and the body, and then
// the next request on the same connection answered alike (nothing of the
// first response is left over to desynchronize it).
func TestResponseFramingsRelayed(t *testing.T) {
	large := strings.Repeat("z", largeBody)
	chunkedLarge := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
		strconv.FormatInt(int64(len(large)), 16) + ";x=y\r\n" + large + "\r\n0\r\n\r\n"
	tests := []struct {
		name     string
		method   string
		upstream func(conn net.Conn)
		status   int
		length   int64 // the Content-Length the client gets; -1 for chunked
		fields   map[string]string
		body     string
	}{
		{"Content-Length", "GET", answer(ok200), 200, 2, nil, "ok"},
		{"short chunked, with extensions", "GET",
			answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6;a=\"b\"\r\n world\r\n0\r\n\r\n"),
			200, 11, nil, "hello world"},
		{"large chunked", "GET", answer(chunkedLarge), 200, -1, nil, large},
		{"short, delimited by the close", "GET",
			answerThenClose("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the close"),
			200, 15, map[string]string{"Content-Type": "text/plain"}, "until the close"},
		{"large, delimited by the close", "GET", answerThenClose("HTTP/1.1 200 OK\r\n\r\n" + large), 200, -1, nil, large},
		{"204 with a stray Content-Length", "GET", answer("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nX-A: 1\r\n\r\n"),
			204, 0, map[string]string{"X-A": "1", "Content-Length": ""}, ""},
		{"304 with the length a GET would get", "GET", answer("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 100\r\n\r\n"),
			304, 0, map[string]string{"Etag": `"x"`}, ""},
		{"HEAD with the length a GET would get", "HEAD", answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
			200, 100, nil, ""},
		{"from an HTTP/1.0 upstream", "GET", answerThenClose("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc"),
			200, 3, map[string]string{"Via": "1.0 rawhttpd"}, "abc"},
		{"an empty reason phrase", "GET", answer("HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok"), 200, 2, nil, "ok"},
		{"the upstream's own 503 with its Retry-After", "GET",
			answer("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 4\r\n\r\nbusy"),
			503, 4, map[string]string{"Retry-After": "7"}, "busy"},
		{"the upstream's Via appended to", "GET", answer("HTTP/1.1 200 OK\r\nVia: 1.0 up\r\nContent-Length: 2\r\n\r\nok"),
			200, 2, map[string]string{"Via": "1.0 up, 1.1 rawhttpd"}, "ok"},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/split=%v", tt.name, split), func(t *testing.T) {
				t.Parallel()
				s := startGateway(t, []string{"http://" + testupstream.Serve(t, tt.upstream)}, Options{}, engine.Config{})
				c := dialRaw(t, s)
				for i := 0; i < 2; i++ {
					c.send(tt.method+" /x HTTP/1.1\r\nHost: h.example\r\n\r\n", split)
					resp, err := http.ReadResponse(c.r, &http.Request{Method: tt.method})
					require.NoError(t, err, "request %d", i)
					body, err := io.ReadAll(resp.Body)
					require.NoError(t, err, "request %d", i)
					require.Equal(t, tt.status, resp.StatusCode, "request %d", i)
					assert.Equal(t, tt.length, resp.ContentLength, "request %d", i)
					if tt.length < 0 {
						assert.Equal(t, []string{"chunked"}, resp.TransferEncoding, "request %d", i)
					}
					for name, want := range tt.fields {
						assert.Equal(t, want, resp.Header.Get(name), "request %d: %s", i, name)
					}
					if _, ok := tt.fields["Via"]; !ok {
						assert.Equal(t, "1.1 rawhttpd", resp.Header.Get("Via"), "request %d", i)
					}
					assert.Equal(t, tt.body, string(body), "request %d", i)
					assert.False(t, resp.Close, "request %d: the client's connection stays open", i)
				}
			})
		}
	}
}

// Responses the gateway forwarded before it parsed responses itself and
// that it now refuses, each with 502 and the connection to the upstream
// closed: a switch of protocols it cannot relay, status codes outside
// 100-599, a bare LF line ending, a Content-Length list, a response head
// larger than the gateway holds, whitespace before a field's colon, no
// status line at all, and a protocol other than HTTP/1.x.
func TestResponsesOutsideHTTP11Are502(t *testing.T) {
	tests := []struct {
		name     string
		response string
	}{
		{"101 Switching Protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: upgrade\r\n\r\n"},
		{"status 999", "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok"},
		{"status 600", "HTTP/1.1 600 Odd\r\nContent-Length: 2\r\n\r\nok"},
		{"bare LF line endings", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok"},
		{"a Content-Length list", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok"},
		{"a 200 KB response head", "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("a", 200<<10) + "\r\nContent-Length: 2\r\n\r\nok"},
		{"whitespace before a colon", "HTTP/1.1 200 OK\r\nX-A : b\r\nContent-Length: 2\r\n\r\nok"},
		{"no status line (HTTP/0.9)", "ok"},
		{"HTTP/2", "HTTP/2 200\r\nContent-Length: 2\r\n\r\nok"},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/split=%v", tt.name, split), func(t *testing.T) {
				t.Parallel()
				upstream, accepted := countingUpstream(t, misbehaveOn(writeThen(tt.response, "hang")))
				s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
				c := dialRaw(t, s)
				assertWireReply(t, ErrInvalidResponse, c, "GET "+failingPath+" HTTP/1.1\r\nHost: h.example\r\n\r\n", split)
				assertServed(t, c, "GET /ok HTTP/1.1\r\nHost: h.example\r\n\r\n", split)
				assert.Equal(t, int32(2), accepted.Load(), "the connection that carried the response is not reused")
			})
		}
	}
}

// What an untrusted client says of earlier hops never reaches the
// upstream as it is, whether or not this hop writes a Forwarded field of
// its own; a trusted proxy's Forwarded is kept.
func TestForwardedFromAnUntrustedClientDropped(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	tests := []struct {
		name    string
		opts    Options
		forward []string
	}{
		{"untrusted, no Forwarded of this hop", Options{}, nil},
		{"untrusted, Forwarded of this hop", Options{Forwarded: true}, []string{`for=127.0.0.1;host="h.example";proto=http`}},
		{"trusted, no Forwarded of this hop", Options{TrustedProxies: loopback}, []string{"for=192.0.2.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startGateway(t, []string{echoUpstream(t)}, tt.opts, engine.Config{})
			_, body := dialRaw(t, s).do("GET / HTTP/1.1\r\nHost: h.example\r\nForwarded: for=192.0.2.1\r\n" +
				"X-Forwarded-For: 192.0.2.1\r\n\r\n")
			got := decodeSeen(t, body)
			assert.Equal(t, tt.forward, got.Header.Values("Forwarded"))
			if tt.opts.TrustedProxies == nil {
				assert.Equal(t, []string{"127.0.0.1"}, got.Header.Values("X-Forwarded-For"))
			}
		})
	}
}

// A request that finds every connection slot to its upstream in use gets
// 503 with Retry-After over raw TCP, request whole and split, and once the
// slot is free the next request on the same connection is served.
func TestPoolFullOnTheWire(t *testing.T) {
	for _, split := range []bool{false, true} {
		t.Run(fmt.Sprintf("split=%v", split), func(t *testing.T) {
			t.Parallel()
			held, release := make(chan struct{}), make(chan struct{})
			upstream := testupstream.Serve(t, func(conn net.Conn) {
				r := bufio.NewReader(conn)
				_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
				req, err := http.ReadRequest(r)
				if err != nil {
					_ = conn.Close()
					return
				}
				if req.URL.Path == "/hold" {
					close(held)
					<-release
				}
				// One request a connection: its slot is free once it closes.
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
				_ = conn.Close()
			})
			s := startGateway(t, []string{"http://" + upstream},
				Options{MaxConnsPerUpstream: 1, PoolWait: 50 * time.Millisecond}, engine.Config{})
			holder := dialRaw(t, s)
			holder.send("GET /hold HTTP/1.1\r\nHost: h.example\r\n\r\n", false)
			waitFor(t, held, "the upstream never got the request that holds the slot")

			c := dialRaw(t, s)
			assertWireReply(t, ErrPoolFull, c, "GET /ok HTTP/1.1\r\nHost: h.example\r\n\r\n", split)
			close(release)
			resp, err := http.ReadResponse(holder.r, &http.Request{Method: http.MethodGet})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			// The slot is free once the gateway has seen the upstream's
			// close, which may come just after the next request: until
			// then it is answered 503 again.
			for attempt := 0; ; attempt++ {
				require.Less(t, attempt, 5, "the freed slot is never used")
				c.send("GET /ok HTTP/1.1\r\nHost: h.example\r\n\r\n", split)
				resp, err := http.ReadResponse(c.r, &http.Request{Method: http.MethodGet})
				require.NoError(t, err)
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				if resp.StatusCode == http.StatusServiceUnavailable {
					continue
				}
				require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
				assert.Equal(t, "ok", string(body))
				break
			}
		})
	}
}

// earlyAnswerer answers /early with a 100 KB chunked body without reading
// the request body (and then fails to read the next request from that
// body, closing the connection with it unread), and any other request
// with its request target, after reading its body.
func earlyAnswerer(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		if req.URL.Path == "/early" {
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
			for i := 0; i < 10; i++ {
				_, _ = fmt.Fprintf(conn, "2710\r\n%s\r\n", strings.Repeat("c", 10000))
			}
			_, _ = io.WriteString(conn, "0\r\n\r\n")
			continue // the next "request" is the unread body: ReadRequest fails
		}
		_, _ = io.Copy(io.Discard, req.Body)
		_, _ = fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(req.RequestURI), req.RequestURI)
	}
}

// A pipelining client whose first request's upload the upstream answers
// early, and then resets the connection: the next request, a POST sent on
// that kept-alive connection, fails as its write does, inside the
// handler's Serve, none of it taken, so it goes again on a new connection
// (or, when the reset comes after the socket took it, is answered 502);
// each request gets its own answer, once, and the server survives.
func TestEarlyAnswerToAnUploadThenPipelinedRequests(t *testing.T) {
	s := startGateway(t, []string{"http://" + testupstream.Serve(t, earlyAnswerer)}, Options{}, engine.Config{})
	for rep := 0; rep < 8; rep++ {
		c := dialRaw(t, s)
		n := 150000
		pipeline := "POST /early HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", n, strings.Repeat("x", n)) +
			"POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc" +
			"GET /three HTTP/1.1\r\nHost: h\r\n\r\n"
		go func() { _, _ = io.WriteString(c.conn, pipeline) }()
		for _, target := range []string{"/early", "/two", "/three"} {
			resp, err := http.ReadResponse(c.r, &http.Request{Method: http.MethodGet})
			require.NoError(t, err, "rep %d, %s", rep, target)
			body, err := io.ReadAll(resp.Body)
			if target == "/early" && err != nil {
				break // the upstream's reset overtook the end of its answer: cut, and the connection closed
			}
			require.NoError(t, err, "rep %d, %s", rep, target)
			switch {
			case target == "/early":
			case target == "/two" && resp.StatusCode == http.StatusBadGateway:
				// The reset came after the socket took the request: it
				// may have been seen, and is not sent again.
				assert.Contains(t, string(body), "temporary")
			default:
				require.Equal(t, http.StatusOK, resp.StatusCode, "rep %d, %s: %s", rep, target, body)
				assert.Equal(t, target, string(body), "rep %d: the answer is to this request", rep)
			}
			if resp.Close {
				break
			}
		}
	}
	// The server still serves.
	resp, body := dialRaw(t, s).get("/after")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "/after", body)
}
