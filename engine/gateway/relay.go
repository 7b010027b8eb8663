package gateway

import (
	"errors"
	"syscall"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
)

// The life of a request forwarded on the event loop:
//
//	serveOnLoop   pick an upstream, make the reply asynchronous, start
//	start         an idle connection of this loop, a new one (dial), or
//	              a wait for a slot
//	send          write the rendered request; the response is due
//	relay         parse the response head as it arrives, relay the head
//	              and then the body to the client as they arrive
//	complete      keep the connection for the next request, or close it,
//	              and finish the reply
//
// Failures end in fail, which finishes the reply with the error the
// failure calls for and closes the upstream connection.

// exchangeStage is where an exchange stands.
type exchangeStage uint8

const (
	idleExchange exchangeStage = iota
	waitingSlot                // no connection free: waiting for a slot
	dialing                    // a connection is being dialled for it
	awaitingHead               // the request was written; the head is due
	relayingBody               // the head went to the client; the body follows
	clientGone                 // the client left while a dial was out
)

// exchange is one request forwarded on a loop: the reply's owner.
type exchange struct {
	h  *Handler
	ls *loopState
	r  *engine.Reply
	u  *upstream
	uc *upConn
	// det is the upstream connection taken off the loop for the rest of
	// a large response; nil otherwise.
	det   *detached
	state exchangeStage
	// request is the rendered upstream request, head and body.
	request []byte
	// tried counts the upstreams tried; a failed dial moves on to the
	// next healthy one until each was tried once.
	tried int
	// retried: the request was sent again on a new connection after a
	// kept-alive one closed before answering.
	retried bool
	// chunk is scratch for a streamed request body's chunk framing.
	chunk []byte
	// bodySent counts the streamed request body's bytes.
	bodySent int64
	// via is scratch for the Via value relayed to the client.
	via []byte
	// body gathers a short chunked or close-delimited body, so that it is
	// sent with a Content-Length when it arrives whole at once.
	body []byte
	// lengthKnown: the response's Content-Length, or its having no body,
	// is settled by its head.
	lengthKnown bool
	// connValues holds the values of the response head's Connection
	// fields, comma-separated, for the trailer section (trailer.go).
	connValues []byte
	// trailers: trailer fields are relayed, or announced by the head, so
	// the body goes out chunked.
	trailers bool
	// interimBytes counts the interim responses relayed (interim.go).
	interimBytes int
	// writing: the request's head is being handed to the socket; a close
	// reported meanwhile means none of it was taken.
	writing bool
}

// reset readies x for reuse.
func (x *exchange) reset() {
	x.r, x.u, x.uc, x.det, x.state = nil, nil, nil, nil, idleExchange
	x.tried, x.retried, x.bodySent, x.trailers, x.interimBytes = 0, false, 0, false, 0
	x.writing = false
	if cap(x.request) > 64<<10 {
		x.request = nil
	}
	if cap(x.body) > flushBytes {
		x.body = nil
	}
}

// serveOnLoop forwards c's request from its event loop, answering through
// an asynchronous reply. It returns the upstream it picked when the
// request must take the worker path to it instead (an https upstream).
func (h *Handler) serveOnLoop(c *engine.Context, loop *engine.Loop) (toWorker *upstream, err error) {
	now := time.Now()
	u, retryAfter := h.balancer.pick(now)
	if u == nil {
		h.opts.Logger.Warn("gateway: every upstream is unhealthy", "retry_after", retryAfter)
		return nil, ErrAllUnhealthy.WithRetryAfter(retryAfter)
	}
	if u.scheme != "http" {
		return u, nil
	}
	// The engine's MaxBodyBytes does not apply once bodies are streamed,
	// so Options.MaxBodyBytes bounds a body that arrived whole with its
	// head too, a chunked one by its decoded length.
	if max := h.opts.MaxBodyBytes; max > 0 && (c.Request().ContentLength > max || int64(len(c.Body())) > max) {
		return nil, parser.ErrBodyTooLarge
	}
	ls := h.loopStateOf(loop)
	x := ls.acquire()
	x.r = c.Async(x)
	x.tried = 1
	// A kept-alive connection's write may fail, and finish x's reply,
	// inside start: the engine holds such a Finish until Serve returned
	// and the responses before it are written.
	x.start(u, now)
	return nil, nil
}

