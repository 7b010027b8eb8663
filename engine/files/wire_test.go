package files

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWireBytes compares whole responses byte for byte, two pipelined, the
// Date, ETag and Last-Modified values masked, cached and uncached: the
// fields, their order and the framing the client sees.
func TestWireBytes(t *testing.T) {
	const head200 = "HTTP/1.1 200 OK\r\nServer: rawhttpd\r\nDate: D\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Last-Modified: L\r\nETag: E\r\nAccept-Ranges: bytes\r\nContent-Length: 10\r\n\r\n"
	tests := []struct {
		name, raw, want string
	}{
		{"GET", "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n", head200 + "0123456789"},
		{"HEAD", "HEAD /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n", head200},
		{"304", "GET /hello.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: *\r\n\r\n",
			"HTTP/1.1 304 Not Modified\r\nServer: rawhttpd\r\nDate: D\r\nETag: E\r\n\r\n"},
		{"206", "GET /hello.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=1-2\r\n\r\n",
			"HTTP/1.1 206 Partial Content\r\nServer: rawhttpd\r\nDate: D\r\nContent-Type: text/plain; charset=utf-8\r\n" +
				"Last-Modified: L\r\nETag: E\r\nAccept-Ranges: bytes\r\nContent-Range: bytes 1-2/10\r\nContent-Length: 2\r\n\r\n12"},
		{"HTTP/1.0 keep-alive", "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
			strings.Replace(head200, "\r\n\r\n", "\r\nConnection: keep-alive\r\n\r\n", 1) + "0123456789"},
	}
	root := newTree(t)
	for _, mode := range cacheModes {
		_, addr := startFiles(t, root, mode.opts)
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				for range 2 { // the later ones are cache hits when the first filled it
					assert.Equal(t, tt.want+tt.want, mask(rawResponses(t, addr, tt.raw, 2*len(tt.want))))
				}
			})
		}
	}
}

// masked are the field values that change from run to run.
var masked = regexp.MustCompile(`(?m)^(Date|ETag|Last-Modified): [^\r]*\r$`)

// mask replaces the values of the masked fields by their initial.
func mask(s string) string {
	return masked.ReplaceAllStringFunc(s, func(line string) string {
		name, _, _ := strings.Cut(line, ":")
		return name + ": " + name[:1] + "\r"
	})
}

// rawResponses sends raw twice, pipelined, on a new connection and reads
// the two responses, which, masked, are want bytes long in all: the
// second starting right where the first ends shows that the first
// carries nothing more than it declares.
func rawResponses(t *testing.T, addr, raw string, want int) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err = io.WriteString(conn, raw+raw)
	require.NoError(t, err)
	var got []byte
	buf := make([]byte, 4096)
	for len(mask(string(got))) < want {
		n, err := conn.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	return string(got)
}

// TestPipelinedLargeFiles sends many requests for a file larger than the
// engine copies into a batch, pipelined in one write, and only then reads:
// the responses back up in the socket and the server stalls on a client
// that does not read yet, then goes on. Every body arrives whole, in
// order, and the HEAD among them gets none.
func TestPipelinedLargeFiles(t *testing.T) {
	root := newTree(t)
	var b strings.Builder
	for i := 0; b.Len() < 64<<10; i++ {
		b.WriteString(strconv.Itoa(i))
	}
	body := b.String()
	writeFile(t, filepath.Join(root, "large.bin"), body)
	const get = "GET /large.bin HTTP/1.1\r\nHost: a\r\n\r\n"
	const head = "HEAD /large.bin HTTP/1.1\r\nHost: a\r\n\r\n"
	const count = 48 // 3 MiB of responses, more than the sockets and the server's output hold
	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			_, addr := startFiles(t, root, mode.opts)
			conn, err := net.DialTimeout("tcp", addr, ioTimeout)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
			methods := make([]string, count)
			var reqs strings.Builder
			for i := range methods {
				methods[i] = "GET"
				if i == count/2 {
					methods[i] = "HEAD"
				}
				reqs.WriteString(map[string]string{"GET": get, "HEAD": head}[methods[i]])
			}
			_, err = io.WriteString(conn, reqs.String())
			require.NoError(t, err)
			r := bufio.NewReader(conn)
			for i, m := range methods {
				resp, err := http.ReadResponse(r, &http.Request{Method: m})
				require.NoError(t, err, "response %d", i)
				got, err := io.ReadAll(resp.Body)
				require.NoError(t, err, "response %d", i)
				require.Equal(t, 200, resp.StatusCode, "response %d", i)
				require.EqualValues(t, len(body), resp.ContentLength, "response %d", i)
				if m == "HEAD" {
					require.Empty(t, got, "response %d", i)
				} else {
					require.Equal(t, body, string(got), "response %d", i)
				}
			}
		})
	}
}
