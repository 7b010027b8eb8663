package gateway

import (
	"github.com/rawhttpd/rawhttpd/parser"
)

// Interim responses. An upstream's 1xx responses before its final one
// are relayed to the client as they come (engine.Reply.WriteInterim),
// with their end-to-end fields: 103 Early Hints with its Link fields, 102,
// and any other 1xx. The engine drops them for an HTTP/1.0 client, which
// must not be sent one (RFC 9110 §15.2). Two are not relayed:
//
//   - 101 Switching Protocols: the gateway opens no tunnels, so the
//     response parser refuses it, and the client is answered 502.
//   - 100 Continue: the engine answers a client's "Expect: 100-continue"
//     itself, with its own 100 once the request's head is complete and
//     before any of the body is read, and the gateway does not forward
//     Expect. An upstream's 100 is then either a second one for the same
//     request or one nobody asked for; it is dropped, and the final
//     response relayed as usual.

//
// Each interim response relayed starts the wait for the final head
// again: an upstream that sends 102 Processing while it works is alive.
// The interim responses relayed for one request are bounded by
// maxInterimBytes, so that an upstream that sends them without end to a
// client that does not read cannot make the gateway hold them; past it
// they are dropped.

// statusContinue is 100 Continue.
const statusContinue = 100

// maxInterimBytes bounds the interim responses relayed for one request.
const maxInterimBytes = 64 << 10

// relayInterim relays resp, an interim response of the upstream, to the
// client. It returns an error only when the client has gone.
func (x *exchange) relayInterim(resp *parser.Response) error {
	r := x.r
	r.SetDeadline(x.h.opts.UpstreamTimeout)
	if resp.Status == statusContinue || x.interimBytes > maxInterimBytes {
		return nil
	}
	x.interimBytes += resp.HeadLen
	var optArr [8][]byte
	connOpts := appendConnectionFieldOptions(optArr[:0], resp.Fields)
	for _, f := range resp.Fields {
		if name := nameOf(f.Name); name.hopByHop() || name == contentLengthField || name == dateField || namedIn(f.Name, connOpts) {
			continue
		}
		if err := r.AddInterimField(f.Name, f.Value); err != nil {
			continue // the parser let it through; the engine's checks are stricter
		}
	}
	err := r.WriteInterim(int(resp.Status))
	if r.Gone() {
		return err
	}
	return nil
}
