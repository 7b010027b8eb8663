package engine

import (
	"bytes"
	"context"
	stderrors "errors"
	"io"
	"net"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/render"
	"github.com/rawhttpd/rawhttpd/parser"
)

// Output back-pressure: past outputHighWater bytes the client has not
// read, the connection's later requests stay unparsed until the backlog
// falls under outputLowWater; its inbound bytes are bounded meanwhile by
// unreadInboundLimit, past which it is closed: a client that does not
// read has no use for more requests parsed, and gnet keeps reading what
// it sends. While blocking work runs the bound is heldInboundLimit, which
// leaves room for a pipelined request with a large body.
const (
	outputHighWater    = 1 << 20
	outputLowWater     = 64 << 10
	unreadInboundLimit = 256 << 10
	heldInboundLimit   = 8 << 20
)

// continueResponse is the interim response to "Expect: 100-continue".
const continueResponse = "HTTP/1.1 100 Continue\r\n\r\n"

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

// serve handles the bytes buffered on c: the OnTraffic path. Every
// complete request is answered in order; all responses go out in one
// write. It returns gnet.Close when the connection must close now.
//
// It is the loop's recover boundary: a panic in an inline handler, or in
// the engine itself, is answered 500 after the responses already built in
// the batch, and the connection closes (recoverBatch). One deferred
// recover per batch costs less than one per request.
func (c *conn) serve() (action gnet.Action) {
	if c.closing || c.stalled || c.pending != nil {
		return c.holdInput()
	}
	if c.awaitingBody() {
		// Nothing can be answered before the rest of the body arrives.
		// Peek would copy every byte gnet holds into one buffer, again
		// at each read: a large body arriving in pieces would be copied
		// once per piece.
		return gnet.None
	}
	buf, _ := c.t.Peek(-1)
	if len(buf) == 0 {
		return gnet.None
	}
	if c.ex == nil {
		if c.srv.drainExpired.Load() {
			// A new request after the drain ran out of time: refuse it,
			// explained, and without the entity when it is HEAD, which
			// its first bytes say without a parse. Before that, a drain
			// serves it (respond says Connection: close).
			if c.write(c.appendRefusal(c.loop.out[:0], c.srv.canned, c.srv.errDraining, isHead(buf), nil)) {
				c.closing = true
				c.finish()
			}
			return gnet.None
		}
		c.ex = c.loop.acquire()
	}
	l := c.loop
	st := c.srv.clock.stamp()
	out := l.out[:0]
	consumed := 0
	closeAfter := false
	full := false // the batch stopped at outputHighWater bytes of responses
	// The bound counts what the socket has not taken yet: a client that
	// does not read holds at most outputHighWater bytes of responses.
	room := outputHighWater - c.t.OutboundBuffered()
	defer func() {
		if r := recover(); r != nil {
			action = c.recoverBatch(r, out, consumed)
		}
	}()
	for consumed < len(buf) {
		n, err := c.ex.parser.Parse(buf[consumed:], &c.ex.req)
		if err != nil {
			out = c.appendParseError(out, err, buf[consumed:])
			closeAfter = true
			break
		}
		if n == 0 {
			out = c.maybeContinue(out, len(buf)-consumed)
			break
		}
		consumed += n
		c.pipelined = consumed < len(buf)
		var next outcome
		out, next = c.dispatch(out, st)
		c.ex.sent100 = false
		if next != keepOpen {
			closeAfter = next == closeConn
			break
		}
		if len(out) >= room {
			// Answer no more of a long pipeline than the back-pressure
			// bound holds: a client that does not read must not make one
			// batch buffer all its responses.
			full = true
			break
		}
	}
	if consumed > 0 {
		_, _ = c.t.Discard(consumed)
		l.counts.bytesIn += uint64(consumed)
	}
	l.out = out[:0]
	if len(out) > 0 {
		l.counts.bytesOut += uint64(len(out))
		if !c.write(out) {
			return gnet.None
		}
	}
	if full && c.gc != nil && c.t.OutboundBuffered() <= outputHighWater {
		// The socket took the batch: go on with the requests left, as
		// a new batch, once the loop has served the others.
		_ = c.gc.Wake(nil)
	}
	return c.afterBatch(closeAfter, consumed == len(buf))
}

