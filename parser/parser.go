package parser

import (
	"github.com/rawhttpd/rawhttpd/version"
)

// stage is how far the parser has got into the request at hand.
type stage uint8

const (
	stageRequestLine stage = iota // looking for the end of the request line
	stageFields                   // looking for the end of the header section
	stageBody                     // head complete; waiting for a Content-Length body
	stageChunked                  // head complete; scanning a chunked body
	stageFailed                   // an error was returned; only Reset helps
)

// Parser reads requests from the front of a connection's buffered bytes. It
// keeps the offsets of what it has already checked, so a request that
// arrives in pieces is scanned once in total. One Parser serves one
// connection and one goroutine at a time. The zero value is ready to use
// with the default Config; New sets other limits.
type Parser struct {
	cfg   Config // limits with defaults filled in
	ready bool   // cfg has been set
	// generalOnly turns off the fast path for common request lines; tests
	// set it to compare the two paths.
	generalOnly bool
	stage       stage
	err         error // the error returned, while stage is stageFailed

	lineStart int // offset of the line being parsed
	scan      int // offset where the search for the line's LF resumes

	h      head
	chunks ChunkedDecoder
}

// head is what the parser has learned of the request at hand, as offsets
// into the buffer, so that it survives a buffer that is a fresh copy on the
// next call.
type head struct {
	empties     int // empty lines skipped before the request line
	start       int // offset of the request line
	methodEnd   int
	targetStart int
	targetEnd   int
	version     version.Version
	fieldsStart int         // offset of the first field line
	end         int         // offset just past the empty line ending the head
	spans       []fieldSpan // one per field line read; its array is kept by Reset
	kept        int         // spans[:kept] are the field lines read by earlier calls

	framing framing // what the field lines say about the body and connection
}

// fieldSpan locates one field line's name and trimmed value.
type fieldSpan struct {
	nameStart, nameEnd, valueStart, valueEnd int
}

// New returns a Parser with the limits of cfg (zero fields take their
// defaults).
func New(cfg Config) *Parser {
	p := &Parser{}
	p.configure(cfg)
	return p
}

// configure sets the limits of cfg (zero fields take their defaults) and resets
// the parser. Call it before the first Parse, not in the middle of a
// request.
func (p *Parser) configure(cfg Config) {
	p.cfg = cfg.withDefaults()
	p.ready = true
	p.chunks.MaxBodyBytes = p.cfg.MaxBodyBytes
	p.chunks.MaxTrailerBytes = p.cfg.MaxHeaderBytes
	p.chunks.MaxTrailerFields = p.cfg.MaxFields
	p.Reset()
}

// Reset forgets a partial request (and a returned error), so that the next
// Parse starts a new request at the front of its buffer. Parse resets by
// itself after a complete request; the engine calls Reset when it drops a
// connection's buffered bytes or reuses the Parser for another connection.
func (p *Parser) Reset() {
	p.resetHead()
	p.chunks.Reset()
}

// resetHead is Reset but for the chunked decoder, for the end of a
// request whose body was not chunked: only stageChunked uses the decoder,
// so it is still as the last Reset left it.
func (p *Parser) resetHead() {
	p.stage = stageRequestLine
	p.err = nil
	p.lineStart, p.scan = 0, 0
	p.h = head{spans: p.h.spans[:0]}
}

// HeadDone reports, after Parse asked for more bytes, whether the head (the
// request line and header section) is complete and accepted and the parser
// is waiting for the body. The engine uses it to send 100 (Continue) to a
// request with Expect100 and to switch from a header timeout to a body
// timeout. The Request passed to that Parse then holds the head, with Body
// nil.
func (p *Parser) HeadDone() bool {
	return p.stage == stageBody || p.stage == stageChunked
}