// start forwards x's request to u; now is the time it was picked.
func (x *exchange) start(u *upstream, now time.Time) {
	x.u = u
	req := x.r.Request()
	x.request = x.h.renderRequest(x.request[:0], &x.ls.text, req, x.r.RemoteAddr(), u, x.r.BodyFollows())
	if u.loopSlots.waiters.Load() == 0 {
		// An idle connection is taken only when no request waits: one
		// that does has the first claim (slots.go).
		if uc := x.ls.takeIdle(u, now); uc != nil {
			x.send(uc)
			return
		}
	}
	if u.loopSlots.takeOrWait(x.ls) {
		x.dial()
		return
	}
	x.state = waitingSlot
	x.r.SetDeadline(x.h.opts.PoolWait)
	x.ls.wait(x)
}

// dial opens a new connection to x's upstream, whose slot x holds.
func (x *exchange) dial() {
	x.state = dialing
	x.h.dialUpstream(x, x.u)
}

// send writes x's request on uc; the response is due.
func (x *exchange) send(uc *upConn) {
	x.uc, uc.x = uc, x
	x.state = awaitingHead
	uc.parser.Sent(string(x.r.Request().Method) == "HEAD")
	x.r.SetDeadline(x.h.opts.UpstreamTimeout)
	x.writing = true
	err := uc.pc.Write(x.request)
	x.writing = false
	if err != nil {
		return // PeerClosed has told x
	}
	x.r.ResumeBody() // a body still arriving follows the head
}

// relay moves what arrived on x's upstream connection to the client.
func (x *exchange) relay() {
	uc := x.uc
	buf := uc.pc.Buffered()
	off := 0
	for x.state == awaitingHead {
		n, err := uc.parser.Parse(buf[off:], &uc.resp)
		if err != nil {
			x.fail(ErrInvalidResponse, err)
			return
		}
		if n == 0 {
			uc.pc.Discard(off)
			return
		}
		off += n
		if uc.resp.Interim() {
			if x.relayInterim(&uc.resp) != nil {
				uc.pc.Discard(off)
				x.clientLeft()
				return
			}
			continue
		}
		if err := x.relayHead(&uc.resp); err != nil {
			x.fail(ErrInvalidResponse, err)
			return
		}
		x.state = relayingBody
		x.body = x.body[:0]
	}
	n, ok := x.relayBytes(buf[off:])
	if !ok {
		return
	}
	off += n
	uc.pc.Discard(off)
	switch {
	case uc.parser.Done():
		if err := x.relayBody(nil, true); err != nil {
			x.clientLeft()
			return
		}
		x.complete(off == len(buf))
	case x.r.Unsent() > relayHighWater:
		// The client reads slower than the upstream sends.
		x.detach()
	default:
		// More of the response is due: the stall timeout starts again.
		x.r.SetDeadline(x.h.opts.UpstreamTimeout)
	}
}

// relayBytes relays the body bytes at the front of buf and returns how
// many it consumed. It reports false when it ended the exchange: the body
// was malformed (502, or a closed client connection once the head went
// out) or the client left.
func (x *exchange) relayBytes(buf []byte) (int, bool) {
	uc := x.uc
	off := 0
	for !uc.parser.Done() && off < len(buf) {
		data, n, err := uc.parser.Body(buf[off:])
		if err != nil {
			x.fail(ErrInvalidResponse, err)
			return off, false
		}
		if lines := uc.parser.Trailers(buf[off:]); lines != nil {
			x.relayTrailers(lines)
		}
		if n == 0 {
			break // the rest of a chunk's framing is due
		}
		off += n
		if err := x.relayBody(data, false); err != nil {
			x.clientLeft()
			return off, false
		}
	}
	return off, true
}

