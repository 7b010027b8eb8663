package engine

import (
	"net"
	"time"
	"unsafe"

	"github.com/valyala/bytebufferpool"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
)

// An asynchronous reply is a response that code on the event loop writes
// after the handler has returned, without a goroutine: a gateway that
// waits for an upstream connection on the same loop answers this way.
//
//	Context.Async   the handler hands the response to a ReplyOwner
//	Reply           the owner builds and writes it, on the loop, as its
//	                data arrives, and ends it with Finish
//
// While a reply is out the connection waits as it does for a Blocking
// handler: pipelined requests stay unparsed, and the only timer running
// is the one the owner sets (SetDeadline) or the write timeout of a
// drain it waits for (AwaitDrain). Finish ends the exchange through the
// same rules as every other response (appendFinal, canKeepAlive) and
// serves what was pipelined.

// ErrReplyClientGone is what Reply.Write returns once the client's
// connection has closed; nothing more reaches the client.
var ErrReplyClientGone = httperrors.New(httperrors.StatusBadRequest, "the client closed the connection")

// ReplyOwner is the code that writes an asynchronous reply. The engine
// calls its methods on the connection's loop, never from inside a call the
// owner makes on the Reply.
type ReplyOwner interface {
	// ReplyExpired runs when the deadline set with SetDeadline passed.
	ReplyExpired(r *Reply)
	// ReplyDrained runs after AwaitDrain once the client has read the
	// output it held down to a small backlog.
	ReplyDrained(r *Reply)
	// ReplyClientGone runs when the client's connection closed while the
	// reply was out. Nothing more reaches the client; the owner still
	// ends the reply with Finish, which then only lets go of it.
	ReplyClientGone(r *Reply)
}

// Reply is an asynchronous response (Context.Async). All of its methods
// must be called on the connection's event loop. It lives until Finish;
// after Finish the owner must not touch it again.
type Reply struct {
	c     *conn
	owner ReplyOwner
	// ctx is the request and the response head being built, a copy that
	// outlives the request's bytes in the connection's buffer.
	ctx Context
	req parser.Request
	in  *bytebufferpool.ByteBuffer // the request's bytes
	out []byte                     // framing scratch
	// interim holds the fields of the next interim response, trailer the
	// trailer fields (replyinterim.go), each as rendered field lines.
	interim, trailer []byte
	// start is when the engine began to answer, for the access log.
	start time.Time
	// sent counts the bytes written to the client, head included.
	sent int

	headSent bool
	chunked  bool // the head announced chunked framing
	keep     bool // the head left the connection open
	// gone: the client's connection closed; writes are dropped.
	gone bool
	// writing: a write of the owner's is in progress; a close it causes
	// is reported by its result, not by ReplyClientGone.
	writing   bool
	wantDrain bool // AwaitDrain was called; ReplyDrained is due

	// The streamed request body (replybody.go).
	body       uint8 // bodyNone, bodyLength, bodyChunked, bodyDone
	bodyLeft   int64 // bodyLength: bytes still to come
	chunks     parser.ChunkedDecoder
	bodyPaused bool // the owner asked for no more for now
	feeding    bool // ReplyBody is running
	// finishing: Finish was called during ReplyBody, with finishErr; the
	// feed finishes once ReplyBody returns. serving: the handler that
	// called Async has not returned; a Finish meanwhile is likewise held
	// as finishing, and done once the batch that served the request has
	// been written (afterBatch), so that no response overtakes the ones
	// before it and the request is never served twice.
	finishing bool
	serving   bool
	finishErr error
	// held is output written while the client is off the loop, sent
	// when it is back; finishDeferred: Finish was called meanwhile, with
	// finishErr (clientdetach.go).
	held           []byte
	finishDeferred bool
}

// Async makes the response to c's request asynchronous: owner writes it
// later through the returned Reply, on this event loop, and the handler
// returns nil at once (an error after Async panics: the response is the
// owner's). It returns nil where no event loop serves the request (a
// Blocking handler's Context): the handler then answers as usual.
func (c *Context) Async(owner ReplyOwner) *Reply {
	cn := c.conn
	if cn == nil || c.job != nil || c.async != nil {
		return nil
	}
	l := cn.loop
	r := l.acquireReply()
	r.c, r.owner = cn, owner
	if r.in == nil {
		r.in = bytebufferpool.Get()
	}
	copyRequest(&r.req, c.req, r.in)
	r.ctx.reset(&r.req, c.remote)
	r.ctx.inherit(c)
	r.ctx.remoteStr = c.remoteStr
	r.start = c.accessStart
	l.wheel.disarm(cn)
	if c.bodyFollows {
		r.startBody(c.req)
	}
	r.serving = true
	c.async = r
	return r
}

// Request returns the request being answered; its bytes are the reply's
// own copy, valid until Finish.
func (r *Reply) Request() *parser.Request { return &r.req }

