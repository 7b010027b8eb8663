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
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
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
// answers with the body's length and SHA-256. Past 2 MiB of a body it
// reads no more until heldBack reports true (or ioTimeout passed): a
// gateway slowed down, by the race detector say, may otherwise keep up
// with it and have no client to hold back.
func slowDigester(heldBack func() bool) func(net.Conn) {
	return func(conn net.Conn) { digestSlowly(conn, heldBack) }
}

// digestSlowly is slowDigester's upstream on one connection.
func digestSlowly(conn net.Conn, heldBack func() bool) {
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
			if n >= 2<<20 && n-int64(m) < 2<<20 {
				for deadline := time.Now().Add(ioTimeout); !heldBack() && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond) // polls the condition, as require.Eventually does
				}
			}
		}
		sum := strconv.FormatInt(n, 10) + " " + hex.EncodeToString(h.Sum(nil))
		if _, err := fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(sum), sum); err != nil {
			return
		}
	}
}

// An upload to an upstream that reads slower than the client sends is
// not cut off, whatever its framing: the client is held back by its TCP
// window while the body is read at the upstream's pace, memory stays
// bounded, and the request the client pipelined after the body (for a
// chunked body, in the same write as its last chunk and trailer section)
// is answered on the same connection.
func TestUploadToASlowUpstreamHoldsTheClientBack(t *testing.T) {
	size := slowUploadBytes(t)
	const after = "GET /after HTTP/1.1\r\nHost: h\r\n\r\n"
	tests := []struct {
		name, framing string
		// frame writes one piece of the body as the framing wants it;
		// end is what follows the last piece.
		frame func(w io.Writer, p []byte) error
		end   string
	}{
		{
			name: "Content-Length", framing: "Content-Length: " + strconv.FormatInt(size, 10),
			frame: func(w io.Writer, p []byte) error { _, err := w.Write(p); return err },
			end:   after,
		},
		{
			name: "chunked", framing: "Transfer-Encoding: chunked",
			frame: func(w io.Writer, p []byte) error {
				_, err := fmt.Fprintf(w, "%x\r\n%s\r\n", len(p), p)
				return err
			},
			end: "0\r\nX-Upload-Note: done\r\n\r\n" + after,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s *engine.Server
			var started sync.WaitGroup
			started.Add(1)
			upstream := testupstream.Serve(t, slowDigester(func() bool {
				started.Wait()
				return s.Stats().HeldBack > 0
			}))
			s = startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
			started.Done()
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
				// Buffered, so that a chunk's framing and data leave in
				// one write.
				w := bufio.NewWriterSize(c.conn, 128<<10)
				_, err := fmt.Fprintf(w, "POST /up HTTP/1.1\r\nHost: h\r\n%s\r\n\r\n", tt.framing)
				for left := size; err == nil && left > 0; {
					p := piece[:min(int64(len(piece)), left)]
					want.Write(p)
					err = tt.frame(w, p)
					left -= int64(len(p))
				}
				if err == nil {
					_, err = io.WriteString(w, tt.end)
				}
				if err == nil {
					err = w.Flush()
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
			t.Logf("%d MiB uploaded (%s) to a slow upstream; RSS grew %d MiB", size>>20, tt.name, grown>>20)
			assert.Less(t, grown, int64(64<<20), "memory does not follow the body's size")
			assert.Equal(t, uint64(1), s.Stats().HeldBack, "the client was held back")

			resp, err = http.ReadResponse(c.r, nil)
			require.NoError(t, err)
			got, err = io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "0 "+hex.EncodeToString(sha256.New().Sum(nil)), string(got), "the pipelined request after the upload")
		})
	}
}

// bigUpload starts writing a Content-Length upload of size bytes on c, in
// a goroutine, and returns a channel that is closed when the writes end
// (all sent, or the connection failed).
func bigUpload(t *testing.T, c *client, size int) <-chan struct{} {
	t.Helper()
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(time.Minute)))
	_, err := fmt.Fprintf(c.conn, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n", size)
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		piece := make([]byte, 64<<10)
		for sent := 0; sent < size; sent += len(piece) {
			if _, err := c.conn.Write(piece); err != nil {
				return
			}
		}
	}()
	return done
}

