// Command proxyd is the peer of rawhttpd's gateway mode in
// bench/gateway.sh: httputil.ReverseProxy on net/http, forwarding every
// request to one upstream. It exists so that the two proxies can be
// measured as separate processes, each pinned to its own core, and
// compared by requests per second of proxy CPU; in one process,
// as BenchmarkGateway runs them, the client and the upstream take most of
// the CPU and hide the difference.
//
// Its Transport is set up as the gateway's is (the same connection pool
// size, no compression), and it adds the X-Forwarded fields as the gateway
// does, so that both do the same work per request.
//
//	go build -o proxyd ./bench/cmd/proxyd
//	./proxyd -addr 127.0.0.1:8081 -upstream http://127.0.0.1:9000
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"

	"github.com/rawhttpd/rawhttpd/engine/gateway"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "TCP `address` to listen on")
	upstream := flag.String("upstream", "", "forward every request to this `URL`")
	flag.Parse()
	target, err := url.Parse(*upstream)
	if err != nil || target.Scheme == "" || target.Host == "" {
		fmt.Fprintf(os.Stderr, "proxyd: -upstream %q: want an absolute http URL\n", *upstream)
		os.Exit(2)
	}
	transport := &http.Transport{
		MaxIdleConnsPerHost:   gateway.DefaultMaxConnsPerUpstream,
		MaxConnsPerHost:       gateway.DefaultMaxConnsPerUpstream,
		ResponseHeaderTimeout: gateway.DefaultUpstreamTimeout,
		DisableCompression:    true,
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.SetXForwarded()
		},
		Transport: transport,
	}
	srv := &http.Server{Addr: *addr, Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "proxyd:", err)
		os.Exit(1)
	}
}
