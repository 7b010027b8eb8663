package bench

import (
	"strings"

	"github.com/rawhttpd/rawhttpd/internal/testreq"
)

// Wire bytes shared by the benchmarks of this package.
var (
	// minimalGET is the smallest request a client sends.
	minimalGET = []byte(testreq.Minimal)

	// browserGET is the shared Chrome navigation request (765 bytes, 16
	// fields, a cookie), the in=browser of parser's and engine's
	// benchmarks too.
	browserGET = []byte(testreq.Browser)

	// pipelined16 is 16 small GETs in one read, as a pipelining client or
	// a load generator sends them.
	pipelined16 = []byte(strings.Repeat("GET /plaintext HTTP/1.1\r\nHost: server\r\nAccept: text/plain\r\nConnection: keep-alive\r\n\r\n", 16))

	// reject505 is the HTTP/2 connection preface sent to an HTTP/1 server.
	reject505 = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")

	// reject501 is a request with an unregistered method.
	reject501 = []byte("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n")
)
