package engine

import (
	"github.com/panjf2000/gnet/v2"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
)

// A request body streamed to an asynchronous reply. A Handler that says
// so (BodyStreamer) is called as soon as a request's head is complete,
// while its body is still arriving; the body then reaches the reply's
// owner piece by piece (BodyOwner.ReplyBody) as it arrives, and is never
// held whole. The bytes after the body (a pipelined request) wait, as
// they do behind any reply, until Finish.
//
// gnet cannot stop reading a connection, so a paused body is held in the
// connection's input buffer. Past clientDetachMark of it, the body
// (Content-Length or chunked) is read off the loop as the owner takes it
// (clientdetach.go), and the client is held back by its TCP window. A
// chunked body whose framing is malformed is answered as the loop answers
// any malformed request (400, or 431 for a trailer section past the
// limits), and the connection closes (refuseBody).

// errBodyNotTaken answers a request whose body was to be streamed but
// whose handler deferred to the worker pool, which takes whole bodies
// only.
var errBodyNotTaken = httperrors.New(httperrors.StatusInternalServerError,
	"the server could not take the request body as it arrived")

// feedBytes is how much of a streamed body is given to the owner at once.
const feedBytes = 64 << 10

// streamedBodyLimit is the parser's body limit when bodies are streamed:
// none is held whole, so the handler bounds their length itself.
const streamedBodyLimit = 1 << 62

// BodyStreamer is a Handler that takes request bodies as they arrive. When
// StreamsBodies reports true (asked once, by New), a request whose body
// has not all arrived with its head is handed to the handler at once,
// with Context.BodyFollows set and no Body; the handler either makes its
// reply asynchronous with an owner that is a BodyOwner, which then gets
// the body, or answers at once, and the connection closes after that
// answer, the body unread. Config.MaxBodyBytes no longer applies: the
// handler bounds a streamed body itself, and a body that arrived whole
// with its head is bounded by the input a connection may hold
// (heldInboundLimit, 8 MiB, behind a reply).
type BodyStreamer interface {
	Handler
	StreamsBodies() bool
}

// BodyOwner is a ReplyOwner that takes a request body as it arrives.
type BodyOwner interface {
	ReplyOwner
	// ReplyBody gets the next piece of the body, decoded when chunked;
	// last is set with the final piece (possibly empty). The bytes are
	// valid only during the call. It returns false to pause: no more is
	// given until Reply.ResumeBody. Finish called during ReplyBody takes
	// effect when ReplyBody returns.
	ReplyBody(r *Reply, data []byte, last bool) bool
}

// BodyFollows reports whether the request's body is still arriving, to be
// streamed to the reply (BodyStreamer); Body is then empty.
func (c *Context) BodyFollows() bool { return c.bodyFollows }

// BodyFollows reports whether the request's body is streamed to the
// reply's owner and has not all been given to it yet.
func (r *Reply) BodyFollows() bool { return r.body != bodyNone && r.body != bodyDone }

// ResumeBody gives the owner more of the body as it arrives, starting
// with what is already buffered. The body starts paused: an owner calls
// ResumeBody once it has somewhere to put it.
func (r *Reply) ResumeBody() {
	if !r.BodyFollows() || r.gone || !r.bodyPaused {
		return
	}
	r.bodyPaused = false
	if d := r.c.detached; d != nil {
		_ = r.c.loop.pub.Run(d.resume)
		return
	}
	if r.c.gc != nil {
		_ = r.c.gc.Wake(nil) // fed from OnTraffic, never from inside a callback
	}
}

// Where a streamed body stands.
const (
	bodyNone    uint8 = iota // no body is streamed
	bodyLength               // a Content-Length body; bodyLeft bytes to come
	bodyChunked              // a chunked body, decoded by chunks
	bodyDone                 // every byte was given to the owner
)

