package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
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

// respond is a serve function that answers each request head with raw,
// written whole or a byte at a time.
func respond(raw string, split bool) func(net.Conn) {
	return func(conn net.Conn) {
		for readHead(conn) {
			write := func() error { _, err := io.WriteString(conn, raw); return err }
			if split {
				write = func() error { return writeSplit(conn, raw) }
			}
			if write() != nil {
				return
			}
		}
	}
}

// readAllWire reads what the server sends on c until it closes.
func readAllWire(t *testing.T, c *client) string {
	t.Helper()
	require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	b, err := io.ReadAll(c.r)
	require.NoError(t, err)
	return string(b)
}

// finalOf splits wire into what precedes the final response (the interim
// responses) and the final response, parsed.
func finalOf(t *testing.T, wire, method string) (string, *http.Response, string) {
	t.Helper()
	at := 0
	for strings.HasPrefix(wire[at:], "HTTP/1.1 1") {
		end := strings.Index(wire[at:], "\r\n\r\n")
		require.Positive(t, end, "an interim head is cut: %q", wire)
		at += end + 4
	}
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(wire[at:])), &http.Request{Method: method})
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return wire[:at], resp, string(body)
}

const final200 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

func TestInterimResponsesRelayedWholeAndSplit(t *testing.T) {
	t.Parallel()
	hints := "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\nConnection: X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n\r\n"
	tests := []struct {
		name     string
		version  string
		upstream string
		interim  string // what the client gets before the final response
		status   int
	}{
		{"103 with its fields, hop-by-hop removed", "HTTP/1.1", hints + final200,
			status(103) + "\r\nLink: </s.css>; rel=preload\r\n\r\n", 200},
		{"several before the final one", "HTTP/1.1", "HTTP/1.1 102 Processing\r\n\r\n" + hints + final200,
			status(102) + "\r\n\r\n" + status(103) + "\r\nLink: </s.css>; rel=preload\r\n\r\n", 200},
		{"an unknown 1xx", "HTTP/1.1", "HTTP/1.1 199 Whatever\r\nX-A: b\r\n\r\n" + final200,
			status(199) + "\r\nX-A: b\r\n\r\n", 200},
		{"100 Continue nobody asked for is dropped", "HTTP/1.1", "HTTP/1.1 100 Continue\r\n\r\n" + final200, "", 200},
		{"none to an HTTP/1.0 client", "HTTP/1.0", "HTTP/1.1 102 Processing\r\n\r\n" + hints + final200, "", 200},
		{"101 is refused", "HTTP/1.1", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n", "", 502},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/split=%v", tt.name, split), func(t *testing.T) {
				t.Parallel()
				upstream := testupstream.Serve(t, respond(tt.upstream, split))
				s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
				c := dialRaw(t, s)
				_, err := io.WriteString(c.conn, "GET / "+tt.version+"\r\nHost: h\r\nConnection: close\r\n\r\n")
				require.NoError(t, err)
				interim, resp, body := finalOf(t, readAllWire(t, c), "GET")
				assert.Equal(t, tt.interim, interim)
				require.Equal(t, tt.status, resp.StatusCode)
				if tt.status == 200 {
					assert.Equal(t, "ok", body)
				}
			})
		}
	}
}

func TestInterimResponsesThenTheNextRequestServed(t *testing.T) {
	t.Parallel()
	upstream := testupstream.Serve(t, respond("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"+final200, false))
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err := io.WriteString(c.conn, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	require.NoError(t, err)
	wire := readAllWire(t, c)
	assert.Equal(t, 2, strings.Count(wire, status(103)+"\r\nLink: </a>\r\n\r\n"), "each request gets its hints: %q", wire)
	assert.Equal(t, 2, strings.Count(wire, "\r\n\r\nok"), "and its final response")
}

// An upstream that answers 100 Continue to a request whose client asked
// for it: the client has had the engine's own 100 already, and gets no
// second one.
func TestExpectContinueAnsweredOnce(t *testing.T) {
	t.Parallel()
	for _, split := range []bool{false, true} {
		t.Run(fmt.Sprintf("split=%v", split), func(t *testing.T) {
			t.Parallel()
			upstream := testupstream.Serve(t, func(conn net.Conn) {
				r := bufio.NewReader(conn)
				_ = conn.SetDeadline(time.Now().Add(ioTimeout))
				req, err := http.ReadRequest(r)
				if err != nil {
					return
				}
				write := func(raw string) { _, _ = io.WriteString(conn, raw) }
				if split {
					write = func(raw string) { _ = writeSplit(conn, raw) }
				}
				write("HTTP/1.1 100 Continue\r\n\r\n")
				body, _ := io.ReadAll(req.Body)
				write(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
			})
			s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
			c := dialRaw(t, s)
			require.NoError(t, c.conn.SetDeadline(time.Now().Add(ioTimeout)))
			_, err := io.WriteString(c.conn, "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")
			require.NoError(t, err)
			cont := make([]byte, len("HTTP/1.1 100 Continue\r\n\r\n"))
			_, err = io.ReadFull(c.r, cont)
			require.NoError(t, err)
			require.Equal(t, "HTTP/1.1 100 Continue\r\n\r\n", string(cont))
			_, err = io.WriteString(c.conn, "hello")
			require.NoError(t, err)
			interim, resp, body := finalOf(t, readAllWire(t, c), "POST")
			assert.Empty(t, interim, "a second 100 Continue")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "hello", body)
		})
	}
}

// An upstream that keeps sending 102 Processing while it works, for
// longer than UpstreamTimeout in all, is not cut off: each interim
// response starts the wait for the final head again.
func TestInterimResponsesKeepTheWaitForTheHeadAlive(t *testing.T) {
	t.Parallel()
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		if !readHead(conn) {
			return
		}
		for i := 0; i < 10; i++ {
			if _, err := io.WriteString(conn, "HTTP/1.1 102 Processing\r\n\r\n"); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond) // the upstream at work, not a synchronisation
		}
		_, _ = io.WriteString(conn, final200)
	})
	opts := Options{UpstreamTimeout: 600 * time.Millisecond}
	s := startGateway(t, []string{"http://" + upstream}, opts, engine.Config{WriteTimeout: 400 * time.Millisecond})
	c := dialRaw(t, s)
	_, err := io.WriteString(c.conn, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	require.NoError(t, err)
	interim, resp, body := finalOf(t, readAllWire(t, c), "GET")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok", body)
	assert.Equal(t, 10, strings.Count(interim, status(102)+"\r\n\r\n"))
}

// An upstream that sends interim responses without end: the client gets a
// bounded amount of them, then the final response.
func TestInterimResponsesRelayedUpToABound(t *testing.T) {
	t.Parallel()
	one := "HTTP/1.1 103 Early Hints\r\nLink: </" + strings.Repeat("a", 1000) + ">\r\n\r\n"
	upstream := testupstream.Serve(t, respond(strings.Repeat(one, 2048)+final200, false)) // 2 MiB of hints
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	_, err := io.WriteString(c.conn, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	require.NoError(t, err)
	interim, resp, body := finalOf(t, readAllWire(t, c), "GET")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok", body)
	assert.Positive(t, len(interim))
	assert.LessOrEqual(t, len(interim), maxInterimBytes+len(one))
}

// status is the status line the engine renders for code, without its CRLF.
func status(code int) string {
	return "HTTP/1.1 " + strconv.Itoa(code) + " " + httperrors.Status(code).Reason()
}
