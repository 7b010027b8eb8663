package parser

import (
	"fmt"
	"strings"
	"testing"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// upstreamExchange is what a ResponseParser made of everything one
// upstream sent for one request, up to its close.
type upstreamExchange struct {
	heads []string // one line per response head, interim ones included
	body  string   // the final response's body data
	err   error    // the error that ended it, or Closed's verdict
}

// readExchange feeds raw, the bytes an upstream sent before closing, to a
// fresh parser that sent one request (a HEAD if head is set), step bytes
// at a time (0: all at once), each call given a fresh copy of the bytes
// not yet consumed, and reads heads and body until the input and the
// close are consumed or an error is returned.
func readExchange(raw string, head bool, step int) upstreamExchange {
	p := NewResponseParser(Config{MaxHeaderBytes: 256, MaxFields: 8})
	p.Sent(head)
	var (
		ex      upstreamExchange
		resp    Response
		inBody  bool
		pending []byte
		fed     int
	)
	for {
		buf := append([]byte(nil), pending...)
		var n int
		var err error
		if inBody {
			var data []byte
			data, n, err = p.Body(buf)
			ex.body += string(data)
			inBody = !p.Done()
		} else {
			n, err = p.Parse(buf, &resp)
			if n > 0 {
				ex.heads = append(ex.heads, describeResponse(&resp))
				inBody = !resp.Interim() && !p.Done()
			}
		}
		if err != nil {
			ex.err = err
			return ex
		}
		pending = pending[n:]
		if n > 0 {
			continue
		}
		if fed == len(raw) {
			ex.err = p.Closed()
			return ex
		}
		next := len(raw)
		if step > 0 {
			next = min(fed+step, len(raw))
		}
		pending = append(pending, raw[fed:next]...)
		fed = next
	}
}

// describeResponse renders what Parse reports about a head.
func describeResponse(r *Response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d.%d %d %q %s cl=%d keepalive=%v head=%d fields:",
		r.Version.Major, r.Version.Minor, r.Status, r.Reason, r.Framing, r.ContentLength, r.KeepAlive, r.HeadLen)
	for _, f := range r.Fields {
		fmt.Fprintf(&b, " %q=%q", f.Name, f.Value)
	}
	return b.String()
}

// responseRow is one upstream's bytes and the verdict they must draw: an
// error (and the request-side fault it wraps, if any), or the status and
// framing of the final response and its body.
type responseRow struct {
	name    string
	raw     string
	head    bool // the request was HEAD
	want    error
	cause   error
	status  httperrors.Status
	framing BodyFraming
	body    string
}

func runResponseTable(t *testing.T, rows []responseRow) {
	t.Helper()
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			ex := readExchange(tt.raw, tt.head, 0)
			if tt.want != nil {
				require.ErrorIs(t, ex.err, tt.want)
				assert.Equal(t, httperrors.StatusBadGateway, httperrors.From(ex.err).Status())
				if tt.cause != nil {
					assert.ErrorIs(t, ex.err, tt.cause)
				}
				return
			}
			require.NoError(t, ex.err)
			require.NotEmpty(t, ex.heads)
			final := ex.heads[len(ex.heads)-1]
			assert.Regexp(t, fmt.Sprintf(`^1\.\d %d `, tt.status), final)
			assert.Contains(t, final, " "+tt.framing.String()+" ")
			assert.Equal(t, tt.body, ex.body)
		})
	}
}

// okHead completes a status line into a response without a body.
const okHead = "\r\nContent-Length: 0\r\n\r\n"

