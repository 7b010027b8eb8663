// Command adapterd serves the TechEmpower plaintext response from a plain
// net/http handler run on rawhttpd through engine.FromHTTP, so that
// bench/compare.sh can compare the adapter with net/http serving the same
// handler (bench/cmd/nethttpd):
//
//	go build -o adapterd ./bench/cmd/adapterd
//	bench/compare.sh --target './adapterd -addr {addr}' --name adapter
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/rawhttpd/rawhttpd/engine"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "TCP `address` to listen on")
	flag.Parse()
	plaintext := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "Hello, World!")
	})
	srv := engine.New(engine.FromHTTP(plaintext), engine.Config{NumLoops: 1})
	if err := srv.Start(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "adapterd:", err)
		os.Exit(1)
	}
	fmt.Println("adapterd: listening on", srv.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	_ = srv.Close()
}
