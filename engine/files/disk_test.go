package files

import (
	"bufio"
	"crypto/sha256"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLargeFileStreamsWithBoundedMemory sends a 32 MiB file to a client
// with a small receive window that reads it 64 KiB at a time, and
// requires all of it, in order, while the server's heap grows by far
// less than the file: the file is streamed through bounded buffers, and
// the handler waits while the client does not read.
func TestLargeFileStreamsWithBoundedMemory(t *testing.T) {
	const size = 32 << 20
	root := t.TempDir()
	content := make([]byte, size)
	for i := range content {
		content[i] = byte(i*7 + i>>13)
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "big.bin"), content, 0o644))
	want := sha256.Sum256(content)
	content = nil

	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			_, addr := startFiles(t, root, mode.opts)
			conn := dialNarrow(t, addr)
			require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			baseline := ms.HeapInuse

			_, err := io.WriteString(conn, "GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
			require.NoError(t, err)
			resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 64<<10), nil)
			require.NoError(t, err)
			require.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, int64(size), resp.ContentLength)

			h := sha256.New()
			piece := make([]byte, 64<<10)
			var got, peak uint64
			for {
				n, err := io.ReadFull(resp.Body, piece)
				h.Write(piece[:n])
				got += uint64(n)
				if got%(2<<20) == 0 || err != nil {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					break
				}
				require.NoError(t, err)
			}
			assert.Equal(t, uint64(size), got)
			assert.Equal(t, want, [32]byte(h.Sum(nil)))
			growth := int64(peak) - int64(baseline)
			t.Logf("heap growth while streaming %d MiB: %.1f MiB", size>>20, float64(growth)/(1<<20))
			assert.Less(t, growth, int64(16<<20))
		})
	}
}

// dialNarrow connects to addr with a 4 KiB receive buffer, set before the
// handshake, so that the server meets a client slower than its disk.
func dialNarrow(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: ioTimeout, Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	conn, err := d.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func TestStreamedRangeSpansPieces(t *testing.T) {
	// pieceSize is the engine's unit of a sent file region: the span the
	// client must take per WriteTimeout, and the fallback's buffer.
	const pieceSize = 256 << 10
	root := t.TempDir()
	content := make([]byte, 3*pieceSize+7)
	for i := range content {
		content[i] = byte(i * 31)
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "f.bin"), content, 0o644))
	tests := []struct {
		name, rangeSpec string
		status          int
		from, to        int
	}{
		{"whole", "", 200, 0, len(content)},
		{"across pieces", "Range: bytes=100-" + strconv.Itoa(2*pieceSize+100) + "\r\n", 206, 100, 2*pieceSize + 101},
		{"the last bytes", "Range: bytes=-10\r\n", 206, len(content) - 10, len(content)},
	}
	for _, mode := range cacheModes {
		_, addr := startFiles(t, root, mode.opts)
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				resp, body := dial(t, addr).get("/f.bin", tt.rangeSpec)
				assert.Equal(t, tt.status, resp.StatusCode)
				assert.Equal(t, string(content[tt.from:tt.to]), body)
				assert.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"))
			})
		}
	}
}

func TestStatusOf(t *testing.T) {
	root, err := os.OpenRoot(t.TempDir())
	require.NoError(t, err)
	_, escape := root.Stat("../x")
	require.Error(t, escape)
	_, missing := root.Stat("x")
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"missing", missing, errNotFound},
		{"not a directory", &fs.PathError{Op: "stat", Path: "a/b", Err: syscall.ENOTDIR}, errNotFound},
		{"permission", &fs.PathError{Op: "open", Path: "a", Err: syscall.EACCES}, errForbidden},
		{"escape", escape, errForbidden},
		{"I/O error", &fs.PathError{Op: "read", Path: "a", Err: syscall.EIO}, syscall.EIO},
		{"closed", fs.ErrClosed, fs.ErrClosed},
	}
	require.NoError(t, root.Close())
	for _, tt := range tests {
		assert.ErrorIs(t, statusOf(tt.err), tt.want, tt.name)
	}
}
