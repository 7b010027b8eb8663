package fuzz

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/sentinels"
	"github.com/rawhttpd/rawhttpd/parser"
)

// designStatuses are the statuses the parser's status contract (its
// package doc) lets it answer.
var designStatuses = map[httperrors.Status]bool{
	400: true, 413: true, 414: true, 417: true, 431: true, 501: true, 505: true,
}

// smallConfig makes short inputs reach the limits.
var smallConfig = parser.Config{
	MaxTargetBytes: smallTarget,
	MaxHeaderBytes: smallHeader,
	MaxFields:      smallFields,
	MaxBodyBytes:   smallBody,
}

// maxStreamRequests bounds the pipelined requests parsed from one input.
const maxStreamRequests = 64

// requireParserError checks that err is one of the parser's sentinels,
// closes the connection, and carries a status from the parser's status
// contract.
func requireParserError(t *testing.T, err error) {
	t.Helper()
	var he *httperrors.Error
	require.True(t, errors.As(err, &he), "error %v is not an *httperrors.Error", err)
	known := false
	for _, s := range sentinels.Request() {
		known = known || s == he
	}
	require.True(t, known, "error %v is not a parser sentinel", err)
	require.True(t, he.Closes(), "error %v does not close", err)
	require.True(t, designStatuses[he.Status()], "status %d is not in the parser's status contract", he.Status())
}

// parseStream parses the pipelined requests of data as the engine would,
// and returns one line per complete request and a last line for how the
// stream ended (an error, or "incomplete"). The bytes arrive in steps
// taken from cuts (each byte a step of 1 to 256 bytes, cycled, scaled up
// for inputs over 1 KiB so that a split parse stays linear-ish); nil cuts
// means all at once. Every Parse gets a fresh copy of the pending bytes,
// as a connection whose buffer moved would. It checks each result's
// invariants as it goes.
func parseStream(t *testing.T, cfg parser.Config, data []byte, cuts []byte) []string {
	t.Helper()
	p := parser.New(cfg)
	var req parser.Request
	var out []string
	step, scale := 0, len(data)/1024+1
	next := func(avail int) int {
		if len(cuts) == 0 {
			return len(data)
		}
		avail += (int(cuts[step%len(cuts)]) + 1) * scale
		step++
		return min(avail, len(data))
	}
	consumed, avail := 0, next(0)
	for len(out) < maxStreamRequests {
		buf := append([]byte(nil), data[consumed:avail]...)
		n, err := p.Parse(buf, &req)
		switch {
		case err != nil:
			require.Zero(t, n)
			requireParserError(t, err)
			return append(out, "error: "+err.Error())
		case n > 0:
			require.LessOrEqual(t, n, len(buf), "consumed past the input")
			checkRequest(t, cfg, &req, n)
			out = append(out, describe(&req, n))
			consumed += n
		case avail == len(data):
			return append(out, fmt.Sprintf("incomplete, head done %v", p.HeadDone()))
		default:
			avail = next(avail)
		}
	}
	return out
}

// checkRequest checks what a complete request of n bytes must satisfy.
func checkRequest(t *testing.T, cfg parser.Config, req *parser.Request, n int) {
	t.Helper()
	require.NotEmpty(t, req.Method)
	require.NotEmpty(t, req.Target)
	require.Equal(t, 1, int(req.Version.Major))
	require.LessOrEqual(t, req.HeadLen, n)
	require.LessOrEqual(t, len(req.Body), n-req.HeadLen)
	if cfg.MaxFields > 0 {
		require.LessOrEqual(t, len(req.Fields), cfg.MaxFields)
	}
	if cfg.MaxBodyBytes > 0 {
		require.LessOrEqual(t, int64(len(req.Body)), cfg.MaxBodyBytes)
	}
	if req.Chunked {
		require.EqualValues(t, -1, req.ContentLength)
	} else {
		require.Equal(t, n, req.HeadLen+len(req.Body))
		require.Equal(t, max(req.ContentLength, 0), int64(len(req.Body)))
	}
}

// describe renders everything Parse reports about a request, so two
// parses can be compared as strings.
func describe(req *parser.Request, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "n=%d %q %q %d.%d host=%q/%v cl=%d chunked=%v keepalive=%v expect100=%v head=%d body=%q fields:",
		n, req.Method, req.Target, req.Version.Major, req.Version.Minor, req.Host, req.Host == nil,
		req.ContentLength, req.Chunked, req.KeepAlive, req.Expect100, req.HeadLen, req.Body)
	for _, f := range req.Fields {
		fmt.Fprintf(&b, " %q=%q", f.Name, f.Value)
	}
	return b.String()
}

// FuzzParse checks that parsing never panics, never consumes past its
// input, refuses only with a parser sentinel whose status is in the
// parser's status contract, and gives the same answer twice, under the default
// limits and under small ones.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, cfg := range []parser.Config{{}, smallConfig} {
			first := parseStream(t, cfg, data, nil)
			require.Equal(t, first, parseStream(t, cfg, data, nil), "not deterministic")
		}
	})
}

// FuzzParseSplit checks that input arriving in pieces, split where the
// fuzzer chooses, parses to the same requests and the same final verdict
// as the whole input.
func FuzzParseSplit(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, cuts []byte) {
		if len(cuts) == 0 {
			cuts = []byte{0}
		}
		for _, cfg := range []parser.Config{{}, smallConfig} {
			whole := parseStream(t, cfg, data, nil)
			split := parseStream(t, cfg, data, cuts)
			require.Equal(t, whole, split, "split at steps %v", cuts)
		}
	})
}
