package parser

// Byte classes, each a [256]bool built once at package initialisation from
// the RFC grammar quoted above it, so the hot loops index a table instead of
// branching on ranges.

// tcharTable holds the bytes of a token (RFC 9110 §5.6.2):
//
//	token = 1*tchar
//	tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//	        "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
var tcharTable = makeTable(func(c byte) bool {
	return isAlpha(c) || isDigit(c) || contains("!#$%&'*+-.^_`|~", c)
})

// fieldValueTable holds the bytes allowed in a field value (RFC 9110 §5.5):
//
//	field-value = *field-content
//	field-vchar = VCHAR / obs-text
//	obs-text    = %x80-FF
//
// plus SP and HTAB, which may appear between field-vchars. CR, LF, NUL and
// the other controls, and DEL, are refused.
var fieldValueTable = makeTable(func(c byte) bool {
	return c == '\t' || (c >= ' ' && c != 0x7f)
})

// targetTable holds the bytes allowed in a request-target: the visible
// US-ASCII characters (VCHAR, %x21-7E). RFC 3986's URI grammar is a subset
// of them; the finer grammar is left to whoever routes the path.
var targetTable = makeTable(func(c byte) bool {
	return c > ' ' && c < 0x7f
})

// quotedTextTable holds the bytes allowed unescaped in a quoted-string
// (RFC 9110 §5.6.4):
//
//	qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
var quotedTextTable = makeTable(func(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) ||
		(c >= 0x5d && c != 0x7f)
})

// notHex marks a byte of hexTable that is not a HEXDIG.
const notHex = 0xff

// hexTable maps a HEXDIG (RFC 5234: DIGIT / "A"-"F", case-insensitive) to
// its value and any other byte to notHex.
var hexTable = func() (t [256]byte) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = byte(c - '0')
		case c >= 'a' && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			t[c] = byte(c - 'A' + 10)
		default:
			t[c] = notHex
		}
	}
	return t
}()

func makeTable(in func(c byte) bool) (t [256]bool) {
	for c := range t {
		t[c] = in(byte(c))
	}
	return t
}

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func contains(set string, c byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

// isToken reports whether b is a non-empty token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tcharTable[c] {
			return false
		}
	}
	return true
}

// isOWS reports whether c is optional whitespace (RFC 9110 §5.6.3:
// OWS = *( SP / HTAB )).
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// trimOWS returns b without leading and trailing SP and HTAB.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && isOWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isOWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// equalLower reports whether b equals lower, a lower-case string of
// letters, digits and "-", ignoring ASCII case in b. It folds with b|0x20,
// which maps 'A'-'Z' onto 'a'-'z'; the only other bytes it maps onto a
// letter, a digit or "-" are controls (0x0d onto "-", 0x10-0x19 onto
// "0"-"9"), so the fold is exact for bytes already checked to be tchar or
// field-value bytes, which is every caller's case.
func equalLower(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// ValidFieldName reports whether name may be sent as a field name: a
// non-empty token (RFC 9110 §5.1). The engine checks the response fields
// handlers set with it, by the same table the parser reads requests with.
func ValidFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !tcharTable[name[i]] {
			return false
		}
	}
	return true
}

// ValidFieldValue reports whether value may be sent as a field value: no
// CR, LF, NUL or other control byte but HTAB, and no DEL (RFC 9110 §5.5).
func ValidFieldValue(value string) bool {
	for i := 0; i < len(value); i++ {
		if !fieldValueTable[value[i]] {
			return false
		}
	}
	return true
}