// relayBody relays data, more of the response body, and what it held
// back once done says the body is complete. The head waits until
// flushBytes of the body have arrived or the body is complete, gathered
// in x.body: a short body then goes out with a Content-Length, and an
// upstream that stalls before that is still answered 504. From then on
// the body is relayed as it arrives.
func (x *exchange) relayBody(data []byte, done bool) error {
	r := x.r
	if r.Started() {
		return r.Write(data)
	}
	x.body = append(x.body, data...)
	switch {
	case done && !x.lengthKnown && !x.trailers:
		r.SetContentLength(int64(len(x.body)))
	case done, len(x.body) >= flushBytes:
	default:
		return nil
	}
	return r.Write(x.body)
}

// relayHead sets the reply's status and fields from the upstream's
// response head: the end-to-end fields, with this gateway added to Via;
// the framing fields and Date are the engine's to write.
func (x *exchange) relayHead(resp *parser.Response) error {
	r := x.r
	if err := r.SetStatus(int(resp.Status)); err != nil {
		return err
	}
	var optArr [8][]byte
	connOpts := appendConnectionFieldOptions(optArr[:0], resp.Fields)
	x.via, x.connValues = x.via[:0], x.connValues[:0]
	for _, f := range resp.Fields {
		switch name := nameOf(f.Name); {
		case name == connectionField:
			x.connValues = append(append(x.connValues, f.Value...), ',')
			continue
		case name == trailerField && resp.Framing == parser.ChunkedBody && x.keepsTrailers():
			// The trailer fields it announces are relayed (trailer.go).
			x.trailers = true
		case name == viaField:
			x.via = append(x.via, f.Value...)
			x.via = append(x.via, ',', ' ')
			continue
		case name.hopByHop(), name == contentLengthField, name == dateField, namedIn(f.Name, connOpts):
			continue
		}
		if err := r.AddField(f.Name, f.Value); err != nil {
			return err
		}
	}
	x.lengthKnown = true
	switch {
	case string(r.Request().Method) == "HEAD":
		r.SetContentLength(resp.ContentLength) // what a GET would get
	case resp.Framing == parser.LengthBody:
		r.SetContentLength(resp.ContentLength)
	case resp.Framing != parser.NoBody:
		x.lengthKnown = false
	}
	x.via = append(x.via, receivedProtocol(int(resp.Version.Major), int(resp.Version.Minor))...)
	x.via = append(x.via, ' ')
	x.via = append(x.via, x.h.opts.Pseudonym...)
	return r.AddField(viaName, x.via)
}

// viaName is the Via field's name, as bytes for AddField.
var viaName = []byte("Via")

// complete ends an exchange whose response was relayed whole: the
// connection is kept for the next request when the response allows it,
// nothing followed it (drained), and the upstream took the whole request;
// then the reply finishes, which may start the client's next request.
func (x *exchange) complete(drained bool) {
	uc := x.uc
	x.uc, uc.x = nil, nil
	if drained && uc.resp.KeepAlive && uc.pc.OutboundBuffered() == 0 && !x.r.BodyFollows() {
		uc.used = true
		x.ls.putIdle(uc)
	} else {
		uc.pc.Close()
	}
	x.finish(nil)
}

// finish finishes the reply with err and recycles x.
func (x *exchange) finish(err error) {
	r := x.r
	x.ls.release(x)
	r.Finish(err)
}

// fail ends the exchange with reply, the failure's answer; cause is the
// upstream's error. The upstream connection, whose state is unknown, is
// closed.
func (x *exchange) fail(reply *httperrors.Error, cause error) {
	x.dropUpstream()
	x.finish(x.h.fail(x.u, reply, cause))
}

// dropUpstream closes x's upstream connection, on the loop or detached.
func (x *exchange) dropUpstream() {
	if d := x.det; d != nil {
		x.det = nil
		d.stop()
	}
	if uc := x.uc; uc != nil {
		x.uc, uc.x = nil, nil
		uc.pc.Close()
	}
}

