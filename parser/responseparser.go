package parser

import (
	"bytes"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/version"
)

// MaxStatusLineBytes bounds a response's status line, CR included; a
// longer one is ErrBadStatusLine. "HTTP/1.1 200 OK" is 15 bytes; a reason
// phrase has no use for kilobytes, and an upstream that sends them without
// an LF is not speaking HTTP.
const MaxStatusLineBytes = 4 << 10

// unboundedBody is the body limit the chunked decoder is given for a
// response: a gateway streams response bodies and bounds their memory, not
// their length. It stays far below the int64 limit so that no offset sum
// can overflow.
const unboundedBody = 1 << 62

// statusSwitchingProtocols is 101, which RFC 9110 §15.2.2 sends to start
// another protocol on the connection.
const statusSwitchingProtocols httperrors.Status = 101

// responseStage is where a ResponseParser is in the exchange.
type responseStage uint8

const (
	awaitNothing    responseStage = iota // no request is waiting for its response
	awaitStatusLine                      // a request was sent; its status line is due
	awaitFields                          // looking for the end of the header section
	readingBody                          // the final head was parsed; Body reads the body
	responseFailed                       // an error was returned; only Reset helps
)

// ResponseParser reads the responses of one upstream connection, one
// request at a time: a gateway tells it when a request was sent (Sent),
// parses the response head as it arrives (Parse), relays the body as it
// arrives (Body), and learns whether the connection can carry the next
// request (Done, Response.KeepAlive). It is built from the request
// parser's parts: field lines are scanned by the same code with the same
// tables and limits, Content-Length and Transfer-Encoding are judged by
// the same rules, and a chunked body is checked by ChunkedDecoder.
//
// It is strict where a lenient reader would let an upstream desynchronise
// the connection or split a response (RFC 9112 §6.3, §11.2): anything
// malformed or ambiguous is an error (the sentinels in responseerrors.go,
// all 502), after which the connection must be closed, never reused.
//
// Like Parser it is incremental and allocation-free: each call resumes
// where the previous one stopped and never checks a byte twice, and the
// slices it returns point into the caller's buffer. One ResponseParser
// serves one connection and one goroutine at a time. The zero value is
// ready to use with the default Config; only MaxHeaderBytes and MaxFields
// apply to responses.
type ResponseParser struct {
	head   Parser         // the field-line scanner: offsets, limits, framing notes
	chunks ChunkedDecoder // the chunked body, when Framing is ChunkedBody
	stage  responseStage
	err    error // the error returned, while stage is responseFailed

	toHEAD  bool // the request waiting for its response is a HEAD
	started bool // a byte of the awaited response has arrived

	version                version.Version
	status                 httperrors.Status
	reasonStart, reasonEnd int
	framing                BodyFraming
	remaining              int64 // LengthBody: body bytes still to come
}

// NewResponseParser returns a ResponseParser with the header limits of
// cfg (zero fields take their defaults).
func NewResponseParser(cfg Config) *ResponseParser {
	r := &ResponseParser{}
	r.configure(cfg)
	return r
}

// configure sets the header limits of cfg (MaxHeaderBytes and MaxFields, which
// also bound a chunked body's trailer section; zero fields take their
// defaults) and resets the parser.
func (r *ResponseParser) configure(cfg Config) {
	r.head.configure(cfg)
	r.chunks.MaxBodyBytes = unboundedBody
	r.chunks.MaxTrailerBytes = r.head.cfg.MaxHeaderBytes
	r.chunks.MaxTrailerFields = r.head.cfg.MaxFields
	r.Reset()
}

// Reset forgets the exchange in progress and any error, for a new
// connection: no request is waiting for a response.
func (r *ResponseParser) Reset() {
	if !r.head.ready {
		r.configure(Config{})
		return
	}
	r.head.Reset()
	r.chunks.Reset()
	r.stage, r.err = awaitNothing, nil
	r.toHEAD, r.started = false, false
}

// Sent tells the parser that a request was written to the upstream (its
// head: the body may still be on its way) and that its response is now
// due. head says the request's method is HEAD, whose response has no body
// (RFC 9110 §9.3.2) whatever its fields say. Bytes that arrive when no
// request is due are ErrUnsolicitedResponse. One request at a time: Sent
// panics unless the previous response is Done and no error was returned,
// for a connection in either state must not carry another request.
func (r *ResponseParser) Sent(head bool) {
	if !r.head.ready {
		r.configure(Config{})
	}
	if r.stage != awaitNothing {
		panic("parser: ResponseParser.Sent while a response is due or after an error")
	}
	r.stage = awaitStatusLine
	r.toHEAD, r.started = head, false
	r.head.resetHead()
}

// Done reports whether no response is due: no request was sent, or the
// last one's final response was read whole, body included. A connection
// may carry the next request only when Done and the last Response's
// KeepAlive both hold and no byte is left over (one would be
// ErrUnsolicitedResponse).
func (r *ResponseParser) Done() bool { return r.stage == awaitNothing }

