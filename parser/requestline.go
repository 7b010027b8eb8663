package parser

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/rawhttpd/rawhttpd/version"
)

// maxEmptyLines bounds the empty lines skipped before a request line. RFC
// 9112 §2.2 asks a server to ignore at least one (some clients send a CRLF
// after a POST body); a handful more is tolerance, a stream of them is not
// a request.
const maxEmptyLines = 4

// requestLineSlack is how much longer than MaxTargetBytes a request line
// may grow: room for a long method, two spaces, the version and the CR. A
// longer line is refused, as soon as that many bytes have come without an
// LF, by overlongLine.
const requestLineSlack = 256

// schemeSep separates the scheme of an absolute-form target from its
// authority.
var schemeSep = []byte("://")

// parseRequestLine finds and checks the request line (RFC 9112 §3):
//
//	request-line = method SP request-target SP HTTP-version
//
// and, before it, skips empty lines (RFC 9112 §2.2). It reports done once
// the line has been accepted; p.lineStart is then the first field line.
// Bare LF line endings are refused (ErrBareLF), the strict choice RFC 9112
// §2.2 allows: a lenient reader next to a strict proxy is how requests are
// smuggled.
func (p *Parser) parseRequestLine(buf []byte) (bool, error) {
	for {
		ls := p.lineStart
		if p.scan == ls && !p.generalOnly && p.acceptCommonLine(buf, ls) {
			return true, nil
		}
		i := bytes.IndexByte(buf[p.scan:], '\n')
		if i < 0 {
			p.scan = len(buf)
			if limit := p.cfg.MaxTargetBytes + requestLineSlack; len(buf)-ls > limit {
				return false, p.overlongLine(buf[ls : ls+limit+1])
			}
			return false, nil
		}
		lf := p.scan + i
		// The same verdict, from the same bytes, as the early one above, so
		// that the answer does not depend on how the bytes were split.
		if limit := p.cfg.MaxTargetBytes + requestLineSlack; lf-ls > limit {
			return false, p.overlongLine(buf[ls : ls+limit+1])
		}
		if lf == ls || buf[lf-1] != '\r' {
			return false, ErrBareLF
		}
		p.lineStart, p.scan = lf+1, lf+1
		if lf == ls+1 {
			p.h.empties++
			if p.h.empties > maxEmptyLines {
				return false, ErrTooManyEmptyLines
			}
			continue
		}
		p.h.start = ls
		p.h.fieldsStart = lf + 1
		return true, p.checkRequestLine(buf[ls:lf-1], ls)
	}
}

// overlongLine names the fault of a request line too long to hold a
// target within the limit, from its first bytes (as many whatever the
// split, so the verdict is the same whole or in pieces), in the order the
// bytes come: a method that is not a token is 400; one not registered, or
// longer than those bytes, is 501 (RFC 9112 §3: a method longer than any
// implemented SHOULD be answered 501); a target that does not end within
// the limit is 414; anything else (a long version, extra spaces) is a
// malformed line, 400. The version, which would be checked first in a
// line of sane length, has not been read.
func (p *Parser) overlongLine(prefix []byte) error {
	m := bytes.IndexByte(prefix, ' ')
	method := prefix
	if m >= 0 {
		method = prefix[:m]
	}
	switch {
	case !isToken(method):
		return ErrMethodNotToken
	case m < 0 || !p.cfg.Methods.Known(method):
		return ErrMethodNotImplemented
	}
	if t := bytes.IndexByte(prefix[m+1:], ' '); t < 0 || t > p.cfg.MaxTargetBytes {
		return ErrTargetTooLong
	}
	return ErrBadRequestLine
}

// acceptCommonLine accepts, when it is complete, the most common request
// line whole:
//
//	"GET /" *( %x21-7E ) " HTTP/1.1" CRLF
//
// in one word-by-word pass over the target that stops at its first byte
// that is not visible ASCII, which must be the space before the version.
// This replaces the search for the LF and the check of the line, which
// read the target twice. Any other line, or this one not yet whole or with
// a target over the limit, is left to the general path, whose verdicts
// this path never contradicts: it accepts only lines that path accepts,
// with the same parts.
func (p *Parser) acceptCommonLine(buf []byte, ls int) bool {
	b := buf[ls:]
	if len(b) < len("GET / HTTP/1.1\r\n") || string(b[:5]) != "GET /" {
		return false
	}
	// The pass stops at the first byte that is not visible ASCII, at a
	// "%", whose escape the general path checks, or at a "#", which it
	// refuses: then the tail does not match and the line is left to it.
	i := 5
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := hasLess(x, '!') | hasMore(x, '~') | hasZero(x^('%'*lsb)) | hasZero(x^('#'*lsb)); m != 0 {
			// The lowest flagged byte is a true one (see swar.go).
			i += bits.TrailingZeros64(m) / 8
			break
		}
	}
	for i < len(b) && targetTable[b[i]] && b[i] != '%' && b[i] != '#' {
		i++
	}
	const tail = " HTTP/1.1\r\n"
	if len(b)-i < len(tail) || string(b[i:i+len(tail)]) != tail || i-4 > p.cfg.MaxTargetBytes {
		return false
	}
	h := &p.h
	h.start, h.methodEnd = ls, ls+3
	h.targetStart, h.targetEnd = ls+4, ls+i
	h.version = version.HTTP11
	lf := ls + i + len(tail) - 1
	h.fieldsStart = lf + 1
	p.lineStart, p.scan = lf+1, lf+1
	return true
}

