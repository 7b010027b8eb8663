package bench

import "strings"

// Wire bytes shared by the benchmarks of this package.
var (
	// minimalGET is the smallest request a client sends.
	minimalGET = []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")

	// browserGET is a Chrome navigation request: 765 bytes, 16
	// fields, a cookie.
	browserGET = []byte("GET /search?q=rawhttpd&lang=en HTTP/1.1\r\n" +
		"Host: www.example.com\r\n" +
		"Connection: keep-alive\r\n" +
		"sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
		"sec-ch-ua-mobile: ?0\r\n" +
		"sec-ch-ua-platform: \"Linux\"\r\n" +
		"Upgrade-Insecure-Requests: 1\r\n" +
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
		"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
		"Sec-Fetch-Site: same-origin\r\n" +
		"Sec-Fetch-Mode: navigate\r\n" +
		"Sec-Fetch-User: ?1\r\n" +
		"Sec-Fetch-Dest: document\r\n" +
		"Referer: https://www.example.com/\r\n" +
		"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
		"Accept-Language: en-US,en;q=0.9\r\n" +
		"Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; _ga=GA1.2.1234567890.1700000000\r\n" +
		"\r\n")

	// pipelined16 is 16 small GETs in one read, as a pipelining client or
	// a load generator sends them.
	pipelined16 = []byte(strings.Repeat("GET /plaintext HTTP/1.1\r\nHost: server\r\nAccept: text/plain\r\nConnection: keep-alive\r\n\r\n", 16))

	// reject505 is the HTTP/2 connection preface sent to an HTTP/1 server.
	reject505 = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")

	// reject501 is a request with an unregistered method.
	reject501 = []byte("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n")
)
