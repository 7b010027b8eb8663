package engine

import (
	"net"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/version"
)

// Output back-pressure: past outputHighWater bytes the client has not
// read, the connection's later requests stay unparsed until the backlog
// falls under outputLowWater; its inbound bytes are bounded meanwhile by
// stalledInboundLimit, past which it is closed.
const (
	outputHighWater     = 1 << 20
	outputLowWater      = 64 << 10
	stalledInboundLimit = 8 << 20
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
	timer   timer
	closing bool // the final response is written; close once it drains
	stalled bool // output is backed up; requests wait unparsed
	closed  bool
	// writeDeadline is the tick past which undrained output closes the
	// connection.
	writeDeadline int64
}

// serve handles the bytes buffered on c: the OnTraffic path. Every
// complete request is answered in order; all responses go out in one
// write. It returns gnet.Close when the connection must close now.
func (c *conn) serve() gnet.Action {
	if c.closing || c.stalled {
		return c.holdInput()
	}
	buf, _ := c.t.Peek(-1)
	if len(buf) == 0 {
		return gnet.None
	}
	if c.ex == nil {
		c.ex = c.loop.acquire()
	}
	l := c.loop
	date := c.srv.clock.date()
	out := l.out[:0]
	consumed := 0
	closeAfter := false
	for consumed < len(buf) {
		n, err := c.ex.parser.Parse(buf[consumed:], &c.ex.req)
		if err != nil {
			out = c.appendParseError(out, err, date)
			closeAfter = true
			break
		}
		if n == 0 {
			out = c.maybeContinue(out, len(buf)-consumed)
			break
		}
		consumed += n
		var keep bool
		out, keep = c.dispatch(out, date)
		c.ex.parser.Reset()
		c.ex.req.Reset()
		c.ex.sent100 = false
		if !keep {
			closeAfter = true
			break
		}
	}
	if consumed > 0 {
		_, _ = c.t.Discard(consumed)
	}
	if len(out) > 0 {
		_, _ = c.t.Write(out)
	}
	l.out = out[:0]
	return c.afterBatch(closeAfter, consumed == len(buf))
}

