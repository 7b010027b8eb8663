// Command upstreamd is the upstream server of bench/gateway.sh: a plain
// net/http server that answers every request with "Hello, World!" as
// text/plain. Both proxies under test forward to the same upstreamd, so
// its cost is the same for each and drops out of their comparison.
//
//	go build -o upstreamd ./bench/cmd/upstreamd
//	./upstreamd -addr 127.0.0.1:9000
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"
)

// Header values are shared, read-only, by all responses.
var (
	body        = []byte("Hello, World!")
	typeValue   = []string{"text/plain; charset=utf-8"}
	lengthValue = []string{"13"}
)

func hello(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h["Content-Type"] = typeValue
	h["Content-Length"] = lengthValue
	_, _ = w.Write(body)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "TCP `address` to listen on")
	flag.Parse()
	srv := &http.Server{
		Addr:              *addr,
		Handler:           http.HandlerFunc(hello),
		ReadHeaderTimeout: 10 * time.Second,
	}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "upstreamd:", err)
		os.Exit(1)
	}
}
