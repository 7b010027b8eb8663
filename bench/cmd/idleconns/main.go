// Command idleconns holds keep-alive connections idle against a server,
// for bench/compare.sh's idle-memory measure: it opens -conns connections
// to -addr, sends one "GET /" on each and reads its response, prints
// "held N" once all are open and answered, keeps them idle for -hold, and
// then closes them. The server's memory growth over that time is what an
// idle connection costs it.
//
// Go raises the process's open-file limit to the hard limit at start; a
// hard limit below -conns plus a few ends the run with an error.
//
//	go build -o idleconns ./bench/cmd/idleconns
//	./idleconns -addr 127.0.0.1:8080 -conns 10000 -hold 2s
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// request is what each connection sends once.
const request = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n"

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "TCP `address` of the server")
	conns := flag.Int("conns", 10000, "`number` of connections to hold")
	hold := flag.Duration("hold", 2*time.Second, "how long to hold them idle")
	flag.Parse()
	held, err := open(*addr, *conns)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idleconns:", err)
		os.Exit(1)
	}
	fmt.Println("held", len(held))
	time.Sleep(*hold)
	for _, c := range held {
		_ = c.Close()
	}
}

// open dials n connections and has each served one request; on an error
// it closes those it opened.
func open(addr string, n int) ([]net.Conn, error) {
	held := make([]net.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, err := served(addr)
		if err != nil {
			for _, h := range held {
				_ = h.Close()
			}
			return nil, fmt.Errorf("connection %d: %w", i+1, err)
		}
		held = append(held, c)
	}
	return held, nil
}

// served dials addr, sends request and reads one whole 200 response.
func served(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, request); err != nil {
		_ = c.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return c, nil
}
