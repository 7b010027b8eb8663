package bench

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/rawhttpd/rawhttpd/parser"
)

// responseInputs are the inputs of BenchmarkResponseParse: an upstream's
// response to a GET, head and body, framed by Content-Length or chunked.
var responseInputs = []struct {
	name string
	raw  []byte
	body int
}{
	{"length", []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Date: Mon, 07 Dec 2026 14:00:00 GMT\r\nContent-Length: 13\r\n\r\nHello, World!"), 13},
	{"chunked", []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Date: Mon, 07 Dec 2026 14:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"d\r\nHello, World!\r\n0\r\n\r\n"), 13},
}

// BenchmarkResponseParse compares rawhttpd's response parser with
// net/http's http.ReadResponse, the head and the whole body, on the same
// bytes. net/http reuses one bufio.Reader, as its Transport does per
// connection; its body is read into io.Discard.
func BenchmarkResponseParse(b *testing.B) {
	for _, in := range responseInputs {
		b.Run("in="+in.name+"/impl=rawhttpd", func(b *testing.B) {
			p := parser.NewResponseParser(parser.Config{})
			var resp parser.Response
			b.SetBytes(int64(len(in.raw)))
			b.ReportAllocs()
			for b.Loop() {
				p.Sent(false)
				n, err := p.Parse(in.raw, &resp)
				body := 0
				for err == nil && !p.Done() {
					var data []byte
					var m int
					data, m, err = p.Body(in.raw[n:])
					n, body = n+m, body+len(data)
				}
				if err != nil || n != len(in.raw) || body != in.body {
					b.Fatal("response did not parse")
				}
			}
		})
		b.Run("in="+in.name+"/impl=nethttp", func(b *testing.B) {
			r := bytes.NewReader(in.raw)
			br := bufio.NewReader(r)
			req := &http.Request{Method: http.MethodGet}
			b.SetBytes(int64(len(in.raw)))
			b.ReportAllocs()
			for b.Loop() {
				r.Reset(in.raw)
				br.Reset(r)
				resp, err := http.ReadResponse(br, req)
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != int64(in.body) {
					b.Fatal("body did not read")
				}
			}
		})
	}
}
