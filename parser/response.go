package parser

import (
	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/version"
)

// BodyFraming is how the end of a response body is found (RFC 9112 §6.3).
type BodyFraming uint8

// The framings of a response body, in the order RFC 9112 §6.3 tries them.
const (
	// NoBody: the response has no body whatever its fields say: a 1xx,
	// 204 or 304, or the response to a HEAD request.
	NoBody BodyFraming = iota
	// ChunkedBody: the body uses the chunked transfer coding; its end is
	// the last chunk and the trailer section.
	ChunkedBody
	// LengthBody: the body is ContentLength bytes.
	LengthBody
	// UntilCloseBody: neither Transfer-Encoding nor Content-Length: the
	// body ends when the upstream closes the connection, which then cannot
	// be reused.
	UntilCloseBody
)

// String names the framing, for logs and test failures.
func (f BodyFraming) String() string {
	switch f {
	case NoBody:
		return "none"
	case ChunkedBody:
		return "chunked"
	case LengthBody:
		return "content-length"
	case UntilCloseBody:
		return "until-close"
	}
	return "unknown"
}

// Response is the parsed view of one response head. Every slice points
// into the buffer given to ResponseParser.Parse and is valid until the
// caller discards or overwrites those bytes. A Response is reused: Parse
// refills it, keeping the Fields backing array, so a connection's
// responses allocate nothing once it has grown.
type Response struct {
	// Version is the response's HTTP version; its Major is always 1.
	Version version.Version
	// Status is the status code, 100 to 599; never 101.
	Status httperrors.Status
	// Reason is the reason phrase as sent, possibly empty. RFC 9112 §4
	// has a client ignore it.
	Reason []byte
	// Fields are the header field lines in the order received.
	Fields []Field
	// ContentLength is the declared body length, or -1 when the response
	// has no Content-Length. A response with NoBody may carry one (a HEAD
	// or 304 response names the length the body would have).
	ContentLength int64
	// Framing is how the body's end is found.
	Framing BodyFraming
	// KeepAlive reports whether the upstream connection may carry another
	// request after this response (RFC 9112 §9.3): HTTP/1.1 unless
	// "Connection: close", HTTP/1.0 only with "Connection: keep-alive", and
	// never after a body that ends with the connection.
	KeepAlive bool
	// HeadLen counts the bytes of the status line and header section,
	// the final empty line included.
	HeadLen int
}

// Interim reports a 1xx response (RFC 9110 §15.2): it precedes the final
// response to the same request.
func (r *Response) Interim() bool { return r.Status < 200 }

// Header returns the value of the first field named name, compared
// ignoring ASCII case, or nil if there is none. It does not allocate.
func (r *Response) Header(name string) []byte { return fieldValue(r.Fields, name) }
