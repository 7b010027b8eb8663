package parser

import (
	"bytes"
	"math"
)

// maxChunkLineBytes bounds a chunk size line with its extensions and its
// line end, as net/http's chunked reader does (the line must fit its 4 KiB
// buffer, LF included): extensions are skipped, so a long one is only a
// way to make the server buffer.
const maxChunkLineBytes = 4 << 10

// chunkOverheadAllowance is how many bytes of chunk framing (size lines and
// CRLFs) a body may spend beyond one byte of framing per byte of data.
// Without a bound, a body of one-byte chunks with long extensions makes the
// server buffer thousands of bytes per byte of content.
const chunkOverheadAllowance = 64 << 10

// chunkState is where a ChunkedDecoder is in the encoded body.
type chunkState uint8

const (
	chunkSize    chunkState = iota // looking for the end of a chunk size line
	chunkData                      // waiting for chunk data and its CRLF
	chunkTrailer                   // looking for the end of a trailer field line
	chunkDone                      // the empty line after the trailers has been read
)

// ChunkedDecoder reads a body sent with the chunked transfer coding (RFC
// 9112 §7.1):
//
//	chunked-body   = *chunk
//	                 last-chunk
//	                 trailer-section
//	                 CRLF
//	chunk          = chunk-size [ chunk-ext ] CRLF
//	                 chunk-data CRLF
//	chunk-size     = 1*HEXDIG
//	last-chunk     = 1*("0") [ chunk-ext ] CRLF
//	chunk-ext      = *( BWS ";" BWS chunk-ext-name
//	                    [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-name = token
//	chunk-ext-val  = token / quoted-string
//	trailer-section = *( field-line CRLF )
//
// in two steps, so that a body arriving in pieces is checked once and moved
// once: Scan validates the encoded bytes as they arrive, remembering how far
// it got and never writing to them; once Scan reports the body complete,
// Decode moves the chunk data to the front of the encoded bytes in one pass.
// Extensions are checked and skipped; trailer fields are checked like
// header fields and counted against the limits; a caller of Next that
// passes them on takes them with Trailers, and Parser drops them. Bare LF line
// endings are refused. Parser uses one per connection; it can be used on
// its own.
//
// The zero value is ready to use with the default limits.
type ChunkedDecoder struct {
	// MaxBodyBytes bounds the decoded body (ErrBodyTooLarge, 413). Zero
	// means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxTrailerBytes bounds the trailer section (ErrTrailerTooLarge,
	// 431). Zero means DefaultMaxHeaderBytes.
	MaxTrailerBytes int
	// MaxTrailerFields bounds the trailer field lines
	// (ErrTooManyTrailerFields, 431). Zero means DefaultMaxFields.
	MaxTrailerFields int

	state    chunkState
	pos      int   // offset of the line or chunk data being checked
	scan     int   // offset where the search for the line's LF resumes
	dataEnd  int   // in chunkData, the offset just past the chunk data
	decoded  int64 // chunk data bytes so far
	trailer  int   // offset of the trailer section
	trailers int   // trailer field lines so far
	end      int   // in chunkDone, the length of the encoded body
	base     int64 // bytes Next has handed back as consumed; offsets count from there
	// fieldsFrom and fieldsTo delimit the trailer field lines the last
	// call to Next checked, in the b given to it (Trailers).
	fieldsFrom, fieldsTo int
	err                  error // the error returned, if any
}

// Reset readies d for a new body, keeping its limits.
func (d *ChunkedDecoder) Reset() {
	*d = ChunkedDecoder{
		MaxBodyBytes:     d.MaxBodyBytes,
		MaxTrailerBytes:  d.MaxTrailerBytes,
		MaxTrailerFields: d.MaxTrailerFields,
	}
}

// Scan checks the encoded body at the front of b, resuming where the
// previous call stopped; b must start with the bytes given before (it may
// be a new copy). It returns the length of the encoded body, trailers and
// final CRLF included, once all of it is in b; 0 and a nil error if more
// bytes are needed; or a sentinel error (400, 413 or 431, all closing).
// Scan does not write to b. Bytes after the body are not looked at.
func (d *ChunkedDecoder) Scan(b []byte) (n int, err error) {
	if d.err != nil {
		return 0, d.err
	}
	for d.state != chunkDone {
		ok, err := d.step(b)
		if err != nil {
			d.err = err
			return 0, err
		}
		if !ok {
			return 0, nil
		}
	}
	return d.end, nil
}