// awaitingBody reports whether c's request in progress has its head
// parsed and a Content-Length body that has not all arrived yet.
func (c *conn) awaitingBody() bool {
	x := c.ex
	return x != nil && x.parser.HeadDone() && !x.req.Chunked && x.req.ContentLength > 0 &&
		int64(c.t.InboundBuffered()) < int64(x.req.HeadLen)+x.req.ContentLength
}

// write writes out to the connection. It reports false when the write
// failed and gnet closed the connection under it: OnClose has already run
// and released c's state, so the caller must leave c alone. A client that
// sends a long pipeline and resets the connection without reading does
// this.
func (c *conn) write(out []byte) bool {
	_, _ = c.t.Write(out)
	return !c.closed
}

// afterBatch arms the timer that fits what c waits for now and returns the
// action for gnet.
func (c *conn) afterBatch(closeAfter, drained bool) gnet.Action {
	l := c.loop
	switch {
	case c.pending != nil:
		// The work's completion resumes the connection; no timer runs
		// while the handler works.
		l.wheel.disarm(c)
		c.handOver()
	case closeAfter:
		c.closing = true
		c.finish()
	case c.t.OutboundBuffered() > outputHighWater:
		c.stalled = true
		c.waitOutput()
	case drained:
		if c.ex != nil {
			l.release(c.ex)
			c.ex = nil
		}
		l.wheel.arm(c, timerIdle, c.idleDeadline(c.srv.cfg.IdleTimeout))
	case c.ex.parser.HeadDone():
		if c.timer.kind != timerBody {
			l.wheel.arm(c, timerBody, c.srv.clock.after(c.srv.cfg.BodyReadTimeout))
		}
	default:
		if c.timer.kind != timerHeader {
			l.wheel.arm(c, timerHeader, c.srv.clock.after(c.srv.cfg.ReadHeaderTimeout))
		}
	}
	return gnet.None
}

// holdInput handles bytes that arrive while c is closing, stalled or
// waiting for blocking work: they stay unparsed, within a bound.
func (c *conn) holdInput() gnet.Action {
	if c.closing {
		// Nothing more will be answered; keep no input.
		n := c.t.InboundBuffered()
		if n > 0 {
			_, _ = c.t.Discard(n)
		}
		return gnet.None
	}
	limit := heldInboundLimit
	if c.stalled {
		limit = unreadInboundLimit
	}
	if c.t.InboundBuffered() > limit {
		return gnet.Close
	}
	return gnet.None
}

// maybeContinue sends "100 Continue" once, when the head of an
// "Expect: 100-continue" request is complete and none of its body has
// arrived: the client is waiting for it (RFC 9110 §10.1.1).
func (c *conn) maybeContinue(out []byte, pending int) []byte {
	x := c.ex
	if x.sent100 || !x.req.Expect100 || !x.parser.HeadDone() || pending > x.req.HeadLen {
		return out
	}
	x.sent100 = true
	return append(out, continueResponse...)
}

// outcome is what a dispatched request leaves the connection to do.
type outcome uint8

const (
	keepOpen  outcome = iota // serve the next request
	closeConn                // close after the responses so far
	deferred                 // wait for blocking work before anything else
)

// dispatch runs the handler for the parsed request and appends its
// response, or hands the request to the worker pool. With an access log it
// also logs the response.
func (c *conn) dispatch(out []byte, st *stamp) ([]byte, outcome) {
	if !c.srv.accessLogged() {
		return c.respond(out, st)
	}
	start, from := time.Now(), len(out)
	c.loop.ctx.accessStart = start
	out, next := c.respond(out, st)
	if next != deferred {
		c.srv.logAccess(&c.ex.req, c.t.RemoteAddr(), c.loop.ctx.logged, len(out)-from, start)
	}
	return out, next
}

// respond runs the handler and appends its response, or hands the request
// to the worker pool; the status answered is left in the Context's logged.
// Every response, the engine's own answers included, ends through
// appendFinal, which decides whether the connection stays open.
func (c *conn) respond(out []byte, st *stamp) ([]byte, outcome) {
	s := c.srv
	req := &c.ex.req
	x := &c.loop.ctx
	x.reset(req, c.t.RemoteAddr())
	x.pipelined = c.pipelined
	canned, err := s.refusal(req)
	if err == nil {
		err = s.handler.Serve(x)
		if err == nil && x.deferTo != nil {
			if err = c.startJob(x); err == nil {
				return out, deferred
			}
		}
	}
	out, keep := s.appendFinal(out, x, err, canned, st, &c.loop.counts)
	if !keep {
		return out, closeConn
	}
	return out, keepOpen
}

