//go:build !race

package parser

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The hot path allocates nothing once a Request's Fields array has grown:
// parsing, pipelining, resuming and rejecting. (The race detector
// allocates, hence the build tag.)
func TestParseAllocatesNothing(t *testing.T) {
	var (
		minimal   = []byte(minimalGET)
		browser   = []byte(browserGET)
		pipelined = []byte(strings.Repeat(minimalGET, 8) + strings.Repeat(browserGET, 8))
		chunked   = []byte("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n")
		scratch   = make([]byte, len(chunked)) // chunked decoding writes: parse a copy each time
		h2        = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
		foo       = []byte("FOO / HTTP/1.1\r\nHost: a\r\n\r\n")
		badField  = []byte("GET / HTTP/1.1\r\nX : y\r\n\r\n")
	)
	mustComplete := func(n int, err error) {
		if err != nil || n == 0 {
			panic("request did not parse")
		}
	}
	mustFail := func(_ int, err error) {
		if err == nil {
			panic("request did not fail")
		}
	}
	tests := []struct {
		name string
		run  func(p *Parser, req *Request)
	}{
		{name: "minimal GET", run: func(p *Parser, req *Request) { mustComplete(p.Parse(minimal, req)) }},
		{name: "browser GET", run: func(p *Parser, req *Request) { mustComplete(p.Parse(browser, req)) }},
		{name: "pipelined 16", run: func(p *Parser, req *Request) {
			for off := 0; off < len(pipelined); {
				n, err := p.Parse(pipelined[off:], req)
				mustComplete(n, err)
				off += n
			}
		}},
		{name: "browser GET in two pieces", run: func(p *Parser, req *Request) {
			p.Parse(browser[:300], req)
			mustComplete(p.Parse(browser, req))
		}},
		{name: "chunked with trailer", run: func(p *Parser, req *Request) {
			copy(scratch, chunked)
			mustComplete(p.Parse(scratch, req))
		}},
		{name: "reject 505", run: func(p *Parser, req *Request) { mustFail(p.Parse(h2, req)); p.Reset() }},
		{name: "reject 501", run: func(p *Parser, req *Request) { mustFail(p.Parse(foo, req)); p.Reset() }},
		{name: "reject 400 field", run: func(p *Parser, req *Request) { mustFail(p.Parse(badField, req)); p.Reset() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New(Config{})
			req := &Request{}
			tt.run(p, req) // grow Fields
			require.Zero(t, testing.AllocsPerRun(100, func() { tt.run(p, req) }))
		})
	}
}