// startBody readies r to stream the body of req, whose head alone has
// been consumed.
func (r *Reply) startBody(req *parser.Request) {
	r.bodyPaused = true
	if req.Chunked {
		r.body = bodyChunked
		r.chunks.MaxBodyBytes = streamedBodyLimit
		r.chunks.Reset()
		return
	}
	r.body, r.bodyLeft = bodyLength, req.ContentLength
}

// tookLength counts n bytes of a Content-Length body as taken from the
// client.
func (r *Reply) tookLength(n int) {
	if r.bodyLeft -= int64(n); r.bodyLeft == 0 {
		r.body = bodyDone
	}
}

// deliver hands data, the next piece of the body, to owner, when the
// reply's owner takes bodies, and reports whether it takes more now. A
// Finish called meanwhile is held until it returns (feeding).
func (r *Reply) deliver(owner BodyOwner, data []byte) bool {
	if owner == nil {
		return true
	}
	r.feeding = true
	more := owner.ReplyBody(r, data, r.body == bodyDone)
	r.feeding = false
	return more
}

// feed gives the owner what arrived of the body, while it takes more. A
// malformed chunked body is refused (refuseBody).
func (r *Reply) feed() gnet.Action {
	c := r.c
	owner, _ := r.owner.(BodyOwner)
	window := feedBytes
	for r.BodyFollows() && !r.bodyPaused && !r.gone && c.t.InboundBuffered() > 0 {
		// A window of what is held, not all of it: Peek copies what it
		// returns when gnet holds it in pieces.
		held := c.t.InboundBuffered()
		buf, _ := c.t.Peek(min(window, held))
		var data []byte
		n := 0
		if r.body == bodyChunked {
			var err error
			data, n, err = r.chunks.Next(buf)
			if err != nil {
				r.refuseBody(err)
				return gnet.None
			}
			if n == 0 && len(buf) < held {
				window = held // a chunk's framing crosses the window
				continue
			}
			if n == 0 {
				break
			}
			window = feedBytes
			if r.chunks.Done() {
				r.body = bodyDone
			}
		} else {
			n = int(min(int64(len(buf)), r.bodyLeft))
			data = buf[:n]
			r.tookLength(n)
		}
		more := r.deliver(owner, data)
		_, _ = c.t.Discard(n)
		c.loop.counts.bytesIn += uint64(n)
		if r.finishing {
			r.finishNow(r.finishErr)
			return gnet.None
		}
		r.bodyPaused = r.bodyPaused || !more
	}
	if r.canDetachClient() {
		return r.detachClient()
	}
	if r.BodyFollows() && c.t.InboundBuffered() > heldInboundLimit {
		return gnet.Close
	}
	return gnet.None
}

// refuseBody answers a streamed body whose chunk framing is malformed
// with err's response (400, or 431 for the trailer section), rendered as
// every error is, unless the reply's head has left (a second response
// cannot follow it), and closes the connection after it: nothing
// after a body of unknown end can be read. The owner is told that the
// client is gone, as if it had closed; its Finish then only lets go of
// the reply. A client read off the loop gets the answer once it is back
// on the loop (clientdetach.go).
func (r *Reply) refuseBody(err error) {
	c, s := r.c, r.c.srv
	var out []byte
	if !r.headSent {
		r.ctx.closeAfter = true
		out, _ = s.appendFinal(nil, &r.ctx, err, s.canned, s.clock.stamp(), &c.loop.counts)
		if s.accessLogged() {
			s.logAccess(&r.req, r.ctx.remote, r.ctx.logged, len(out), r.start)
		}
	}
	c.loop.wheel.disarm(c)
	c.reply = nil
	r.abandon() // r is the owner's again, and may be recycled: not touched after
	switch d := c.detached; {
	case d != nil && out != nil:
		d.refusal, d.pending = out, nil
		d.reattach()
	case out == nil:
		c.close()
	case c.write(out):
		c.setState(stateClosing)
		c.finish()
	}
}
