package fuzz

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/sentinels"
	"github.com/rawhttpd/rawhttpd/parser"
)

// responseOutcome is how our response parser judged everything one
// upstream sent for one request, up to its close.
type responseOutcome struct {
	heads    []string // one line per head, interim ones included
	codings  []string // the Transfer-Encoding values of the last head
	body     []byte   // the final response's body data
	complete bool     // the final response was read whole
	end      int      // bytes consumed up to the end of the final response
	at       int      // bytes consumed when the refusal came
	err      error    // the refusal, or Closed's verdict; nil if complete
	leftover error    // the verdict on bytes after a complete response
}

// readResponseStream gives data, the bytes an upstream sent before it
// closed, to a parser that sent one request (HEAD if head is set), in
// steps taken from cuts (each byte a step of 1 to 256 bytes, cycled; nil
// means all at once), each call given a fresh copy of the bytes not yet
// consumed, as a connection whose buffer moved would. It reads heads and
// body until the final response is complete, then gives the parser what
// is left, and checks the invariants of each result as it goes.
func readResponseStream(t *testing.T, data []byte, head bool, cuts []byte) responseOutcome {
	t.Helper()
	p := parser.NewResponseParser(parser.Config{})
	p.Sent(head)
	var (
		out    responseOutcome
		resp   parser.Response
		inBody bool
		step   int
	)
	consumed, avail := 0, len(data)
	if len(cuts) > 0 {
		avail = 0
	}
	more := func() bool {
		if avail == len(data) {
			return false
		}
		if len(cuts) == 0 {
			avail = len(data)
		} else {
			avail = min(avail+int(cuts[step%len(cuts)])+1, len(data))
			step++
		}
		return true
	}
	for !out.complete {
		buf := append([]byte(nil), data[consumed:avail]...)
		var n int
		var err error
		if inBody {
			var run []byte
			run, n, err = p.Body(buf)
			require.LessOrEqual(t, len(run), n)
			out.body = append(out.body, run...)
		} else {
			n, err = p.Parse(buf, &resp)
			if n > 0 {
				require.Equal(t, n, resp.HeadLen)
				checkResponse(t, &resp, head)
				out.heads = append(out.heads, describeResponse(&resp))
				out.codings = out.codings[:0]
				for _, f := range resp.Fields {
					if strings.EqualFold(string(f.Name), "Transfer-Encoding") {
						out.codings = append(out.codings, string(f.Value))
					}
				}
			}
		}
		if err != nil {
			require.Zero(t, n)
			requireResponseError(t, err)
			out.err, out.at = err, consumed
			return out
		}
		require.LessOrEqual(t, n, len(buf), "consumed past the input")
		consumed += n
		switch {
		case p.Done():
			out.complete, out.end = true, consumed
		case n > 0 && !inBody:
			inBody = !resp.Interim()
		case n == 0 && !more():
			out.err, out.at = p.Closed(), consumed
			if out.err != nil {
				requireResponseError(t, out.err)
				return out
			}
			out.complete, out.end = true, consumed
		}
	}
	if resp.Framing == parser.LengthBody {
		require.EqualValues(t, resp.ContentLength, len(out.body))
	}
	// Whatever follows a complete response is no response of ours.
	_, out.leftover = p.Parse(append([]byte(nil), data[consumed:]...), &resp)
	if consumed < len(data) {
		require.ErrorIs(t, out.leftover, parser.ErrUnsolicitedResponse)
	}
	return out
}

// checkResponse checks what a parsed head must satisfy.
func checkResponse(t *testing.T, r *parser.Response, head bool) {
	t.Helper()
	require.Equal(t, 1, int(r.Version.Major))
	require.True(t, r.Status >= 100 && r.Status <= 599 && r.Status != 101, "status %d", r.Status)
	noBody := r.Interim() || r.Status == 204 || r.Status == 304 || head
	require.Equal(t, noBody, r.Framing == parser.NoBody, "framing %s", r.Framing)
	if r.Framing == parser.UntilCloseBody {
		require.False(t, r.KeepAlive)
	}
	// What a gateway copies to its client can split no response: no CR,
	// LF or NUL in the reason or a field, and field names are tokens.
	require.False(t, bytes.ContainsAny(r.Reason, "\r\n\x00"), "reason %q", r.Reason)
	for _, f := range r.Fields {
		require.True(t, parser.ValidFieldName(string(f.Name)), "field name %q", f.Name)
		require.True(t, parser.ValidFieldValue(string(f.Value)), "field value %q", f.Value)
	}
}

// describeResponse renders what Parse reports about a head.
func describeResponse(r *parser.Response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d.%d %d %q %s cl=%d keepalive=%v head=%d fields:",
		r.Version.Major, r.Version.Minor, r.Status, r.Reason, r.Framing, r.ContentLength, r.KeepAlive, r.HeadLen)
	for _, f := range r.Fields {
		fmt.Fprintf(&b, " %q=%q", f.Name, f.Value)
	}
	return b.String()
}

// requireResponseError checks that err is one of the response parser's
// sentinels (or a wrapped copy) and carries 502.
func requireResponseError(t *testing.T, err error) {
	t.Helper()
	known := false
	for _, s := range sentinels.Response() {
		known = known || errors.Is(err, s)
	}
	require.True(t, known, "error %v is not a response sentinel", err)
	require.Equal(t, httperrors.StatusBadGateway, httperrors.From(err).Status())
}

