package gateway

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
)

// ioTimeout bounds every read and write a test makes.
const ioTimeout = 5 * time.Second

// quietLogger drops what the gateway logs.
var quietLogger = slog.New(slog.DiscardHandler)

// startGateway starts an engine server on 127.0.0.1 that runs a gateway to
// upstreams, and stops both when the test ends.
func startGateway(t *testing.T, upstreams []string, opts Options, cfg engine.Config) *engine.Server {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLogger
	}
	h, err := New(upstreams, opts)
	require.NoError(t, err)
	if cfg.TimerResolution == 0 {
		cfg.TimerResolution = h.TimerResolution()
	}
	s := engine.New(h, cfg)
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() {
		_ = s.Close()
		h.Close()
	})
	return s
}

// client is a raw TCP connection to a test server.
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// dialRaw opens a raw connection to s.
func dialRaw(t *testing.T, s *engine.Server) *client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr().String(), ioTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// do sends raw and reads the response, body included.
func (c *client) do(raw string) (*http.Response, string) {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err := io.WriteString(c.conn, raw)
	require.NoError(c.t, err)
	method, _, _ := strings.Cut(raw, " ")
	resp, err := http.ReadResponse(c.r, &http.Request{Method: method})
	require.NoError(c.t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, string(body)
}

// get sends a GET for path with Host h.example.
func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	return c.do("GET " + path + " HTTP/1.1\r\nHost: h.example\r\n\r\n")
}

// readHead reads a request head from conn and reports whether it got one.
func readHead(conn net.Conn) bool {
	_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
	var got []byte
	buf := make([]byte, 4096)
	for !bytes.Contains(got, []byte("\r\n\r\n")) {
		n, err := conn.Read(buf)
		if err != nil {
			return false
		}
		got = append(got, buf[:n]...)
	}
	return true
}

// answer is a serve function that reads a request head, writes raw, and
// keeps the connection open for more.
func answer(raw string) func(net.Conn) {
	return func(conn net.Conn) {
		for readHead(conn) {
			if _, err := io.WriteString(conn, raw); err != nil {
				return
			}
		}
	}
}

// answerThenHang reads a request head, writes raw and then waits, without
// closing, until the test ends.
func answerThenHang(raw string) func(net.Conn) {
	return func(conn net.Conn) {
		if !readHead(conn) {
			return
		}
		_, _ = io.WriteString(conn, raw)
		_ = conn.SetReadDeadline(time.Time{})
		_, _ = io.Copy(io.Discard, conn) // returns when the test closes conn
	}
}

// answerThenClose reads a request head, writes raw and closes.
func answerThenClose(raw string) func(net.Conn) {
	return func(conn net.Conn) {
		if readHead(conn) {
			_, _ = io.WriteString(conn, raw)
		}
		_ = conn.Close()
	}
}

// resetAfterHead reads a request head and resets the connection: with
// SO_LINGER 0, close sends RST.
func resetAfterHead(conn net.Conn) {
	if readHead(conn) {
		_ = conn.(*net.TCPConn).SetLinger(0)
	}
	_ = conn.Close()
}

// ok200 is a complete small response.
const ok200 = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"

// unacceptingAddr returns a 127.0.0.1 address whose listener never
// accepts and whose accept queue is full, so a further connect is left
// unanswered (Linux drops the SYN) until the dialer gives up.
func unacceptingAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.Close(fd) })
	require.NoError(t, syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}))
	require.NoError(t, syscall.Listen(fd, 0))
	sa, err := syscall.Getsockname(fd)
	require.NoError(t, err)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	// Fill the queue: connects succeed until one times out.
	for i := 0; i < 8; i++ {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { _ = conn.Close() })
	}
	t.Skip("the accept queue did not fill: connect timeouts cannot be provoked here")
	return ""
}