// clientLeft ends the exchange of a client that went away: the upstream
// connection is in the middle of a response, so it is closed.
func (x *exchange) clientLeft() {
	x.dropUpstream()
	x.finish(nil)
}

// upstreamClosed runs when x's upstream connection closed with err (nil
// when the gateway closed it). It reports true when x sends its request
// again on a new connection, which takes over the closed one's slot.
func (x *exchange) upstreamClosed(err error) bool {
	uc := x.uc
	x.uc = nil
	verdict := uc.parser.Closed()
	switch {
	case verdict == nil && x.state == relayingBody:
		// A body that ends with the connection has ended.
		_ = x.relayBody(nil, true) // a client gone is finished alike
		x.finish(nil)
		return false
	case errors.Is(verdict, parser.ErrResponseMissing) && uc.used && !x.retried &&
		(x.writing || idempotent(x.r.Request().Method) && !x.r.BodyFollows()):
		// The upstream closed a kept-alive connection as the request
		// crossed it, most likely without seeing it: an idempotent
		// request goes again, once, on a connection of its own (RFC 9110
		// §9.2.2), and so does any request none of which the socket took
		// (its write failed at once: the upstream never saw it, RFC 9112
		// §9.3.1); any other could have taken effect.
		x.retried = true
		x.dial()
		return true
	}
	reply := ErrClosed
	switch {
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		reply = ErrReset
	case errors.Is(verdict, parser.ErrResponseTruncated) && x.state == relayingBody:
		reply = ErrClosed
	}
	if err == nil {
		err = verdict
	}
	x.finish(x.h.fail(x.u, reply, err))
	return false
}

// dialFailed runs on the loop when the connect to x's upstream failed: the
// slot is given back, the upstream marked unhealthy when there are
// others, and the request goes to the next healthy one, once to each.
func (x *exchange) dialFailed(err error) {
	u := x.u
	x.ls.giveBackSlot(u)
	if x.state == clientGone {
		x.ls.release(x)
		return
	}
	reply, _ := classify(err, false)
	if len(x.h.balancer.upstreams) > 1 {
		u.markUnhealthy(time.Now(), x.h.opts.UnhealthyFor)
	}
	failure := x.h.fail(u, reply, err)
	if x.tried < len(x.h.balancer.upstreams) {
		now := time.Now()
		if next, _ := x.h.balancer.pick(now); next != nil && next.scheme == "http" {
			x.tried++
			x.start(next, now)
			return
		}
	}
	x.finish(failure)
}

// ReplyExpired answers a request that waited too long: for a slot (503),
// or for the upstream's response head or more of its body (504; once the
// head went out, the client's connection closes).
func (x *exchange) ReplyExpired(*engine.Reply) {
	switch x.state {
	case waitingSlot:
		x.state = idleExchange // nextWaiting skips it
		x.h.opts.Logger.Warn("gateway: upstream connection slots all in use", "upstream", x.u.host)
		x.finish(ErrPoolFull.WithRetryAfter(1))
	case awaitingHead, relayingBody:
		x.fail(ErrResponseTimeout, errStalled)
	}
}

// errStalled is the cause of a response timeout.
var errStalled = errors.New("gateway: no response from the upstream within UpstreamTimeout")

// ReplyDrained reads more of a detached upstream once the client has
// read its backlog.
func (x *exchange) ReplyDrained(r *engine.Reply) { x.resumeDetached(r) }

// ReplyClientGone drops the exchange of a client that went away: the
// upstream connection, in the middle of an exchange, is closed; a dial
// in progress finishes and its connection is kept idle.
func (x *exchange) ReplyClientGone(r *engine.Reply) {
	switch x.state {
	case dialing:
		x.state = clientGone
		r.Finish(nil) // x stays with the dial until it ends
		return
	case waitingSlot:
		x.state = idleExchange
	}
	x.clientLeft()
}

// idempotent reports the methods a request of which may be sent again
// after its connection failed (RFC 9110 §9.2.2).
func idempotent(method []byte) bool {
	switch string(method) {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return true
	}
	return false
}