// readReference reads data as net/http's client does: http.ReadResponse,
// again while it returns an interim response (as its Transport does), then
// the whole body. It returns the final response, its body, how many bytes
// of data it consumed, and the first error.
func readReference(data []byte, head bool) (*http.Response, []byte, int, error) {
	r := bytes.NewReader(data)
	br := bufio.NewReader(r)
	req := &http.Request{Method: http.MethodGet}
	if head {
		req.Method = http.MethodHead
	}
	for {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return nil, nil, 0, err
		}
		if resp.StatusCode >= 200 || resp.StatusCode == 101 {
			body, err := io.ReadAll(resp.Body)
			return resp, body, len(data) - r.Len() - br.Buffered(), err
		}
	}
}

// strictStatusLine is RFC 9112 §4's status-line with the version this
// parser speaks and a status in 100-599 (RFC 9110 §15), written as a
// regular expression: an oracle apart from the parser's code.
var strictStatusLine = regexp.MustCompile(`^HTTP/1\.[0-9] [1-5][0-9][0-9] [\t\x20-\x7e\x80-\xff]*\r\n`)

// responseOursStricter lists, with the reason in fuzz/README.md, the
// request-side faults for which we refuse a response that net/http
// accepts, found as the cause of our refusal.
var responseOursStricter = []error{
	parser.ErrBareLF,                     // lines must end with CRLF
	parser.ErrObsFold,                    // obs-fold refused; textproto unfolds it
	parser.ErrSpaceBeforeColon,           // a TE.TE shape
	parser.ErrBadFieldName,               // field-name = token
	parser.ErrBadFieldValue,              // a bare CR or control byte in a value
	parser.ErrTransferEncodingWithLength, // net/http drops Content-Length
	parser.ErrTransferEncodingHTTP10,     // net/http ignores TE in HTTP/1.0
	parser.ErrMultipleContentLength,      // net/http merges equal values
	parser.ErrBadChunkExtension,          // we check chunk-ext's grammar
	parser.ErrChunkOverhead,              // our framing allowance differs
	parser.ErrHeaderTooLarge,             // our limits; ReadResponse has none
	parser.ErrTooManyFields,
	parser.ErrTrailerTooLarge,
	parser.ErrTooManyTrailerFields,
}

// oursStricterResponse reports whether our refusal err, which net/http
// did not share, is one of the divergences fuzz/README.md lists; rest is
// the input from where our parser stood when it refused.
func oursStricterResponse(rest []byte, err error) bool {
	switch {
	case isAny(err, responseOursStricter):
		return true
	case bytes.HasPrefix(rest, []byte("HTTP/1.0 ")) && isAny(err, transferCodingErrors):
		return true // net/http ignores Transfer-Encoding in HTTP/1.0, whatever it names
	case errors.Is(err, parser.ErrResponseVersion), errors.Is(err, parser.ErrSwitchingProtocols):
		return true // any HTTP/x.y and 101 are net/http's to handle
	case errors.Is(err, parser.ErrUnsolicitedResponse):
		return false // never before the final response is complete
	case errors.Is(err, parser.ErrBadStatusLine):
		// Only a status line outside RFC 9112's grammar, or past our
		// limit.
		lf := bytes.IndexByte(rest, '\n')
		return !strictStatusLine.Match(rest) || lf > parser.MaxStatusLineBytes
	}
	return false
}

// theirsStricterResponse reports whether net/http's refusal of a response
// we accept is one of the divergences fuzz/README.md lists.
func theirsStricterResponse(data []byte, ours responseOutcome, theirs error) bool {
	// A Transfer-Encoding list with empty elements: net/http takes only
	// one field line whose value is "chunked".
	if c := ours.codings; len(c) > 1 || len(c) == 1 && !strings.EqualFold(c[0], "chunked") {
		return true
	}
	// net/http's chunked reader has a stricter framing allowance, and
	// refuses whitespace before a chunk extension's ";" (BWS, RFC 9112
	// §7.1.1).
	return theirs.Error() == refTooMuchOverhead ||
		bytes.Contains(data, []byte(" ;")) || bytes.Contains(data, []byte("\t;"))
}

// FuzzResponse checks the response parser: no panic, nothing consumed
// past the input, refusals are 502 sentinels, the same answer twice,
// bytes after a complete response never accepted; and, against
// http.ReadResponse, the same verdict and, when both accept, the same
// status, body and end of the response (where a desync would show),
// apart from the divergences fuzz/README.md lists.
func FuzzResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		ours := readResponseStream(t, data, head, nil)
		require.Equal(t, ours, readResponseStream(t, data, head, nil), "not deterministic")

		theirs, body, end, err := readReference(data, head)
		switch {
		case ours.err != nil && err != nil:
		case ours.err != nil:
			require.True(t, oursStricterResponse(data[ours.at:], ours.err), "net/http accepts, we refuse: %v", ours.err)
		case err != nil:
			require.True(t, theirsStricterResponse(data, ours, err), "we accept, net/http refuses: %v", err)
		default:
			require.Contains(t, ours.heads[len(ours.heads)-1], fmt.Sprintf(" %d ", theirs.StatusCode))
			require.Equal(t, string(body), string(ours.body))
			require.Equal(t, end, ours.end, "the response ends elsewhere")
		}
	})
}

// FuzzResponseSplit checks that an upstream's bytes arriving in pieces,
// split where the fuzzer chooses, give the same heads, body, end and
// verdict as arriving whole: the parser's offsets survive every split
// and a fresh copy of the buffer each time.
func FuzzResponseSplit(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, head bool, cuts []byte) {
		if len(cuts) == 0 {
			cuts = []byte{0}
		}
		whole := readResponseStream(t, data, head, nil)
		split := readResponseStream(t, data, head, cuts)
		// Where a refusal came depends on the split: a body is consumed
		// as it arrives.
		whole.at, split.at = 0, 0
		require.Equal(t, whole, split, "split at steps %v", cuts)
	})
}
