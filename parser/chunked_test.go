package parser

import (
	"bytes"
	"io"
	"net/http/httputil"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChunkedDecoder(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // decoded body
		err  error
	}{
		{name: "one chunk", in: "5\r\nhello\r\n0\r\n\r\n", want: "hello"},
		{name: "several chunks", in: "3\r\nabc\r\n1\r\nd\r\nA\r\n0123456789\r\n0\r\n\r\n", want: "abcd0123456789"},
		{name: "empty body", in: "0\r\n\r\n", want: ""},
		{name: "last chunk of zeros", in: "1\r\nx\r\n000\r\n\r\n", want: "x"},
		{name: "upper and lower hex", in: "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n", want: strings.Repeat("0123456789", 2)},
		{name: "extensions", in: "3;a\r\nabc\r\n2 ; b = c ;d=\"q\\\"x\"\r\nde\r\n0;last\r\n\r\n", want: "abcde"},
		{name: "whitespace before an extension", in: "3 ;a\r\nabc\r\n0\t;b\r\n\r\n", want: "abc"},
		{name: "size line at the bound with its LF", in: "1;" + strings.Repeat("a", maxChunkLineBytes-4) + "\r\nx\r\n0\r\n\r\n", want: "x"},
		{name: "trailers", in: "3\r\nabc\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n", want: "abc"},
		{name: "data holding CRLF", in: "4\r\n\r\n\r\n\r\n0\r\n\r\n", want: "\r\n\r\n"},
		{name: "bytes after the body are not read", in: "1\r\nx\r\n0\r\n\r\nGARBAGE", want: "x"},
		{name: "no size", in: "\r\nabc\r\n", err: ErrBadChunkSize},
		{name: "bad hex", in: "g\r\nabc\r\n", err: ErrBadChunkSize},
		{name: "negative", in: "-1\r\nabc\r\n", err: ErrBadChunkSize},
		{name: "size then garbage", in: "3x\r\nabc\r\n", err: ErrBadChunkExtension},
		// RFC 9112 §7.1.1: whitespace only where chunk-ext has BWS.
		{name: "space after size", in: "3 \r\nabc\r\n0\r\n\r\n", err: ErrSpaceAfterChunkSize},
		{name: "tab after size", in: "3\t\r\nabc\r\n0\r\n\r\n", err: ErrSpaceAfterChunkSize},
		{name: "space after the last chunk's size", in: "3\r\nabc\r\n0 \r\n\r\n", err: ErrSpaceAfterChunkSize},
		{name: "space then a word", in: "3 a\r\nabc\r\n", err: ErrBadChunkExtension},
		{name: "space after an extension name", in: "3;a \r\nabc\r\n", err: ErrBadChunkExtension},
		{name: "tab after an extension value", in: "3;a=b\t\r\nabc\r\n", err: ErrBadChunkExtension},
		{name: "space after a quoted value", in: "3;a=\"b\" \r\nabc\r\n", err: ErrBadChunkExtension},
		{name: "extension without name", in: "3;\r\nabc\r\n", err: ErrBadChunkExtension},
		{name: "extension with empty value", in: "3;a=\r\nabc\r\n", err: ErrBadChunkExtension},
		{name: "extension with open quote", in: "3;a=\"x\r\nabc\r\n", err: ErrBadChunkExtension},
		{name: "extension name not a token", in: "3;a@b\r\nabc\r\n", err: ErrBadChunkExtension},
		{name: "seventeen hex digits", in: "fffffffffffffffff\r\n", err: ErrChunkSizeOverflow},
		{name: "seventeen digits with leading zeros", in: "00000000000000001\r\n", err: ErrChunkSizeOverflow},
		{name: "past int64", in: "8000000000000000\r\n", err: ErrChunkSizeOverflow},
		{name: "size over the body limit", in: "7fffffffffffffff\r\n", err: ErrBodyTooLarge},
		{name: "data longer than size", in: "3\r\nabcd\r\n0\r\n\r\n", err: ErrMissingChunkCRLF},
		{name: "data shorter than size", in: "3\r\nab\r\n0\r\n\r\n", err: ErrMissingChunkCRLF},
		{name: "LF without CR after data", in: "3\r\nabc\n0\r\n\r\n", err: ErrMissingChunkCRLF},
		{name: "bare LF after size", in: "3\nabc\r\n0\r\n\r\n", err: ErrBareLF},
		{name: "bare LF after last chunk", in: "0\n\r\n", err: ErrBareLF},
		{name: "bare LF ends the trailers", in: "0\r\n\n", err: ErrBareLF},
		{name: "bad trailer", in: "0\r\nX : y\r\n\r\n", err: ErrSpaceBeforeColon},
		{name: "obs-fold trailer", in: "0\r\nX: y\r\n z\r\n\r\n", err: ErrObsFold},
		{name: "size line too long", in: "1;" + strings.Repeat("a", maxChunkLineBytes), err: ErrChunkLineTooLong},
		{name: "size line filling the bound without its LF", in: "1;" + strings.Repeat("a", maxChunkLineBytes-2), err: ErrChunkLineTooLong},
		{name: "size line one past the bound with its LF", in: "1;" + strings.Repeat("a", maxChunkLineBytes-3) + "\r\nx\r\n0\r\n\r\n", err: ErrChunkLineTooLong},
		{name: "framing far beyond data", in: strings.Repeat("1;"+strings.Repeat("e", 4000)+"\r\nx\r\n", 40), err: ErrChunkOverhead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d ChunkedDecoder
			buf := []byte(tt.in)
			n, err := d.Scan(buf)
			if tt.err != nil {
				requireStatus(t, tt.err, err)
				assert.Zero(t, n)
				return
			}
			require.NoError(t, err)
			require.Equal(t, len(tt.in)-len("GARBAGE")*strings.Count(tt.in, "GARBAGE"), n)
			assert.Equal(t, int64(len(tt.want)), d.Decoded())
			assert.Equal(t, tt.want, string(d.Decode(buf[:n])))
		})
	}
}