// Parse parses one whole request, head and body, at the front of buf.
//
// It returns n > 0 and a nil error when the request is complete: req holds
// it and buf[:n] are its bytes (empty lines skipped before it, its head and
// its body with any chunked framing); the next request starts at buf[n:],
// and the parser is ready for it.
//
// It returns 0 and a nil error when buf holds only part of a request. Call
// it again once more bytes have arrived, with a buf that starts with the
// same bytes; it may be a new copy. The parser resumes where it stopped and
// does not check those bytes again. HeadDone says whether the head is
// already complete.
//
// It returns an error, a sentinel of this package (an *httperrors.Error
// carrying the status to answer, closing the connection; compare with errors.Is),
// when the request must be refused. req.Fields then holds the field lines
// read before the fault, as slices of buf, however many calls read them. Decisions come as soon as the bytes
// allow: the version (505) and method (501) once the request line is
// complete, 414 and 431 once a limit is passed, 413 once a declared length
// is read. Later calls return the same error until Reset.
//
// Parse does not modify buf except at the end of a chunked request: once
// the last chunk and the trailer section have arrived, the chunk data is
// moved in place to the front of the body bytes and req.Body points there.
// While the chunked body is incomplete buf is only read.
//
// Life of a request: the request line is found with one LF search, checked
// whole (version first, then method, then target) and remembered as
// offsets. Each field line is checked in one pass that also finds its end
// (scanFieldLine; a line it does not accept goes through the general path,
// which names the fault), appended to req.Fields as slices of buf, and
// noted if it is one of the five fields that frame the message (recognised
// by length, then name). The empty line ends the head and the framing
// verdict (Host, Content-Length, Transfer-Encoding, Expect, body size) is
// given once. Then the body is awaited, a chunked one scanned as it grows
// and decoded in place when complete. Only when Parse must wait for more
// bytes are the field slices turned into offsets (keepSpans), so that the
// next call, whose buf may be a new copy, can point them at its own bytes.
func (p *Parser) Parse(buf []byte, req *Request) (n int, err error) {
	if !p.ready {
		p.configure(Config{})
	}
	switch p.stage {
	case stageFailed:
		return 0, p.err
	case stageRequestLine:
		req.Fields = req.Fields[:0]
	case stageFields, stageBody, stageChunked:
		req.Fields = p.resumeFields(req.Fields)
	}
	switch p.stage {
	case stageRequestLine:
		if done, err := p.parseRequestLine(buf); err != nil || !done {
			return 0, p.fail(buf, req, err)
		}
		p.stage = stageFields
		fallthrough
	case stageFields:
		fields, done, err := p.parseFields(buf, req.Fields)
		req.Fields = fields
		if err != nil {
			return 0, p.fail(buf, req, err)
		}
		if !done {
			p.keepSpans()
			return 0, nil
		}
		if err := p.h.framing.verdict(&p.h, p.cfg.MaxBodyBytes); err != nil {
			return 0, p.fail(buf, req, err)
		}
		p.stage = stageBody
		if p.h.framing.chunked {
			p.stage = stageChunked
		}
	}
	return p.parseBody(buf, req)
}

// parseBody waits for the body of a request whose head is complete.
func (p *Parser) parseBody(buf []byte, req *Request) (int, error) {
	h := &p.h
	if p.stage == stageChunked {
		m, err := p.chunks.Scan(buf[h.end:])
		if err != nil {
			return 0, p.fail(buf, req, err)
		}
		p.fillHead(buf, req)
		if m == 0 {
			p.keepSpans()
			return 0, nil
		}
		if body := p.chunks.Decode(buf[h.end : h.end+m]); len(body) > 0 {
			req.Body = body[:len(body):len(body)]
		}
		n := h.end + m
		p.Reset()
		return n, nil
	}
	n := h.end
	if cl := h.framing.contentLength; cl > 0 {
		if int64(len(buf)-h.end) < cl {
			p.fillHead(buf, req)
			p.keepSpans()
			return 0, nil
		}
		n += int(cl)
	}
	p.fillHead(buf, req)
	if n > h.end {
		req.Body = buf[h.end:n:n]
	}
	p.resetHead()
	return n, nil
}

// fillHead turns the remembered offsets into req's slices of buf.
func (p *Parser) fillHead(buf []byte, req *Request) {
	h := &p.h
	f := &h.framing
	p.pointFields(buf, req.Fields)
	// Field by field, every one of Request's: a struct literal is built
	// on the stack and then copied over *req, zeroing and moving the whole
	// struct once more per request.
	req.Method = buf[h.start:h.methodEnd:h.methodEnd]
	req.Target = buf[h.targetStart:h.targetEnd:h.targetEnd]
	req.Version = h.version
	req.Host = nil
	if f.hosts > 0 {
		req.Host = buf[f.hostStart:f.hostEnd:f.hostEnd]
	}
	req.ContentLength = -1
	if f.lengths > 0 {
		req.ContentLength = f.contentLength
	}
	req.Chunked = f.chunked
	req.KeepAlive = f.keepAlive(h.version)
	req.Expect100 = f.expect100 && h.version.AtLeast(1, 1)
	req.Body = nil
	req.HeadLen = h.end
}

// keepSpans notes, before Parse asks for more bytes, that every field line
// read so far was read by an earlier call: the next call, whose buffer may
// be a new copy, points their slices at its own bytes. The offsets are
// kept explicitly (parseFields records a span per line) because a Field's
// slices are capped at their own length, so that appending to one cannot
// overwrite the buffer after it.
func (p *Parser) keepSpans() {
	p.h.kept = len(p.h.spans)
}

// resumeFields returns fields made as long as the spans kept by earlier
// calls, whose entries fillHead will point into the current buffer. It
// matters only if the caller passes another Request than before.
func (p *Parser) resumeFields(fields []Field) []Field {
	n := p.h.kept
	if len(fields) == n {
		return fields
	}
	if cap(fields) < n {
		return make([]Field, n)
	}
	return fields[:n]
}

// pointFields points the entries of fields read by earlier calls at buf's
// copy of their bytes.
func (p *Parser) pointFields(buf []byte, fields []Field) {
	for i, s := range p.h.spans[:p.h.kept] {
		fields[i] = Field{Name: buf[s.nameStart:s.nameEnd:s.nameEnd], Value: buf[s.valueStart:s.valueEnd:s.valueEnd]}
	}
}

// fail records err, if any, so that later calls return it too. The field
// lines read by earlier calls are pointed at buf, since the buffer they
// were read from may be gone and the refusal is rendered from them (an
// Accept asking for application/problem+json).
func (p *Parser) fail(buf []byte, req *Request, err error) error {
	if err != nil {
		p.stage = stageFailed
		p.err = err
		p.pointFields(buf, req.Fields)
	}
	return err
}
