package engine

import (
	"time"

	"github.com/panjf2000/gnet/v2"
)

// continueResponse is the interim response to "Expect: 100-continue".
const continueResponse = "HTTP/1.1 100 Continue\r\n\r\n"

// serve handles the bytes buffered on c: the OnTraffic path. Every
// complete request is answered in order; all responses go out in one
// write. It returns gnet.Close when the connection must close now.
//
// It is the loop's recover boundary: a panic in an inline handler, or in
// the engine itself, is answered 500 after the responses already built in
// the batch, and the connection closes (recoverBatch). One deferred
// recover per batch costs less than one per request.
func (c *conn) serve() (action gnet.Action) {
	if r := c.reply; r != nil && r.BodyFollows() && c.state == stateDispatched {
		return r.feed()
	}
	switch c.state {
	case stateDispatched, stateStalled, stateClosing, stateLingering:
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
				c.setState(stateClosing)
				c.finish()
			}
			return gnet.None
		}
		c.ex = c.loop.acquire()
	}
	c.setState(stateReading)
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
			if c.srv.streams && c.ex.parser.HeadDone() {
				// The body is streamed to the handler's reply.
				consumed += c.ex.req.HeadLen
				var next outcome
				out, next = c.dispatch(out, st, false)
				var ok bool
				if out, ok = c.sendShared(out); !ok {
					return gnet.None
				}
				c.ex.sent100 = false
				c.ex.parser.Reset()
				closeAfter = next == closeConn
			}
			break
		}
		consumed += n
		var next outcome
		out, next = c.dispatch(out, st, consumed < len(buf))
		if len(l.ctx.unsent) > 0 {
			var ok bool
			if out, ok = c.sendShared(out); !ok {
				return gnet.None
			}
			room = outputHighWater - c.t.OutboundBuffered()
		}
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

// sendShared writes the batch out and then the body the response just
// rendered left unsent (a large body set by Context.WriteShared), with
// one writev, so that the body reaches the socket, or gnet's output
// buffer for what the socket does not take, without a copy into the
// batch. It returns the batch emptied, or false when the write failed and
// gnet closed the connection under it, as write does.
func (c *conn) sendShared(out []byte) ([]byte, bool) {
	l := c.loop
	body := l.ctx.unsent
	if len(body) == 0 {
		return out, true
	}
	l.ctx.unsent = nil
	l.counts.bytesOut += uint64(len(out) + len(body))
	l.iov = [2][]byte{out, body}
	_, _ = c.t.Writev(l.iov[:])
	l.iov = [2][]byte{}
	return out[:0], c.state != stateClosed
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
	if c.gc != nil {
		writeNow(c.gc, out)
	} else {
		_, _ = c.t.Write(out)
	}
	return c.state != stateClosed
}

