package bench

import (
	"bufio"
	"bytes"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/engine/files"
)

// filesConns is the number of keep-alive client connections that drive
// each file server.
const filesConns = 16

// BenchmarkFiles measures GETs of one file per size from rawhttpd's files
// handler (impl=rawhttpd, cache on by default: 1 KiB and 64 KiB are
// answered from memory on the loop, 1 MiB is sent from disk by a worker with Context.SendFile) and from
// http.FileServer on net/http (impl=nethttp), driven by filesConns
// keep-alive connections that share b.N requests. Client and server run in
// this one process: ns/op is wall time per request, cpu-ns/op the
// process's CPU time (user and system, the client's included) per request;
// compare the two rows, not absolute numbers.
func BenchmarkFiles(b *testing.B) {
	root := b.TempDir()
	rng := rand.New(rand.NewSource(1))
	sizes := []struct {
		name string
		n    int
	}{{"1k", 1 << 10}, {"64k", 64 << 10}, {"1m", 1 << 20}}
	for _, size := range sizes {
		body := make([]byte, size.n)
		rng.Read(body)
		if err := os.WriteFile(filepath.Join(root, size.name+".bin"), body, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, size := range sizes {
		path := "/" + size.name + ".bin"
		b.Run("size="+size.name+"/impl=rawhttpd", func(b *testing.B) {
			h, err := files.New(root, files.Options{})
			if err != nil {
				b.Fatal(err)
			}
			s := engine.New(h, engine.Config{Multicore: true})
			if err := s.Start("127.0.0.1:0"); err != nil {
				b.Fatal(err)
			}
			defer func() { _ = s.Close(); _ = h.Close() }()
			driveFiles(b, s.Addr().String(), path)
		})
		b.Run("size="+size.name+"/impl=nethttp", func(b *testing.B) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			srv := &http.Server{Handler: http.FileServer(http.Dir(root)), ReadHeaderTimeout: 10 * time.Second}
			go func() { _ = srv.Serve(ln) }()
			defer func() { _ = srv.Close() }()
			driveFiles(b, ln.Addr().String(), path)
		})
	}
}

// driveFiles sends b.N GETs of path to addr over filesConns connections,
// reading each response whole into a fixed buffer.
func driveFiles(b *testing.B, addr, path string) {
	req := []byte("GET " + path + " HTTP/1.1\r\nHost: bench\r\n\r\n")
	conns := make([]net.Conn, filesConns)
	sizes := make([]int, filesConns)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Minute))
		conns[i], sizes[i] = c, responseSize(b, c, req)
	}
	var next sync.WaitGroup
	var ru0, ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	b.ReportAllocs()
	b.SetBytes(int64(sizes[0]))
	b.ResetTimer()
	share := b.N / filesConns
	for i, c := range conns {
		n := share
		if i == 0 {
			n += b.N % filesConns
		}
		next.Add(1)
		go func(c net.Conn, size, n int) {
			defer next.Done()
			buf := make([]byte, size)
			for range n {
				if _, err := c.Write(req); err != nil {
					b.Error(err)
					return
				}
				if _, err := io.ReadFull(c, buf); err != nil {
					b.Error(err)
					return
				}
			}
		}(c, sizes[i], n)
	}
	next.Wait()
	b.StopTimer()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}

// responseSize sends req once on c and returns the length of the whole
// response, head and body, which the server keeps for every repetition.
func responseSize(b *testing.B, c net.Conn, req []byte) int {
	b.Helper()
	if _, err := c.Write(req); err != nil {
		b.Fatal(err)
	}
	var head bytes.Buffer
	r := bufio.NewReader(io.TeeReader(c, &head))
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.ContentLength < 0 {
		b.Fatalf("status %d, length %d", resp.StatusCode, resp.ContentLength)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		b.Fatal(err)
	}
	// Whatever the reader took past the response would be the next one's.
	if r.Buffered() > 0 {
		b.Fatal("bytes past the response: " + strconv.Itoa(r.Buffered()))
	}
	return head.Len()
}
