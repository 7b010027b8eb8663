package fuzz

import "strings"

// seed is one corpus entry: a name that becomes its file name under
// testdata/fuzz/<Target>/ and the wire bytes.
type seed struct {
	name string
	raw  string
}

// Limits of the small parser and engine configs the fuzz targets use
// besides the defaults, so that short inputs reach 413, 414 and 431.
const (
	smallTarget = 64
	smallHeader = 512
	smallFields = 16
	smallBody   = 256
)

// requestSeeds are whole requests (or streams of them). They cover every
// row of the parser's status contract (package doc), under the default limits or the small
// ones, and the classic request-smuggling shapes.
var requestSeeds = []seed{
	// Accepted.
	{"get-minimal", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"get-http10-no-host", "GET / HTTP/1.0\r\n\r\n"},
	{"get-http10-keepalive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
	{"get-http19-served-as-11", "GET / HTTP/1.9\r\nHost: a\r\n\r\n"},
	{"get-query", "GET /a/b?c=d&e=f HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"},
	{"get-absolute-form", "GET http://example.com/x?y HTTP/1.1\r\nHost: example.com\r\n\r\n"},
	{"get-absolute-empty-path", "GET http://example.com HTTP/1.1\r\nHost: other\r\n\r\n"},
	{"options-asterisk", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"connect-authority", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"},
	{"head", "HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"delete", "DELETE /d HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"trace", "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"patch-body", "PATCH /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"},
	{"put-body", "PUT /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"},
	{"post-cl-zero", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"},
	{"post-chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
	{"post-chunked-two", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\na\r\n0123456789\r\n0\r\n\r\n"},
	{"post-chunked-upper-hex", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n"},
	{"post-chunked-trailer", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nX-Sum: 1\r\n\r\n"},
	{"post-chunked-ext", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;name=value\r\nx\r\n0;last\r\n\r\n"},
	{"post-chunked-ext-quoted", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1 ; a = \"b;c\"\r\nx\r\n0\r\n\r\n"},
	{"post-chunked-case", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD\r\n\r\n0\r\n\r\n"},
	{"post-chunked-empty-elements", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked\r\n\r\n0\r\n\r\n"},
	{"expect-100", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok"},
	{"expect-100-http10-ignored", "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok"},
	{"connection-close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"},
	{"empty-line-before", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"empty-host-http11", "GET / HTTP/1.1\r\nHost:\r\n\r\n"},
	{"host-ipv6", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"},
	{"value-htab-obs-text", "GET / HTTP/1.1\r\nHost: a\r\nX: a\tb \xff\r\n\r\n"},
	{"value-trailing-ows", "GET / HTTP/1.1\r\nHost: a \t\r\nX-Y:\t v \r\n\r\n"},
	{"pipelined-3", "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"pipelined-post-get", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nxGET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"pipelined-chunked-get", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"browser", "GET /search?q=x HTTP/1.1\r\nHost: www.example.com\r\nConnection: keep-alive\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: text/html,*/*;q=0.8\r\nAccept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\nCookie: a=b; c=d\r\n\r\n"},
	{"incomplete-line", "GET / HTTP/1.1\r\nHo"},
	{"incomplete-body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"},
	{"incomplete-chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"},

	// 400: the request line.
	{"400-version-lower", "GET / http/1.1\r\nHost: a\r\n\r\n"},
	{"400-version-two-digits", "GET / HTTP/1.10\r\nHost: a\r\n\r\n"},
	{"400-version-missing", "GET /\r\nHost: a\r\n\r\n"},
	{"400-version-garbage", "GET / HTTX/1.1\r\nHost: a\r\n\r\n"},
	{"400-method-not-token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-empty-method", " / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-double-space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-no-spaces", "GET\r\nHost: a\r\n\r\n"},
	{"400-target-space", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-target-utf8", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-target-del", "GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-asterisk-get", "GET * HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-authority-get", "GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-connect-path", "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-bare-lf-request-line", "GET / HTTP/1.1\nHost: a\r\n\r\n"},
	{"400-bare-lf-all", "GET / HTTP/1.1\nHost: a\n\n"},
	{"400-bare-cr", "GET / HTTP/1.1\rHost: a\r\n\r\n"},
	{"400-too-many-empty-lines", "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-nul-in-target", "GET /\x00 HTTP/1.1\r\nHost: a\r\n\r\n"},

	// 400: header fields.
	{"400-space-before-colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n"},
	{"400-tab-before-colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n"},
	{"400-obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: b\r\n c\r\n\r\n"},
	{"400-obs-fold-first", "GET / HTTP/1.1\r\n Host: a\r\n\r\n"},
	{"400-no-colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"},
	{"400-empty-name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n"},
	{"400-bad-name", "GET / HTTP/1.1\r\nHost: a\r\nX(Y): v\r\n\r\n"},
	{"400-nul-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n"},
	{"400-bare-cr-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"},
	{"400-bare-lf-in-field", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n"},
	{"400-ctl-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n"},
	{"400-missing-host", "GET / HTTP/1.1\r\n\r\n"},
	{"400-two-hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
	{"400-bad-host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"},
	{"400-host-space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"},

	// 400: Content-Length and Transfer-Encoding.
	{"400-cl-negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"},
	{"400-cl-plus", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\nx"},
	{"400-cl-empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n"},
	{"400-cl-hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n"},
	{"400-cl-overflow", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"},
	{"400-cl-int64-max-plus", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n"},
	{"400-cl-conflict", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"},
	{"400-cl-list-conflict", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd"},
	{"400-cl-space-inside", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n"},
	{"400-te-empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n"},
	{"400-te-chunked-twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"},
	{"400-te-chunked-twice-lines", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{"400-te-chunked-not-last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"},
	{"400-te-bad-token", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n"},
	{"400-te-http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},

	// 400: chunked bodies.
	{"400-chunk-size-bad", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n"},
	{"400-chunk-size-empty", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"},
	{"400-chunk-size-negative", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n"},
	{"400-chunk-size-0x", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"},
	{"400-chunk-size-overflow", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx\r\n0\r\n\r\n"},
	{"400-chunk-size-17-digits", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000001\r\nx\r\n0\r\n\r\n"},
	{"400-chunk-size-int64-overflow", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nx\r\n0\r\n\r\n"},
	{"400-chunk-ext-bad", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;=x\r\nx\r\n0\r\n\r\n"},
	{"400-chunk-ext-unterminated-quote", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\"x\r\nx\r\n0\r\n\r\n"},
	{"400-chunk-ext-bare-cr", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a\rb\r\nx\r\n0\r\n\r\n"},
	{"400-chunk-line-too-long", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;a=" + strings.Repeat("b", 5000) + "\r\nx\r\n0\r\n\r\n"},
	{"400-chunk-missing-crlf", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n"},
	{"400-chunk-bare-lf", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\n0\n\n"},
	{"400-chunk-data-bare-lf", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\n0\r\n\r\n"},
	{"400-chunk-trailer-bad", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX : y\r\n\r\n"},
	{"400-chunk-trailer-fold", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n z\r\n\r\n"},
	{"400-chunk-overhead", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1;"+strings.Repeat("e", 4000)+"\r\nx\r\n", 20) + "0\r\n\r\n"},

	// 413, 414, 417, 431, 501, 505.
	{"413-declared", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999\r\n\r\n"},
	{"413-declared-small", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 300\r\n\r\n"},
	{"413-chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n7fffffff\r\n"},
	{"413-chunked-small", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n" + strings.Repeat("x", 256) + "\r\n1\r\nx\r\n0\r\n\r\n"},
	{"414-target", "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"414-target-small", "GET /" + strings.Repeat("a", 100) + " HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"414-no-lf", "GET /" + strings.Repeat("a", 9000)},
	{"400-cl-list-equal", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc"},
	{"400-cl-repeated-equal", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"},
	{"501-method-overlong", strings.Repeat("A", 400) + " / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-version-overlong", "GET / " + strings.Repeat("H", 400) + "\r\nHost: a\r\n\r\n"},
	{"417-expect-other", "POST / HTTP/1.1\r\nHost: a\r\nExpect: something\r\nContent-Length: 1\r\n\r\nx"},
	{"417-expect-list", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue, x\r\n\r\n"},
	{"431-header-bytes", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("v", 33000) + "\r\n\r\n"},
	{"431-header-bytes-small", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("v", 600) + "\r\n\r\n"},
	{"431-fields", "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: y\r\n", 101) + "\r\n"},
	{"431-fields-small", "GET / HTTP/1.1\r\nHost: a\r\n" + strings.Repeat("X: y\r\n", 17) + "\r\n"},
	{"431-trailer-fields-small", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + strings.Repeat("T: y\r\n", 17) + "\r\n"},
	{"501-unknown-method", "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"501-lowercase-get", "get / HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"501-te-gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"},
	{"501-te-gzip-chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
	{"501-te-identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"},
	{"505-http2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n"},
	{"505-http09", "GET / HTTP/0.9\r\n\r\n"},
	{"505-h2-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"},
	{"505-before-method", "BREW / HTTP/3.0\r\nHost: a\r\n\r\n"},

	// Request smuggling shapes: each hides "GET /smuggled" in the first
	// request's body or framing.
	{"smuggle-cl-te", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-cl", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n23\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n\r\n0\r\n\r\n"},
	{"smuggle-te-space-colon", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-xchunked", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-tab", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding:\tchunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-obs-fold", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-two-lines", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-chunked-comma-x", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, x\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-quoted", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-nul", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\x00\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-bare-cr", "POST / HTTP/1.1\r\nHost: a\r\nX: y\rTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-bare-lf", "POST / HTTP/1.1\r\nHost: a\r\nX: y\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-te-http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-cl-cl", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-cl-comma", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0, 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-cl-plus", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-cl-obs-fold", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-chunk-overflow", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000023\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n\r\n0\r\n\r\n"},
	{"smuggle-chunk-ext-lf", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;\nxx\r\n23\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n\r\n0\r\n\r\n"},
	{"smuggle-chunk-size-space", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0 23\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n\r\n0\r\n\r\n"},
	{"smuggle-chunk-data-lf", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-expect-other", "POST / HTTP/1.1\r\nHost: a\r\nExpect: x\r\nContent-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-413", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	// FuzzNetHTTP found that http.ReadRequest accepts a space inside a
	// field name; we refuse it (RFC 9110 §5.1: field-name = token), a
	// listed divergence.
	{"nethttp-space-in-field-name", "POST / HTTP/1.1\r\nT 000000000000000:0000000\r\n\n"},
	// FuzzNetHTTP found that http.ReadRequest ignores any
	// Transfer-Encoding in HTTP/1.0, even an empty one; we refuse it, a
	// listed divergence.
	{"nethttp-te-empty-http10", "POST / HTTP/1.0\r\nTrAnsfer-EnCoding:\r\n\r\n"},
	// FuzzNetHTTP found that we accepted an absolute-form target whose
	// authority is "#", which net/url refuses; the authority is read as a
	// host with an optional port.
	{"nethttp-absolute-authority-fragment", "GET A://# HTTP/1.0\r\n0000:\r\n\r\n"},
	// FuzzNetHTTP found that http.ReadRequest accepts CONNECT with an
	// empty target (two spaces), as "http://" with no host; we refuse an
	// empty target whatever the method.
	{"nethttp-connect-empty-target", "CONNECT  HTTP/1.0\r\n\r\n"},
	// FuzzNetHTTP found "A://%" accepted by us and refused by net/url;
	// every "%" of a target must begin a pct-encoded octet.
	{"nethttp-absolute-authority-percent", "GET A://% HTTP/1.0\r\n0000:\r\n\r\n"},
	{"400-bad-percent-in-query", "GET /a?b=%x1 HTTP/1.1\r\nHost: a\r\n\r\n"},
	// FuzzNetHTTP found "CONNECT ::0" accepted by us and refused by
	// net/url: the host of an authority is a bracketed IP literal or a
	// name without ":".
	{"nethttp-connect-unbracketed-ipv6", "CONNECT ::0 HTTP/1.0\r\n0000:\r\n\r\n"},
	{"400-absolute-port-not-digits", "GET http://a:b/ HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-space-in-field-name", "GET / HTTP/1.1\r\nHost: a\r\nX Y: v\r\n\r\n"},
	// Found by probing the binary over raw TCP: a Host that is not
	// uri-host [ ":" port ] (RFC 9112 §3.2), whitespace after a chunk size
	// with no ";" after it (RFC 9112 §7.1.1), and a "#" fragment in the
	// target (RFC 3986 §4.3) were accepted; each is now 400.
	{"400-host-port-not-digits", "GET / HTTP/1.1\r\nHost: localhost:abc\r\n\r\n"},
	{"400-host-unbalanced-bracket", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"},
	{"400-host-unbracketed-ipv6", "GET / HTTP/1.1\r\nHost: ::1\r\n\r\n"},
	{"400-host-two-ports", "GET / HTTP/1.1\r\nHost: host:80:80\r\n\r\n"},
	{"400-host-text-after-bracket", "GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n"},
	{"400-host-bad-percent", "GET / HTTP/1.1\r\nHost: ho%st\r\n\r\n"},
	{"400-host-port-alone", "GET / HTTP/1.1\r\nHost: :80\r\n\r\n"},
	{"400-host-ipv6-zone", "GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]:80\r\n\r\n"},
	{"host-forms", "GET / HTTP/1.1\r\nHost: host:\r\n\r\nGET / HTTP/1.1\r\nHost: 1.2.3.4:8080\r\n\r\nGET / HTTP/1.1\r\nHost: [v1.x]\r\n\r\nGET / HTTP/1.1\r\nHost: ho%41st,a;b=c\r\n\r\n"},
	{"absolute-authority-escaped", "GET http://a%41/ HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"absolute-authority-ipvfuture", "GET http://[v1.x]:80/ HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-absolute-authority-zone", "GET http://[fe80::1%25eth0]/ HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-chunk-size-trailing-space", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n"},
	{"400-chunk-size-trailing-tab", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\t\r\nhello\r\n0\r\n\r\n"},
	{"400-chunk-ext-trailing-space", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext \r\nhello\r\n0\r\n\r\n"},
	{"post-chunked-space-before-ext", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 ;ext\r\nhello\r\n0\r\n\r\n"},
	{"400-fragment-origin", "GET /#frag HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-fragment-after-query", "GET /a?b=c#d HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"400-fragment-absolute", "GET http://a/b#c HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"smuggle-501-method-body", "BREW / HTTP/1.1\r\nHost: a\r\nContent-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
}

// chunkedSeeds are encoded chunked bodies, trailers and final CRLF
// included, alone (not behind a head).
var chunkedSeeds = []seed{
	{"empty", "0\r\n\r\n"},
	{"one", "5\r\nhello\r\n0\r\n\r\n"},
	{"two", "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n"},
	{"upper-hex", "A\r\n0123456789\r\n0\r\n\r\n"},
	{"leading-zeros", "0005\r\nhello\r\n000\r\n\r\n"},
	{"sixteen-digits", "0000000000000001\r\nx\r\n0\r\n\r\n"},
	{"ext", "5;a=b\r\nhello\r\n0\r\n\r\n"},
	{"ext-token-only", "5;a\r\nhello\r\n0;b\r\n\r\n"},
	{"ext-quoted", "5;a=\"b c\"\r\nhello\r\n0\r\n\r\n"},
	{"ext-quoted-escape", "5;a=\"b\\\"c\"\r\nhello\r\n0\r\n\r\n"},
	{"ext-bws", "5 ; a = b\r\nhello\r\n0\r\n\r\n"},
	{"trailing-space", "5 \r\nhello\r\n0\t\r\n\r\n"},
	{"trailing-tab", "5\t\r\nhello\r\n0\r\n\r\n"},
	{"last-trailing-space", "5\r\nhello\r\n0 \r\n\r\n"},
	{"ext-trailing-space", "5;a \r\nhello\r\n0\r\n\r\n"},
	{"ext-value-trailing-tab", "5;a=b\t\r\nhello\r\n0\r\n\r\n"},
	{"space-before-ext", "5 ;a\r\nhello\r\n0\t;b\r\n\r\n"},
	{"trailer", "1\r\nx\r\n0\r\nX-Sum: abc\r\n\r\n"},
	{"trailers", "1\r\nx\r\n0\r\nA: 1\r\nB: 2\r\n\r\n"},
	{"crlf-data", "4\r\n\r\n\r\n\r\n0\r\n\r\n"},
	{"binary-data", "4\r\n\x00\xff\r\n\r\n0\r\n\r\n"},
	{"incomplete-size", "5"},
	{"incomplete-data", "5\r\nhel"},
	{"incomplete-crlf", "5\r\nhello\r"},
	{"incomplete-last", "0\r\n"},
	{"incomplete-trailer", "0\r\nX: y\r\n"},
	{"bad-size", "z\r\n"},
	{"empty-size", "\r\n"},
	{"negative", "-1\r\nx\r\n0\r\n\r\n"},
	{"plus", "+1\r\nx\r\n0\r\n\r\n"},
	{"0x", "0x1\r\nx\r\n0\r\n\r\n"},
	{"space-before-size", " 1\r\nx\r\n0\r\n\r\n"},
	{"space-in-size", "1 1\r\nx\r\n0\r\n\r\n"},
	{"overflow-17", "00000000000000001\r\nx\r\n0\r\n\r\n"},
	{"overflow-int64", "8000000000000000\r\nx\r\n0\r\n\r\n"},
	{"overflow-max", "ffffffffffffffff\r\nx\r\n0\r\n\r\n"},
	{"huge-size", "7fffffffffffffff\r\nx\r\n0\r\n\r\n"},
	{"bare-lf-size", "1\nx\r\n0\r\n\r\n"},
	{"bare-lf-data", "1\r\nx\n0\r\n\r\n"},
	{"bare-lf-last", "0\n\r\n"},
	{"bare-lf-end", "0\r\n\n"},
	{"bare-cr-size", "1\rx\r\n0\r\n\r\n"},
	{"cr-in-ext", "1;a\rb\r\nx\r\n0\r\n\r\n"},
	{"missing-crlf", "1\r\nxy\r\n0\r\n\r\n"},
	{"missing-crlf-short", "1\r\nxy"},
	{"ext-empty-name", "1;\r\nx\r\n0\r\n\r\n"},
	{"ext-equals-no-name", "1;=b\r\nx\r\n0\r\n\r\n"},
	{"ext-unterminated-quote", "1;a=\"b\r\nx\r\n0\r\n\r\n"},
	{"ext-no-semicolon", "1 a\r\nx\r\n0\r\n\r\n"},
	{"ext-nul", "1;a=\x00\r\nx\r\n0\r\n\r\n"},
	{"line-too-long", "1;a=" + strings.Repeat("b", 5000) + "\r\nx\r\n0\r\n\r\n"},
	{"overhead", strings.Repeat("1;"+strings.Repeat("e", 1000)+"\r\nx\r\n", 80) + "0\r\n\r\n"},
	{"trailer-fold", "0\r\nX: y\r\n z\r\n\r\n"},
	{"trailer-space-colon", "0\r\nX : y\r\n\r\n"},
	{"trailer-no-colon", "0\r\nXY\r\n\r\n"},
	{"trailer-nul", "0\r\nX: \x00\r\n\r\n"},
	{"smuggled-after", "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"},
	{"te-cl-body", "23\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n\r\n0\r\n\r\n"},
}
