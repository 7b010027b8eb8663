package fuzz

import "strings"

// responseSeed is one corpus entry of the response targets: the bytes an
// upstream sends before it closes, and whether the request was HEAD.
type responseSeed struct {
	name string
	raw  string
	head bool
}

// responseSeeds cover each framing of RFC 9112 §6.3, interim responses,
// and the shapes by which an upstream could split a response or
// desynchronise the connection: two framings at once, obfuscated
// Transfer-Encoding, a body where none may be, bytes after the end, a
// second response, header injection through a bare CR or NUL.
var responseSeeds = []responseSeed{
	// Accepted.
	{name: "ok-length", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"},
	{name: "ok-length-zero", raw: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
	{name: "ok-chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
	{name: "ok-chunked-ext-trailer", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n1;a=\"b\"\r\nx\r\n0\r\nX-Sum: 1\r\n\r\n"},
	{name: "ok-until-close", raw: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the upstream closes"},
	{name: "ok-http10-until-close", raw: "HTTP/1.0 200 OK\r\n\r\nx"},
	{name: "ok-http10-keepalive", raw: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx"},
	{name: "ok-204", raw: "HTTP/1.1 204 No Content\r\n\r\n"},
	{name: "ok-304-with-length", raw: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"},
	{name: "ok-head-with-length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", head: true},
	{name: "ok-head-chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", head: true},
	{name: "ok-100-then-200", raw: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"},
	{name: "ok-103-then-204", raw: "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"},
	{name: "ok-503-retry-after", raw: "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 4\r\n\r\nbusy"},
	{name: "ok-empty-reason", raw: "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"},
	{name: "ok-obs-text-reason", raw: "HTTP/1.1 200 \xc3\xa9t\xc3\xa9\r\nContent-Length: 0\r\n\r\n"},
	{name: "ok-te-case", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: ChUnKeD\r\n\r\n0\r\n\r\n"},
	{name: "ok-close", raw: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"},

	// Closed too early.
	{name: "closed-silent", raw: ""},
	{name: "closed-in-status-line", raw: "HTTP/1.1 2"},
	{name: "closed-in-head", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"},
	{name: "closed-in-length-body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"},
	{name: "closed-in-chunk", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"},
	{name: "closed-after-interim", raw: "HTTP/1.1 100 Continue\r\n\r\n"},

	// The status line.
	{name: "status-no-reason-no-space", raw: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"},
	{name: "status-two-spaces", raw: "HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n"},
	{name: "status-lowercase", raw: "http/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
	{name: "status-http2", raw: "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"},
	{name: "status-http09", raw: "HTTP/0.9 200 OK\r\n\r\n"},
	{name: "status-two-digits", raw: "HTTP/1.1 20 OK\r\n\r\n"},
	{name: "status-sign", raw: "HTTP/1.1 +20 OK\r\n\r\n"},
	{name: "status-000", raw: "HTTP/1.1 000 Zero\r\nContent-Length: 0\r\n\r\n"},
	{name: "status-999", raw: "HTTP/1.1 999 Nine\r\nContent-Length: 0\r\n\r\n"},
	{name: "status-101", raw: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
	{name: "status-reason-nul", raw: "HTTP/1.1 200 O\x00K\r\nContent-Length: 0\r\n\r\n"},
	{name: "status-reason-bare-cr", raw: "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n"},
	{name: "status-bare-lf", raw: "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"},
	{name: "status-leading-crlf", raw: "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
	{name: "status-other-protocol", raw: "SSH-2.0-OpenSSH_9.6\r\n"},
	{name: "status-garbage-binary", raw: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"},
	{name: "status-overlong-reason", raw: "HTTP/1.1 200 " + strings.Repeat("x", 5000) + "\r\n\r\n"},

	// Fields: injection and obfuscation.
	{name: "field-obs-fold", raw: "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 0\r\n\r\n"},
	{name: "field-bare-cr-injection", raw: "HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: s=1\r\nContent-Length: 0\r\n\r\n"},
	{name: "field-nul", raw: "HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n"},
	{name: "field-bare-lf", raw: "HTTP/1.1 200 OK\r\nX-A: a\nContent-Length: 0\r\n\r\n"},
	{name: "field-no-colon", raw: "HTTP/1.1 200 OK\r\nX-A\r\nContent-Length: 0\r\n\r\n"},
	{name: "field-space-in-name", raw: "HTTP/1.1 200 OK\r\nX A: 1\r\nContent-Length: 0\r\n\r\n"},
	{name: "field-too-many", raw: "HTTP/1.1 200 OK\r\n" + strings.Repeat("X: y\r\n", 101) + "Content-Length: 0\r\n\r\n"},

	// Framing: two at once, obfuscated codings, bad lengths.
	{name: "desync-cl-te", raw: "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"},
	{name: "desync-te-cl", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"},
	{name: "desync-te-space-before-colon", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"},
	{name: "desync-te-xchunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\nhello"},
	{name: "desync-te-chunked-identity", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"},
	{name: "desync-te-gzip-chunked", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"},
	{name: "desync-te-gzip", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nbody until close"},
	{name: "desync-te-twice", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{name: "desync-te-empty-elements", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: , chunked\r\n\r\n0\r\n\r\n"},
	{name: "desync-te-quoted", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n"},
	{name: "desync-te-obs-fold", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"},
	{name: "desync-te-http10", raw: "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
	{name: "desync-cl-differing", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"},
	{name: "desync-cl-equal", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"},
	{name: "desync-cl-list", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello"},
	{name: "desync-cl-sign", raw: "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello"},
	{name: "desync-cl-empty", raw: "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nhello"},
	{name: "desync-cl-hex", raw: "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\nhello"},
	{name: "desync-cl-overflow", raw: "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"},

	// Splitting: bytes where no response may be.
	{name: "split-body-after-204", raw: "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
	{name: "split-body-after-304", raw: "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello"},
	{name: "split-body-after-head", raw: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", head: true},
	{name: "split-longer-than-length", raw: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"},
	{name: "split-second-response", raw: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
	{name: "split-after-last-chunk", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"},
	{name: "split-crlf-after-body", raw: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\r\n"},

	// Chunked bodies.
	{name: "chunk-bad-size", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
	{name: "chunk-negative", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n"},
	{name: "chunk-overflow", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n"},
	{name: "chunk-missing-crlf", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy0\r\n\r\n"},
	{name: "chunk-bare-lf", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n"},
	{name: "chunk-ext-bws", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1 ;a\r\nx\r\n0\r\n\r\n"},
	{name: "chunk-ext-bad", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;=x\r\nx\r\n0\r\n\r\n"},
	{name: "chunk-trailer-obs-fold", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: a\r\n b\r\n\r\n"},
	// Found by FuzzResponse: net/http refuses a Transfer-Encoding list
	// with an empty element; it ignores any Transfer-Encoding in HTTP/1.0.
	{name: "found-te-empty-element-mixed-case", raw: "HTTP/1.1 200 \r\nTrAnsfer-EnCoding:,Chunked\r\n\r\n", head: true},
	{name: "found-te-empty-http10", raw: "HTTP/1.0 200 \r\nTrAnsfer-EnCoding:\r\n\r\n", head: true},

	{name: "chunk-size-larger-than-data", raw: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort\r\n0\r\n\r\n"},
}