// Next decodes a chunked body relayed as it arrives, a piece at a time,
// instead of waiting for all of it as Scan does: b starts where the bytes
// consumed by the previous call ended (the first call, at the start of the
// body). It returns the next run of chunk data, as a slice of b (empty when
// b holds only framing so far), and n, how many bytes of b are consumed:
// the framing checked before the data, and the data. The caller passes the
// data on, drops b[:n], and calls again with what follows. A partial chunk
// size or trailer line stays unconsumed until its LF arrives; chunk data
// is returned as far as it has come. Done reports the end of the body, its
// trailer section and final CRLF consumed. Errors are Scan's. Next does
// not write to b. A decoder uses Scan or Next for a body, not both.
func (d *ChunkedDecoder) Next(b []byte) (data []byte, n int, err error) {
	if d.err != nil {
		return nil, 0, d.err
	}
	d.fieldsFrom, d.fieldsTo = 0, 0
	for d.state != chunkDone {
		if d.state == chunkData && d.pos < d.dataEnd {
			// Chunk data, as far as it has come; in this state d.pos is
			// how far it has been handed on.
			end := min(len(b), d.dataEnd)
			if end == d.pos {
				return nil, d.consume(d.pos), nil
			}
			data = b[d.pos:end]
			d.pos = end
			return data, d.consume(end), nil
		}
		ok, err := d.step(b)
		if err != nil {
			d.err = err
			return nil, 0, err
		}
		if !ok {
			return nil, d.consume(d.pos), nil
		}
	}
	return nil, d.consume(d.end), nil
}

// Trailers returns the trailer field lines, each with its CRLF, that the
// last call to Next checked and consumed, as a slice of the b given to it;
// nil when it consumed none. They are checked like header field lines
// (no obs-fold, no bare CR or LF), so a caller splits each at its first
// colon. A relay that passes the trailer section on collects them after
// every call, for the section may arrive over several.
func (d *ChunkedDecoder) Trailers(b []byte) []byte {
	if d.fieldsTo == 0 {
		return nil
	}
	return b[d.fieldsFrom:d.fieldsTo:d.fieldsTo]
}

// Done reports whether Next has consumed the whole body.
func (d *ChunkedDecoder) Done() bool { return d.state == chunkDone }

// consume moves the decoder's offsets back by n bytes, which the caller of
// Next drops from the front of its buffer, and returns n.
func (d *ChunkedDecoder) consume(n int) int {
	d.pos -= n
	d.scan -= n
	d.dataEnd -= n
	d.trailer -= n
	d.end -= n
	d.base += int64(n)
	return n
}

// Decoded returns the number of chunk data bytes Scan has seen so far; once
// Scan reports the body complete, the length of the decoded body.
func (d *ChunkedDecoder) Decoded() int64 { return d.decoded }

// Decode moves the chunk data of b, an encoded body that Scan has just
// reported complete (b[:n], or longer), to the front of b, and returns it:
// b[:d.Decoded()]. It runs in one pass and overwrites the framing; it does
// not check again what Scan checked. It panics if Scan has not reported
// the body complete.
func (d *ChunkedDecoder) Decode(b []byte) []byte {
	if d.state != chunkDone {
		panic("parser: ChunkedDecoder.Decode before Scan reported the body complete")
	}
	r, w := 0, 0
	for {
		size := 0
		for ; hexTable[b[r]] != notHex; r++ {
			size = size<<4 | int(hexTable[b[r]])
		}
		r += bytes.IndexByte(b[r:], '\n') + 1
		if size == 0 {
			return b[:w]
		}
		w += copy(b[w:], b[r:r+size])
		r += size + 2
	}
}

// The scan steps below each check one line or one chunk's end. They report
// false with a nil error when b does not hold it yet.

// step checks what the state calls for next.
func (d *ChunkedDecoder) step(b []byte) (bool, error) {
	switch d.state {
	case chunkSize:
		return d.scanSizeLine(b)
	case chunkData:
		return d.scanDataEnd(b)
	case chunkTrailer:
		return d.scanTrailerLine(b)
	}
	return false, nil
}

// scanDataEnd checks the CRLF after chunk data, once it has arrived.
func (d *ChunkedDecoder) scanDataEnd(b []byte) (bool, error) {
	if len(b) < d.dataEnd+2 {
		if len(b) == d.dataEnd+1 && b[d.dataEnd] != '\r' {
			return false, ErrMissingChunkCRLF
		}
		return false, nil
	}
	if b[d.dataEnd] != '\r' || b[d.dataEnd+1] != '\n' {
		return false, ErrMissingChunkCRLF
	}
	d.state, d.pos, d.scan = chunkSize, d.dataEnd+2, d.dataEnd+2
	return true, nil
}

// scanSizeLine checks one chunk size line and moves on to the chunk data or
// the trailer section.
func (d *ChunkedDecoder) scanSizeLine(b []byte) (bool, error) {
	i := bytes.IndexByte(b[d.scan:], '\n')
	if i < 0 {
		d.scan = len(b)
		if len(b)-d.pos >= maxChunkLineBytes { // no room left for the LF
			return false, ErrChunkLineTooLong
		}
		return false, nil
	}
	lf := d.scan + i
	if lf-d.pos+1 > maxChunkLineBytes { // as above, however the bytes were split
		return false, ErrChunkLineTooLong
	}
	if lf == d.pos || b[lf-1] != '\r' {
		return false, ErrBareLF
	}
	size, err := parseChunkLine(b[d.pos : lf-1])
	if err != nil {
		return false, err
	}
	d.pos, d.scan = lf+1, lf+1
	if size == 0 {
		d.state, d.trailer = chunkTrailer, d.pos
		return true, nil
	}
	maxBody := d.MaxBodyBytes
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	if size > maxBody-d.decoded {
		return false, ErrBodyTooLarge
	}
	// Everything before d.pos that is not chunk data is framing.
	if framing := d.base + int64(d.pos) - d.decoded; framing > d.decoded+size+chunkOverheadAllowance {
		return false, ErrChunkOverhead
	}
	d.decoded += size
	d.state, d.dataEnd = chunkData, d.pos+int(size)
	return true, nil
}