// TestChunkedDecoderEveryPrefix scans every prefix, each a fresh copy, and
// requires "need more" until the whole body, which must decode as at once;
// Scan must not write to the bytes.
func TestChunkedDecoderEveryPrefix(t *testing.T) {
	in := "3;a=b\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\n"
	var d ChunkedDecoder
	for i := 0; i < len(in); i++ {
		buf := []byte(in[:i])
		n, err := d.Scan(buf)
		require.NoError(t, err, "prefix %d", i)
		require.Zero(t, n, "prefix %d", i)
		require.Equal(t, in[:i], string(buf))
	}
	buf := []byte(in)
	n, err := d.Scan(buf)
	require.NoError(t, err)
	require.Equal(t, len(in), n)
	assert.Equal(t, "abc0123456789abcdef", string(d.Decode(buf)))
}

// TestChunkedDecoderAgreesWithNetHTTP decodes valid bodies with both
// decoders.
func TestChunkedDecoderAgreesWithNetHTTP(t *testing.T) {
	bodies := []string{
		"5\r\nhello\r\n0\r\n\r\n",
		"1\r\na\r\n2;x=y\r\nbc\r\n3\r\ndef\r\n0\r\n\r\n",
		"0\r\n\r\n",
	}
	for _, in := range bodies {
		want, err := io.ReadAll(httputil.NewChunkedReader(strings.NewReader(in)))
		require.NoError(t, err)
		var d ChunkedDecoder
		buf := []byte(in)
		n, err := d.Scan(buf)
		require.NoError(t, err)
		require.Equal(t, len(in), n)
		assert.True(t, bytes.Equal(want, d.Decode(buf)), in)
	}
}

// TestChunkedDecoderSpaceVerdictEveryCut feeds chunk lines with
// whitespace after the size in two pieces, cut at every byte, and
// requires the verdict of the whole line.
func TestChunkedDecoderSpaceVerdictEveryCut(t *testing.T) {
	tests := []struct {
		in  string
		err error
	}{
		{in: "5 \r\nhello\r\n0\r\n\r\n", err: ErrSpaceAfterChunkSize},
		{in: "5\t\r\nhello\r\n0\r\n\r\n", err: ErrSpaceAfterChunkSize},
		{in: "5;ext \r\nhello\r\n0\r\n\r\n", err: ErrBadChunkExtension},
		{in: "5;ext\r\nhello\r\n0\r\n\r\n"},
		{in: "5 ;ext\r\nhello\r\n0\r\n\r\n"},
	}
	for _, tt := range tests {
		for cut := 0; cut <= len(tt.in); cut++ {
			var d ChunkedDecoder
			_, err := d.Scan([]byte(tt.in[:cut]))
			if err == nil {
				_, err = d.Scan([]byte(tt.in))
			}
			if tt.err == nil {
				require.NoError(t, err, "%q cut at %d", tt.in, cut)
				continue
			}
			require.ErrorIs(t, err, tt.err, "%q cut at %d", tt.in, cut)
		}
	}
}

func TestChunkedDecoderDecodePanicsEarly(t *testing.T) {
	var d ChunkedDecoder
	_, err := d.Scan([]byte("5\r\nhel"))
	require.NoError(t, err)
	assert.Panics(t, func() { d.Decode([]byte("5\r\nhel")) })
}

func TestParseChunkLine(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{in: "0", want: 0},
		{in: "ff", want: 255},
		{in: "FF", want: 255},
		{in: "7fffffffffffffff", want: 1<<63 - 1},
		{in: "8000000000000000", err: ErrChunkSizeOverflow},
		{in: "ffffffffffffffff", err: ErrChunkSizeOverflow},
		{in: "10000000000000000", err: ErrChunkSizeOverflow},
		{in: "", err: ErrBadChunkSize},
		{in: ";x", err: ErrBadChunkSize},
		{in: "1;x=\"a b\"", want: 1},
		{in: "5;ext", want: 5},
		{in: "5 ;ext", want: 5},
		{in: "5\t; ext = v ; e2", want: 5},
		{in: "5 ", err: ErrSpaceAfterChunkSize},
		{in: "5\t", err: ErrSpaceAfterChunkSize},
		{in: "5 \t ", err: ErrSpaceAfterChunkSize},
		{in: "5;ext ", err: ErrBadChunkExtension},
		{in: "5 ;ext\t", err: ErrBadChunkExtension},
		{in: "5 5", err: ErrBadChunkExtension},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseChunkLine([]byte(tt.in))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
