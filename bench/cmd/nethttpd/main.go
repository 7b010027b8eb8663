// Command nethttpd is the net/http peer of bench/compare.sh: the standard
// library's server answering every request with the TechEmpower plaintext
// response ("Hello, World!", Content-Type text/plain), the response the
// rawhttpd binary's default mode and bench/cmd/adapterd give. Its handler
// (bench/internal/plaintext) is the one adapterd runs through
// engine.FromHTTP, so the two compare the same handler on net/http and on
// rawhttpd.
//
// It sets nothing but the address: GOMAXPROCS comes from the environment
// (compare.sh sets 1), the rest is net/http's default server.
//
//	go build -o nethttpd ./bench/cmd/nethttpd
//	./nethttpd -addr 127.0.0.1:8080
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/rawhttpd/rawhttpd/bench/internal/plaintext"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "TCP `address` to listen on")
	flag.Parse()
	handler := plaintext.Handler()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "nethttpd:", err)
		os.Exit(1)
	}
	fmt.Println("nethttpd: listening on", ln.Addr())
	srv := &http.Server{Handler: handler}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		<-sig
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "nethttpd:", err)
		os.Exit(1)
	}
}
