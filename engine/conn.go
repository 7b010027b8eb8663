package engine

import (
	stderrors "errors"
	"io"
	"net"
	"syscall"

	"github.com/panjf2000/gnet/v2"
)

// transport is the part of gnet.Conn a connection's serving uses; tests
// substitute an in-memory one. Every method is called on the loop.
type transport interface {
	Peek(n int) ([]byte, error)
	Discard(n int) (int, error)
	Write(p []byte) (int, error)
	InboundBuffered() int
	OutboundBuffered() int
	RemoteAddr() net.Addr
}

// conn is the engine's state for one connection. It lives as the gnet
// connection's context and is touched only on its loop.
type conn struct {
	srv  *Server
	loop *loop
	t    transport
	gc   gnet.Conn // nil in tests without a real loop

	ex      *exchange // the request in progress; nil while idle
	pending *job      // blocking work on this connection's request
	// sock is the connection's second descriptor, opened when a worker
	// first writes to the connection or its output first backs up.
	sock     *socket
	timer    timer
	closing  bool // the final response is written; close once it drains
	stalled  bool // output is backed up; requests wait unparsed
	closed   bool
	watching bool // a goroutine waits for the socket to become writable
	// lingering: the final response has left and the write side is shut;
	// the connection only waits for the client's EOF.
	lingering bool
	// pipelined: bytes of a further request are buffered behind the one
	// being answered (a drain answers them before closing).
	pipelined bool
	// remoteStr is the client's address as text, formatted on first use.
	remoteStr string
	// local is the server's address of the connection, read on first use.
	local net.Addr
	// writeDeadline is the tick past which undrained output closes the
	// connection, unless the client read some of it since the deadline
	// was set: outputHeld is how much output was waiting then (heldOutput).
	writeDeadline int64
	outputHeld    int
	// checkOutputTask is checkOutput as a task for the loop, made once.
	checkOutputTask gnet.RunnableFunc
}

// localAddr returns the server's address of the connection, asked of the
// socket the first time: the address gnet keeps is the listener's, which
// says port 0 or a wildcard IP when the server listens on one (and, for a
// Unix socket, a name gnet made up). It is nil without a real loop.
func (c *conn) localAddr() net.Addr {
	if c.local != nil || c.gc == nil {
		return c.local
	}
	c.local = c.gc.LocalAddr()
	sa, err := syscall.Getsockname(c.gc.Fd())
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		if err == nil {
			c.local = &net.TCPAddr{IP: net.IP(sa.Addr[:]).To16(), Port: sa.Port}
		}
	case *syscall.SockaddrInet6:
		if err == nil {
			c.local = &net.TCPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}
		}
	case *syscall.SockaddrUnix:
		if err == nil {
			c.local = &net.UnixAddr{Name: sa.Name, Net: "unix"}
		}
	}
	return c.local
}

// socket returns c's second descriptor, opened on first use.
func (c *conn) socket() (*socket, error) {
	if c.sock == nil {
		s, err := openSocket(c.gc.Dup)
		if err != nil {
			return nil, err
		}
		c.sock = s
	}
	return c.sock, nil
}

// close closes c from its loop.
func (c *conn) close() {
	if c.closed {
		return
	}
	c.closed = true
	c.loop.wheel.disarm(c)
	if c.gc != nil {
		_ = c.loop.el.Close(c.gc)
	}
}

// onClose is OnClose for c; err is why gnet closed the connection.
//
// gnet closes a connection when read returns EOF, which is also how a
// client that half-closed after its last request looks (RFC 9112 §9.6
// lets it, and expects the response). A worker already writing that
// response keeps the socket (its second descriptor outlives gnet's) and
// finishes it, then answers the requests pipelined behind it; its context
// is cancelled all the same, as net/http's is on EOF. Any other close ends
// the worker's writes at once.
func (c *conn) onClose(err error) {
	if j := c.pending; j != nil && j.submitted && stderrors.Is(err, io.EOF) && c.t.InboundBuffered() > 0 {
		// Requests the client pipelined behind the job before it
		// half-closed: the worker answers them after the job's own
		// (job.serveRest), since gnet lets go of them now.
		buf, _ := c.t.Peek(-1)
		j.rest = append(j.rest[:0], buf...)
	}
	if c.sock != nil && (c.pending == nil || !c.pending.submitted || !stderrors.Is(err, io.EOF)) {
		if c.pending != nil && c.pending.submitted {
			// The worker holds the socket: end the TCP connection
			// itself, not only gnet's descriptor of it.
			_ = syscall.Shutdown(c.sock.fd, syscall.SHUT_RDWR)
		}
		c.sock.abort()
	}
	c.release()
}

// release gives back what c holds and cancels the work in progress for it.
func (c *conn) release() {
	c.closed = true
	if c.lingering {
		c.srv.lingering.Add(-1)
	}
	c.loop.wheel.disarm(c)
	if c.pending != nil {
		if c.pending.submitted {
			c.pending.rctx.cancel()
		} else {
			c.dropJob()
		}
	}
	if c.sock != nil {
		c.sock.release()
		c.sock = nil
	}
	if c.ex != nil {
		c.loop.release(c.ex)
		c.ex = nil
	}
}
