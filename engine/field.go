package engine

import httperrors "github.com/rawhttpd/rawhttpd/errors"

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
	fieldContentType
	fieldConnectionClose
)

// NewField checks name and value as SetHeader does and renders the field.
func NewField(name, value string) (Field, error) {
	if !isToken(name) || !isFieldValue(value) {
		return Field{}, ErrInvalidHeader
	}
	kind := fieldPlain
	switch {
	case equalFold(name, "Content-Length"), equalFold(name, "Transfer-Encoding"), equalFold(name, "Date"):
		return Field{}, ErrReservedHeader
	case equalFold(name, "Connection"):
		if !equalFold(value, "close") {
			return Field{}, ErrReservedHeader
		}
		return Field{kind: fieldConnectionClose}, nil
	case equalFold(name, "Server"):
		kind = fieldServer
	case equalFold(name, "Content-Type"):
		kind = fieldContentType
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
		panic("engine: MustField(" + name + "): " + err.(*httperrors.Error).Detail)
	}
	return f
}

// AddField adds a field made by NewField to the response.
func (c *Context) AddField(f Field) {
	switch f.kind {
	case fieldConnectionClose:
		c.closeAfter = true
		return
	case fieldServer:
		c.serverSet = true
	case fieldContentType:
		c.contentType = true
	}
	c.fields = append(c.fields, f.line...)
}
