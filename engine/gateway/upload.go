package gateway

import (
	"strconv"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/parser"
)

// Uploads. A request whose body has not all arrived with its head is
// forwarded at once (the Handler is an engine.BodyStreamer when every
// upstream is http): the head goes to the upstream, then the body as it
// arrives, in the client's framing (a chunked body is decoded by the
// engine and chunked again here; its trailer section, which the engine
// checks, is not forwarded: the upstream gets the last chunk and the
// empty line). Past uploadHighWater bytes the upstream has not taken,
// the body pauses until its socket drains; the engine then holds back
// the client, whatever the body's framing: the rest of the body is read
// off the loop at the pace it is resumed. Such a request is never sent
// twice, and its upstream connection is reused only once the whole body
// went out.

const (
	// uploadHighWater is the request body the gateway lets wait for an
	// upstream that reads slowly before it pauses the body.
	uploadHighWater = 256 << 10
	// uploadLowWater is the backlog under which a paused body resumes.
	uploadLowWater = 64 << 10
)

// StreamsBodies reports whether request bodies are forwarded as they
// arrive: when every upstream is reached over http (the https fallback
// takes whole bodies).
func (h *Handler) StreamsBodies() bool {
	for _, u := range h.balancer.upstreams {
		if u.scheme != "http" {
			return false
		}
	}
	return true
}

// ReplyBody forwards the next piece of the request body to the upstream.
func (x *exchange) ReplyBody(r *engine.Reply, data []byte, last bool) bool {
	uc := x.uc
	if uc == nil || uc.pc.Closed() {
		return false // the exchange is ending; the engine finishes it
	}
	x.bodySent += int64(len(data))
	if max := x.h.opts.MaxBodyBytes; max > 0 && x.bodySent > max {
		x.dropUpstream()
		x.finish(parser.ErrBodyTooLarge)
		return false
	}
	out := data
	if r.Request().Chunked {
		x.chunk = x.chunk[:0]
		if len(data) > 0 {
			x.chunk = strconv.AppendUint(x.chunk, uint64(len(data)), 16)
			x.chunk = append(x.chunk, '\r', '\n')
			x.chunk = append(x.chunk, data...)
			x.chunk = append(x.chunk, '\r', '\n')
		}
		if last {
			x.chunk = append(x.chunk, "0\r\n\r\n"...)
		}
		out = x.chunk
	}
	if len(out) > 0 && uc.pc.Write(out) != nil {
		return false // PeerClosed has told x
	}
	if x.state == awaitingHead {
		r.SetDeadline(x.h.opts.UpstreamTimeout) // the upstream takes it: time starts again
	}
	if uc.pc.OutboundBuffered() > uploadHighWater {
		uc.pc.AwaitDrain(x.uploadDrained)
		return false
	}
	return true
}

// uploadDrained resumes a paused body once the upstream took most of it.
func (x *exchange) uploadDrained() {
	uc := x.uc
	if uc == nil || x.r == nil {
		return
	}
	if uc.pc.OutboundBuffered() > uploadLowWater {
		uc.pc.AwaitDrain(x.uploadDrained)
		return
	}
	x.r.ResumeBody()
}
