// Command nethttpfs serves the files under -root with the standard
// library's http.FileServer on net/http's default server: the net/http
// peer of the files mode in bench/cost.sh.
//
//	go build -o nethttpfs ./bench/cmd/nethttpfs
//	./nethttpfs -addr 127.0.0.1:8080 -root /srv/files
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "TCP `address` to listen on")
	root := flag.String("root", ".", "`directory` to serve")
	flag.Parse()
	if err := http.ListenAndServe(*addr, http.FileServer(http.Dir(*root))); err != nil {
		fmt.Fprintln(os.Stderr, "nethttpfs:", err)
		os.Exit(1)
	}
}
