package gateway

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// bodyCounter is an upstream that reads each request with its body, tells
// heads when a head arrived, and answers with the body's length.
func bodyCounter(heads chan<- struct{}) func(net.Conn) {
	return func(conn net.Conn) {
		r := bufio.NewReader(conn)
		for {
			_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
			req, err := http.ReadRequest(r)
			if err != nil {
				return
			}
			if heads != nil {
				heads <- struct{}{}
			}
			n, err := io.Copy(io.Discard, req.Body)
			if err != nil {
				return
			}
			n2 := strconv.FormatInt(n, 10)
			if _, err := io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(n2))+"\r\n\r\n"+n2); err != nil {
				return
			}
		}
	}
}

func TestUploadForwardedAsItArrives(t *testing.T) {
	t.Parallel()
	const size = 1 << 20 // past the engine's MaxBodyBytes below
	body := strings.Repeat("0123456789abcdef", size/16)
	var chunked strings.Builder
	for i := 0; i < size; i += 64 << 10 {
		fmt.Fprintf(&chunked, "%x\r\n%s\r\n", 64<<10, body[i:i+64<<10])
	}
	chunked.WriteString("0\r\n\r\n")
	tests := []struct {
		name, framing, encoded string
	}{
		{"Content-Length", "Content-Length: " + strconv.Itoa(size), body},
		{"chunked", "Transfer-Encoding: chunked", chunked.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			heads := make(chan struct{}, 2)
			upstream := testupstream.Serve(t, bodyCounter(heads))
			s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{MaxBodyBytes: 64 << 10})
			c := dialRaw(t, s)
			for i := 0; i < 2; i++ {
				require.NoError(t, c.conn.SetDeadline(time.Now().Add(ioTimeout)))
				half := len(tt.encoded) / 2
				_, err := io.WriteString(c.conn, "POST /up HTTP/1.1\r\nHost: h\r\n"+tt.framing+"\r\n\r\n"+tt.encoded[:half])
				require.NoError(t, err)
				// The upstream has the request before the body is all sent.
				waitFor(t, heads, "the request waited for its whole body")
				_, err = io.WriteString(c.conn, tt.encoded[half:])
				require.NoError(t, err)
				resp, err := http.ReadResponse(c.r, nil)
				require.NoError(t, err)
				got, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				require.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Equal(t, strconv.Itoa(size), string(got), "request %d: the upstream got the whole body", i)
			}
		})
	}
}

func TestUploadPastTheLimitIs413(t *testing.T) {
	t.Parallel()
	upstream := testupstream.Serve(t, bodyCounter(nil))
	s := startGateway(t, []string{"http://" + upstream}, Options{MaxBodyBytes: 1000}, engine.Config{})
	tests := []struct {
		name, framing, first string
	}{
		{"declared", "Content-Length: 5000", strings.Repeat("x", 100)},
		{"chunked", "Transfer-Encoding: chunked", "7d0\r\n" + strings.Repeat("x", 2000) + "\r\n"},
		{"chunked, whole with its head", "Transfer-Encoding: chunked", "7d0\r\n" + strings.Repeat("x", 2000) + "\r\n0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, s)
			require.NoError(t, c.conn.SetDeadline(time.Now().Add(ioTimeout)))
			_, err := io.WriteString(c.conn, "POST /up HTTP/1.1\r\nHost: h\r\n"+tt.framing+"\r\n\r\n"+tt.first)
			require.NoError(t, err)
			resp, err := http.ReadResponse(c.r, nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
			assert.True(t, resp.Close, "the rest of the body is not read")
		})
	}
}

// The upload is downloadBytes long: 256 MiB, or RAWHTTPD_GATEWAY_GIB GiB.
func TestLargeUploadIsBounded(t *testing.T) {
	size := downloadBytes(t)
	upstream := testupstream.Serve(t, bodyCounter(nil))
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	runtime.GC()
	before := rss(t)
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(5*time.Minute)))
	_, err := io.WriteString(c.conn, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: "+strconv.FormatInt(size, 10)+"\r\n\r\n")
	require.NoError(t, err)
	chunk := []byte(strings.Repeat("0123456789abcdef", 4<<10))
	for sent := int64(0); sent < size; sent += int64(len(chunk)) {
		_, err := c.conn.Write(chunk[:min(int64(len(chunk)), size-sent)])
		require.NoError(t, err)
	}
	resp, err := http.ReadResponse(c.r, nil)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, strconv.FormatInt(size, 10), string(got))
	grown := rss(t) - before
	t.Logf("%d MiB uploaded; RSS grew %d MiB", size>>20, grown>>20)
	assert.Less(t, grown, int64(128<<20), "memory does not follow the body's size")
}

// An upstream that reads none of an upload: the client is held back
// after a bounded lead (its body is read off the loop only as the
// upstream takes it), and answered 504 once the upstream made no
// progress for UpstreamTimeout.
func TestUploadToAnUpstreamThatDoesNotReadIsBounded(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		readHead(conn)
		<-release // reads none of the body
	})
	t.Cleanup(func() { close(release) })
	opts := Options{UpstreamTimeout: time.Second}
	s := startGateway(t, []string{"http://" + upstream}, opts, engine.Config{WriteTimeout: time.Second})
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(30*time.Second)))
	const size = 1 << 30
	_, err := io.WriteString(c.conn, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n")
	require.NoError(t, err)
	var sent atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		chunk := []byte(strings.Repeat("0123456789abcdef", 4<<10))
		for sent.Load() < size {
			m, err := c.conn.Write(chunk)
			sent.Add(int64(m))
			if err != nil {
				return // the test closed the connection
			}
		}
	}()
	resp, err := http.ReadResponse(c.r, nil)
	require.NoError(t, err)
	// The 504 came after the upstream took nothing for UpstreamTimeout:
	// what the client sent by then is the lead the gateway allowed.
	n := sent.Load()
	assert.Equal(t, http.StatusGatewayTimeout, resp.StatusCode)
	assert.True(t, resp.Close, "the body was not read: the connection closes")
	_ = c.conn.Close()
	<-done
	t.Logf("the client got %d MiB ahead of an upstream that reads nothing", n>>20)
	assert.Less(t, n, int64(64<<20), "what the gateway holds for a paused body is bounded")
}