// RemoteAddr returns the client's address.
func (r *Reply) RemoteAddr() net.Addr { return r.ctx.remote }

// SetStatus sets the response status, as Context.SetStatus does.
func (r *Reply) SetStatus(code int) error { return r.ctx.SetStatus(code) }

// AddField adds a response field as Context.AddHeader does, with the same
// checks, from bytes, so that copying fields costs no allocation.
func (r *Reply) AddField(name, value []byte) error {
	return r.ctx.AddHeader(view(name), view(value)) // it keeps neither view
}

// SetContentLength declares the body's length, sent as Content-Length;
// without it a body streamed with Write is chunked to an HTTP/1.1 client
// and delimited by the connection's close to an HTTP/1.0 one. For a HEAD
// request it is the length a GET would get.
func (r *Reply) SetContentLength(n int64) { r.ctx.SetContentLength(n) }

// WriteHead sends the status line and header section built so far, with
// Date, Server, the framing fields and the Connection field that the
// connection's fate calls for, decided by the rules every response
// follows. Write calls it when it has not been called.
func (r *Reply) WriteHead() error {
	if r.headSent {
		return nil
	}
	r.out = r.appendHead(r.out[:0])
	return r.write(r.out)
}

// appendHead renders the head for WriteHead and Write.
func (r *Reply) appendHead(out []byte) []byte {
	r.headSent = true
	x := &r.ctx
	s := r.c.srv
	head := string(r.req.Method) == "HEAD"
	var fr bodyFraming
	fr, r.keep, r.chunked = streamFraming(x.length, x.status, head, r.req.Version, s.canKeepAlive(x) && !r.BodyFollows())
	return appendHead(out, x, s.clock.stamp(), persistenceFor(r.keep, r.req.Version), fr, max(x.length, 0))
}

// Write sends p as more of the response body, framed as the head said
// (a chunk, when chunked), sending the head first if needed. The body of
// a HEAD response, or of a status that has none, is dropped. It returns
// ErrReplyClientGone once the client's connection has closed.
func (r *Reply) Write(p []byte) error {
	if r.gone {
		return ErrReplyClientGone
	}
	if string(r.req.Method) == "HEAD" || isBodyless(r.ctx.status) {
		p = nil
	}
	out := r.out[:0]
	if !r.headSent {
		out = r.appendHead(out) // head and body in one write
	}
	switch {
	case len(p) == 0 && len(out) == 0:
		return nil
	case r.chunked:
		out = appendChunk(out, p)
	case len(out) == 0:
		return r.write(p) // the socket takes it from the caller's bytes
	default:
		out = append(out, p...)
	}
	r.out = out
	return r.write(out)
}

// Unsent returns how many bytes of output the client has not taken yet
// that the engine holds in memory.
func (r *Reply) Unsent() int {
	if r.gone {
		return 0
	}
	if r.c.detached != nil || r.serving {
		return len(r.held)
	}
	return r.c.t.OutboundBuffered()
}

// AwaitDrain asks for ReplyDrained once the client has read the output
// held for it down to a small backlog; a client that reads nothing for
// the server's WriteTimeout is disconnected instead (ReplyClientGone). It
// replaces the deadline of SetDeadline.
func (r *Reply) AwaitDrain() {
	if r.gone {
		return
	}
	r.wantDrain = true
	if r.c.detached != nil {
		return // the client's reattach waits for it
	}
	r.c.waitOutput()
}

// SetDeadline asks for ReplyExpired once d has passed, replacing an
// earlier deadline. The loop's clock ticks at the finer of a second
// and a quarter of the server's shortest timeout, so it fires up to one
// tick late, never early.
func (r *Reply) SetDeadline(d time.Duration) {
	if r.gone {
		return
	}
	c := r.c
	r.wantDrain = false
	c.loop.wheel.arm(c, timerReply, c.srv.clock.after(d))
}

// Gone reports whether the client's connection has closed.
func (r *Reply) Gone() bool { return r.gone }

// Started reports whether the response head has been sent: from then on
// a failure can only close the connection.
func (r *Reply) Started() bool { return r.headSent }

// Finish ends the reply. With a nil error the response is complete: a
// head not yet sent is sent with the body written so far, a chunked body
// gets its last chunk, and the connection serves its next request or
// closes, as the exchange's rules decide. With an error and nothing sent,
// the error is the response, rendered as every error is (text or
// problem+json by Accept, Retry-After, no entity for HEAD); with an error
// after the head, the connection closes so the client sees the response
// is incomplete. The reply must not be used after Finish.
func (r *Reply) Finish(err error) {
	if r.feeding || r.serving {
		r.finishing, r.finishErr = true, err
		return
	}
	r.finishNow(err)
}