// afterBatch arms the timer that fits what c waits for now and returns the
// action for gnet.
func (c *conn) afterBatch(closeAfter, drained bool) gnet.Action {
	l := c.loop
	switch {
	case closeAfter:
		c.closing = true
		c.finish()
	case c.t.OutboundBuffered() > outputHighWater:
		c.stalled = true
		c.waitOutput()
	case drained:
		l.release(c.ex)
		c.ex = nil
		l.wheel.arm(c, timerIdle, c.srv.clock.after(c.srv.cfg.IdleTimeout))
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

// holdInput handles bytes that arrive while c is closing or stalled: they
// stay unparsed, within a bound.
func (c *conn) holdInput() gnet.Action {
	if c.closing {
		// Nothing more will be answered; keep no input.
		n := c.t.InboundBuffered()
		if n > 0 {
			_, _ = c.t.Discard(n)
		}
		return gnet.None
	}
	if c.t.InboundBuffered() > stalledInboundLimit {
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

// dispatch runs the handler for the parsed request and appends its
// response. It reports whether the connection stays open.
func (c *conn) dispatch(out []byte, date []byte) ([]byte, bool) {
	req := &c.ex.req
	x := &c.loop.ctx
	x.reset(req, c)
	head := string(req.Method) == "HEAD"
	err, panicked := c.callHandler(x)
	keep := req.KeepAlive && !x.closeAfter
	if err != nil {
		e := httperrors.From(err)
		if panicked || e.Close {
			keep = false
		}
		return httperrors.Append(out, e, httperrors.Options{
			Head:   head,
			Close:  !keep,
			Format: httperrors.FormatFor(req.Header("Accept")),
			Date:   date,
			Server: c.srv.cfg.Server,
		}), keep
	}
	persist := persistDefault
	switch {
	case !keep:
		persist = persistClose
	case req.Version == version.HTTP10:
		persist = persistKeepAlive
	}
	return appendResponse(out, x, date, c.srv.cfg.Server, head, persist), keep
}

// errHandlerPanic answers a request whose handler panicked.
var errHandlerPanic = httperrors.New(httperrors.StatusInternalServerError,
	"the server met an unexpected condition while handling the request")

// callHandler runs the handler, turning a panic into errHandlerPanic. The
// panic value and stack go to the log with the request line, never to the
// client.
func (c *conn) callHandler(x *Context) (err error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			c.srv.cfg.Logger.Error("engine: handler panic",
				"method", quotePrefix(x.req.Method), "target", quotePrefix(x.req.Target),
				"panic", r, "stack", string(debug.Stack()))
			err, panicked = errHandlerPanic, true
		}
	}()
	return c.srv.handler.Serve(x), false
}

// appendParseError appends the response to a request the parser refused.
// The connection closes after it: the framing of what follows is unknown.
func (c *conn) appendParseError(out []byte, err error, date []byte) []byte {
	e := httperrors.From(err)
	head := string(c.ex.req.Method) == "HEAD"
	if e.Close {
		if b, ok := c.srv.canned.Append(out, e, date, head); ok {
			return b
		}
	}
	return httperrors.Append(out, e, httperrors.Options{
		Head: head, Close: true, Date: date, Server: c.srv.cfg.Server,
	})
}

// timeOut answers a request that did not arrive in time with 408 and
// closes the connection.
func (c *conn) timeOut() {
	out := c.loop.out[:0]
	out, _ = c.srv.canned.Append(out, errRequestTimeout, c.srv.clock.date(), false)
	_, _ = c.t.Write(out)
	c.loop.out = out[:0]
	c.closing = true
	c.finish()
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
	c.loop.wheel.arm(c, timerLinger, c.srv.clock.after(lingerTimeout))
}

// lingerTimeout bounds how long a closing connection waits for the
// client's EOF after the final response.
const lingerTimeout = time.Second

// errRequestTimeout answers a request whose head or body was too slow.
var errRequestTimeout = httperrors.NewClosing(httperrors.StatusRequestTimeout,
	"the request was not received in time")

// waitOutput polls c's output every tick until it drains, up to the write
// timeout.
func (c *conn) waitOutput() {
	now := c.srv.clock.now()
	if c.timer.kind != timerWrite {
		c.writeDeadline = c.srv.clock.after(c.srv.cfg.WriteTimeout)
	}
	c.loop.wheel.arm(c, timerWrite, now+1)
}

// checkOutput runs each tick while c's output is backed up: a closing
// connection closes once it drained, a stalled one resumes parsing once its
// backlog is low, and either closes at the write deadline.
func (c *conn) checkOutput() {
	pending := c.t.OutboundBuffered()
	switch {
	case c.closing && pending == 0:
		c.finish()
	case c.stalled && pending < outputLowWater:
		c.stalled = false
		c.loop.wheel.arm(c, timerHeader, c.srv.clock.after(c.srv.cfg.ReadHeaderTimeout))
		if c.gc != nil {
			_ = c.gc.Wake(nil)
		}
	case c.srv.clock.now() >= c.writeDeadline:
		c.close()
	default:
		c.loop.wheel.arm(c, timerWrite, c.srv.clock.now()+1)
	}
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

// closed is called from OnClose: it gives back what c holds.
func (c *conn) release() {
	c.closed = true
	c.loop.wheel.disarm(c)
	if c.ex != nil {
		c.loop.release(c.ex)
		c.ex = nil
	}
}

// remoteAddr returns the client's address.
func (c *conn) remoteAddr() net.Addr { return c.t.RemoteAddr() }

// quotePrefix returns at most 64 bytes of b, quoted, for a log line that
// must not carry raw request bytes.
func quotePrefix(b []byte) string {
	const max = 64
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}
