package gateway

import (
	"bytes"

	"github.com/rawhttpd/rawhttpd/version"
)

// Trailer fields. The engine frames the body it relays itself, so an
// upstream's chunked body reaches the client chunked again, or with a
// Content-Length, not as it came. The trailer section the upstream sent
// after its last chunk is passed on to an HTTP/1.1 client
// (engine.Reply.AddTrailer), its fields checked and collected as the
// parser consumes them, and the body is then sent chunked whatever its
// length, so that they have somewhere to go; the head's Trailer field,
// which announces them, is relayed with it. The hop-by-hop fields, those
// the head's Connection field named, and the framing fields are left out:
// RFC 9110 §6.5.1 forbids them in a trailer section, and a recipient must
// not act on them there. An HTTP/1.0 client gets no trailer section (it
// would not read one); its body is framed as before.

// keepsTrailers reports whether x's client can be sent trailer fields:
// it speaks HTTP/1.1.
func (x *exchange) keepsTrailers() bool { return x.r.Request().Version != version.HTTP10 }

// relayTrailers passes on lines, trailer field lines with their CRLFs as
// the parser checked them.
func (x *exchange) relayTrailers(lines []byte) {
	if !x.keepsTrailers() {
		return
	}
	var optArr [8][]byte
	connOpts := appendConnectionOptions(optArr[:0], x.connValues)
	for len(lines) > 0 {
		end := bytes.IndexByte(lines, '\n')
		line := lines[:end-1]
		lines = lines[end+1:]
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name, value := line[:colon], bytes.Trim(line[colon+1:], " \t")
		if kind := nameOf(name); kind.hopByHop() || kind == contentLengthField || kind == hostField || namedIn(name, connOpts) {
			continue
		}
		if x.r.AddTrailer(name, value) == nil {
			x.trailers = true
		}
	}
}