// finishNow is Finish, outside ReplyBody.
func (r *Reply) finishNow(err error) {
	c, s := r.c, r.c.srv
	if r.gone {
		r.recycle()
		return
	}
	if d := c.detached; d != nil {
		r.finishDeferred, r.finishErr = true, err
		d.reattach()
		return
	}
	c.loop.wheel.disarm(c)
	c.reply = nil
	keep, streamed := false, r.headSent
	switch {
	case !r.headSent:
		if r.BodyFollows() {
			r.ctx.closeAfter = true // the rest of the body is not read
		}
		r.out, keep = s.appendFinal(r.out[:0], &r.ctx, err, s.canned, s.clock.stamp(), &c.loop.counts)
		r.headSent = true
		_ = r.write(r.out)
	case err != nil:
		c.loop.counts.response(r.ctx.status)
	default:
		keep = r.keep && s.canKeepAlive(&r.ctx) && !r.BodyFollows()
		if r.chunked {
			r.out = append(append(append(r.out[:0], "0\r\n"...), r.trailer...), '\r', '\n')
			_ = r.write(r.out)
		}
		c.loop.counts.response(r.ctx.status)
	}
	if s.accessLogged() {
		status := r.ctx.logged
		if status == 0 {
			status = r.ctx.status
		}
		s.logAccess(&r.req, r.ctx.remote, status, r.sent, r.start)
	}
	gone, cut := r.gone, streamed && err != nil
	r.recycle()
	switch {
	case gone:
	case cut:
		c.close() // the client sees the body is incomplete
	case !keep:
		c.setState(stateClosing)
		c.finish()
	default:
		c.resume()
	}
}

// write hands p to the connection, counting it.
func (r *Reply) write(p []byte) error {
	if r.gone {
		return ErrReplyClientGone
	}
	if r.serving {
		// The responses before this one are not written yet: hold it
		// until the batch is (afterBatch).
		r.held = append(r.held, p...)
		return nil
	}
	if d := r.c.detached; d != nil {
		r.held = append(r.held, p...)
		d.reattach() // the client is to be answered: it comes back
		return nil
	}
	r.sent += len(p)
	r.c.loop.counts.bytesOut += uint64(len(p))
	r.writing = true
	ok := r.c.write(p)
	r.writing = false
	if !ok {
		r.gone = true
	}
	return r.goneErr()
}

// goneErr returns ErrReplyClientGone once the client has gone.
func (r *Reply) goneErr() error {
	if r.gone {
		return ErrReplyClientGone
	}
	return nil
}

// abandon tells the owner that the client went away; the connection is
// being released.
func (r *Reply) abandon() {
	r.gone = true
	if r.finishing && !r.feeding {
		// The owner finished r before its handler returned and is done
		// with it; the connection closed before the engine took it.
		r.finishing = false
		r.finishNow(r.finishErr)
		return
	}
	if !r.writing {
		r.owner.ReplyClientGone(r)
	}
}

// expired runs ReplyExpired.
func (r *Reply) expired() { r.owner.ReplyExpired(r) }

// drained runs ReplyDrained, if the owner waits for it.
func (r *Reply) drained() {
	if r.wantDrain {
		r.wantDrain = false
		r.owner.ReplyDrained(r)
	}
}

// maxFreeReplies bounds a loop's pool of replies.
const maxFreeReplies = 1024

// acquireReply returns a reply from the loop's pool, or a new one.
func (l *loop) acquireReply() *Reply {
	if n := len(l.freeReplies); n > 0 {
		r := l.freeReplies[n-1]
		l.freeReplies = l.freeReplies[:n-1]
		return r
	}
	return &Reply{}
}

// recycle returns r to its loop's pool.
func (r *Reply) recycle() {
	l := r.c.loop
	if r.in != nil && cap(r.in.B) > jobBufferKept {
		bytebufferpool.Put(r.in)
		r.in = nil
	}
	if cap(r.out) > jobBufferKept {
		r.out = nil
	}
	if cap(r.interim) > jobBufferKept {
		r.interim = nil
	}
	if cap(r.trailer) > jobBufferKept {
		r.trailer = nil
	}
	r.interim, r.trailer = r.interim[:0], r.trailer[:0]
	r.ctx.reset(nil, nil)
	r.req.Reset()
	r.c, r.owner = nil, nil
	r.sent, r.start = 0, time.Time{}
	r.headSent, r.chunked, r.keep, r.gone, r.writing, r.wantDrain = false, false, false, false, false, false
	r.body, r.bodyLeft, r.bodyPaused, r.feeding, r.finishing, r.finishErr = bodyNone, 0, false, false, false, nil
	r.serving = false
	r.held, r.finishDeferred = nil, false
	if len(l.freeReplies) < maxFreeReplies {
		l.freeReplies = append(l.freeReplies, r)
	}
}

// classifyFieldBytes is classifyField for a name and value held as bytes,
// viewed without a copy.
func classifyFieldBytes(name, value []byte) (fieldKind, error) {
	return classifyField(view(name), view(value))
}

// view returns b as a string without copying it, for a check that keeps
// neither.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
