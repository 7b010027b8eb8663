package fuzz

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http/httputil"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/parser"
)

// Divergences from httputil's chunked reader (fuzz/README.md says why):
// sentinels by which our decoder refuses a chunk section that httputil
// accepts.
var chunkedStricter = []error{
	parser.ErrBadChunkExtension,   // we check chunk-ext's grammar; httputil drops everything after ";"
	parser.ErrSpaceAfterChunkSize, // RFC 9112 §7.1.1: BWS only before ";"; httputil trims the line's end
	parser.ErrChunkOverhead,       // our framing allowance differs from httputil's
	parser.ErrBodyTooLarge,        // MaxBodyBytes
}

// Texts of httputil errors for inputs we accept, by design: its framing
// allowance is stricter than ours, and it refuses whitespace before ";",
// which RFC 9112 §7.1.1 allows (BWS).
const (
	refTooMuchOverhead = "chunked encoding contains too much non-data"
	refBadLengthByte   = "invalid byte in chunk length"
)

// scanWhole runs a fresh decoder over b and decodes it if complete.
func scanWhole(b []byte) (n int, body []byte, err error) {
	var d parser.ChunkedDecoder
	buf := append([]byte(nil), b...)
	n, err = d.Scan(buf)
	if n > 0 {
		body = d.Decode(buf)
		if int64(len(body)) != d.Decoded() {
			panic("decoded length differs from Decoded")
		}
	}
	return n, body, err
}

// scanSplit runs a fresh decoder over b arriving in steps of 1, 2, 3, ...
// bytes, each call with a fresh copy.
func scanSplit(b []byte) (n int, body []byte, err error) {
	var d parser.ChunkedDecoder
	for avail, step := 0, 1; ; step++ {
		avail = min(avail+step, len(b))
		buf := append([]byte(nil), b[:avail]...)
		n, err = d.Scan(buf)
		if n > 0 {
			return n, d.Decode(buf), nil
		}
		if err != nil || avail == len(b) {
			return n, nil, err
		}
	}
}

// readRef decodes b with httputil's chunked reader. It returns the data,
// how many bytes of b it consumed (the chunks and the last-chunk line; it
// leaves the trailer section to its caller), and the reader's error.
func readRef(b []byte) (body []byte, end int, err error) {
	r := bytes.NewReader(b)
	br := bufio.NewReader(r)
	body, err = io.ReadAll(httputil.NewChunkedReader(br))
	return body, len(b) - r.Len() - br.Buffered(), err
}

func isAny(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// FuzzChunked checks the chunked decoder: no panic; decoded length within
// the input; the same verdict however the input is split; and agreement
// with httputil.NewChunkedReader on the data of valid bodies and on which
// inputs are invalid, apart from the divergences listed above.
func FuzzChunked(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		n, body, err := scanWhole(data)
		require.LessOrEqual(t, n, len(data))
		require.LessOrEqual(t, len(body), n)
		if err != nil {
			require.Zero(t, n)
			requireParserError(t, err)
		}
		sn, sbody, serr := scanSplit(data)
		require.Equal(t, n, sn)
		require.Equal(t, body, sbody)
		require.Equal(t, err, serr)

		ref, refEnd, refErr := readRef(data)
		switch {
		case refErr == nil:
			// The chunks are valid and end at refEnd. Followed by an empty
			// trailer section they must decode to the same data.
			cn, cbody, cerr := scanWhole(append(data[:refEnd:refEnd], "\r\n"...))
			if cerr != nil {
				require.True(t, isAny(cerr, chunkedStricter), "httputil accepts the chunks, we refuse: %v", cerr)
				return
			}
			require.Equal(t, refEnd+2, cn)
			require.Equal(t, string(ref), string(cbody))
			if n > 0 {
				require.Equal(t, string(ref), string(body))
			}
		case errors.Is(refErr, io.ErrUnexpectedEOF):
			// Incomplete for httputil: we may wait or refuse early, never
			// accept.
			require.Zero(t, n, "httputil needs more bytes, we accepted")
		case refErr.Error() == refTooMuchOverhead,
			refErr.Error() == refBadLengthByte && (bytes.Contains(data, []byte(" ;")) || bytes.Contains(data, []byte("\t;"))):
		default:
			require.Error(t, err, "httputil refuses (%v), we do not", refErr)
		}
	})
}
