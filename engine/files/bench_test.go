package files

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkCachedHit measures a cached file served inline, request by
// request (depth=1) and 16 pipelined per write (depth=16), over loopback:
// the time per request includes the client's side and the round trip.
// ns/op is per request; allocs/op counts the whole process.
func BenchmarkCachedHit(b *testing.B) {
	root := b.TempDir()
	for _, size := range []struct {
		name string
		n    int
	}{{"1k", 1 << 10}, {"64k", 64 << 10}} {
		if err := os.WriteFile(filepath.Join(root, size.name), bytes.Repeat([]byte("x"), size.n), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	h, err := New(root, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	addr := startServer(b, h)
	for _, size := range []string{"1k", "64k"} {
		for _, depth := range []int{1, 16} {
			b.Run("size="+size+"/depth="+strconv.Itoa(depth), func(b *testing.B) {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					b.Fatal(err)
				}
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(time.Minute))
				one := []byte("GET /" + size + " HTTP/1.1\r\nHost: a\r\n\r\n")
				req := bytes.Repeat(one, depth)
				n := responseLen(b, conn, one)
				buf := make([]byte, n*depth)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i += depth {
					if _, err := conn.Write(req); err != nil {
						b.Fatal(err)
					}
					if _, err := io.ReadFull(conn, buf); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