// Parse parses the response head at the front of buf.
//
// It returns n > 0 and a nil error when the head is complete: resp holds
// it and buf[:n] are its bytes. For an interim (1xx) response, the final
// response is still due: call Parse again with what follows. For a final
// response, the body follows in buf[n:]: read it with Body unless
// resp.Framing is NoBody.
//
// It returns 0 and a nil error when buf holds only part of a head. Call it
// again with a buf that starts with the same bytes (it may be a new copy)
// once more have arrived; the parser resumes where it stopped.
//
// It returns an error, one of the response sentinels, when the upstream's
// bytes are not an acceptable response (or arrived with no request due);
// later calls return the same error until Reset. Parse panics if called
// while a body is being read.
func (r *ResponseParser) Parse(buf []byte, resp *Response) (n int, err error) {
	switch r.stage {
	case responseFailed:
		return 0, r.err
	case awaitNothing:
		if len(buf) > 0 {
			return 0, r.fail(ErrUnsolicitedResponse)
		}
		return 0, nil
	case readingBody:
		panic("parser: ResponseParser.Parse while a body is being read")
	case awaitStatusLine:
		resp.Fields = resp.Fields[:0]
		r.started = r.started || len(buf) > 0
		done, err := r.parseStatusLine(buf)
		if err != nil {
			return 0, r.fail(err)
		}
		if !done {
			return 0, nil
		}
		r.stage = awaitFields
	case awaitFields:
		resp.Fields = r.head.resumeFields(resp.Fields)
	}
	fields, done, err := r.head.parseFields(buf, resp.Fields)
	resp.Fields = fields
	if err != nil {
		kind := ErrBadResponseField
		if err == ErrHeaderTooLarge || err == ErrTooManyFields {
			kind = ErrResponseHeaderTooLarge
		}
		return 0, r.fail(asResponseFault(kind, err))
	}
	if !done {
		r.head.keepSpans()
		return 0, nil
	}
	if err := r.decideFraming(); err != nil {
		return 0, r.fail(err)
	}
	return r.fill(buf, resp), nil
}

// Body reads the body of the final response whose head Parse returned,
// from the front of buf: buf starts where the head ended, or where the
// bytes consumed by the previous call ended. It returns the next run of
// body data, a slice of buf (possibly empty), and n, how many bytes of buf
// are consumed: the data and, for a chunked body, the framing around it.
// The caller relays the data (or, to pass a chunked body on as it came,
// buf[:n]), drops buf[:n], and calls again with what follows until Done.
// A chunked body's error is ErrBadResponseChunk wrapping the fault. When
// no body is being read, Body returns nothing.
//
// A body that ends with the connection (UntilCloseBody) is all of buf,
// every time; its end is the upstream's close, which the caller reports
// with Closed.
func (r *ResponseParser) Body(buf []byte) (data []byte, n int, err error) {
	switch r.stage {
	case responseFailed:
		return nil, 0, r.err
	case readingBody:
	default:
		return nil, 0, nil
	}
	switch r.framing {
	case LengthBody:
		take := len(buf)
		if int64(take) > r.remaining {
			take = int(r.remaining)
		}
		r.remaining -= int64(take)
		if r.remaining == 0 {
			r.stage = awaitNothing
		}
		return buf[:take], take, nil
	case ChunkedBody:
		data, n, err = r.chunks.Next(buf)
		if err != nil {
			return nil, 0, r.fail(asResponseFault(ErrBadResponseChunk, err))
		}
		if r.chunks.Done() {
			r.stage = awaitNothing
		}
		return data, n, nil
	}
	return buf, len(buf), nil
}

// Trailers returns the trailer field lines of a chunked body, each with
// its CRLF, that the last call to Body consumed, as a slice of the buf
// given to it (ChunkedDecoder.Trailers); nil for none or another framing.
func (r *ResponseParser) Trailers(buf []byte) []byte {
	if r.framing != ChunkedBody {
		return nil
	}
	return r.chunks.Trailers(buf)
}

// Closed tells the parser that the upstream closed the connection (or
// reset it) after every byte it sent was given to Parse or Body. It
// returns nil if that ended nothing or ended a body framed by the close;
// ErrResponseMissing if the due response had not begun; and
// ErrResponseTruncated if a head or a declared body was cut short.
func (r *ResponseParser) Closed() error {
	switch r.stage {
	case awaitNothing:
		return nil
	case responseFailed:
		return r.err
	case readingBody:
		if r.framing == UntilCloseBody {
			r.stage = awaitNothing
			return nil
		}
	case awaitStatusLine:
		if !r.started {
			return r.fail(ErrResponseMissing)
		}
	}
	return r.fail(ErrResponseTruncated)
}

