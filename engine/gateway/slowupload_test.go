package gateway

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
)

// slowUploadBytes is the size of the upload to a slow upstream;
// RAWHTTPD_GATEWAY_GIB=n makes it n GiB.
func slowUploadBytes(t *testing.T) int64 {
	if v := os.Getenv("RAWHTTPD_GATEWAY_GIB"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		return int64(n) << 30
	}
	return 48 << 20
}

// slowDigester is an upstream that reads each request's body in small
// pieces, pausing between them (it is slower than the client), and
// answers with the body's length and SHA-256.
func slowDigester(conn net.Conn) {
	r := bufio.NewReaderSize(conn, 16<<10)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		h := sha256.New()
		buf := make([]byte, 16<<10)
		var n int64
		for {
			m, err := req.Body.Read(buf)
			h.Write(buf[:m])
			n += int64(m)
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			if n%(256<<10) < int64(m) {
				time.Sleep(5 * time.Millisecond) // a slow reader, not a synchronisation
			}
		}
		sum := strconv.FormatInt(n, 10) + " " + hex.EncodeToString(h.Sum(nil))
		if _, err := fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(sum), sum); err != nil {
			return
		}
	}
}

// An upload to an upstream that reads slower than the client sends is
// not cut off: the client is held back by its TCP window while the body
// is read at the upstream's pace, memory stays bounded, and the request
// the client pipelined after the body is answered on the same connection.
func TestUploadToASlowUpstreamHoldsTheClientBack(t *testing.T) {
	size := slowUploadBytes(t)
	upstream := serveRaw(t, slowDigester)
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	runtime.GC()
	before := rss(t)
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(5*time.Minute)))
	piece := make([]byte, 64<<10)
	for i := range piece {
		piece[i] = byte(i * 7)
	}
	sent := make(chan error, 1)
	want := sha256.New()
	go func() {
		_, err := fmt.Fprintf(c.conn, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n", size)
		for left := size; err == nil && left > 0; {
			p := piece[:min(int64(len(piece)), left)]
			want.Write(p)
			_, err = c.conn.Write(p)
			left -= int64(len(p))
		}
		if err == nil {
			_, err = io.WriteString(c.conn, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n")
		}
		sent <- err
	}()
	resp, err := http.ReadResponse(c.r, nil)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, <-sent, "the client was cut off")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(got))
	assert.Equal(t, strconv.FormatInt(size, 10)+" "+hex.EncodeToString(want.Sum(nil)), string(got), "every byte arrived, in order")
	grown := rss(t) - before
	t.Logf("%d MiB uploaded to a slow upstream; RSS grew %d MiB", size>>20, grown>>20)
	assert.Less(t, grown, int64(64<<20), "memory does not follow the body's size")

	resp, err = http.ReadResponse(c.r, nil)
	require.NoError(t, err)
	got, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "0 "+hex.EncodeToString(sha256.New().Sum(nil)), string(got), "the pipelined request after the upload")
}