// refusal returns the answer the engine makes to req by itself, before any
// handler, with the canned responses that hold it pre-rendered: 501 to
// CONNECT, 503 in maintenance mode; a nil error when a handler serves req.
func (s *Server) refusal(req *parser.Request) (*render.Canned, error) {
	switch m := s.maintenance.Load(); {
	case string(req.Method) == "CONNECT":
		return s.canned, errNoTunnels
	case m != nil && !s.exempt(req.Path()):
		return m.canned, m.err
	}
	return s.canned, nil
}

// errNoTunnels answers CONNECT, before any handler: a 2xx answer would
// turn the connection into a tunnel (RFC 9110 §9.3.6), and the engine
// opens none, so no handler can serve the method for any target (RFC 9110
// §15.6.2: 501). The request itself was well framed; the connection stays
// unless the request said close.
var errNoTunnels = httperrors.New(httperrors.StatusNotImplemented,
	"this server does not open tunnels, so it serves CONNECT for no target")

// errHandlerPanic answers a request whose handler panicked; the
// connection closes, since the handler's state is unknown.
var errHandlerPanic = httperrors.NewClosing(httperrors.StatusInternalServerError,
	"the server met an unexpected condition while handling the request")

// recoverBatch answers the request whose handling panicked with 500,
// after the responses out already holds for the batch's earlier requests,
// and closes the connection: the panic value and stack go to the log with
// the request line, never to the client. consumed counts the bytes of
// every request dispatched, the panicking one included.
func (c *conn) recoverBatch(r any, out []byte, consumed int) gnet.Action {
	if c.closed {
		// A panic in the engine after the connection was released: there
		// is no request left to log and no client to answer.
		c.srv.logPanic(r, &refusedRequest)
		return gnet.None
	}
	c.srv.logPanic(r, &c.ex.req)
	from := len(out)
	out = render.AppendError(out, errHandlerPanic, render.Options{
		Head:   string(c.ex.req.Method) == "HEAD",
		Close:  true,
		Format: render.FormatFor(c.ex.req.Header("Accept")),
		Date:   c.srv.clock.date(),
		Server: c.srv.cfg.Server,
	})
	c.loop.counts.response(errHandlerPanic.Status())
	if x := &c.loop.ctx; c.srv.accessLogged() && x.req == &c.ex.req {
		// The panicking request's 500 is logged like any response; its
		// clock started in dispatch.
		c.srv.logAccess(x.req, c.t.RemoteAddr(), errHandlerPanic.Status(), len(out)-from, x.accessStart)
	}
	if consumed > 0 {
		_, _ = c.t.Discard(consumed)
	}
	c.loop.out = out[:0]
	if c.write(out) {
		c.closing = true
		c.finish()
	}
	return gnet.None
}

// logPanic logs a handler's panic with the request line and the stack.
func (s *Server) logPanic(r any, req *parser.Request) {
	s.cfg.Logger.Error("engine: handler panic",
		"method", logPrefix(req.Method), "target", logPrefix(req.Target),
		"panic", r, "stack", string(debug.Stack()))
}

// callHandler runs h, turning a panic into errHandlerPanic. The panic
// value and stack go to the log with the request line, never to the
// client. It is the worker pool's recover boundary; the loop's is serve.
func (s *Server) callHandler(h Handler, x *Context) (err error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			s.logPanic(r, x.req)
			err, panicked = errHandlerPanic, true
		}
	}()
	return h.Serve(x), false
}

// appendParseError appends the response to a request the parser refused
// (appendParseRefusal), counts and logs it. The connection closes after
// it: the framing of what follows is unknown.
func (c *conn) appendParseError(out []byte, err error, raw []byte) []byte {
	var start time.Time
	from := len(out)
	if c.srv.accessLogged() {
		start = time.Now()
	}
	e := httperrors.From(err)
	c.loop.counts.response(e.Status())
	out = c.srv.appendParseRefusal(out, e, &c.ex.req, raw)
	if c.srv.accessLogged() {
		c.srv.logRefusal(&c.ex.req, raw, c.t.RemoteAddr(), e.Status(), len(out)-from, start)
	}
	return out
}

// refusedRequest stands for a request that is gone, in the panic log; it
// is never written.
var refusedRequest parser.Request

