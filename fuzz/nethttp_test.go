package fuzz

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/parser"
)

// verdict is how a parser judged the head of a request.
type verdict uint8

const (
	incomplete verdict = iota
	accepted
	refused
)

// headVerdict judges the head at the front of data with our parser: the
// bytes are given up to each LF in turn, so that the verdict is the head's
// and never the body's.
func headVerdict(data []byte) (verdict, *parser.Request, error) {
	p := parser.New(parser.Config{})
	req := &parser.Request{}
	for i, c := range data {
		if c != '\n' {
			continue
		}
		n, err := p.Parse(data[:i+1], req)
		switch {
		case err != nil:
			return refused, nil, err
		case n > 0 || p.HeadDone():
			return accepted, req, nil
		}
	}
	if _, err := p.Parse(data, req); err != nil {
		return refused, nil, err // a limit passed before the line ended
	}
	return incomplete, nil, nil
}

// oursStricter lists, with the reason in fuzz/README.md, the sentinels by
// which we refuse a head that http.ReadRequest accepts.
var oursStricter = []error{
	parser.ErrMethodNotImplemented,       // 501 for unregistered methods
	parser.ErrVersionUnsupported,         // 505 for major versions other than 1
	parser.ErrBareLF,                     // lines must end with CRLF
	parser.ErrObsFold,                    // obs-fold refused
	parser.ErrSpaceBeforeColon,           // RFC 9112 §5.1: MUST reject; net/http trims it
	parser.ErrBadFieldName,               // field-name = token; textproto allows a space inside
	parser.ErrMissingHost,                // the server's check, not ReadRequest's
	parser.ErrBadHost,                    // the server's check, not ReadRequest's
	parser.ErrExpectationFailed,          // the server's 417, not ReadRequest's
	parser.ErrTransferEncodingWithLength, // smuggling guard; net/http drops Content-Length
	parser.ErrTransferEncodingHTTP10,     // smuggling guard
	parser.ErrMultipleContentLength,      // one length per message; net/http merges equal lines
	parser.ErrBadTarget,                  // visible US-ASCII only
	parser.ErrFragmentInTarget,           // no "#" in a request-target; net/url keeps it in the path
	parser.ErrAsteriskNotOptions,         // request-target form per method
	parser.ErrAuthorityNotConnect,
	parser.ErrConnectNeedsAuthority,
	parser.ErrBadAuthority,       // an absolute-form authority that is not host[:port]
	parser.ErrEmptyTarget,        // CONNECT with no target: net/http reads "http://"
	parser.ErrBadPercentEncoding, // net/url leaves the query\'s escapes unchecked
	parser.ErrTargetTooLong,      // limits net/http's ReadRequest does not have
	parser.ErrHeaderTooLarge,
	parser.ErrTooManyFields,
	parser.ErrBodyTooLarge,
}

// transferCodingErrors are our refusals of a Transfer-Encoding value.
var transferCodingErrors = []error{
	parser.ErrEmptyTransferEncoding,
	parser.ErrBadTransferEncoding,
	parser.ErrChunkedRepeated,
	parser.ErrChunkedNotLast,
	parser.ErrUnsupportedTransferCoding,
}

// theirsStricter reports, with the reason in fuzz/README.md, a head that
// we accept and http.ReadRequest refuses by design.
func theirsStricter(data []byte, req *parser.Request) bool {
	switch {
	case bytes.HasPrefix(data, []byte("\r\n")):
		return true // empty lines before the request line (RFC 9112 §2.2)
	case req.Chunked && !bytes.EqualFold(req.Header("Transfer-Encoding"), []byte("chunked")):
		return true // chunked in a list with empty elements, or on several lines
	}
	// An absolute-form authority that RFC 3986 allows and net/url does
	// not: a pct-encoded octet net/url refuses in a host (it takes only
	// escapes of non-ASCII bytes and %25), or an IPvFuture literal.
	a := absoluteAuthority(req)
	return bytes.IndexByte(a, '%') >= 0 || (len(a) > 1 && a[0] == '[' && a[1]|0x20 == 'v')
}

// absoluteAuthority returns the authority of req's target when it is in
// absolute-form (scheme "://" authority), or nil.
func absoluteAuthority(req *parser.Request) []byte {
	t := req.Target
	if len(t) == 0 || t[0] == '/' || string(req.Method) == "CONNECT" {
		return nil
	}
	_, a, ok := bytes.Cut(t, []byte("://"))
	if !ok {
		return nil
	}
	if i := bytes.IndexAny(a, "/?"); i >= 0 {
		a = a[:i]
	}
	return a
}

// FuzzNetHTTP compares our verdict on a request head with net/http's
// http.ReadRequest: they agree on accept or refuse except for the listed
// divergences, and when both accept they agree on the method, target,
// version, Host, Content-Length and chunked flag.
func FuzzNetHTTP(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		data = append([]byte(nil), data...)
		ours, req, err := headVerdict(data)
		theirs, theirErr := http.ReadRequest(bufio.NewReader(bytes.NewReader(data)))
		switch {
		case ours == incomplete || errors.Is(theirErr, io.EOF) || errors.Is(theirErr, io.ErrUnexpectedEOF):
			// One side waits for more bytes; neither has a verdict to compare.
		case ours == refused && theirErr != nil:
			requireParserError(t, err)
		case ours == refused && theirs.ProtoMinor == 0 && isAny(err, transferCodingErrors):
			// net/http ignores Transfer-Encoding in HTTP/1.0 (its issue
			// 12785); we refuse it, whatever it names.
		case ours == refused:
			require.True(t, isAny(err, oursStricter), "net/http accepts, we refuse: %v", err)
		case theirErr != nil:
			require.True(t, theirsStricter(data, req), "we accept, net/http refuses: %v", theirErr)
		default:
			compareAccepted(t, req, theirs)
		}
	})
}

// compareAccepted checks that both parsers read the same head.
func compareAccepted(t *testing.T, ours *parser.Request, theirs *http.Request) {
	t.Helper()
	require.Equal(t, theirs.Method, string(ours.Method))
	require.Equal(t, theirs.RequestURI, string(ours.Target))
	require.Equal(t, theirs.ProtoMajor, int(ours.Version.Major))
	require.Equal(t, theirs.ProtoMinor, int(ours.Version.Minor))
	if theirs.URL.Host == "" {
		// net/http takes the host of an absolute-form target over the
		// Host field; we report the field.
		require.Equal(t, theirs.Host, string(ours.Host))
	}
	chunked := len(theirs.TransferEncoding) > 0 && theirs.TransferEncoding[0] == "chunked"
	require.Equal(t, chunked, ours.Chunked)
	cl := ours.ContentLength
	if cl < 0 && !ours.Chunked {
		cl = 0 // net/http says 0 for a request without a body
	}
	require.Equal(t, theirs.ContentLength, cl)
}
