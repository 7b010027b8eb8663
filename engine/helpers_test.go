package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ioTimeout bounds every read and write a test makes.
const ioTimeout = 5 * time.Second

// hello answers every request with a short plaintext body.
var hello = HandlerFunc(func(c *Context) error {
	_ = c.SetContentType("text/plain; charset=utf-8")
	_, _ = c.WriteString("Hello, World!")
	return nil
})

// startServer starts a server on 127.0.0.1 with a free port and stops it
// when the test ends.
func startServer(t *testing.T, h Handler, cfg Config) *Server {
	t.Helper()
	s := New(h, cfg)
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// client is a raw TCP connection to a test server with a reader for its
// responses.
type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// dialRaw opens a raw connection to s.
func dialRaw(t *testing.T, s *Server) *client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", s.Addr().String(), ioTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// send writes raw bytes.
func (c *client) send(raw string) {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetWriteDeadline(time.Now().Add(ioTimeout)))
	_, err := io.WriteString(c.conn, raw)
	require.NoError(c.t, err)
}

// read reads one response to a request with the given method, body
// included.
func (c *client) read(method string) (*http.Response, string) {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	resp, err := http.ReadResponse(c.r, &http.Request{Method: method})
	require.NoError(c.t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, string(body)
}

// closedByServer reports whether the server closed the connection: the
// next read ends with EOF or a reset, not with a timeout or data.
func (c *client) closedByServer() bool {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	_, err := c.r.ReadByte()
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

// stillOpen reports whether the connection is open and quiet for d.
func (c *client) stillOpen(d time.Duration) bool {
	c.t.Helper()
	require.NoError(c.t, c.conn.SetReadDeadline(time.Now().Add(d)))
	_, err := c.r.ReadByte()
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// discardSlog returns a logger that drops everything, for tests that
// provoke logged errors on purpose.
func discardSlog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// memTransport is an in-memory connection: what a test puts in in is what
// the client sent; out collects what the server wrote.
type memTransport struct {
	in  []byte
	out []byte
	// failWrite, when set, makes Write fail after calling it, as gnet's
	// Write does when the socket refuses: it closes the connection, and
	// runs OnClose, before it returns.
	failWrite func()
	// peeked counts the bytes Peek returned: gnet copies them when its
	// inbound buffer holds an earlier read.
	peeked int
	// outbound is what OutboundBuffered reports: output the client has
	// not read yet.
	outbound int
}

func (m *memTransport) Peek(int) ([]byte, error) {
	m.peeked += len(m.in)
	return m.in, nil
}
func (m *memTransport) Discard(n int) (int, error) {
	m.in = m.in[n:]
	return n, nil
}
func (m *memTransport) Write(p []byte) (int, error) {
	if m.failWrite != nil {
		m.failWrite()
		return 0, syscall.ECONNRESET
	}
	m.out = append(m.out, p...)
	return len(p), nil
}
func (m *memTransport) Writev(bs [][]byte) (int, error) {
	n := 0
	for _, b := range bs {
		if _, err := m.Write(b); err != nil {
			return n, err
		}
		n += len(b)
	}
	return n, nil
}
func (m *memTransport) InboundBuffered() int  { return len(m.in) }
func (m *memTransport) OutboundBuffered() int { return m.outbound }
func (m *memTransport) RemoteAddr() net.Addr  { return memAddr }

// memAddr is the client address of every memTransport; gnet too returns
// an address it made once per connection.
var memAddr net.Addr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}

// memConn returns a connection of a fresh server that reads from and
// writes to m, served through the engine's own OnTraffic path.
func memConn(h Handler, m *memTransport) *conn {
	s := New(h, Config{})
	return &conn{srv: s, loop: newLoop(s, nil), t: m}
}

// errCanceled is the error of a cancelled context.
func errCanceled() error { return context.Canceled }

// assertProblem checks that resp answers status in RFC 9457
// application/problem+json.
func assertProblem(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	assert.Equal(t, status, resp.StatusCode)
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	assert.Contains(t, body, fmt.Sprintf(`"status":%d`, status))
}

// dialNarrow connects to s with a 4 KiB receive buffer, set before the
// handshake so that the window the server sees stays small: a client that
// does not read then backs the server's output up quickly.
func dialNarrow(t *testing.T, s *Server) *client {
	t.Helper()
	d := net.Dialer{Timeout: ioTimeout, Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	conn, err := d.Dial("tcp", s.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &client{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// readPipelined reads n responses to GETs, each body of size bytes and
// starting with its index, and requires them in order.
func (c *client) readPipelined(n, size int) {
	c.t.Helper()
	for i := 0; i < n; i++ {
		resp, body := c.read("GET")
		require.Equal(c.t, 200, resp.StatusCode, "response %d", i)
		require.Len(c.t, body, size, "response %d", i)
		require.True(c.t, strings.HasPrefix(body, strconv.Itoa(i)+" "), "response %d in order", i)
	}
}

// refused reports whether a connection to addr is refused by the kernel.
func refused(addr net.Addr) bool {
	c, err := net.DialTimeout(addr.Network(), addr.String(), ioTimeout)
	if err == nil {
		_ = c.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// connsWhere counts s's open connections for which pred holds. pred runs
// on each connection's own loop, where its state may be read.
func connsWhere(s *Server, pred func(*conn) bool) int {
	return s.onEachLoop(func(l *loop) int {
		n := 0
		for c := range l.conns {
			if pred(c) {
				n++
			}
		}
		return n
	})
}

// waitConn waits until one of s's connections satisfies pred: the server
// has reached the state the test needs, whatever the scheduling.
func waitConn(t *testing.T, s *Server, pred func(*conn) bool) {
	t.Helper()
	require.Eventually(t, func() bool { return connsWhere(s, pred) > 0 }, ioTimeout, time.Millisecond)
}

// holdsUnread returns a predicate for a connection holding exactly n
// received bytes it has not consumed: the server has read the start of a
// request the test sent and waits for the rest.
func holdsUnread(n int) func(*conn) bool {
	return func(c *conn) bool { return c.t.InboundBuffered() == n }
}

// outputBackedUp reports whether c's output waits for a client that does
// not read: the loop stopped parsing its requests, a job waits for its
// earlier responses to leave, or a write to the socket has had to wait
// for the client (the socket joined the netpoller then).
func outputBackedUp(c *conn) bool {
	if c.state == stateStalled || (c.pending != nil && !c.pending.submitted) {
		return true
	}
	if c.sock == nil {
		return false
	}
	c.sock.mu.Lock()
	defer c.sock.mu.Unlock()
	return c.sock.file != nil
}

// queuedJob takes the job queued for s's worker pool, as a worker would,
// for a test that runs the work itself; nil when none is queued.
func queuedJob(s *Server) *job {
	s.pool.mu.Lock()
	defer s.pool.mu.Unlock()
	if s.pool.queue.len() == 0 {
		return nil
	}
	return s.pool.queue.pop()
}