// scanTrailerLine checks one trailer field line, or the empty line that
// ends the body.
func (d *ChunkedDecoder) scanTrailerLine(b []byte) (bool, error) {
	maxBytes, maxFields := d.MaxTrailerBytes, d.MaxTrailerFields
	if maxBytes <= 0 {
		maxBytes = DefaultMaxHeaderBytes
	}
	if maxFields <= 0 {
		maxFields = DefaultMaxFields
	}
	limit := d.trailer + maxBytes
	i := bytes.IndexByte(b[d.scan:], '\n')
	if i < 0 {
		d.scan = len(b)
		if len(b)+1 > limit && len(b)-d.pos > 1 {
			return false, ErrTrailerTooLarge
		}
		return false, nil
	}
	lf := d.scan + i
	if lf+1 > limit && lf-d.pos > 1 { // as above, however the bytes were split
		return false, ErrTrailerTooLarge
	}
	if lf == d.pos || b[lf-1] != '\r' {
		return false, ErrBareLF
	}
	if lf == d.pos+1 {
		d.state, d.end = chunkDone, lf+1
		return true, nil
	}
	if lf+1 > limit {
		return false, ErrTrailerTooLarge
	}
	if d.trailers == maxFields {
		return false, ErrTooManyTrailerFields
	}
	if _, err := checkFieldLine(b[d.pos:lf-1], d.pos); err != nil {
		return false, err
	}
	d.trailers++
	if d.fieldsTo == 0 {
		d.fieldsFrom = d.pos
	}
	d.fieldsTo = lf + 1
	d.pos, d.scan = lf+1, lf+1
	return true, nil
}

// parseChunkLine reads a chunk size line without its CRLF: the size in hex
// and any extensions. Like net/http's parseHexUint it refuses more than 16
// hex digits, leading zeros included; it also refuses sizes past an int64.
// Whitespace may follow the size only before a ";" (chunk-ext's BWS):
// "5 ;a" is a size and an extension, "5 " is neither, and is refused with
// its own explanation (net/http trims it, a reader beside it might not).
func parseChunkLine(line []byte) (int64, error) {
	var size uint64
	i := 0
	for ; i < len(line); i++ {
		v := hexTable[line[i]]
		if v == notHex {
			break
		}
		if i == 16 {
			return 0, ErrChunkSizeOverflow
		}
		size = size<<4 | uint64(v)
	}
	if i == 0 {
		return 0, ErrBadChunkSize
	}
	if size > math.MaxInt64 {
		return 0, ErrChunkSizeOverflow
	}
	ext := line[i:]
	if len(ext) > 0 && skipOWS(ext, 0) == len(ext) {
		return 0, ErrSpaceAfterChunkSize
	}
	if !isChunkExt(ext) {
		return 0, ErrBadChunkExtension
	}
	return int64(size), nil
}

// isChunkExt reports whether ext is a valid chunk-ext (see ChunkedDecoder).
// The grammar has whitespace (BWS) only before and after each ";" and
// "=": whitespace at the end of the line, after a name or a value, is
// not a chunk-ext.
func isChunkExt(ext []byte) bool {
	for i := 0; i < len(ext); {
		// BWS ";" BWS chunk-ext-name
		i = skipOWS(ext, i)
		if i == len(ext) || ext[i] != ';' {
			return false
		}
		i = skipOWS(ext, i+1)
		j := skipToken(ext, i)
		if j == i {
			return false
		}
		// [ BWS "=" BWS chunk-ext-val ]
		if k := skipOWS(ext, j); k < len(ext) && ext[k] == '=' {
			i = skipOWS(ext, k+1)
			if i < len(ext) && ext[i] == '"' {
				j = skipQuoted(ext, i)
			} else {
				j = skipToken(ext, i)
			}
			if j == i {
				return false
			}
		}
		i = j
	}
	return true
}

func skipOWS(b []byte, i int) int {
	for i < len(b) && isOWS(b[i]) {
		i++
	}
	return i
}

func skipToken(b []byte, i int) int {
	for i < len(b) && tcharTable[b[i]] {
		i++
	}
	return i
}

// skipQuoted returns the offset past the quoted-string at b[i] (RFC 9110
// §5.6.4), or i if there is none:
//
//	quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
//	quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
func skipQuoted(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1
		case c == '\\':
			if j+1 == len(b) || !fieldValueTable[b[j+1]] {
				return i
			}
			j++
		case !quotedTextTable[c]:
			return i
		}
	}
	return i
}