// afterBatch arms the timer that fits what c waits for now and returns the
// action for gnet.
func (c *conn) afterBatch(closeAfter, drained bool) gnet.Action {
	l := c.loop
	switch {
	case c.state == stateDispatched:
		if r := c.reply; r != nil {
			// The reply's owner finishes it and resumes the connection;
			// its own deadline, if it set one, is the only timer. An
			// owner that finished it before its handler returned is
			// served now, after the responses before it.
			if len(r.held) > 0 && c.detached == nil {
				held := r.held
				r.held = nil
				if r.write(held) != nil {
					break // the client went; release told the owner
				}
			}
			if r.finishing && !r.feeding {
				r.finishing = false
				r.finishNow(r.finishErr)
			}
			break
		}
		// The work's completion resumes the connection; no timer runs
		// while the handler works.
		l.wheel.disarm(c)
		if c.pending != nil {
			c.handOver()
		}
	case closeAfter:
		c.setState(stateClosing)
		c.finish()
	case c.t.OutboundBuffered() > outputHighWater:
		c.setState(stateStalled)
		c.waitOutput()
	case drained:
		if c.ex != nil {
			l.release(c.ex)
			c.ex = nil
		}
		c.setState(stateIdle)
		l.wheel.arm(c, timerIdle, c.idleDeadline(c.srv.cfg.IdleTimeout))
	case c.ex.parser.HeadDone():
		c.setState(stateReading)
		if c.timer.kind != timerBody {
			l.wheel.arm(c, timerBody, c.srv.clock.after(c.srv.cfg.BodyReadTimeout))
		}
	default:
		c.setState(stateReading)
		if c.timer.kind != timerHeader {
			l.wheel.arm(c, timerHeader, c.srv.clock.after(c.srv.cfg.ReadHeaderTimeout))
		}
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
func (c *conn) dispatch(out []byte, st *stamp, pipelined bool) ([]byte, outcome) {
	x := &c.loop.ctx
	if !c.srv.accessLogged() {
		out, next := c.respond(out, st, pipelined)
		if x.file != nil {
			out, next = c.sendFileRegion(out, next, 0)
		}
		return out, next
	}
	start, from := time.Now(), len(out)
	x.accessStart = start
	out, next := c.respond(out, st, pipelined)
	size := len(out) - from + len(x.unsent)
	if x.file != nil {
		size += int(x.fileN)
		out, next = c.sendFileRegion(out, next, len(out)-from)
	}
	if next != deferred {
		c.srv.logAccess(&c.ex.req, c.t.RemoteAddr(), x.logged, size, start)
	}
	return out, next
}

// respond runs the handler and appends its response, or hands the request
// to the worker pool; the status answered is left in the Context's logged.
// Every response, the engine's own answers included, ends through
// appendFinal, which decides whether the connection stays open. pipelined
// says that bytes of a further request are buffered behind this one (a
// drain answers them before closing).
func (c *conn) respond(out []byte, st *stamp, pipelined bool) ([]byte, outcome) {
	s := c.srv
	req := &c.ex.req
	x := &c.loop.ctx
	x.reset(req, c.t.RemoteAddr())
	x.pipelined = pipelined
	x.conn = c
	x.bodyFollows = c.ex.parser.HeadDone()
	canned, err := s.refusal(req)
	if err == nil {
		err = s.handler.Serve(x)
		if x.async != nil {
			if err != nil {
				panic("engine: a handler returned an error after Context.Async")
			}
			c.reply = x.async
			c.reply.serving = false
			c.setState(stateDispatched)
			return out, deferred
		}
		if err == nil && x.deferTo != nil && x.bodyFollows {
			err = errBodyNotTaken
		} else if err == nil && x.deferTo != nil {
			if err = c.startJob(x); err == nil {
				return out, deferred
			}
		}
	}
	if x.bodyFollows {
		x.closeAfter = true // the body is not read: nothing after it can be
	}
	if x.file != nil && err == nil && x.length < 0 {
		x.length = x.fileN
	}
	x.byRef = true
	out, keep := s.appendFinal(out, x, err, canned, st, &c.loop.counts)
	x.byRef = false
	if x.file != nil && (err != nil || string(req.Method) == "HEAD" || isBodyless(x.status)) {
		x.releaseFile() // no region follows this response
	}
	if !keep {
		return out, closeConn
	}
	return out, keepOpen
}

// resume serves what waited in the inbound buffer once blocking work on
// the connection is done.
func (c *conn) resume() {
	if c.t.OutboundBuffered() > outputHighWater {
		// The client has not read the work's response: the pipelined
		// requests wait, unparsed, until it has (checkOutput).
		c.setState(stateStalled)
		c.waitOutput()
		return
	}
	if c.t.InboundBuffered() == 0 {
		c.setState(stateIdle)
		c.afterBatch(false, true)
		return
	}
	c.setState(stateReading)
	if c.serve() == gnet.Close {
		if c.detached != nil {
			_ = c.loop.el.Close(c.gc) // gnet's side only (clientdetach.go)
			return
		}
		c.close()
	}
}
