package parser

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFieldLineStatus(t *testing.T) {
	const line = "GET / HTTP/1.1\r\nHost: a\r\n"
	runStatusTable(t, Config{}, []statusRow{
		{name: "token name, plain value", raw: line + "X-A: b\r\n\r\n"},
		{name: "value with HTAB and SP inside", raw: line + "X: a\tb c\r\n\r\n"},
		{name: "value with obs-text", raw: line + "X: \x80\xff\r\n\r\n"},
		{name: "no whitespace after colon", raw: line + "X:y\r\n\r\n"},
		{name: "space before colon", raw: line + "X : y\r\n\r\n", want: ErrSpaceBeforeColon, status: 400},
		{name: "tab before colon", raw: line + "X\t: y\r\n\r\n", want: ErrSpaceBeforeColon, status: 400},
		{name: "obs-fold with SP", raw: line + "X: a\r\n b\r\n\r\n", want: ErrObsFold, status: 400},
		{name: "obs-fold with HTAB", raw: line + "X: a\r\n\tb\r\n\r\n", want: ErrObsFold, status: 400},
		{name: "whitespace before first field", raw: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", want: ErrObsFold, status: 400},
		{name: "name with slash", raw: line + "X/Y: z\r\n\r\n", want: ErrBadFieldName, status: 400},
		{name: "name with UTF-8", raw: line + "X\xc3\xa9: z\r\n\r\n", want: ErrBadFieldName, status: 400},
		{name: "empty name", raw: line + ": z\r\n\r\n", want: ErrEmptyFieldName, status: 400},
		{name: "no colon", raw: line + "XYZ\r\n\r\n", want: ErrFieldNoColon, status: 400},
		{name: "CR in value", raw: line + "X: a\rb\r\n\r\n", want: ErrBadFieldValue, status: 400},
		{name: "CR at end of value", raw: line + "X: a\r\r\n\r\n", want: ErrBadFieldValue, status: 400},
		{name: "NUL in value", raw: line + "X: a\x00b\r\n\r\n", want: ErrBadFieldValue, status: 400},
		{name: "NUL deep in a long value", raw: line + "X: " + strings.Repeat("a", 37) + "\x00b\r\n\r\n", want: ErrBadFieldValue, status: 400},
		{name: "DEL in value", raw: line + "X: a\x7fb\r\n\r\n", want: ErrBadFieldValue, status: 400},
		{name: "bare LF ends a field line", raw: line + "X: a\nY: b\r\n\r\n", want: ErrBareLF, status: 400},
		{name: "bare LF as the empty line", raw: line + "\n", want: ErrBareLF, status: 400},
	})
}

// TestFieldNameEveryByte puts each of the 256 byte values in a field name
// and requires the tchar table's verdict.
func TestFieldNameEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		raw := "GET / HTTP/1.1\r\nHost: a\r\nX" + string([]byte{byte(c)}) + "Y: v\r\n\r\n"
		_, _, err := mustParse(t, Config{}, raw)
		valid := strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0 ||
			('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		switch {
		case valid:
			assert.NoError(t, err, "byte %#x", c)
		case c == '\n':
			assert.ErrorIs(t, err, ErrBareLF, "byte %#x", c)
		case c == ':':
			assert.NoError(t, err, "byte %#x", c) // "X:Y: v" is name X, value "Y: v"
		default:
			assert.ErrorIs(t, err, ErrBadFieldName, "byte %#x", c)
		}
	}
}

// TestFieldValueEveryByte puts each byte value in the middle of a field
// value, and in a value long enough for the word-at-a-time check, at every
// position of a word.
func TestFieldValueEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		valid := c == '\t' || (c >= 0x20 && c != 0x7f)
		for pad := 0; pad < 9; pad++ {
			value := strings.Repeat("v", pad) + string([]byte{byte(c)}) + strings.Repeat("w", 9)
			raw := "GET / HTTP/1.1\r\nHost: a\r\nX: " + value + "\r\n\r\n"
			_, req, err := mustParse(t, Config{}, raw)
			switch {
			case valid:
				if assert.NoError(t, err, "byte %#x at %d", c, pad) {
					assert.Equal(t, strings.Trim(value, " \t"), string(req.Header("X")))
				}
			case c == '\n':
				assert.ErrorIs(t, err, ErrBareLF, "byte %#x at %d", c, pad)
			default:
				assert.ErrorIs(t, err, ErrBadFieldValue, "byte %#x at %d", c, pad)
			}
		}
	}
}
