package parser

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestLineStatus(t *testing.T) {
	runStatusTable(t, Config{}, []statusRow{
		{name: "minimal GET", raw: minimalGET},
		{name: "browser GET", raw: browserGET},
		{name: "HTTP/1.0 without Host", raw: "GET / HTTP/1.0\r\n\r\n"},
		{name: "HTTP/1.9 served as 1.1", raw: "GET / HTTP/1.9\r\nHost: a\r\n\r\n"},
		{name: "one leading empty line ignored", raw: "\r\n" + minimalGET},
		{name: "four leading empty lines ignored", raw: "\r\n\r\n\r\n\r\n" + minimalGET},
		{name: "five leading empty lines", raw: "\r\n\r\n\r\n\r\n\r\n" + minimalGET, want: ErrTooManyEmptyLines, status: 400},
		{name: "version lower case", raw: "GET / http/1.1\r\nHost: a\r\n\r\n", want: ErrBadVersion, status: 400},
		{name: "version two digits", raw: "GET / HTTP/1.10\r\nHost: a\r\n\r\n", want: ErrBadVersion, status: 400},
		{name: "version missing minor", raw: "GET / HTTP/1\r\nHost: a\r\n\r\n", want: ErrBadVersion, status: 400},
		{name: "HTTP/0.9 style line without version", raw: "GET /\r\n\r\n", want: ErrBadRequestLine, status: 400},
		{name: "HTTP/2.0", raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", want: ErrVersionUnsupported, status: 505},
		{name: "HTTP/0.9", raw: "GET / HTTP/0.9\r\nHost: a\r\n\r\n", want: ErrVersionUnsupported, status: 505},
		{name: "HTTP/3.0", raw: "GET / HTTP/3.0\r\nHost: a\r\n\r\n", want: ErrVersionUnsupported, status: 505},
		{name: "h2 preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", want: ErrVersionUnsupported, status: 505},
		{name: "method with slash", raw: "G/T / HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrMethodNotToken, status: 400},
		{name: "empty method", raw: " / HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrMethodNotToken, status: 400},
		{name: "unknown method", raw: "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrMethodNotImplemented, status: 501},
		{name: "lower case get", raw: "get / HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrMethodNotImplemented, status: 501},
		{name: "PATCH known", raw: "PATCH / HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "empty target", raw: "GET  HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrEmptyTarget, status: 400},
		{name: "single space", raw: "GET HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadRequestLine, status: 400},
		{name: "no space", raw: "GET\r\nHost: a\r\n\r\n", want: ErrBadRequestLine, status: 400},
		{name: "space in target", raw: "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadTarget, status: 400},
		{name: "tab in target", raw: "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadTarget, status: 400},
		{name: "DEL in target", raw: "GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadTarget, status: 400},
		{name: "UTF-8 in target", raw: "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadTarget, status: 400},
		{name: "NUL in long target", raw: "GET /abcdefghijk\x00lmnop HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadTarget, status: 400},
		{name: "percent-encoded target", raw: "GET /a%2Fb%c3%A9?q=%20 HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "percent without digits", raw: "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadPercentEncoding, status: 400},
		{name: "percent at the end", raw: "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadPercentEncoding, status: 400},
		{name: "percent with one digit", raw: "GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadPercentEncoding, status: 400},
		{name: "bad percent after a good one", raw: "GET /%41%4g HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadPercentEncoding, status: 400},
		{name: "bad percent in the query", raw: "GET /a?b=%x1 HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadPercentEncoding, status: 400},
		{name: "bad percent in an absolute-form host", raw: "GET A://% HTTP/1.0\r\n\r\n", want: ErrBadPercentEncoding, status: 400},
		{name: "fragment in origin-form", raw: "GET /#frag HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrFragmentInTarget, status: 400},
		{name: "fragment after a query", raw: "GET /a?b=c#d HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrFragmentInTarget, status: 400},
		{name: "empty fragment", raw: "GET /a# HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrFragmentInTarget, status: 400},
		{name: "fragment past the first word", raw: "GET /abcdefghijklmnop#q HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrFragmentInTarget, status: 400},
		{name: "escaped hash is data", raw: "GET /a%23b HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "fragment with OPTIONS asterisk", raw: "OPTIONS *# HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrFragmentInTarget, status: 400},
		{name: "asterisk with OPTIONS", raw: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "asterisk with GET", raw: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrAsteriskNotOptions, status: 400},
		{name: "absolute-form", raw: "GET http://a/b?c HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "absolute-form with port and query only", raw: "GET http://a:8080?c HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "absolute-form IPv6", raw: "GET http://[::1]:8080/b HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "absolute-form fragment after path", raw: "GET http://a/b#c HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrFragmentInTarget, status: 400},
		{name: "absolute-form fragment after query", raw: "GET http://a/b?c#d HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrFragmentInTarget, status: 400},
		{name: "absolute-form fragment after authority", raw: "GET http://a#b HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrFragmentInTarget, status: 400},
		{name: "absolute-form empty host", raw: "GET http:///b HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form port without host", raw: "GET http://:80/b HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form userinfo", raw: "GET http://good@evil/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form fragment as authority", raw: "GET A://# HTTP/1.0\r\n\r\n", want: ErrFragmentInTarget, status: 400},
		{name: "absolute-form empty port", raw: "GET http://a:/b HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "absolute-form port not digits", raw: "GET http://a:b/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form two colons", raw: "GET http://a:1:2/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form IPv6 unbracketed", raw: "GET http://::1/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form unclosed bracket", raw: "GET http://[::1/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form empty brackets", raw: "GET http://[]/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form text after brackets", raw: "GET http://[::1]x/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form escaped name", raw: "GET http://a%41/ HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "absolute-form bad escape in name", raw: "GET http://a%4g/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadPercentEncoding, status: 400},
		{name: "absolute-form IPv6 zone", raw: "GET http://[fe80::1%25eth0]:8080/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "absolute-form IPvFuture", raw: "GET http://[v1.x]/ HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "absolute-form bracketed IPv4", raw: "GET http://[1.2.3.4]/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrBadAuthority, status: 400},
		{name: "authority-form with GET", raw: "GET a.example:443 HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrAuthorityNotConnect, status: 400},
		{name: "relative path", raw: "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrAuthorityNotConnect, status: 400},
		{name: "CONNECT authority-form", raw: "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n"},
		{name: "CONNECT origin-form", raw: "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrConnectNeedsAuthority, status: 400},
		{name: "CONNECT without port", raw: "CONNECT a.example HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrConnectNeedsAuthority, status: 400},
		{name: "CONNECT IPv6", raw: "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n"},
		{name: "CONNECT IPv6 unbracketed", raw: "CONNECT ::0 HTTP/1.0\r\n\r\n", want: ErrConnectNeedsAuthority, status: 400},
		{name: "CONNECT empty port", raw: "CONNECT a.example: HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrConnectNeedsAuthority, status: 400},
		{name: "CONNECT two colons", raw: "CONNECT a:1:2 HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrConnectNeedsAuthority, status: 400},
		{name: "CONNECT absolute-form", raw: "CONNECT http://a:1/ HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrConnectNeedsAuthority, status: 400},
		{name: "bare LF after request line", raw: "GET / HTTP/1.1\nHost: a\r\n\r\n", want: ErrBareLF, status: 400},
		{name: "bare LF empty line before request", raw: "\n" + minimalGET, want: ErrBareLF, status: 400},
	})
}

func TestRequestLineDecidesBeforeHeaders(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want error
	}{
		{name: "version before method", raw: "FOO / HTTP/2.0\r\n", want: ErrVersionUnsupported},
		{name: "malformed version before method", raw: "FOO / HTTP/x\r\n", want: ErrBadVersion},
		{name: "501 on the request line alone", raw: "FOO / HTTP/1.1\r\n", want: ErrMethodNotImplemented},
		{name: "505 on the request line alone", raw: "GET / HTTP/2.0\r\n", want: ErrVersionUnsupported},
		{name: "505 before a non-token method", raw: "G@T / HTTP/2.0\r\n", want: ErrVersionUnsupported},
		{name: "414 on the request line alone", raw: "GET /" + strings.Repeat("a", DefaultMaxTargetBytes) + " HTTP/1.1\r\n", want: ErrTargetTooLong},
		{name: "414 before the line ends", raw: "GET /" + strings.Repeat("a", DefaultMaxTargetBytes+requestLineSlack), want: ErrTargetTooLong},
		{name: "method before target", raw: "FOO /a\x01 HTTP/1.1\r\n", want: ErrMethodNotImplemented},
		// Lines too long to wait for are judged from their first bytes.
		{name: "over-long method", raw: strings.Repeat("A", 9000) + " / HTTP/1.1\r\n", want: ErrMethodNotImplemented},
		{name: "over-long method before the line ends", raw: strings.Repeat("A", DefaultMaxTargetBytes+requestLineSlack+1), want: ErrMethodNotImplemented},
		{name: "over-long method not a token", raw: "A@" + strings.Repeat("A", 9000) + " / HTTP/1.1\r\n", want: ErrMethodNotToken},
		{name: "unknown method with an over-long target", raw: "FOO /" + strings.Repeat("a", 9000), want: ErrMethodNotImplemented},
		{name: "over-long version", raw: "GET / " + strings.Repeat("H", 9000) + "\r\n", want: ErrBadRequestLine},
		{name: "over-long version before the line ends", raw: "GET / " + strings.Repeat("H", 9000), want: ErrBadRequestLine},
		{name: "target over the limit with spaces after it", raw: "GET /" + strings.Repeat("a", DefaultMaxTargetBytes) + strings.Repeat(" b", 200), want: ErrTargetTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, err := mustParse(t, Config{}, tt.raw)
			requireStatus(t, tt.want, err)
			assert.Zero(t, n)
		})
	}
}

// TestMethodEveryByte puts each byte value in a method and requires the
// verdict of the tchar table and then of the registry.
func TestMethodEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		raw := "GE" + string([]byte{byte(c)}) + "T / HTTP/1.1\r\nHost: a\r\n\r\n"
		_, _, err := mustParse(t, Config{}, raw)
		switch {
		case c == ' ':
			assert.ErrorIs(t, err, ErrMethodNotImplemented, "byte %#x", c) // the method is "GE"
		case c == '\n':
			assert.ErrorIs(t, err, ErrBareLF, "byte %#x", c)
		case tcharTable[c]:
			assert.ErrorIs(t, err, ErrMethodNotImplemented, "byte %#x", c)
		default:
			assert.ErrorIs(t, err, ErrMethodNotToken, "byte %#x", c)
		}
	}
}

// TestTargetEveryByte puts each byte value in an origin-form target.
func TestTargetEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pad := 0; pad < 9; pad++ {
			raw := "GET /" + strings.Repeat("p", pad) + string([]byte{byte(c)}) + "/tail/of/path HTTP/1.1\r\nHost: a\r\n\r\n"
			_, _, err := mustParse(t, Config{}, raw)
			switch {
			case c == '%': // followed by "/t", not two hex digits
				assert.ErrorIs(t, err, ErrBadPercentEncoding, "byte %#x", c)
			case c == '#':
				assert.ErrorIs(t, err, ErrFragmentInTarget, "byte %#x", c)
			case c > 0x20 && c < 0x7f:
				assert.NoError(t, err, "byte %#x", c)
			case c == '\n':
				assert.ErrorIs(t, err, ErrBareLF, "byte %#x", c)
			default:
				assert.ErrorIs(t, err, ErrBadTarget, "byte %#x", c)
			}
		}
	}
}

// TestCommonLineAgreesWithGeneralPath checks the fast path for "GET /...
// HTTP/1.1" lines against the general path, which it must never
// contradict: for targets of every length across word boundaries, with
// every byte value at every position, each tail the general path may meet,
// and limits on either side, a line the fast path accepts must be one the
// general path accepts with the same parts, and the whole parse must give
// the same result with the fast path as without it.
func TestCommonLineAgreesWithGeneralPath(t *testing.T) {
	tails := []string{" HTTP/1.1\r\n", " HTTP/1.0\r\n", " HTTP/1.1\n", " HTTP/1.1\r", " HTTP/1.1", "  HTTP/1.1\r\n", " HTTP/2.0\r\n", " HTTP/1.1 \r\n", "\tHTTP/1.1\r\n"}
	checked := 0
	for _, n := range []int{1, 2, 7, 8, 9, 15, 16, 17, 24} {
		for c := 0; c < 256; c++ {
			for pos := 0; pos < n; pos += max(1, n/5) {
				target := []byte("/" + strings.Repeat("a", n-1))
				if pos > 0 {
					target[pos] = byte(c)
				}
				for _, tail := range tails {
					for _, limit := range []int{n - 1, n, 4096} {
						if limit < 1 {
							continue
						}
						line := "GET " + string(target) + tail
						raw := []byte(line + "Host: a\r\n\r\n")
						cfg := Config{MaxTargetBytes: limit}

						var fast Parser
						fast.configure(cfg)
						accepted := fast.acceptCommonLine(raw, 0)

						var general Parser
						general.configure(cfg)
						general.generalOnly = true
						done, err := general.parseRequestLine(raw)
						if accepted {
							require.True(t, done, "%q", line)
							require.NoError(t, err, "%q", line)
							require.Equal(t, general.h, fast.h, "%q", line)
							require.Equal(t, general.lineStart, fast.lineStart, "%q", line)
							checked++
						}

						var whole, wholeGeneral Parser
						whole.configure(cfg)
						wholeGeneral.configure(cfg)
						wholeGeneral.generalOnly = true
						var got, want Request
						n1, err1 := whole.Parse(raw, &got)
						n2, err2 := wholeGeneral.Parse(raw, &want)
						require.Equal(t, n2, n1, "%q", line)
						require.Equal(t, err2, err1, "%q", line)
						require.Equal(t, want, got, "%q", line)
					}
				}
			}
		}
	}
	require.Greater(t, checked, 1000, "the fast path took too few lines to say anything")
}
