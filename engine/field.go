package engine

import (
	"bytes"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/ascii"
	"github.com/rawhttpd/rawhttpd/internal/render"
	"github.com/rawhttpd/rawhttpd/parser"
)

// Field is a response header field checked and rendered once, for a
// handler that sends the same field on many responses: adding it is one
// append, where SetHeader checks the name and value on every call.
type Field struct {
	line []byte // "Name: value\r\n"
	kind fieldKind
}

// fieldKind marks the fields the engine must know about when they are set.
type fieldKind uint8

const (
	fieldPlain fieldKind = iota
	fieldServer
	fieldConnectionClose
)

// classifyField checks a response field a handler sets, for SetHeader and
// NewField alike: the name must be a token and the value free of control
// bytes (ErrInvalidHeader); the framing fields and Date are the engine's
// to write, and Connection may only say close (ErrReservedHeader).
func classifyField(name, value string) (fieldKind, error) {
	if !parser.ValidFieldName(name) || !parser.ValidFieldValue(value) {
		return fieldPlain, ErrInvalidHeader
	}
	switch {
	case ascii.EqualFold(name, "Content-Length"), ascii.EqualFold(name, "Transfer-Encoding"), ascii.EqualFold(name, "Date"):
		return fieldPlain, ErrReservedHeader
	case ascii.EqualFold(name, "Connection"):
		if !ascii.EqualFold(value, "close") {
			return fieldPlain, ErrReservedHeader
		}
		return fieldConnectionClose, nil
	case ascii.EqualFold(name, "Server"):
		return fieldServer, nil
	}
	return fieldPlain, nil
}

// noteField records what a field of kind tells the engine, and reports
// whether the field is consumed rather than written (Connection: close,
// which the engine writes itself).
func (c *Context) noteField(kind fieldKind) (consumed bool) {
	switch kind {
	case fieldConnectionClose:
		c.closeAfter = true
		return true
	case fieldServer:
		c.serverSet = true
	}
	return false
}

// NewField checks name and value as SetHeader does and renders the field.
func NewField(name, value string) (Field, error) {
	kind, err := classifyField(name, value)
	if err != nil {
		return Field{}, err
	}
	if kind == fieldConnectionClose {
		return Field{kind: kind}, nil
	}
	line := make([]byte, 0, len(name)+len(value)+4)
	line = append(line, name...)
	line = append(line, ':', ' ')
	line = append(line, value...)
	line = append(line, '\r', '\n')
	return Field{line: line, kind: kind}, nil
}

// MustField is NewField for fields known to be valid at init time; it
// panics on an invalid one, a programmer error.
func MustField(name, value string) Field {
	f, err := NewField(name, value)
	if err != nil {
		panic("engine: MustField(" + name + "): " + err.(*httperrors.Error).Detail())
	}
	return f
}

// AddField adds a field made by NewField to the response.
func (c *Context) AddField(f Field) {
	if !c.noteField(f.kind) {
		c.fields = append(c.fields, f.line...)
	}
}

// errorFields returns the fields the handler set that the response to its
// error e keeps: a middleware's (a request ID, CORS, Set-Cookie) survive,
// while the Content-* fields, which describe the body the error replaces,
// are dropped, as is a Retry-After when e brings its own and an
// X-Content-Type-Options the text entity carries itself. It filters the
// Context's lines in place: they are not used after.
func (c *Context) errorFields(e *httperrors.Error, format render.Format) []byte {
	b := c.fields
	kept := 0
	for i := 0; i < len(b); {
		end := i + bytes.IndexByte(b[i:], '\n') + 1 // values hold no LF
		line := b[i:end]
		name := line[:bytes.IndexByte(line, ':')]
		drop := len(name) > 8 && ascii.EqualFold(name[:8], "Content-") ||
			e.RetryAfter() > 0 && ascii.EqualFold(name, "Retry-After") ||
			format == render.FormatText && ascii.EqualFold(name, "X-Content-Type-Options")
		if !drop {
			kept += copy(b[kept:], line)
		}
		i = end
	}
	c.fields = b[:kept]
	return c.fields
}

// errorServer is the Server field an error response carries: none when
// the handler set its own, which the kept fields then hold.
func (c *Context) errorServer(configured string) string {
	if c.serverSet {
		return ""
	}
	return configured
}
