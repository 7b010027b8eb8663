package engine

import (
	"context"
	stderrors "errors"
	"io"
	"net"
	"net/http"

	"github.com/panjf2000/gnet/v2"
)

// transport is the part of gnet.Conn a connection's serving uses; tests
// substitute an in-memory one. Every method is called on the loop.
type transport interface {
	Peek(n int) ([]byte, error)
	Discard(n int) (int, error)
	Write(p []byte) (int, error)
	Writev(bs [][]byte) (int, error)
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

	// state is where the connection is in its life; only setState
	// moves it (state.go).
	state connState
	// ex is the parse state of the request in progress; nil while idle.
	ex *exchange
	// pending is the blocking work on the connection's request, from
	// the dispatch until its response has left (job.done).
	pending *job
	// reply is the asynchronous reply to the connection's request, from
	// Context.Async until Reply.Finish (reply.go).
	reply *Reply
	// sock is the connection's second descriptor, opened when a worker
	// first writes to the connection or its output first backs up.
	sock  *socket
	timer timer
	// watching: a goroutine waits for the socket to become writable
	// (waitOutput); it outlives the state that started it.
	watching bool
	// firstUse holds what only the worker path asks of a connection,
	// made when it first does: nil on connections served inline, which
	// keeps an idle connection small.
	firstUse *connFirstUse
	// writeDeadline is the tick past which undrained output closes the
	// connection, unless the client read some of it since the deadline
	// was set: outputHeld is how much output was waiting then (heldOutput).
	writeDeadline int64
	outputHeld    int
	// checkOutputTask is checkOutput as a task for the loop, made once.
	checkOutputTask gnet.RunnableFunc
	// detached is the client taken off the loop while its upload waits
	// (clientdetach.go); nil on the loop.
	detached *clientDetach
}

// connFirstUse is what a connection makes on first use (conn.firstUse).
type connFirstUse struct {
	// remote is the client's address as text.
	remote string
	// local is the server's address of the connection.
	local net.Addr
	// requestCtx is the context the contexts of blocking requests derive
	// from (requestBase).
	requestCtx context.Context
}

// made returns c's first-use state, making it the first time.
func (c *conn) made() *connFirstUse {
	if c.firstUse == nil {
		c.firstUse = new(connFirstUse)
	}
	return c.firstUse
}

// remoteText returns the client's address as text, formatted on first
// use.
func (c *conn) remoteText() string {
	u := c.made()
	if u.remote == "" {
		u.remote = c.t.RemoteAddr().String()
	}
	return u.remote
}

// localAddr returns the server's address of the connection, asked of the
// socket the first time: the address gnet keeps is the listener's, which
// says port 0 or a wildcard IP when the server listens on one (and, for a
// Unix socket, a name gnet made up). It is nil without a real loop.
func (c *conn) localAddr() net.Addr {
	if c.gc == nil {
		return nil
	}
	u := c.made()
	if u.local != nil {
		return u.local
	}
	u.local = c.gc.LocalAddr()
	if local, err := sockname(c.gc.Fd()); err == nil {
		u.local = local
	}
	return u.local
}

// requestBase returns the context that every blocking request's context
// on c derives from: like net/http's, it carries the server's address of
// the connection under http.LocalAddrContextKey.
func (c *conn) requestBase() context.Context {
	u := c.made()
	if u.requestCtx == nil {
		u.requestCtx = context.Background()
		if local := c.localAddr(); local != nil {
			u.requestCtx = context.WithValue(u.requestCtx, http.LocalAddrContextKey, local)
		}
	}
	return u.requestCtx
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
	if c.state == stateClosed {
		return
	}
	if c.detached != nil {
		c.closeDetached()
		return
	}
	c.setState(stateClosed)
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
			_ = shutdownBoth(c.sock.fd)
		}
		c.sock.abort()
	}
	c.release()
}

// release gives back what c holds and cancels the work in progress for it.
func (c *conn) release() {
	c.setState(stateClosed)
	c.loop.wheel.disarm(c)
	if r := c.reply; r != nil {
		c.reply = nil
		r.abandon()
	}
	if c.pending != nil {
		if c.pending.submitted {
			c.pending.cancel()
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
