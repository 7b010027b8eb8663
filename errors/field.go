package errors

import "github.com/rawhttpd/rawhttpd/internal/ascii"

// validFieldName reports whether name is a token (RFC 9110 §5.1).
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c < 0x80 && tokenPunct[c]:
		default:
			return false
		}
	}
	return true
}

// tokenPunct marks the punctuation a token may hold.
var tokenPunct = [128]bool{
	'!': true, '#': true, '$': true, '%': true, '&': true, '\'': true, '*': true,
	'+': true, '-': true, '.': true, '^': true, '_': true, '`': true, '|': true, '~': true,
}

// validFieldValue reports whether value holds no control character but the
// horizontal tab (RFC 9110 §5.5), so it can neither end the field early nor
// split the response.
func validFieldValue(value string) bool {
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// reservedField reports the fields the renderer writes itself.
func reservedField(name string) bool {
	for _, r := range [...]string{"Content-Type", "Content-Length", "Date", "Server", "Connection", "Retry-After", "Transfer-Encoding"} {
		if ascii.EqualFold(r, name) {
			return true
		}
	}
	return false
}
