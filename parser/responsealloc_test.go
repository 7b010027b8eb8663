//go:build !race

package parser

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A response parse allocates nothing once a Response's Fields array has
// grown: head, body of each framing, interim responses, pieces, and the
// refusals a gateway turns into 502. (The race detector allocates, hence
// the build tag.)
func TestResponseParseAllocatesNothing(t *testing.T) {
	var (
		length   = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Mon, 07 Dec 2026 14:00:00 GMT\r\nContent-Length: 5\r\n\r\nhello")
		chunked  = []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: v\r\n\r\n")
		interim  = []byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nServer: up\r\n\r\n")
		smuggled = []byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
		badChunk = []byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
	)
	// exchange reads one request's response from buf, giving the parser
	// pieces of at most step bytes, and returns the body bytes seen.
	exchange := func(p *ResponseParser, resp *Response, buf []byte, step int) (body int, err error) {
		p.Sent(false)
		off, avail := 0, min(step, len(buf))
		for {
			var n int
			if p.stage == readingBody {
				var data []byte
				data, n, err = p.Body(buf[off:avail])
				body += len(data)
			} else {
				n, err = p.Parse(buf[off:avail], resp)
			}
			if err != nil || p.Done() {
				return body, err
			}
			off += n
			if n == 0 {
				if avail == len(buf) {
					return body, p.Closed()
				}
				avail = min(avail+step, len(buf))
			}
		}
	}
	mustRead := func(want int) func(int, error) {
		return func(body int, err error) {
			if err != nil || body != want {
				panic("response did not parse")
			}
		}
	}
	mustFail := func(_ int, err error) {
		if err == nil {
			panic("response did not fail")
		}
	}
	tests := []struct {
		name string
		run  func(p *ResponseParser, resp *Response)
	}{
		{name: "Content-Length", run: func(p *ResponseParser, resp *Response) { mustRead(5)(exchange(p, resp, length, len(length))) }},
		{name: "Content-Length in pieces", run: func(p *ResponseParser, resp *Response) { mustRead(5)(exchange(p, resp, length, 7)) }},
		{name: "chunked", run: func(p *ResponseParser, resp *Response) { mustRead(11)(exchange(p, resp, chunked, len(chunked))) }},
		{name: "chunked in pieces", run: func(p *ResponseParser, resp *Response) { mustRead(11)(exchange(p, resp, chunked, 5)) }},
		{name: "interim then 204", run: func(p *ResponseParser, resp *Response) { mustRead(0)(exchange(p, resp, interim, len(interim))) }},
		{name: "refuse CL with TE", run: func(p *ResponseParser, resp *Response) {
			mustFail(exchange(p, resp, smuggled, len(smuggled)))
			p.Reset()
		}},
		{name: "refuse bad chunk", run: func(p *ResponseParser, resp *Response) {
			mustFail(exchange(p, resp, badChunk, len(badChunk)))
			p.Reset()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewResponseParser(Config{})
			resp := &Response{}
			tt.run(p, resp) // grow Fields
			require.Zero(t, testing.AllocsPerRun(100, func() { tt.run(p, resp) }))
		})
	}
}
