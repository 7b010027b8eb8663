package parser

import "bytes"

// parseFields finds and checks the field lines of the header section (RFC
// 9112 §2.1 and §5):
//
//	*( field-line CRLF ) CRLF
//
// resuming at p.lineStart, and appends them to fields, which it returns
// (a local slice, not req.Fields, so the loop keeps it in registers). It
// reports done
// once the empty line has been read; p.h.end is then the end of the head.
// The limits are checked as the bytes arrive: a section that has passed
// MaxHeaderBytes is refused even if its line has not ended yet.
//
// A line seen for the first time takes scanFieldLine, one pass that finds
// its end while it checks it. Anything that pass does not accept (the empty
// line, a malformed line, a line not yet complete) takes the general path:
// find the LF with bytes.IndexByte, resuming where the last search stopped,
// then check the line with checkFieldLine, which names the fault.
func (p *Parser) parseFields(buf []byte, fields []Field) ([]Field, bool, error) {
	h := &p.h
	limit := h.fieldsStart + p.cfg.MaxHeaderBytes // offset the section may not pass
	for {
		ls := p.lineStart
		var s fieldSpan
		lf, ok := 0, false
		if p.scan == ls {
			// The empty line that ends the head, met whole. scanFieldLine
			// would decline it, and the general path would reach this
			// same verdict only after a call to bytes.IndexByte; every
			// request ends this way.
			if ls+1 < len(buf) && buf[ls] == '\r' && buf[ls+1] == '\n' {
				p.lineStart, p.scan = ls+2, ls+2
				h.end = ls + 2
				return fields, true, nil
			}
			s, lf, ok = scanFieldLine(buf, ls)
		}
		if !ok {
			i := bytes.IndexByte(buf[p.scan:], '\n')
			if i < 0 {
				p.scan = len(buf)
				// The pending line will end with at least an LF; only the
				// empty line, a lone CR so far, does not count.
				if len(buf)+1 > limit && len(buf)-ls > 1 {
					return fields, false, ErrHeaderTooLarge
				}
				return fields, false, nil
			}
			lf = p.scan + i
			// The early verdict above would have fired on this line had it
			// arrived in pieces; give it here too, before the line's syntax.
			if lf+1 > limit && lf-ls > 1 {
				return fields, false, ErrHeaderTooLarge
			}
			if lf == ls || buf[lf-1] != '\r' {
				return fields, false, ErrBareLF
			}
			if lf == ls+1 {
				p.lineStart, p.scan = lf+1, lf+1
				h.end = lf + 1
				return fields, true, nil
			}
			if err := p.checkFieldLimits(lf, limit, len(fields)); err != nil {
				return fields, false, err
			}
			var err error
			if s, err = checkFieldLine(buf[ls:lf-1], ls); err != nil {
				return fields, false, err
			}
		}
		if err := p.checkFieldLimits(lf, limit, len(fields)); err != nil {
			return fields, false, err
		}
		// Grow, then store the two slices in place: appending a Field
		// literal builds it on the stack and copies it with 16-byte moves
		// that stall on store forwarding (a sixth of the browser
		// benchmark's time).
		n := len(fields)
		if n < cap(fields) {
			fields = fields[:n+1]
		} else {
			fields = append(fields, Field{})
		}
		fields[n].Name = buf[s.nameStart:s.nameEnd:s.nameEnd]
		fields[n].Value = buf[s.valueStart:s.valueEnd:s.valueEnd]
		h.spans = append(h.spans, s)
		h.framing.note(buf, s)
		p.lineStart, p.scan = lf+1, lf+1
	}
}

// checkFieldLimits refuses a field line ending at lf when the section would
// pass limit or already holds MaxFields lines.
func (p *Parser) checkFieldLimits(lf, limit, fields int) error {
	if lf+1 > limit {
		return ErrHeaderTooLarge
	}
	if fields == p.cfg.MaxFields {
		return ErrTooManyFields
	}
	return nil
}

// scanFieldLine is the one-pass check of a well-formed field line starting
// at ls: a run of tchar, ":", OWS, then field-value bytes up to CRLF,
// found word by word with indexControl (the CR is the first control byte
// of a good value; an HTAB is skipped). It reports ok with the line's span
// and the offset of its LF, or false, leaving the verdict to the general
// path, for any other line.
func scanFieldLine(buf []byte, ls int) (s fieldSpan, lf int, ok bool) {
	i := ls
	for i+4 <= len(buf) && tcharTable[buf[i]] && tcharTable[buf[i+1]] &&
		tcharTable[buf[i+2]] && tcharTable[buf[i+3]] {
		i += 4
	}
	for i < len(buf) && tcharTable[buf[i]] {
		i++
	}
	if i == ls || i == len(buf) || buf[i] != ':' {
		return s, 0, false
	}
	s.nameStart, s.nameEnd = ls, i
	for i++; i < len(buf) && isOWS(buf[i]); i++ {
	}
	s.valueStart = i
	for {
		i = indexControl(buf, i)
		if i == len(buf) || buf[i] != '\t' {
			break
		}
		i++
	}
	if i+1 >= len(buf) || buf[i] != '\r' || buf[i+1] != '\n' {
		return s, 0, false
	}
	for s.valueEnd = i; s.valueEnd > s.valueStart && isOWS(buf[s.valueEnd-1]); s.valueEnd-- {
	}
	return s, i + 1, true
}

// checkFieldLine checks line, one field line without its CRLF found at
// offset base (RFC 9112 §5, RFC 9110 §5.1 and §5.5):
//
//	field-line  = field-name ":" OWS field-value OWS
//	field-name  = token
//	field-value = *field-content
//
// and returns where its name and its value without OWS lie. A line that
// starts with whitespace is obs-fold, refused (RFC 9112 §5.2 allows 400);
// whitespace before the colon is refused as RFC 9112 §5.1 requires.
func checkFieldLine(line []byte, base int) (fieldSpan, error) {
	if isOWS(line[0]) {
		return fieldSpan{}, ErrObsFold
	}
	colon := bytes.IndexByte(line, ':')
	switch {
	case colon < 0:
		return fieldSpan{}, ErrFieldNoColon
	case colon == 0:
		return fieldSpan{}, ErrEmptyFieldName
	case isOWS(line[colon-1]):
		return fieldSpan{}, ErrSpaceBeforeColon
	}
	for _, c := range line[:colon] {
		if !tcharTable[c] {
			return fieldSpan{}, ErrBadFieldName
		}
	}
	vs, ve := colon+1, len(line)
	for vs < ve && isOWS(line[vs]) {
		vs++
	}
	for ve > vs && isOWS(line[ve-1]) {
		ve--
	}
	if !isFieldValue(line[vs:ve]) {
		return fieldSpan{}, ErrBadFieldValue
	}
	return fieldSpan{nameStart: base, nameEnd: base + colon, valueStart: base + vs, valueEnd: base + ve}, nil
}
