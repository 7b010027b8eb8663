package parser

import (
	"bytes"
	"math"

	"github.com/rawhttpd/rawhttpd/internal/ascii"
	"github.com/rawhttpd/rawhttpd/version"
)

// framing collects, field line by field line, what the header section says
// about the message body and the connection: Host, Content-Length,
// Transfer-Encoding, Connection and Expect. Nothing is decided while the
// lines arrive; verdict decides once the head is complete, in the order of
// the status contract (package doc), so that the answer does not depend on the order of the fields.
type framing struct {
	hosts              int  // Host field lines
	hostStart, hostEnd int  // the last Host value (one is all verdict accepts)
	hostBad            bool // a Host value that is not uri-host [ ":" port ]

	lengths        int   // Content-Length field lines
	lengthSeen     bool  // contentLength holds a value read
	contentLength  int64 // the value, when lengthBad and lengthRepeated are false
	lengthBad      bool  // a value that is not 1*DIGIT within int64
	lengthRepeated bool  // more than one value, on one line or several

	codings       int  // Transfer-Encoding field lines
	codingEmpty   bool // a Transfer-Encoding line with no coding
	codingBad     bool // an element that is not a transfer-coding
	chunkedCount  int  // how many times chunked is named
	afterChunked  bool // a coding named after chunked
	otherCoding   bool // a coding other than chunked
	chunked       bool // the verdict: the body is chunked
	connClose     bool // Connection names close
	connKeepAlive bool // Connection names keep-alive
	expect100     bool // Expect: 100-continue
	expectOther   bool // an expectation this server cannot meet
}

// note records field line s of buf if its name is one of the five that
// matter here. Names are recognised by length first, so most lines cost one
// switch.
func (f *framing) note(buf []byte, s fieldSpan) {
	name := buf[s.nameStart:s.nameEnd]
	value := buf[s.valueStart:s.valueEnd]
	switch len(name) {
	case 4:
		if equalLower(name, "host") {
			f.hosts++
			f.hostStart, f.hostEnd = s.valueStart, s.valueEnd
			// An empty value is the one Host that is no host: RFC
			// 9112 §3.2 makes a client send it when the target URI
			// has no authority.
			f.hostBad = f.hostBad || (len(value) > 0 && !isHostPort(value, false))
		}
	case 6:
		if equalLower(name, "expect") {
			f.noteExpect(value)
		}
	case 10:
		if equalLower(name, "connection") {
			f.noteConnection(value)
		}
	case 14:
		if equalLower(name, "content-length") {
			f.noteContentLength(value)
		}
	case 17:
		if equalLower(name, "transfer-encoding") {
			f.noteTransferEncoding(value)
		}
	}
}

// noteContentLength reads a Content-Length value (RFC 9110 §8.6, RFC 9112
// §6.3):
//
//	Content-Length = 1*DIGIT
//
// A message has one length: a list ("5, 5") or a second field line is
// refused even when the values are equal. RFC 9110 §8.6 calls such a
// value invalid and only permits (MAY) reading it as one; refusing is the
// choice no reader downstream can disagree with.
func (f *framing) noteContentLength(value []byte) {
	f.lengths++
	for more := true; more; {
		var elem []byte
		elem, value, more = cutElement(value)
		n, ok := parseLength(elem)
		if !ok {
			f.lengthBad = true
			return
		}
		if f.lengthSeen {
			f.lengthRepeated = true
		}
		f.contentLength, f.lengthSeen = n, true
	}
}

// parseLength reads 1*DIGIT as a non-negative int64, failing on anything
// else and on overflow.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// noteTransferEncoding reads a Transfer-Encoding value (RFC 9112 §6.1):
//
//	Transfer-Encoding = #transfer-coding
//	transfer-coding   = token *( OWS ";" OWS transfer-parameter )
//
// Field lines combine into one list; empty list elements are skipped (RFC
// 9110 §5.6.1) but a line without any coding is recorded as empty. Coding
// names are case-insensitive.
func (f *framing) noteTransferEncoding(value []byte) {
	f.codings++
	named := false
	for more := len(value) > 0; more; {
		var elem []byte
		elem, value, more = cutElement(value)
		if len(elem) == 0 {
			continue
		}
		named = true
		if i := bytes.IndexByte(elem, ';'); i >= 0 {
			elem = trimOWS(elem[:i]) // parameters are not checked: only chunked is implemented, and it takes none
		}
		switch {
		case !isToken(elem):
			f.codingBad = true
		case equalLower(elem, "chunked"):
			f.chunkedCount++
		default:
			f.otherCoding = true
			if f.chunkedCount > 0 {
				f.afterChunked = true
			}
		}
	}
	if !named {
		f.codingEmpty = true
	}
}