// parseStatusLine finds and checks the status line (RFC 9112 §4):
//
//	status-line   = HTTP-version SP status-code SP [ reason-phrase ]
//	status-code   = 3DIGIT
//	reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
//
// It refuses bytes that cannot begin "HTTP/" as soon as they arrive, so
// that an upstream speaking another protocol is answered 502 at once
// rather than after a timeout; the verdict is the same whole or split.
func (r *ResponseParser) parseStatusLine(buf []byte) (bool, error) {
	p := &r.head
	i := bytes.IndexByte(buf[p.scan:], '\n')
	if i < 0 {
		p.scan = len(buf)
		if !maybeHTTPName(buf) || len(buf) > MaxStatusLineBytes {
			return false, ErrBadStatusLine
		}
		return false, nil
	}
	lf := p.scan + i
	if !maybeHTTPName(buf[:lf]) || lf > MaxStatusLineBytes {
		return false, ErrBadStatusLine
	}
	if lf == 0 || buf[lf-1] != '\r' {
		return false, asResponseFault(ErrBadStatusLine, ErrBareLF)
	}
	if err := r.checkStatusLine(buf[:lf-1]); err != nil {
		return false, err
	}
	p.lineStart, p.scan = lf+1, lf+1
	p.h.fieldsStart = lf + 1
	return true, nil
}

// maybeHTTPName reports whether b could be the start of a status line:
// its first bytes, up to five, are those of "HTTP/".
func maybeHTTPName(b []byte) bool {
	const name = "HTTP/"
	n := min(len(b), len(name))
	return string(b[:n]) == name[:n]
}

// checkStatusLine checks line, the status line without its CRLF, and
// records its parts: the version first (malformed is ErrBadStatusLine, a
// major other than 1 ErrResponseVersion), then the status (three digits,
// 100 to 599 as RFC 9110 §15 requires; 101 is ErrSwitchingProtocols), then
// the reason (no control byte but HTAB: a CR or NUL there is how a
// response is split).
func (r *ResponseParser) checkStatusLine(line []byte) error {
	const codeAt = len("HTTP/1.1 ")
	if len(line) < codeAt || line[codeAt-1] != ' ' {
		return ErrBadStatusLine
	}
	ver, err := version.Parse(line[:codeAt-1])
	switch {
	case err != nil:
		return ErrBadStatusLine
	case ver.Major != 1:
		return ErrResponseVersion
	case len(line) < codeAt+4 || line[codeAt+3] != ' ':
		return ErrBadStatusLine
	}
	code := line[codeAt : codeAt+3]
	if !isDigit(code[0]) || !isDigit(code[1]) || !isDigit(code[2]) {
		return ErrBadStatusLine
	}
	status := httperrors.Status(int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0'))
	switch {
	case status < 100 || status > 599:
		return ErrBadStatusLine
	case status == statusSwitchingProtocols:
		return ErrSwitchingProtocols
	}
	if !isFieldValue(line[codeAt+4:]) {
		return ErrBadStatusLine
	}
	// A status line is always at the front of the buf given to Parse.
	r.version, r.status = ver, status
	r.reasonStart, r.reasonEnd = codeAt+4, len(line)
	return nil
}

// decideFraming judges the framing fields of the complete head and
// chooses how the body ends (RFC 9112 §6.3): no body for a 1xx, 204 or 304
// or the answer to HEAD; else chunked; else Content-Length; else the
// connection's close. The fields are judged whatever the status: a head
// whose Content-Length and Transfer-Encoding disagree is refused even
// where no body follows, since it shows the upstream's framing cannot be
// trusted.
func (r *ResponseParser) decideFraming() error {
	f := &r.head.h.framing
	if err := f.bodyVerdict(r.version); err != nil {
		return asResponseFault(ErrBadResponseFraming, err)
	}
	switch {
	case r.status < 200 || r.status == httperrors.StatusNoContent ||
		r.status == httperrors.StatusNotModified || r.toHEAD:
		r.framing = NoBody
	case f.chunked:
		r.framing = ChunkedBody
	case f.lengths > 0:
		r.framing, r.remaining = LengthBody, f.contentLength
	default:
		r.framing = UntilCloseBody
	}
	return nil
}

// fill fills resp from the complete head at the front of buf, moves on to
// what follows it (the final response after an interim one, the body, or
// nothing), and returns the head's length.
func (r *ResponseParser) fill(buf []byte, resp *Response) int {
	h := &r.head.h
	f := &h.framing
	r.head.pointFields(buf, resp.Fields)
	resp.Version = r.version
	resp.Status = r.status
	resp.Reason = buf[r.reasonStart:r.reasonEnd:r.reasonEnd]
	resp.ContentLength = -1
	if f.lengths > 0 {
		resp.ContentLength = f.contentLength
	}
	resp.Framing = r.framing
	resp.KeepAlive = f.keepAlive(r.version) && r.framing != UntilCloseBody
	resp.HeadLen = h.end
	n := h.end
	switch {
	case r.status < 200:
		r.stage = awaitStatusLine
	case r.framing == ChunkedBody:
		r.chunks.Reset()
		r.stage = readingBody
	case r.framing == UntilCloseBody, r.framing == LengthBody && r.remaining > 0:
		r.stage = readingBody
	default:
		r.stage = awaitNothing
	}
	r.head.resetHead()
	return n
}

// fail records err so that later calls return it too.
func (r *ResponseParser) fail(err error) error {
	r.stage, r.err = responseFailed, err
	return err
}
