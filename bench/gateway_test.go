package bench

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/engine/gateway"
)

// gatewayConns is the number of concurrent keep-alive client connections
// that drive each gateway.
const gatewayConns = 64

// BenchmarkGateway measures proxied throughput: the same net/http upstream
// on 127.0.0.1, answering a 13-byte body, behind rawhttpd's gateway
// (impl=rawhttpd) and behind httputil.ReverseProxy on net/http
// (impl=nethttp), driven by gatewayConns keep-alive connections that share
// b.N requests. Client, gateway and upstream run in this one process, so
// the figure is wall-clock requests per second of the whole loop, not per
// gateway CPU; compare the two rows, not absolute numbers.
func BenchmarkGateway(b *testing.B) {
	upstream := startUpstream(b)
	b.Run("impl=rawhttpd", func(b *testing.B) {
		h, err := gateway.New([]string{upstream}, gateway.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s := engine.New(h, engine.Config{Multicore: true})
		if err := s.Start("127.0.0.1:0"); err != nil {
			b.Fatal(err)
		}
		defer func() { _ = s.Close(); h.Close() }()
		driveGateway(b, s.Addr().String())
	})
	b.Run("impl=nethttp", func(b *testing.B) {
		target, err := url.Parse(upstream)
		if err != nil {
			b.Fatal(err)
		}
		// The same pool size as the gateway's default, so that neither
		// proxy is held back by idle connections it may not keep.
		transport := &http.Transport{
			MaxIdleConnsPerHost:   gateway.DefaultMaxConnsPerUpstream,
			MaxConnsPerHost:       gateway.DefaultMaxConnsPerUpstream,
			ResponseHeaderTimeout: gateway.DefaultUpstreamTimeout,
			DisableCompression:    true,
		}
		proxy := &httputil.ReverseProxy{
			Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target); r.SetXForwarded() },
			Transport: transport,
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer func() { _ = srv.Close(); transport.CloseIdleConnections() }()
		driveGateway(b, ln.Addr().String())
	})
}

// startUpstream runs the benchmark's upstream and returns its URL.
func startUpstream(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "Hello, World!")
	})}
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// driveGateway sends b.N GETs to addr over gatewayConns keep-alive
// connections, each waiting for one response before the next request,
// and reports requests per second.
func driveGateway(b *testing.B, addr string) {
	b.Helper()
	conns := make([]net.Conn, gatewayConns)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	req := []byte("GET /plaintext HTTP/1.1\r\nHost: bench.example\r\nAccept: text/plain\r\n\r\n")
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, gatewayConns)
	for i, c := range conns {
		n := b.N / gatewayConns
		if i < b.N%gatewayConns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := bufio.NewReader(c)
			_ = c.SetDeadline(time.Now().Add(time.Minute))
			for j := 0; j < n; j++ {
				if _, err := c.Write(req); err != nil {
					errs <- err
					return
				}
				resp, err := http.ReadResponse(r, nil)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- &statusError{resp.StatusCode}
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
}

// statusError reports a response that was not 200.
type statusError struct{ status int }

func (e *statusError) Error() string { return "bench: status " + http.StatusText(e.status) }