// checkRequestLine checks line, the request line without its CRLF found at
// offset base, and records its parts. The order of the checks is the
// status contract's (package doc): the version first (400 if malformed, 505 if not
// 1.x), so an HTTP/2 preface is told which versions are spoken whatever
// its method; then the method (400 if not a token, 501 if unknown); then
// the target (414 if too long, 400 if malformed).
func (p *Parser) checkRequestLine(line []byte, base int) error {
	// GET is most requests; its method check is the prefix test itself.
	m := 3
	get := len(line) > 4 && line[0] == 'G' && line[1] == 'E' && line[2] == 'T' && line[3] == ' '
	if !get {
		if m = bytes.IndexByte(line, ' '); m < 0 {
			return ErrBadRequestLine
		}
	}
	// Most lines end in " HTTP/1.1": test those nine bytes where they must
	// lie instead of searching the line for its last space. "HTTP/1.1"
	// holds no space, so v is the last space either way.
	ver, v := version.HTTP11, len(line)-9
	if v <= m || string(line[v:]) != " HTTP/1.1" {
		if v = bytes.LastIndexByte(line, ' '); v == m {
			return ErrBadRequestLine
		}
		var err error
		if ver, err = parseVersion(line[v+1:]); err != nil {
			return err
		}
	}
	method := line[:m]
	if !get {
		if !isToken(method) {
			return ErrMethodNotToken
		}
		if !p.cfg.Methods.Known(method) {
			return ErrMethodNotImplemented
		}
	}
	target := line[m+1 : v]
	if err := p.checkTarget(method, target); err != nil {
		return err
	}
	h := &p.h
	h.methodEnd = base + m
	h.targetStart, h.targetEnd = base+m+1, base+v
	h.version = ver
	return nil
}

// parseVersion reads the HTTP-version (RFC 9112 §2.3), HTTP/1.1 first.
func parseVersion(b []byte) (version.Version, error) {
	if string(b) == "HTTP/1.1" {
		return version.HTTP11, nil
	}
	ver, err := version.Parse(b)
	if err != nil {
		return ver, ErrBadVersion
	}
	if !ver.Supported() {
		return ver, ErrVersionUnsupported
	}
	return ver, nil
}

// checkTarget checks the request-target against its four forms (RFC 9112
// §3.2):
//
//	request-target = origin-form / absolute-form / authority-form / asterisk-form
//	origin-form    = absolute-path [ "?" query ]
//	absolute-form  = absolute-URI
//	authority-form = uri-host ":" port   ; CONNECT only
//	asterisk-form  = "*"                 ; OPTIONS only
//
// Every byte must be a visible US-ASCII character and every "%" must
// begin a pct-encoded octet (RFC 3986 §2.1: "%" HEXDIG HEXDIG), so that
// no two readers can decode the target differently; finer URI syntax is
// left to the router. No form has room for a fragment: "#" is neither in
// a path nor in a query (RFC 3986 §3.3, §3.4), and absolute-URI is a URI
// without one (§4.3). A "#" is refused rather than cut off, since readers
// that cut it and readers that keep it would see different resources.
func (p *Parser) checkTarget(method, t []byte) error {
	if len(t) == 0 {
		return ErrEmptyTarget
	}
	if len(t) > p.cfg.MaxTargetBytes {
		return ErrTargetTooLong
	}
	if !isTarget(t) {
		return ErrBadTarget
	}
	if bytes.IndexByte(t, '#') >= 0 {
		return ErrFragmentInTarget
	}
	if !validPercents(t) {
		return ErrBadPercentEncoding
	}
	connect := string(method) == "CONNECT"
	switch {
	case connect:
		if !isAuthority(t) {
			return ErrConnectNeedsAuthority
		}
	case t[0] == '/':
	case len(t) == 1 && t[0] == '*':
		if string(method) != "OPTIONS" {
			return ErrAsteriskNotOptions
		}
	case !isAbsolute(t):
		return ErrAuthorityNotConnect
	case !hasHostAuthority(t):
		return ErrBadAuthority
	}
	return nil
}

// isAuthority reports whether t is authority-form, uri-host ":" port,
// with a port of at least one digit.
func isAuthority(t []byte) bool { return isHostPort(t, true) }

// validPercents reports whether every "%" in t is followed by two HEXDIG.
func validPercents(t []byte) bool {
	for i := bytes.IndexByte(t, '%'); i >= 0; {
		if i+2 >= len(t) || hexTable[t[i+1]] == notHex || hexTable[t[i+2]] == notHex {
			return false
		}
		j := bytes.IndexByte(t[i+3:], '%')
		if j < 0 {
			break
		}
		i += 3 + j
	}
	return true
}

// hasHostAuthority reports whether the authority of t, an absolute-form
// target — from "://" to the first "/" or "?" — is a host with an
// optional port (isHostPort): so not empty, not a port alone and without
// userinfo ("@").
func hasHostAuthority(t []byte) bool {
	a := t[bytes.Index(t, schemeSep)+len(schemeSep):]
	if i := bytes.IndexAny(a, "/?"); i >= 0 {
		a = a[:i]
	}
	return isHostPort(a, false)
}

// isAbsolute reports whether t starts like an absolute-URI with an
// authority (RFC 3986 §3.1):
//
//	scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
//
// followed by "://".
func isAbsolute(t []byte) bool {
	i := bytes.Index(t, schemeSep)
	if i <= 0 || !isAlpha(t[0]) {
		return false
	}
	for _, c := range t[1:i] {
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
