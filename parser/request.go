package parser

import (
	"bytes"

	"github.com/rawhttpd/rawhttpd/internal/ascii"
	"github.com/rawhttpd/rawhttpd/version"
)

// Field is one header field line: its name as sent and its value without
// the optional whitespace around it. Both point into the parsed buffer,
// capped at their own length: appending to one copies it rather than
// overwriting the bytes that follow in the buffer.
type Field struct {
	Name  []byte
	Value []byte
}

// Request is the parsed view of one request. Every slice points into the
// buffer given to Parser.Parse and is valid until the caller discards or
// overwrites those bytes; copy what must live longer. Each is capped at its
// own length, so appending to one copies it instead of overwriting what
// follows it in the buffer (the next field, the next pipelined request). A Request is reused
// across requests: Parse refills it, keeping the Fields backing array, so
// a connection's requests allocate nothing once it has grown.
type Request struct {
	// Method is the request method, such as GET; always registered.
	Method []byte
	// Target is the request-target as sent: origin-form ("/a?b"),
	// absolute-form ("http://h/a"), authority-form ("h:443", CONNECT only)
	// or "*" (OPTIONS only).
	Target []byte
	// Version is the request's HTTP version; its Major is always 1.
	Version version.Version
	// Fields are the header field lines in the order received.
	Fields []Field
	// Host is the Host value, nil if the request has none (only HTTP/1.0
	// may omit it), empty if it was sent empty.
	Host []byte
	// ContentLength is the declared body length, or -1 when the request has
	// no Content-Length (chunked, or no body).
	ContentLength int64
	// Chunked reports a body sent with the chunked transfer coding.
	Chunked bool
	// KeepAlive reports whether the connection may persist after the
	// response (RFC 9112 §9.3): HTTP/1.1 unless "Connection: close",
	// HTTP/1.0 only with "Connection: keep-alive" and without close.
	KeepAlive bool
	// Expect100 reports "Expect: 100-continue" on an HTTP/1.1 request: the
	// client waits for a 100 (Continue) before sending the body. RFC 9110
	// §10.1.1 has a server ignore it on HTTP/1.0.
	Expect100 bool
	// Body is the whole body, nil if it is empty. A chunked body has been
	// decoded in place, inside the buffer given to Parse.
	Body []byte
	// HeadLen counts the bytes from the start of the buffer to the end of
	// the empty line that ends the header section: any empty lines skipped
	// before the request line, the request line and the header section.
	HeadLen int
}

// Reset empties r for reuse, keeping the Fields backing array.
func (r *Request) Reset() {
	*r = Request{Fields: r.Fields[:0], ContentLength: -1}
}

// MethodName returns the method as a string, without allocating for the
// methods of RFC 9110 and PATCH: those a handler building an *http.Request
// or an upstream request meets almost always.
func (r *Request) MethodName() string {
	switch string(r.Method) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	case "PATCH":
		return "PATCH"
	case "CONNECT":
		return "CONNECT"
	case "TRACE":
		return "TRACE"
	}
	return string(r.Method)
}

// Header returns the value of the first field named name, compared
// ignoring ASCII case, or nil if there is none. It does not allocate.
func (r *Request) Header(name string) []byte { return fieldValue(r.Fields, name) }

// fieldValue returns the value of the first of fields named name,
// compared ignoring ASCII case, or nil.
func fieldValue(fields []Field, name string) []byte {
	for i := range fields {
		if ascii.EqualFold(fields[i].Name, name) {
			return fields[i].Value
		}
	}
	return nil
}

// slash is the path of an absolute-form target with an empty path (RFC
// 9112 §3.2.2 and RFC 9110 §4.2.3 treat it as "/"). Callers must not write
// to it.
var slash = []byte("/")

// Path returns the path of the request-target: for origin-form the part
// before "?", for absolute-form the part after the authority up to "?"
// ("/" if empty), for "*" the target itself, and nil for authority-form.
func (r *Request) Path() []byte {
	t := r.Target
	if len(t) == 0 {
		return nil
	}
	switch t[0] {
	case '/', '*':
	default:
		i := bytes.Index(t, schemeSep)
		if i < 0 {
			return nil // authority-form
		}
		t = t[i+len(schemeSep):]
		j := bytes.IndexAny(t, "/?")
		if j < 0 || t[j] == '?' {
			return slash
		}
		t = t[j:]
	}
	if q := bytes.IndexByte(t, '?'); q >= 0 {
		return t[:q:q]
	}
	return t
}

// Query returns the query of the request-target, the part after the first
// "?" without it, or nil if there is no "?".
func (r *Request) Query() []byte {
	if q := bytes.IndexByte(r.Target, '?'); q >= 0 {
		return r.Target[q+1:]
	}
	return nil
}