// acceptArrived returns the value of the first Accept field line among the
// complete lines of raw after its request line, up to the end of the
// header section; nil when there is none. It reads the fields of a request
// refused in its request line, which the parser never reached: the value
// only chooses the format of the refusal, so a line that would not parse
// costs nothing worse than text.
func acceptArrived(raw []byte) []byte {
	for len(raw) >= 2 && raw[0] == '\r' && raw[1] == '\n' {
		raw = raw[2:]
	}
	i := bytes.Index(raw, crlf)
	if i < 0 {
		return nil
	}
	for raw = raw[i+2:]; ; {
		i = bytes.Index(raw, crlf)
		if i <= 0 {
			return nil // the blank line, or the field lines have not all arrived
		}
		line := raw[:i]
		raw = raw[i+2:]
		if len(line) > len("Accept:") && equalFold(line[:len("Accept:")], "Accept:") {
			return bytes.Trim(line[len("Accept:"):], " \t")
		}
	}
}

// crlf ends every line of a request's head.
var crlf = []byte("\r\n")

// isHead reports whether the request starting in raw (after the empty
// lines a client may send first) is a HEAD request.
func isHead(raw []byte) bool {
	for len(raw) >= 2 && raw[0] == '\r' && raw[1] == '\n' {
		raw = raw[2:]
	}
	return len(raw) >= 5 && string(raw[:5]) == "HEAD "
}

// appendRefusal appends the response to a request the engine refuses by
// itself (a parse error, maintenance, overload, a timeout): e's
// pre-rendered text from canned, or e rendered as application/problem+json
// when accept (the request's Accept value, nil when unknown) prefers it, or
// rendered as text when canned lacks e. The response says Connection: close
// when e.Closes().
func (c *conn) appendRefusal(out []byte, canned *render.Canned, e *httperrors.Error, head bool, accept []byte) []byte {
	c.loop.counts.response(e.Status())
	return c.srv.renderRefusal(out, canned, e, head, accept)
}

// renderRefusal renders what appendRefusal appends, without counting it.
func (s *Server) renderRefusal(out []byte, canned *render.Canned, e *httperrors.Error, head bool, accept []byte) []byte {
	date := s.clock.date()
	format := render.FormatFor(accept)
	if format == render.FormatText {
		if b, ok := canned.Append(out, e, date, head); ok {
			return b
		}
	}
	return render.AppendError(out, e, render.Options{
		Head: head, Close: e.Closes(), Format: format, Date: date, Server: s.cfg.Server,
	})
}

