package engine

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/rawhttpd/rawhttpd/internal/testreq"
)

// wrkGET is the request wrk sends in bench/compare.sh's scenarios.
const wrkGET = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"

// plaintext is the binary's default handler: TechEmpower's plaintext
// response with a pre-rendered Content-Type.
var plaintext = func() Handler {
	ct := MustField("Content-Type", "text/plain; charset=utf-8")
	return HandlerFunc(func(c *Context) error {
		c.AddField(ct)
		_, _ = c.WriteString("Hello, World!")
		return nil
	})
}()

// BenchmarkServe measures the OnTraffic path — parse, dispatch to an
// inline handler, render, write — on an in-memory connection.
func BenchmarkServe(b *testing.B) {
	for _, in := range []struct {
		name, raw string
		log       bool
	}{
		{"wrk", wrkGET, false},
		{"browser", testreq.Browser, false},
		{"pipelined16", strings.Repeat(wrkGET, 16), false},
		{"wrk/log=json", wrkGET, true},
	} {
		log := in.log
		b.Run("in="+in.name, func(b *testing.B) {
			m := &memTransport{}
			c := memConn(plaintext, m)
			if log {
				c.srv.cfg.AccessLog = slog.New(slog.NewJSONHandler(io.Discard, nil))
			}
			raw := []byte(in.raw)
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				m.in, m.out = raw, m.out[:0]
				c.serve()
			}
		})
	}
}

// BenchmarkFromHTTP measures one request through the net/http adapter on
// an in-memory connection: the loop's side (parse, copy, queue) and the
// worker's (the *http.Request, the handler, the response), with the
// worker's work run in the benchmark's goroutine.
func BenchmarkFromHTTP(b *testing.B) {
	h := FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "Hello, World!")
	}))
	for _, in := range []struct{ name, raw string }{
		{"wrk", wrkGET},
		{"browser", testreq.Browser},
	} {
		b.Run("in="+in.name, func(b *testing.B) {
			m := &memTransport{}
			c := memConn(h, m)
			raw := []byte(in.raw)
			b.ReportAllocs()
			for b.Loop() {
				m.in = raw
				c.serve()
				j := queuedJob(c.srv)
				j.run()
				c.pending, c.state = nil, stateIdle
			}
		})
	}
}