// An upstream that answers an upload early and reads no more of it: the
// client, held back off the loop, gets the answer, and its connection
// closes since the rest of its body is not read.
func TestUploadAnsweredEarlyWhileTheClientIsHeldBack(t *testing.T) {
	t.Parallel()
	answered, stop := make(chan struct{}), make(chan struct{})
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		if !readHead(conn) {
			return
		}
		// Let the client get well ahead first: read 4 MiB slowly.
		buf := make([]byte, 64<<10)
		for n := 0; n < 4<<20; {
			m, err := conn.Read(buf)
			if err != nil {
				return
			}
			n += m
			time.Sleep(time.Millisecond) // a slow reader, not a synchronisation
		}
		_, _ = io.WriteString(conn, "HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno")
		close(answered)
		<-stop // reads nothing more
	})
	t.Cleanup(func() { close(stop) })
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	done := bigUpload(t, c, 256<<20)
	resp, err := http.ReadResponse(c.r, nil)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "no", string(body))
	assert.True(t, resp.Close)
	assert.Equal(t, uint64(1), s.Stats().HeldBack, "the client was held back when answered")
	waitFor(t, answered, "the upstream never answered")
	_ = c.conn.Close()
	<-done
}

// A client that goes away while its upload is read off the loop: the
// upstream connection is closed and the server counts no connection open.
func TestClientGoneWhileHeldBackIsReleased(t *testing.T) {
	t.Parallel()
	upstreamGone, flowing := make(chan struct{}), make(chan struct{})
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		defer close(upstreamGone)
		if !readHead(conn) {
			return
		}
		buf := make([]byte, 16<<10)
		for n := 0; ; {
			_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
			m, err := conn.Read(buf)
			if err != nil {
				return // the gateway closed it
			}
			if n < 4<<20 && n+m >= 4<<20 {
				close(flowing) // the client, faster, is well ahead by now
			}
			n += m
			time.Sleep(time.Millisecond) // a slow reader, not a synchronisation
		}
	})
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	done := bigUpload(t, c, 1<<30)
	waitFor(t, flowing, "the upload never reached the upstream")
	require.Eventually(t, func() bool { return s.Stats().HeldBack == 1 }, ioTimeout, time.Millisecond)
	assert.Equal(t, int64(1), s.Stats().ConnsOpen, "a client held back is counted open")
	_ = c.conn.(*net.TCPConn).SetLinger(0)
	_ = c.conn.Close()
	<-done
	waitFor(t, upstreamGone, "the upstream connection of a client gone was kept")
	require.Eventually(t, func() bool { return s.Stats().ConnsOpen == 0 }, ioTimeout, time.Millisecond)
}

// A server that stops while a client's upload is read off the loop
// closes that client's socket too.
func TestCloseEndsAClientHeldBack(t *testing.T) {
	t.Parallel()
	flowing, stop := make(chan struct{}), make(chan struct{})
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		if !readHead(conn) {
			return
		}
		buf := make([]byte, 64<<10)
		for n := 0; n < 2<<20; {
			m, err := conn.Read(buf)
			if err != nil {
				return
			}
			n += m
		}
		close(flowing)
		<-stop // reads no more: the client is held back
	})
	t.Cleanup(func() { close(stop) })
	h, err := New([]string{"http://" + upstream}, Options{Logger: quietLogger})
	require.NoError(t, err)
	s := engine.New(h, engine.Config{})
	require.NoError(t, s.Start("127.0.0.1:0"))
	c := dialRaw(t, s)
	done := bigUpload(t, c, 1<<30)
	waitFor(t, flowing, "the upload never reached the upstream")
	require.Eventually(t, func() bool { return s.Stats().HeldBack == 1 }, ioTimeout, time.Millisecond)
	require.NoError(t, s.Close())
	require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	_, err = c.r.ReadByte()
	assert.Error(t, err, "the client's connection ends")
	assert.NotErrorIs(t, err, os.ErrDeadlineExceeded, "the client's connection ends")
	_ = c.conn.Close()
	<-done
}
