package engine

import (
	"strconv"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/render"
	"github.com/rawhttpd/rawhttpd/version"
)

// bodyFraming is how a response delimits its body (RFC 9112 §6.3).
type bodyFraming uint8

const (
	// framedByLength: Content-Length, the usual case.
	framedByLength bodyFraming = iota
	// framedChunked: Transfer-Encoding: chunked, for a streamed HTTP/1.1
	// response whose length is not known.
	framedChunked
	// framedByClose: no length; the body ends when the connection closes
	// (a streamed response to HTTP/1.0).
	framedByClose
	// framedNone: no framing field, for a response that has no body and
	// whose length is not known (HEAD of a streamed response, 204, 304):
	// claiming Content-Length: 0 would misstate what a GET returns.
	framedNone
)

// streamFraming decides how a response whose head leaves before its body
// is complete delimits the body, and whether the connection can stay open
// after it (keep, as canKeepAlive decided). length is the declared length,
// negative when unknown. A response without a body never costs the
// connection: only a streamed body to HTTP/1.0, which ends at the close,
// does.
func streamFraming(length int64, status httperrors.Status, head bool, v version.Version, keep bool) (fr bodyFraming, keepOpen, chunked bool) {
	switch {
	case head || isBodyless(status):
		if length < 0 {
			return framedNone, keep, false
		}
		return framedByLength, keep, false
	case length >= 0:
		return framedByLength, keep, false
	case v == version.HTTP10:
		return framedByClose, false, false
	default:
		return framedChunked, keep, true
	}
}

// sharedByRef is the size from which a body set by WriteShared is written
// from the caller's bytes, in a writev after the batch rendered so far,
// instead of being copied into the batch: below it the copy costs less
// than ending the batch with a system call of its own.
const sharedByRef = 16 << 10

// appendResponse renders the response a handler built in x to dst:
//
//	status line, Server, Date, the handler's fields, Content-Length,
//	Connection when it must be said, the blank line, the body.
//
// The body is left out for HEAD and for the statuses that never have one
// (1xx, 204, 304); Content-Length is still the length of the body a GET
// would get, except for those statuses, which carry none (RFC 9110 §8.6).
func appendResponse(dst []byte, x *Context, st *stamp, head bool, persist persistence) []byte {
	body := x.bodyBytes()
	length := int64(len(body))
	if (head || x.file != nil) && x.length >= 0 {
		length = x.length // the handler declared what a GET would get
	}
	dst = appendHead(dst, x, st, persist, framedByLength, length)
	switch {
	case head || isBodyless(x.status):
	case x.byRef && x.shared != nil && len(body) >= sharedByRef:
		x.unsent = body // written after dst, not copied into it
	default:
		dst = append(dst, body...)
	}
	return dst
}

// appendHead renders the status line and header section of x's response,
// with the framing fields that fr calls for; st gives the Date and Server
// fields.
func appendHead(dst []byte, x *Context, st *stamp, persist persistence, fr bodyFraming, length int64) []byte {
	if x.status == httperrors.StatusOK && !x.serverSet {
		dst = append(dst, st.okHead...) // the common case, pre-rendered
	} else {
		dst = render.AppendStatusLine(dst, x.status)
		if !x.serverSet {
			dst = append(dst, st.serverLine...)
		}
		dst = append(dst, "Date: "...)
		dst = append(dst, st.date[:]...)
		dst = append(dst, '\r', '\n')
	}
	dst = append(dst, x.fields...)
	if !isBodyless(x.status) {
		switch {
		case fr == framedByLength && uint64(length) < uint64(len(contentLengthFields)):
			dst = append(dst, contentLengthFields[length]...)
		case fr == framedByLength:
			dst = append(dst, "Content-Length: "...)
			dst = strconv.AppendInt(dst, length, 10)
			dst = append(dst, '\r', '\n')
		case fr == framedChunked:
			dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
		}
	}
	dst = persist.appendField(dst)
	return append(dst, '\r', '\n')
}

// contentLengthFields are the rendered Content-Length fields of the
// lengths of small bodies, the most common, each copied with one append.
var contentLengthFields = func() (fields [1024]string) {
	for n := range fields {
		fields[n] = "Content-Length: " + strconv.Itoa(n) + "\r\n"
	}
	return fields
}()

// isBodyless reports the statuses whose responses never carry content.
func isBodyless(s httperrors.Status) bool { return s < 200 || s == 204 || s == 304 }

// appendChunk frames p as one chunk of a chunked body.
func appendChunk(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	dst = strconv.AppendUint(dst, uint64(len(p)), 16)
	dst = append(dst, '\r', '\n')
	dst = append(dst, p...)
	return append(dst, '\r', '\n')
}

// lastChunk ends a chunked body, with no trailer fields.
const lastChunk = "0\r\n\r\n"

// persistence is what a response says about the connection.
type persistence uint8

const (
	// persistDefault: the version's default holds (HTTP/1.1 keep-alive);
	// no Connection field.
	persistDefault persistence = iota
	// persistKeepAlive: an HTTP/1.0 client asked to keep the connection,
	// and it stays open (RFC 9112 §9.3).
	persistKeepAlive
	// persistClose: the connection closes after this response.
	persistClose
)

// appendField writes the Connection field p calls for, if any.
func (p persistence) appendField(dst []byte) []byte {
	switch p {
	case persistKeepAlive:
		return append(dst, "Connection: keep-alive\r\n"...)
	case persistClose:
		return append(dst, "Connection: close\r\n"...)
	}
	return dst
}
