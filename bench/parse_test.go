package bench

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"

	"github.com/rawhttpd/rawhttpd/parser"
)

// parseInputs are the inputs of BenchmarkParse: the bytes and how many
// requests they hold (0 for a rejection).
var parseInputs = []struct {
	name     string
	raw      []byte
	requests int
}{
	{"minimal", minimalGET, 1},
	{"browser", browserGET, 1},
	{"pipelined16", pipelined16, 16},
	{"reject505", reject505, 0},
	{"reject501", reject501, 0},
}

// BenchmarkParse compares rawhttpd's parser with net/http's
// http.ReadRequest on the same bytes. net/http reuses one bufio.Reader,
// reset onto a bytes.Reader, as its server reuses one per connection.
// A rejection counts as done when rawhttpd refuses the request; net/http's
// ReadRequest reads such a request whole (its server refuses HTTP/2.0 only
// afterwards, and serves any method), so there it costs a full parse.
func BenchmarkParse(b *testing.B) {
	for _, in := range parseInputs {
		b.Run("in="+in.name+"/impl=rawhttpd", func(b *testing.B) {
			p := parser.New(parser.Config{})
			var req parser.Request
			b.SetBytes(int64(len(in.raw)))
			b.ReportAllocs()
			for b.Loop() {
				got := 0
				for off := 0; off < len(in.raw); {
					n, err := p.Parse(in.raw[off:], &req)
					if err != nil {
						p.Reset()
						break
					}
					if n == 0 {
						b.Fatal("incomplete request")
					}
					off += n
					got++
				}
				if got != in.requests {
					b.Fatalf("parsed %d requests, want %d", got, in.requests)
				}
			}
		})
		b.Run("in="+in.name+"/impl=nethttp", func(b *testing.B) {
			r := bytes.NewReader(in.raw)
			br := bufio.NewReader(r)
			b.SetBytes(int64(len(in.raw)))
			b.ReportAllocs()
			for b.Loop() {
				r.Reset(in.raw)
				br.Reset(r)
				for range max(in.requests, 1) {
					if _, err := http.ReadRequest(br); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
