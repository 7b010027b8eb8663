package parser

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nextAll decodes in with ChunkedDecoder.Next, step bytes arriving at a
// time (0: all at once), each call given a fresh copy of the bytes not yet
// consumed. It returns the data, how many bytes were consumed in all, and
// the error, and whether the body ended.
func nextAll(in string, step int) (string, int, bool, error) {
	d := ChunkedDecoder{MaxBodyBytes: 1 << 20}
	var data strings.Builder
	pending, fed, consumed := []byte(nil), 0, 0
	for !d.Done() {
		buf := append([]byte(nil), pending...)
		run, n, err := d.Next(buf)
		if err != nil {
			return data.String(), consumed, false, err
		}
		if n < len(run) || n > len(buf) {
			panic("Next consumed less than its data or more than its input")
		}
		data.Write(run)
		pending, consumed = pending[n:], consumed+n
		if n > 0 {
			continue
		}
		if fed == len(in) {
			break
		}
		next := len(in)
		if step > 0 {
			next = min(fed+step, len(in))
		}
		pending, fed = append(pending, in[fed:next]...), next
	}
	return data.String(), consumed, d.Done(), nil
}

// Next decodes what Scan and Decode decode, and refuses what they refuse,
// whole or in pieces, consuming exactly the encoded body.
func TestChunkedDecoderNextAgreesWithScan(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "one chunk", in: "5\r\nhello\r\n0\r\n\r\n"},
		{name: "several chunks, extensions, trailers", in: "3;a\r\nabc\r\n1\r\nd\r\nA ; b=\"c\"\r\n0123456789\r\n0\r\nX: 1\r\n\r\n"},
		{name: "empty body", in: "0\r\n\r\n"},
		{name: "data holding CRLF", in: "4\r\n\r\n\r\n\r\n0\r\n\r\n"},
		{name: "bytes after the body", in: "1\r\nx\r\n0\r\n\r\nGARBAGE"},
		{name: "incomplete", in: "5\r\nhel"},
		{name: "bad size", in: "1\r\nx\r\nz\r\n"},
		{name: "missing CRLF", in: "3\r\nabcd\r\n0\r\n\r\n"},
		{name: "bare LF", in: "3\nabc\r\n0\r\n\r\n"},
		{name: "bad trailer", in: "0\r\nX : y\r\n\r\n"},
		{name: "size over the limit", in: "100001\r\n"},
		{name: "framing far beyond data", in: strings.Repeat("1;"+strings.Repeat("e", 4000)+"\r\nx\r\n", 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ChunkedDecoder{MaxBodyBytes: 1 << 20}
			buf := []byte(tt.in)
			n, scanErr := d.Scan(buf)
			want := ""
			if n > 0 {
				want = string(d.Decode(buf))
			}
			for _, step := range []int{0, 1, 2, 3, 7, 64} {
				data, consumed, done, err := nextAll(tt.in, step)
				require.Equal(t, scanErr, err, "step %d", step)
				if scanErr != nil {
					continue
				}
				require.Equal(t, n > 0, done, "step %d", step)
				if !done {
					assert.True(t, strings.HasPrefix("hello", data), "step %d: %q", step, data)
					continue
				}
				assert.Equal(t, want, data, "step %d", step)
				assert.Equal(t, n, consumed, "step %d", step)
			}
		})
	}
}

// Trailers hands on every trailer field line once, whole, however the body
// is split, and nothing of the chunk data or the framing.
func TestChunkedDecoderTrailersWholeAndSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "none", in: "3\r\nabc\r\n0\r\n\r\n", want: ""},
		{name: "one", in: "3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n", want: "X-Sum: 1\r\n"},
		{name: "two, after an extension", in: "1\r\nx\r\n0;e=1\r\nA: 1\r\nB:  two \r\n\r\n", want: "A: 1\r\nB:  two \r\n"},
		{name: "data that looks like a field", in: "6\r\nX: 1\r\n\r\n0\r\n\r\n", want: ""},
	}
	for _, tt := range tests {
		for step := 0; step <= len(tt.in); step++ {
			d := ChunkedDecoder{}
			var got strings.Builder
			pending, fed := []byte(nil), 0
			for !d.Done() {
				buf := append([]byte(nil), pending...)
				_, n, err := d.Next(buf)
				require.NoError(t, err, tt.name)
				got.Write(d.Trailers(buf))
				pending = pending[n:]
				if n > 0 {
					continue
				}
				next := len(tt.in)
				if step > 0 {
					next = min(fed+step, len(tt.in))
				}
				pending, fed = append(pending, tt.in[fed:next]...), next
			}
			assert.Equal(t, tt.want, got.String(), "%s, step %d", tt.name, step)
		}
	}
}
