package parser

import "bytes"

// parseFields finds and checks the field lines of the header section (RFC
// 9112 §2.1 and §5):
//
//	*( field-line CRLF ) CRLF
//
// resuming at p.lineStart. It reports done once the empty line has been
// read; p.h.end is then the end of the head. The limits are checked as the
// bytes arrive: a section that has passed MaxHeaderBytes is refused even if
// its line has not ended yet.
func (p *Parser) parseFields(buf []byte) (bool, error) {
	h := &p.h
	limit := h.fieldsStart + p.cfg.MaxHeaderBytes // offset the section may not pass
	for {
		ls := p.lineStart
		i := bytes.IndexByte(buf[p.scan:], '\n')
		if i < 0 {
			p.scan = len(buf)
			// The pending line will end with at least an LF; only the
			// empty line, a lone CR so far, does not count.
			if len(buf)+1 > limit && len(buf)-ls > 1 {
				return false, ErrHeaderTooLarge
			}
			return false, nil
		}
		lf := p.scan + i
		if lf == ls || buf[lf-1] != '\r' {
			return false, ErrBareLF
		}
		p.lineStart, p.scan = lf+1, lf+1
		if lf == ls+1 {
			h.end = lf + 1
			return true, nil
		}
		if lf+1 > limit {
			return false, ErrHeaderTooLarge
		}
		if len(h.spans) == p.cfg.MaxFields {
			return false, ErrTooManyFields
		}
		s, err := checkFieldLine(buf[ls:lf-1], ls)
		if err != nil {
			return false, err
		}
		h.spans = append(h.spans, s)
		h.framing.note(buf, s)
	}
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