var statusLineRows = []responseRow{
	{name: "200 OK", raw: "HTTP/1.1 200 OK" + okHead, status: 200, framing: LengthBody},
	{name: "HTTP/1.0 404", raw: "HTTP/1.0 404 Not Found" + okHead, status: 404, framing: LengthBody},
	{name: "HTTP/1.2 served as 1.x", raw: "HTTP/1.2 200 OK" + okHead, want: nil, status: 200, framing: LengthBody},
	{name: "empty reason", raw: "HTTP/1.1 200 " + okHead, status: 200, framing: LengthBody},
	{name: "reason with HTAB and obs-text", raw: "HTTP/1.1 200 O\tK \xe9" + okHead, status: 200, framing: LengthBody},
	{name: "599", raw: "HTTP/1.1 599 x" + okHead, status: 599, framing: LengthBody},
	{name: "upstream 503 passed on", raw: "HTTP/1.1 503 Busy\r\nRetry-After: 5" + okHead, status: 503, framing: LengthBody},

	{name: "no SP after the status", raw: "HTTP/1.1 200" + okHead, want: ErrBadStatusLine},
	{name: "two SP before the status", raw: "HTTP/1.1  200 OK" + okHead, want: ErrBadStatusLine},
	{name: "lower-case name", raw: "http/1.1 200 OK" + okHead, want: ErrBadStatusLine},
	{name: "two-digit minor", raw: "HTTP/1.10 200 OK" + okHead, want: ErrBadStatusLine},
	{name: "no version", raw: "200 OK" + okHead, want: ErrBadStatusLine},
	{name: "HTTP/2.0", raw: "HTTP/2.0 200 OK" + okHead, want: ErrResponseVersion},
	{name: "HTTP/0.9", raw: "HTTP/0.9 200 OK" + okHead, want: ErrResponseVersion},
	{name: "two-digit status", raw: "HTTP/1.1 20 OK" + okHead, want: ErrBadStatusLine},
	{name: "four-digit status", raw: "HTTP/1.1 2000 OK" + okHead, want: ErrBadStatusLine},
	{name: "status not digits", raw: "HTTP/1.1 2x0 OK" + okHead, want: ErrBadStatusLine},
	{name: "status below 100", raw: "HTTP/1.1 099 x" + okHead, want: ErrBadStatusLine},
	{name: "status above 599", raw: "HTTP/1.1 600 x" + okHead, want: ErrBadStatusLine},
	{name: "101 refused", raw: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", want: ErrSwitchingProtocols},
	{name: "NUL in reason", raw: "HTTP/1.1 200 O\x00K" + okHead, want: ErrBadStatusLine},
	{name: "bare CR in reason", raw: "HTTP/1.1 200 O\rK" + okHead, want: ErrBadStatusLine},
	{name: "bare LF ends the status line", raw: "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", want: ErrBadStatusLine, cause: ErrBareLF},
	{name: "empty line first", raw: "\r\nHTTP/1.1 200 OK" + okHead, want: ErrBadStatusLine},
	{name: "another protocol", raw: "SSH-2.0-OpenSSH_9.6\r\n", want: ErrBadStatusLine},
	{name: "status line past the limit", raw: "HTTP/1.1 200 " + strings.Repeat("x", MaxStatusLineBytes) + okHead, want: ErrBadStatusLine},
}

func TestResponseStatusLine(t *testing.T) { runResponseTable(t, statusLineRows) }

// The config readExchange uses: 256-byte header section, 8 fields.
var fieldRows = []responseRow{
	{name: "fields read", raw: "HTTP/1.1 200 OK\r\nX-A: 1\r\nx-b:\t2 \r\nContent-Length: 0\r\n\r\n", status: 200, framing: LengthBody},
	{name: "obs-fold", raw: "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\n" + okHead[2:], want: ErrBadResponseField, cause: ErrObsFold},
	{name: "no colon", raw: "HTTP/1.1 200 OK\r\nX-A\r\n" + okHead[2:], want: ErrBadResponseField, cause: ErrFieldNoColon},
	{name: "space before colon", raw: "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", want: ErrBadResponseField, cause: ErrSpaceBeforeColon},
	{name: "name not a token", raw: "HTTP/1.1 200 OK\r\nX(A): 1\r\n" + okHead[2:], want: ErrBadResponseField, cause: ErrBadFieldName},
	{name: "NUL in value", raw: "HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n" + okHead[2:], want: ErrBadResponseField, cause: ErrBadFieldValue},
	{name: "bare CR in value", raw: "HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: b\r\n" + okHead[2:], want: ErrBadResponseField, cause: ErrBadFieldValue},
	{name: "bare LF ends a field line", raw: "HTTP/1.1 200 OK\r\nX-A: a\nContent-Length: 0\r\n\r\n", want: ErrBadResponseField, cause: ErrBareLF},
	{name: "too many fields", raw: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X: y\r\n", 9) + "\r\n", want: ErrResponseHeaderTooLarge, cause: ErrTooManyFields},
	{name: "header past the limit", raw: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("y", 300) + "\r\n\r\n", want: ErrResponseHeaderTooLarge, cause: ErrHeaderTooLarge},
}

func TestResponseFields(t *testing.T) { runResponseTable(t, fieldRows) }

var framingRows = []responseRow{
	{name: "Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", status: 200, framing: LengthBody, body: "hello"},
	{name: "chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n!\r\n0\r\nT: v\r\n\r\n", status: 200, framing: ChunkedBody, body: "hello!"},
	{name: "chunked, case and list", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: , ChUnKeD\r\n\r\n0\r\n\r\n", status: 200, framing: ChunkedBody},
	{name: "until close", raw: "HTTP/1.1 200 OK\r\n\r\nall of it\r\n", status: 200, framing: UntilCloseBody, body: "all of it\r\n"},
	{name: "HTTP/1.0 until close", raw: "HTTP/1.0 200 OK\r\n\r\nx", status: 200, framing: UntilCloseBody, body: "x"},
	{name: "204 ignores Content-Length", raw: "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", status: 204, framing: NoBody},
	{name: "304 ignores Content-Length", raw: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", status: 304, framing: NoBody},
	{name: "HEAD ignores Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", head: true, status: 200, framing: NoBody},
	{name: "HEAD ignores chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", head: true, status: 200, framing: NoBody},

	// Response splitting and desynchronisation.
	{name: "204 followed by a body", raw: "HTTP/1.1 204 No Content\r\n\r\nhello", want: ErrUnsolicitedResponse},
	{name: "HEAD answered with a body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", head: true, want: ErrUnsolicitedResponse},
	{name: "more than Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n", want: ErrUnsolicitedResponse},
	{name: "a second response", raw: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", want: ErrUnsolicitedResponse},
	{name: "bytes after the last chunk", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nx", want: ErrUnsolicitedResponse},
	{name: "Content-Length with chunked", raw: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", want: ErrBadResponseFraming, cause: ErrTransferEncodingWithLength},
	{name: "Content-Length with chunked, even on a 204", raw: "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n", want: ErrBadResponseFraming, cause: ErrTransferEncodingWithLength},
	{name: "differing Content-Lengths", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", want: ErrBadResponseFraming, cause: ErrMultipleContentLength},
	{name: "equal Content-Lengths", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", want: ErrBadResponseFraming, cause: ErrMultipleContentLength},
	{name: "Content-Length list", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello", want: ErrBadResponseFraming, cause: ErrMultipleContentLength},
	{name: "negative Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", want: ErrBadResponseFraming, cause: ErrBadContentLength},
	{name: "signed Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello", want: ErrBadResponseFraming, cause: ErrBadContentLength},
	{name: "empty Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", want: ErrBadResponseFraming, cause: ErrBadContentLength},
	{name: "overflowing Content-Length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n", want: ErrBadResponseFraming, cause: ErrBadContentLength},
	{name: "gzip coding", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nx", want: ErrBadResponseFraming, cause: ErrUnsupportedTransferCoding},
	{name: "chunked not last", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", want: ErrBadResponseFraming, cause: ErrChunkedNotLast},
	{name: "chunked twice", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", want: ErrBadResponseFraming, cause: ErrChunkedRepeated},
	{name: "empty Transfer-Encoding", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\n", want: ErrBadResponseFraming, cause: ErrEmptyTransferEncoding},
	{name: "quoted coding", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", want: ErrBadResponseFraming, cause: ErrBadTransferEncoding},
	{name: "chunked in HTTP/1.0", raw: "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", want: ErrBadResponseFraming, cause: ErrTransferEncodingHTTP10},
}

func TestResponseFraming(t *testing.T) { runResponseTable(t, framingRows) }

var chunkRows = []responseRow{
	{name: "size not hex", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", want: ErrBadResponseChunk, cause: ErrBadChunkSize},
	{name: "size overflow", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", want: ErrBadResponseChunk, cause: ErrChunkSizeOverflow},
	{name: "negative size", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", want: ErrBadResponseChunk, cause: ErrBadChunkSize},
	{name: "no CRLF after data", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n", want: ErrBadResponseChunk, cause: ErrMissingChunkCRLF},
	{name: "bad extension", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;=x\r\nx\r\n0\r\n\r\n", want: ErrBadResponseChunk, cause: ErrBadChunkExtension},
	{name: "bare LF after size", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n", want: ErrBadResponseChunk, cause: ErrBareLF},
	{name: "trailer obs-fold", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: a\r\n b\r\n\r\n", want: ErrBadResponseChunk, cause: ErrObsFold},
	{name: "trailer past the limit", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: " + strings.Repeat("v", 300) + "\r\n\r\n", want: ErrBadResponseChunk, cause: ErrTrailerTooLarge},
}

func TestResponseChunkedBody(t *testing.T) { runResponseTable(t, chunkRows) }

var exchangeRows = []responseRow{
	{name: "100 Continue, then the response", raw: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", status: 200, framing: LengthBody, body: "ok"},
	{name: "103 with fields, then the response", raw: "HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", status: 204, framing: NoBody},
	{name: "closed before answering", raw: "", want: ErrResponseMissing},
	{name: "closed in the status line", raw: "HTTP/1.1 20", want: ErrResponseTruncated},
	{name: "closed in the header", raw: "HTTP/1.1 200 OK\r\nContent-Le", want: ErrResponseTruncated},
	{name: "closed after an interim response", raw: "HTTP/1.1 100 Continue\r\n\r\n", want: ErrResponseTruncated},
	{name: "closed in a Content-Length body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", want: ErrResponseTruncated},
	{name: "closed in a chunk", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", want: ErrResponseTruncated},
	{name: "closed before the trailer's end", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", want: ErrResponseTruncated},
}

func TestResponseExchange(t *testing.T) { runResponseTable(t, exchangeRows) }

// Every table above, fed in pieces of every size, each call given a fresh
// copy: the same heads, body and verdict as the whole input.
func TestResponseSplitGivesSameResult(t *testing.T) {
	for _, rows := range [][]responseRow{statusLineRows, fieldRows, framingRows, chunkRows, exchangeRows} {
		for _, tt := range rows {
			whole := readExchange(tt.raw, tt.head, 0)
			for step := 1; step < len(tt.raw); step++ {
				require.Equal(t, whole, readExchange(tt.raw, tt.head, step), "%s, step %d", tt.name, step)
			}
		}
	}
}

func TestResponseParserRefusesBytesNoRequestAskedFor(t *testing.T) {
	var resp Response
	tests := []struct {
		name string
		run  func(p *ResponseParser) error
	}{
		{name: "before any request", run: func(p *ResponseParser) error {
			_, err := p.Parse([]byte("HTTP/1.1 200 OK\r\n\r\n"), &resp)
			return err
		}},
		{name: "after a complete response", run: func(p *ResponseParser) error {
			p.Sent(false)
			n, err := p.Parse([]byte("HTTP/1.1 204 No Content\r\n\r\n"), &resp)
			require.NoError(t, err)
			require.Positive(t, n)
			require.True(t, p.Done())
			_, err = p.Parse([]byte("X"), &resp)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewResponseParser(Config{})
			require.ErrorIs(t, tt.run(p), ErrUnsolicitedResponse)
			_, err := p.Parse(nil, &resp)
			assert.ErrorIs(t, err, ErrUnsolicitedResponse, "the error sticks")
			assert.Panics(t, func() { p.Sent(false) }, "a failed connection carries no request")
			p.Reset()
			p.Sent(false)
			_, err = p.Parse([]byte("HTTP/1.1 200 OK\r\n"), &resp)
			assert.NoError(t, err)
		})
	}
}

// A keep-alive connection carries request after request once each
// response is complete; the parser reports which may be reused.
func TestResponseParserKeepAlive(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		keepAlive bool
	}{
		{name: "HTTP/1.1", raw: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", keepAlive: true},
		{name: "HTTP/1.1 chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", keepAlive: true},
		{name: "HTTP/1.1 close", raw: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"},
		{name: "HTTP/1.0", raw: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"},
		{name: "HTTP/1.0 keep-alive", raw: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx", keepAlive: true},
		{name: "until close", raw: "HTTP/1.1 200 OK\r\n\r\nx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewResponseParser(Config{})
			var resp Response
			for i := 0; i < 3; i++ {
				p.Sent(false)
				buf := []byte(tt.raw)
				n, err := p.Parse(buf, &resp)
				require.NoError(t, err)
				require.Positive(t, n)
				_, m, err := p.Body(buf[n:])
				require.NoError(t, err)
				require.Equal(t, len(buf), n+m)
				assert.Equal(t, tt.keepAlive, resp.KeepAlive)
				if !p.Done() {
					require.NoError(t, p.Closed())
					require.False(t, tt.keepAlive)
					return
				}
			}
		})
	}
}
