package parser

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHostStatus(t *testing.T) {
	runStatusTable(t, Config{}, []statusRow{
		{name: "host and port", raw: "GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n"},
		{name: "IPv6 literal", raw: "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"},
		{name: "empty Host", raw: "GET / HTTP/1.1\r\nHost:\r\n\r\n"},
		{name: "lower case name", raw: "GET / HTTP/1.1\r\nhost: a\r\n\r\n"},
		{name: "HTTP/1.0 without Host", raw: "GET / HTTP/1.0\r\n\r\n"},
		{name: "HTTP/1.1 without Host", raw: "GET / HTTP/1.1\r\n\r\n", want: ErrMissingHost, status: 400},
		{name: "HTTP/1.1 with two Host", raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", want: ErrMultipleHost, status: 400},
		{name: "HTTP/1.0 with two Host", raw: "GET / HTTP/1.0\r\nHost: a\r\nHOST: b\r\n\r\n", want: ErrMultipleHost, status: 400},
		{name: "Host with space", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", want: ErrBadHost, status: 400},
		{name: "Host with slash", raw: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", want: ErrBadHost, status: 400},
		{name: "Host with userinfo", raw: "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", want: ErrBadHost, status: 400},
		{name: "Host with empty port", raw: "GET / HTTP/1.1\r\nHost: a:\r\n\r\n"},
		{name: "Host IPvFuture", raw: "GET / HTTP/1.1\r\nHost: [v1.x]\r\n\r\n"},
		{name: "Host port not digits", raw: "GET / HTTP/1.1\r\nHost: localhost:abc\r\n\r\n", want: ErrBadHost, status: 400},
		{name: "Host unbalanced bracket", raw: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", want: ErrBadHost, status: 400},
		{name: "Host port alone", raw: "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", want: ErrBadHost, status: 400},
		{name: "bad Host in HTTP/1.0", raw: "GET / HTTP/1.0\r\nHost: a:b\r\n\r\n", want: ErrBadHost, status: 400},
		{name: "two Host lines, one bad", raw: "GET / HTTP/1.1\r\nHost: a:b\r\nHost: a\r\n\r\n", want: ErrMultipleHost, status: 400},
	})
}

func TestContentLengthStatus(t *testing.T) {
	const head = "POST / HTTP/1.1\r\nHost: a\r\n"
	runStatusTable(t, Config{}, []statusRow{
		{name: "plain", raw: head + "Content-Length: 3\r\n\r\nabc"},
		{name: "zero", raw: head + "Content-Length: 0\r\n\r\n"},
		{name: "leading zeros", raw: head + "Content-Length: 003\r\n\r\nabc"},
		{name: "same value repeated in a list", raw: head + "Content-Length: 3, 3\r\n\r\nabc", want: ErrMultipleContentLength, status: 400},
		{name: "same value on two lines", raw: head + "Content-Length: 3\r\ncontent-length: 3\r\n\r\nabc", want: ErrMultipleContentLength, status: 400},
		{name: "same value without a space", raw: head + "Content-Length: 1,1\r\n\r\nx", want: ErrMultipleContentLength, status: 400},
		{name: "empty", raw: head + "Content-Length:\r\n\r\n", want: ErrBadContentLength, status: 400},
		{name: "negative", raw: head + "Content-Length: -1\r\n\r\n", want: ErrBadContentLength, status: 400},
		{name: "plus sign", raw: head + "Content-Length: +1\r\n\r\nx", want: ErrBadContentLength, status: 400},
		{name: "hex", raw: head + "Content-Length: 0x10\r\n\r\n", want: ErrBadContentLength, status: 400},
		{name: "space inside", raw: head + "Content-Length: 1 2\r\n\r\n", want: ErrBadContentLength, status: 400},
		{name: "empty list element", raw: head + "Content-Length: 3,\r\n\r\nabc", want: ErrBadContentLength, status: 400},
		{name: "int64 max parses, then is too large", raw: head + "Content-Length: 9223372036854775807\r\n\r\n", want: ErrBodyTooLarge, status: 413},
		{name: "overflow", raw: head + "Content-Length: 9223372036854775808\r\n\r\n", want: ErrBadContentLength, status: 400},
		{name: "differing list", raw: head + "Content-Length: 3, 4\r\n\r\nabc", want: ErrMultipleContentLength, status: 400},
		{name: "differing lines", raw: head + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabc", want: ErrMultipleContentLength, status: 400},
		{name: "zero then non-zero", raw: head + "Content-Length: 0\r\nContent-Length: 4\r\n\r\nabcd", want: ErrMultipleContentLength, status: 400},
	})
}

func TestTransferEncodingStatus(t *testing.T) {
	const head = "POST / HTTP/1.1\r\nHost: a\r\n"
	const body = "\r\n0\r\n\r\n"
	runStatusTable(t, Config{}, []statusRow{
		{name: "chunked", raw: head + "Transfer-Encoding: chunked\r\n" + body},
		{name: "chunked in capitals", raw: head + "Transfer-Encoding: CHUNKED\r\n" + body},
		{name: "chunked with empty list elements", raw: head + "Transfer-Encoding: , chunked ,\r\n" + body},
		{name: "empty", raw: head + "Transfer-Encoding:\r\n" + body, want: ErrEmptyTransferEncoding, status: 400},
		{name: "only commas", raw: head + "Transfer-Encoding: , ,\r\n" + body, want: ErrEmptyTransferEncoding, status: 400},
		{name: "not a token", raw: head + "Transfer-Encoding: chun\"ked\r\n" + body, want: ErrBadTransferEncoding, status: 400},
		{name: "chunked not last", raw: head + "Transfer-Encoding: chunked, gzip\r\n" + body, want: ErrChunkedNotLast, status: 400},
		{name: "chunked not last across lines", raw: head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n" + body, want: ErrChunkedNotLast, status: 400},
		{name: "chunked twice", raw: head + "Transfer-Encoding: chunked, chunked\r\n" + body, want: ErrChunkedRepeated, status: 400},
		{name: "chunked twice across lines", raw: head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n" + body, want: ErrChunkedRepeated, status: 400},
		{name: "gzip then chunked", raw: head + "Transfer-Encoding: gzip, chunked\r\n" + body, want: ErrUnsupportedTransferCoding, status: 501},
		{name: "gzip alone", raw: head + "Transfer-Encoding: gzip\r\n" + body, want: ErrUnsupportedTransferCoding, status: 501},
		{name: "identity", raw: head + "Transfer-Encoding: identity\r\n" + body, want: ErrUnsupportedTransferCoding, status: 501},
		{name: "with Content-Length", raw: head + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n" + body, want: ErrTransferEncodingWithLength, status: 400},
		{name: "Content-Length first", raw: head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n" + body, want: ErrTransferEncodingWithLength, status: 400},
		{name: "in HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n" + body, want: ErrTransferEncodingHTTP10, status: 400},
	})
}

func TestExpectStatus(t *testing.T) {
	const head = "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
	runStatusTable(t, Config{}, []statusRow{
		{name: "100-continue", raw: head + "Expect: 100-continue\r\n\r\nx"},
		{name: "100-continue in capitals", raw: head + "Expect: 100-Continue\r\n\r\nx"},
		{name: "empty expects nothing", raw: head + "Expect:\r\n\r\nx"},
		{name: "other expectation", raw: head + "Expect: 200-ok\r\n\r\nx", want: ErrExpectationFailed, status: 417},
		{name: "100-continue with another", raw: head + "Expect: 100-continue, x\r\n\r\nx", want: ErrExpectationFailed, status: 417},
	})
}

func TestFramingPrecedence(t *testing.T) {
	runStatusTable(t, Config{}, []statusRow{
		{name: "field syntax before Host", raw: "GET / HTTP/1.1\r\nX : y\r\n\r\n", want: ErrSpaceBeforeColon, status: 400},
		{name: "Host before Content-Length", raw: "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n", want: ErrMissingHost, status: 400},
		{name: "Content-Length before Transfer-Encoding", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nContent-Length: x\r\n\r\n", want: ErrBadContentLength, status: 400},
		{name: "coding before combination", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nContent-Length: 1\r\n\r\n", want: ErrUnsupportedTransferCoding, status: 501},
		{name: "Transfer-Encoding before Expect", raw: "POST / HTTP/1.1\r\nHost: a\r\nExpect: x\r\nTransfer-Encoding: gzip\r\n\r\n", want: ErrUnsupportedTransferCoding, status: 501},
		{name: "Expect before body size", raw: "POST / HTTP/1.1\r\nHost: a\r\nExpect: x\r\nContent-Length: 99999999999\r\n\r\n", want: ErrExpectationFailed, status: 417},
	})
}

func TestConnectionOptions(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		keepAlive bool
		expect100 bool
	}{
		{name: "1.1 default persists", raw: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", keepAlive: true},
		{name: "1.1 close", raw: "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"},
		{name: "1.1 close in a list, any case", raw: "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade , CLOSE\r\n\r\n"},
		{name: "1.1 close on a second line", raw: "GET / HTTP/1.1\r\nHost: a\r\nConnection: te\r\nConnection: close\r\n\r\n"},
		{name: "1.0 default closes", raw: "GET / HTTP/1.0\r\n\r\n"},
		{name: "1.0 keep-alive", raw: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", keepAlive: true},
		{name: "1.0 keep-alive and close", raw: "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"},
		{name: "close-ish token is not close", raw: "GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", keepAlive: true},
		{name: "1.1 100-continue", raw: "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n", keepAlive: true, expect100: true},
		{name: "1.0 100-continue is ignored", raw: "PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, req, err := mustParse(t, Config{}, tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.keepAlive, req.KeepAlive)
			assert.Equal(t, tt.expect100, req.Expect100)
		})
	}
}

func TestParseLength(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"42", 42, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false},
		{"99999999999999999999", 0, false},
		{"", 0, false},
		{"-0", 0, false},
		{"1a", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseLength([]byte(tt.in))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
