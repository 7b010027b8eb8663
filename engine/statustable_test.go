package engine

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statusRow is one row of the status contract (the parser's and the
// engine's package docs), sent over raw TCP.
type statusRow struct {
	name    string
	raw     string
	status  int
	close   bool     // the server closes the connection after answering
	contain []string // the entity must contain these
	// everyCut rows are also sent in two pieces cut at every byte, and
	// one byte per write: their fault is in the framing, which the parser
	// judges as the bytes arrive.
	everyCut bool
}

// statusTable follows the parser's status contract (package doc), row by
// row.
var statusTable = []statusRow{
	{name: "valid 1.1", raw: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", status: 200},
	{name: "version lower case", raw: "GET / http/1.1\r\nHost: a\r\n\r\n", status: 400, close: true},
	{name: "version two digits", raw: "GET / HTTP/10.1\r\nHost: a\r\n\r\n", status: 400, close: true},
	{name: "version missing minor", raw: "GET / HTTP/1\r\nHost: a\r\n\r\n", status: 400, close: true},
	{name: "HTTP/2.0", raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505, close: true, contain: []string{"HTTP/1.0", "HTTP/1.1", "permanent"}},
	{name: "HTTP/0.9", raw: "GET / HTTP/0.9\r\n\r\n", status: 505, close: true, contain: []string{"HTTP/1.1"}},
	{name: "h2 preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", status: 505, close: true},
	{name: "505 before 501", raw: "FOO / HTTP/3.0\r\n\r\n", status: 505, close: true},
	{name: "505 on the request line alone", raw: "GET / HTTP/2.0\r\n", status: 505, close: true},
	{name: "HTTP/1.2 served as 1.1", raw: "GET / HTTP/1.2\r\nHost: a\r\n\r\n", status: 200},
	{name: "method not a token", raw: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, close: true},
	{name: "unknown method", raw: "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", status: 501, close: true, contain: []string{"permanent"}},
	{name: "501 on the request line alone", raw: "BREW / HTTP/1.1\r\n", status: 501, close: true},
	{name: "methods are case-sensitive", raw: "get / HTTP/1.1\r\nHost: a\r\n\r\n", status: 501, close: true},
	{name: "target too long", raw: "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", status: 414, close: true},
	{name: "method too long", raw: strings.Repeat("A", 9000) + " / HTTP/1.1\r\nHost: a\r\n\r\n", status: 501, close: true},
	{name: "version too long", raw: "GET / " + strings.Repeat("H", 9000) + "\r\nHost: a\r\n\r\n", status: 400, close: true},
	{name: "asterisk without OPTIONS", raw: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, close: true},
	{name: "asterisk with OPTIONS", raw: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", status: 200},
	{name: "CONNECT: no tunnels, for any target", raw: "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n", status: 501, contain: []string{"tunnel", "permanent"}},
	{name: "authority-form without CONNECT", raw: "GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, close: true},
	{name: "fragment in origin-form", raw: "GET /#frag HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, close: true, contain: []string{"fragment"}},
	{name: "fragment after a query", raw: "GET /a?b=c#d HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, close: true, contain: []string{"fragment"}},
	{name: "fragment in absolute-form", raw: "GET http://a/b#c HTTP/1.1\r\nHost: a\r\n\r\n", status: 400, close: true, contain: []string{"fragment"}},
	{name: "escaped hash is not a fragment", raw: "GET /a%23b HTTP/1.1\r\nHost: a\r\n\r\n", status: 200},
	{name: "header section too large", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("b", 33<<10) + "\r\n\r\n", status: 431, close: true},
	{name: "too many fields", raw: "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: y\r\n", 101) + "\r\n", status: 431, close: true},
	{name: "space before colon", raw: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", status: 400, close: true},
	{name: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n", status: 400, close: true},
	{name: "invalid name character", raw: "GET / HTTP/1.1\r\nHost: a\r\nX(y: b\r\n\r\n", status: 400, close: true},
	{name: "NUL in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: b\x00c\r\n\r\n", status: 400, close: true},
	{name: "bare CR in value", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: b\rc\r\n\r\n", status: 400, close: true},
	{name: "missing Host", raw: "GET / HTTP/1.1\r\n\r\n", status: 400, close: true},
	{name: "two Hosts", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400, close: true},
	{name: "HTTP/1.0 without Host", raw: "GET / HTTP/1.0\r\n\r\n", status: 200, close: true},
	// The Host value is uri-host [ ":" port ] by RFC 3986's grammar (see
	// parser/host.go for the reading): a reg-name (unreserved, sub-delims,
	// pct-encoded), an IPv4 address, or an IPv6 or IPvFuture literal in
	// brackets; then an optional ":" and digits, none allowed. Empty is
	// allowed too (RFC 9112 §3.2: a target without authority).
	{name: "Host name", raw: "GET / HTTP/1.1\r\nHost: host\r\n\r\n", status: 200},
	{name: "Host name and port", raw: "GET / HTTP/1.1\r\nHost: host:80\r\n\r\n", status: 200},
	{name: "Host empty port", raw: "GET / HTTP/1.1\r\nHost: host:\r\n\r\n", status: 200},
	{name: "Host IPv4 and port", raw: "GET / HTTP/1.1\r\nHost: 1.2.3.4:8080\r\n\r\n", status: 200},
	{name: "Host IPv6 and port", raw: "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", status: 200},
	{name: "Host IPvFuture", raw: "GET / HTTP/1.1\r\nHost: [v1.x]\r\n\r\n", status: 200},
	{name: "Host pct-encoded and sub-delims", raw: "GET / HTTP/1.1\r\nHost: ho%41st,a;b=c\r\n\r\n", status: 200},
	{name: "Host empty", raw: "GET / HTTP/1.1\r\nHost:\r\n\r\n", status: 200},
	{name: "Host port not digits", raw: "GET / HTTP/1.1\r\nHost: localhost:abc\r\n\r\n", status: 400, close: true, contain: []string{"Host header field"}},
	{name: "Host unbalanced bracket", raw: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", status: 400, close: true, contain: []string{"Host header field"}},
	{name: "Host IPv6 without brackets", raw: "GET / HTTP/1.1\r\nHost: ::1\r\n\r\n", status: 400, close: true, contain: []string{"Host header field"}},
	{name: "Host with a space", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400, close: true, contain: []string{"Host header field"}},
	{name: "Host two ports", raw: "GET / HTTP/1.1\r\nHost: host:80:80\r\n\r\n", status: 400, close: true, contain: []string{"Host header field"}},
	{name: "Host text after the bracket", raw: "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", status: 400, close: true, contain: []string{"Host header field"}},
	{name: "Host bad percent", raw: "GET / HTTP/1.1\r\nHost: ho%st\r\n\r\n", status: 400, close: true, contain: []string{"Host header field"}},
	{name: "Host port alone", raw: "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", status: 400, close: true, contain: []string{"Host header field"}},
	{name: "bad Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", status: 400, close: true},
	{name: "negative Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", status: 400, close: true},
	{name: "overflowing Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", status: 400, close: true},
	{name: "Content-Length list of equal values", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1,1\r\n\r\nx", status: 400, close: true},
	{name: "Content-Length repeated", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", status: 400, close: true},
	{name: "conflicting Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", status: 400, close: true},
	{name: "gzip, chunked", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", status: 501, close: true},
	{name: "empty Transfer-Encoding", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", status: 400, close: true},
	{name: "chunked not last", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", status: 400, close: true},
	{name: "Transfer-Encoding with Content-Length", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", status: 400, close: true},
	{name: "Transfer-Encoding in HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400, close: true},
	{name: "malformed chunk size", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400, close: true},
	{name: "chunk size overflow", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", status: 400, close: true},
	// A chunk line may hold whitespace after the size only before a ";"
	// extension (RFC 9112 §7.1.1: BWS).
	{name: "chunk size then extension", raw: chunkedHead + "5;ext\r\nhello\r\n0\r\n\r\n", status: 200, everyCut: true},
	{name: "chunk size, space, extension", raw: chunkedHead + "5 ;ext\r\nhello\r\n0\r\n\r\n", status: 200, everyCut: true},
	{name: "space after chunk size", raw: chunkedHead + "5 \r\nhello\r\n0\r\n\r\n", status: 400, close: true, contain: []string{"chunk size"}, everyCut: true},
	{name: "tab after chunk size", raw: chunkedHead + "5\t\r\nhello\r\n0\r\n\r\n", status: 400, close: true, contain: []string{"chunk size"}, everyCut: true},
	{name: "space after last chunk size", raw: chunkedHead + "5\r\nhello\r\n0 \r\n\r\n", status: 400, close: true, everyCut: true},
	{name: "space after chunk extension", raw: chunkedHead + "5;ext \r\nhello\r\n0\r\n\r\n", status: 400, close: true, contain: []string{"chunk extension"}, everyCut: true},
	{name: "chunk missing CRLF", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", status: 400, close: true},
	{name: "body over the limit", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000000\r\n\r\n", status: 413, close: true},
	{name: "unknown expectation", raw: "POST / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Length: 1\r\n\r\nx", status: 417, close: true},
}

// chunkedHead is the head of a chunked POST, for the chunk-line rows.
const chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

func TestStatusTableOverTCP(t *testing.T) {
	s := startServer(t, hello, Config{})
	for _, row := range statusTable {
		t.Run(row.name, func(t *testing.T) {
			c := dialRaw(t, s)
			c.send(row.raw)
			resp, body := c.read("GET")
			require.Equal(t, row.status, resp.StatusCode)
			assert.Equal(t, "HTTP/1.1", resp.Proto)
			assert.NotEmpty(t, resp.Header.Get("Date"))
			assert.NotEmpty(t, resp.Header.Get("Content-Length"))
			assert.Equal(t, row.close, resp.Close, "Connection: close")
			if row.status >= 400 {
				assert.Contains(t, body, resp.Status[4:], "entity names the status")
			}
			for _, want := range row.contain {
				assert.Contains(t, body, want)
			}
			if row.close {
				assert.True(t, c.closedByServer())
			}
		})
	}
}

func TestStatusTableSplitIntoPieces(t *testing.T) {
	s := startServer(t, hello, Config{})
	for _, row := range statusTable {
		if len(row.raw) > 200 {
			continue // the large rows are covered whole; pieces of 9000 bytes add nothing
		}
		t.Run(row.name, func(t *testing.T) {
			c := dialRaw(t, s)
			for i := 0; i < len(row.raw); i += 7 {
				c.send(row.raw[i:min(i+7, len(row.raw))])
			}
			resp, _ := c.read("GET")
			assert.Equal(t, row.status, resp.StatusCode)
		})
	}
}

func TestEarlyRejectionSurvivesASlowSender(t *testing.T) {
	s := startServer(t, hello, Config{})
	c := dialRaw(t, s)
	raw := "BREW / HTTP/1.1\r\nHost: a\r\nX-Padding: " + strings.Repeat("p", 40) + "\r\n\r\n"
	c.send(raw[:17]) // the request line: 501 is decided here
	for i := 17; i < len(raw); i += 4 {
		// The slow sender is the case under test: the rest trickles in
		// while the server answers and closes, and must not reset the
		// connection under the 501 before the client has read it.
		time.Sleep(20 * time.Millisecond)
		_, _ = c.conn.Write([]byte(raw[i:min(i+4, len(raw))]))
	}
	resp, body := c.read("BREW")
	assert.Equal(t, 501, resp.StatusCode)
	assert.Contains(t, body, "permanent")
	assert.True(t, c.closedByServer())
}

func TestParseErrorResponses(t *testing.T) {
	s := startServer(t, hello, Config{})
	t.Run("HEAD gets no entity", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n")
		resp, body := c.read("HEAD")
		assert.Equal(t, 400, resp.StatusCode)
		assert.Empty(t, body)
		assert.NotEqual(t, "0", resp.Header.Get("Content-Length"))
	})
	t.Run("GET after a HEAD in the same batch gets its entity", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n\r\n")
		_, _ = c.read("HEAD")
		resp, body := c.read("GET")
		assert.Equal(t, 400, resp.StatusCode)
		assert.Contains(t, body, "400 Bad Request")
	})
	t.Run("problem+json when Accept prefers it", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("POST / HTTP/1.1\r\nAccept: application/problem+json\r\nHost: a\r\nContent-Length: -1\r\n\r\n")
		resp, body := c.read("POST")
		assertProblem(t, resp, body, 400)
		assert.True(t, resp.Close)
	})
	// The fault is in the request line, found before any field is parsed,
	// but the Accept line arrived with it: the refusal honours it.
	for _, tc := range []struct {
		name   string
		raw    string
		status int
	}{
		{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\nAccept: application/problem+json\r\n\r\n", 505},
		{"h2 preface version", "PRI * HTTP/2.0\r\naccept:application/problem+json\r\n\r\n", 505},
		{"unknown method", "FOO / HTTP/1.1\r\nHost: a\r\nAccept:  application/problem+json \r\n\r\n", 501},
		{"fragment", "GET /#f HTTP/1.1\r\nAccept: application/problem+json\r\nHost: a\r\n\r\n", 400},
		{"malformed version", "GET / http/1.1\r\nAccept: application/problem+json\r\n\r\n", 400},
	} {
		t.Run("problem+json for a request-line fault: "+tc.name, func(t *testing.T) {
			c := dialRaw(t, s)
			c.send(tc.raw)
			resp, body := c.read("GET")
			assertProblem(t, resp, body, tc.status)
			assert.True(t, resp.Close)
		})
	}
	t.Run("text for a request-line fault when Accept has not arrived", func(t *testing.T) {
		c := dialRaw(t, s)
		c.send("GET / HTTP/2.0\r\nHost: a\r\nAccept: application/pro")
		resp, _ := c.read("GET")
		assert.Equal(t, 505, resp.StatusCode)
		assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	})
	// The Accept line and the fault arrive in different reads: the first
	// read's buffer is reused by the time the fault is found.
	for _, tc := range []struct {
		name   string
		raw    string
		status int
	}{
		{"bad Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\nContent-Length: +1\r\nX-B: 2\r\n\r\n", 400},
		{"body over the limit", "POST / HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\nContent-Length: 5000000\r\nX-B: 2\r\n\r\n", 413},
		{"gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\nTransfer-Encoding: gzip, chunked\r\nX-B: 2\r\n\r\n", 501},
		{"missing Host", "GET / HTTP/1.1\r\nAccept: application/problem+json\r\nX-B: 2\r\n\r\n", 400},
	} {
		cut := strings.Index(tc.raw, "json\r\n") + len("json\r\n") + 3
		t.Run("problem+json when Accept came in an earlier read: "+tc.name, func(t *testing.T) {
			c := dialRaw(t, s)
			c.send(tc.raw[:cut])
			waitConn(t, s, holdsUnread(cut)) // the server read the first piece alone
			c.send(tc.raw[cut:])
			resp, body := c.read(tc.raw[:strings.IndexByte(tc.raw, ' ')])
			assertProblem(t, resp, body, tc.status)
			assert.True(t, resp.Close)
		})
	}
}

func TestConnectIsRefusedBeforeTheHandler(t *testing.T) {
	var calls atomic.Int32
	s := startServer(t, HandlerFunc(func(c *Context) error {
		calls.Add(1)
		_, _ = c.WriteString("hello")
		return nil
	}), Config{})
	c := dialRaw(t, s)
	c.send("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, body := c.read("CONNECT")
	assert.Equal(t, 501, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("Content-Length"), "a 501 is not a tunnel: its entity is framed")
	assert.Contains(t, body, "tunnel")
	resp, body = c.read("GET")
	assert.Equal(t, 200, resp.StatusCode, "the connection is still usable")
	assert.Equal(t, "hello", body)
	assert.Equal(t, int32(1), calls.Load(), "the handler saw only the GET")
}

// TestStatusTableEveryCut sends each everyCut row in two writes, cut at
// every byte, each on its own connection, and then one byte per write:
// the status and the close must be the whole row's. Nothing makes the
// server read a piece before the next one arrives, so some cuts may be
// read whole; most are not on loopback, and the parser's own tests cut
// at every byte deterministically.
func TestStatusTableEveryCut(t *testing.T) {
	s := startServer(t, hello, Config{})
	for _, row := range statusTable {
		if !row.everyCut {
			continue
		}
		t.Run(row.name, func(t *testing.T) {
			check := func(c *client, how string) {
				resp, _ := c.read("POST")
				require.Equal(t, row.status, resp.StatusCode, how)
				require.Equal(t, row.close, resp.Close, how)
				if row.close {
					require.True(t, c.closedByServer(), how)
				}
			}
			for cut := 1; cut < len(row.raw); cut++ {
				c := dialRaw(t, s)
				c.send(row.raw[:cut])
				c.send(row.raw[cut:])
				check(c, fmt.Sprintf("cut at %d", cut))
				_ = c.conn.Close()
			}
			c := dialRaw(t, s)
			for i := range len(row.raw) {
				c.send(row.raw[i : i+1])
			}
			check(c, "one byte per write")
		})
	}
}