// appendParseRefusal renders the answer to a request the parser refused
// with e, for the loop and for a worker answering a half-closed client's
// pipeline alike. The parser's view of a refused request is incomplete:
// whether it is HEAD (no entity) is read from its raw bytes, and an Accept
// asking for application/problem+json is honoured when it is among the
// field lines read before the fault, or, for a fault in the request line
// (found before any field is parsed), among the whole lines that arrived
// with it.
func (s *Server) appendParseRefusal(out []byte, e *httperrors.Error, req *parser.Request, raw []byte) []byte {
	accept := req.Header("Accept")
	if accept == nil {
		accept = acceptArrived(raw)
	}
	return s.renderRefusal(out, s.canned, e, isHead(raw), accept)
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

// resume serves what waited in the inbound buffer once blocking work on
// the connection is done.
func (c *conn) resume() {
	if c.t.OutboundBuffered() > outputHighWater {
		// The client has not read the work's response: the pipelined
		// requests wait, unparsed, until it has (checkOutput).
		c.stalled = true
		c.waitOutput()
		return
	}
	if c.t.InboundBuffered() == 0 {
		c.afterBatch(false, true)
		return
	}
	if c.serve() == gnet.Close {
		c.close()
	}
}

// timeOut answers a request that did not arrive in time with 408 and
// closes the connection.
func (c *conn) timeOut() {
	c.reject(errRequestTimeout)
}

// reject answers e's pre-rendered response outside any request, then
// closes the connection gracefully.
func (c *conn) reject(e *httperrors.Error) {
	out := c.appendRefusal(c.loop.out[:0], c.srv.canned, e, false, nil)
	c.loop.out = out[:0]
	if c.write(out) {
		c.closing = true
		c.finish()
	}
}

// finish ends a closing connection gracefully. Once its last response
// has left, it shuts down the write side, so the client reads the response
// and then EOF, and keeps discarding what the client still sends for up to
// lingerTimeout: closing at once would make the kernel answer those bytes
// with a reset, which can destroy the response before the client reads it
// (RFC 9112 §9.6).
func (c *conn) finish() {
	if c.t.OutboundBuffered() > 0 {
		c.waitOutput()
		return
	}
	if c.gc == nil || syscall.Shutdown(c.gc.Fd(), syscall.SHUT_WR) != nil {
		c.close()
		return
	}
	if !c.lingering {
		c.lingering = true
		c.srv.lingering.Add(1)
	}
	c.loop.wheel.arm(c, timerLinger, c.srv.clock.after(lingerTimeout))
}

// lingerTimeout bounds how long a closing connection waits for the
// client's EOF after the final response. It covers a client still sending
// the rest of a refused request in small pieces (a 501 is decided on the
// request line alone): until it closes, what it sends is read and
// dropped, so no reset can destroy the response it has not read yet.
const lingerTimeout = 5 * time.Second

// errRequestTimeout answers a request whose head or body was too slow.
var errRequestTimeout = httperrors.NewClosing(httperrors.StatusRequestTimeout,
	"the request was not received in time")

// waitOutput waits for c's output to drain, up to the write timeout, which
// the wheel keeps. A goroutine that exists only for the wait learns from the
// netpoller when the socket becomes writable again and hands checkOutput to
// the loop: gnet has no "output drained" event, and a poll on a timer would
// cap the pace of a slow client's stream at the poll's rate.
func (c *conn) waitOutput() {
	if c.timer.kind != timerWrite {
		c.armWriteDeadline()
	}
	if c.watching || c.gc == nil {
		return
	}
	sock, err := c.socket()
	if err != nil {
		return // the write deadline still ends the wait
	}
	if c.checkOutputTask == nil {
		c.checkOutputTask = func(context.Context) error {
			c.watching = false
			if !c.closed && c.timer.kind == timerWrite {
				c.checkOutput()
			}
			return nil
		}
	}
	c.watching = true
	sock.acquire()
	deadline := time.Now().Add(c.srv.cfg.WriteTimeout)
	el, task := c.loop.el, c.checkOutputTask
	go func() {
		_ = sock.awaitWritable(deadline)
		sock.release()
		_ = el.Execute(context.Background(), task)
	}()
}

// checkOutput runs when c's socket became writable or its write deadline
// passed: a closing connection closes once its output drained, a job
// waiting for the connection's earlier responses is handed over, a stalled
// connection resumes parsing once its backlog is low, and any of them
// closes at the write deadline.
func (c *conn) checkOutput() {
	pending := c.t.OutboundBuffered()
	switch {
	case c.closing && pending == 0:
		c.finish()
	case c.pending != nil && !c.pending.submitted && pending == 0:
		c.loop.wheel.disarm(c)
		c.handOver()
	case c.stalled && pending < outputLowWater:
		c.stalled = false
		if c.t.InboundBuffered() == 0 {
			// Nothing waited: the connection is idle, not mid-request.
			c.afterBatch(false, true)
			return
		}
		c.loop.wheel.arm(c, timerHeader, c.srv.clock.after(c.srv.cfg.ReadHeaderTimeout))
		if c.gc != nil {
			_ = c.gc.Wake(nil)
		}
	case c.srv.clock.now() >= c.writeDeadline && c.heldOutput() >= c.outputHeld:
		c.close() // the client read nothing for the write timeout
	case c.srv.clock.now() >= c.writeDeadline:
		c.armWriteDeadline() // the client reads, however slowly
		c.waitOutput()
	default:
		c.waitOutput()
	}
}

// armWriteDeadline starts a write timeout for the output c holds now.
func (c *conn) armWriteDeadline() {
	c.writeDeadline = c.srv.clock.after(c.srv.cfg.WriteTimeout)
	c.outputHeld = c.heldOutput()
	c.loop.wheel.arm(c, timerWrite, c.writeDeadline)
}

// heldOutput returns how much of c's output the client has not taken: what
// gnet buffers and what the socket holds unsent, where the system says
// (the socket is reported writable only once much of its buffer drained,
// so gnet's buffer alone can stand still while a slow client reads).
func (c *conn) heldOutput() int {
	held := c.t.OutboundBuffered()
	if c.gc != nil {
		if sock, err := c.socket(); err == nil {
			held += max(unsent(sock.fd), 0)
		}
	}
	return held
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

// logHandlerError logs an error without a status that a handler returned;
// the client got a plain 500.
func (s *Server) logHandlerError(x *Context, err error) {
	s.cfg.Logger.Error("engine: handler error",
		"method", logPrefix(x.req.Method), "target", logPrefix(x.req.Target), "err", err)
}