// noteConnection reads the Connection options (RFC 9110 §7.6.1):
//
//	Connection        = #connection-option
//	connection-option = token
//
// looking for "close" and "keep-alive" (RFC 9112 §9.3), case-insensitively.
func (f *framing) noteConnection(value []byte) {
	for more := len(value) > 0; more; {
		var elem []byte
		elem, value, more = cutElement(value)
		switch {
		case ascii.EqualFold(elem, "close"):
			f.connClose = true
		case ascii.EqualFold(elem, "keep-alive"):
			f.connKeepAlive = true
		}
	}
}

// noteExpect reads an Expect value (RFC 9110 §10.1.1):
//
//	Expect = #expectation ; only "100-continue" is defined
//
// An empty value expects nothing; anything but 100-continue is answered
// with 417.
func (f *framing) noteExpect(value []byte) {
	switch {
	case len(value) == 0:
	case ascii.EqualFold(value, "100-continue"):
		f.expect100 = true
	default:
		f.expectOther = true
	}
}

// verdict decides, once the head h is complete, whether its framing can be
// served, in the status contract's order (package doc): Host (RFC 9112 §3.2), Content-Length,
// Transfer-Encoding (RFC 9112 §6.1, §6.3; the coding itself first, then its
// combination with Content-Length and with HTTP/1.0), Expect, and last the
// declared size against maxBody.
func (f *framing) verdict(h *head, maxBody int64) error {
	switch {
	case f.hosts > 1:
		return ErrMultipleHost
	case f.hosts == 0 && h.version.AtLeast(1, 1):
		return ErrMissingHost
	case f.hostBad:
		return ErrBadHost
	}
	if err := f.bodyVerdict(h.version); err != nil {
		return err
	}
	if f.expectOther {
		return ErrExpectationFailed
	}
	if f.contentLength > maxBody {
		return ErrBodyTooLarge
	}
	return nil
}

// bodyVerdict decides whether Content-Length and Transfer-Encoding frame
// a message of version v unambiguously (RFC 9112 §6.1, §6.3; the coding
// itself first, then its combination with Content-Length and with
// HTTP/1.0), and sets f.chunked when the body is chunked. Requests and
// responses share it: the same field lines must never frame a message two
// ways.
func (f *framing) bodyVerdict(v version.Version) error {
	switch {
	case f.lengthBad:
		return ErrBadContentLength
	case f.lengthRepeated:
		return ErrMultipleContentLength
	}
	if f.codings > 0 {
		switch {
		case f.codingEmpty:
			return ErrEmptyTransferEncoding
		case f.codingBad:
			return ErrBadTransferEncoding
		case f.chunkedCount > 1:
			return ErrChunkedRepeated
		case f.afterChunked:
			return ErrChunkedNotLast
		case f.otherCoding:
			return ErrUnsupportedTransferCoding
		case f.lengths > 0:
			return ErrTransferEncodingWithLength
		case v == version.HTTP10:
			return ErrTransferEncodingHTTP10
		}
		f.chunked = true
	}
	return nil
}

// cutElement splits a list (RFC 9110 §5.6.1, #element) at its first comma:
// it returns the first element without OWS, the rest after the comma, and
// whether there was a comma.
func cutElement(list []byte) (elem, rest []byte, more bool) {
	if i := bytes.IndexByte(list, ','); i >= 0 {
		return trimOWS(list[:i]), list[i+1:], true
	}
	return trimOWS(list), nil, false
}

// keepAlive reports whether the connection persists after the response to
// a request of version v (RFC 9112 §9.3).
func (f *framing) keepAlive(v version.Version) bool {
	if f.connClose {
		return false
	}
	return v.AtLeast(1, 1) || f.connKeepAlive
}
