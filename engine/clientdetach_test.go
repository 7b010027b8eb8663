package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowTaker streams each request's body to an owner that takes one piece
// and then pauses until a goroutine of its own resumes it, a little
// later: a reader slower than the client. It answers with the body's
// length and SHA-256; a request without a streamed body gets "now". With
// progress set, its owners count what they are given; with earlyAt, they
// pause once given that many bytes, write "early " from a task of their
// own, and then take the rest as fast as it comes.
type slowTaker struct {
	progress *bodyProgress
	earlyAt  int
}

// bodyProgress counts what a slowOwner was given, for a test to wait on:
// pieces counts the calls, bytes the body's bytes.
type bodyProgress struct{ pieces, bytes atomic.Int64 }

func (slowTaker) StreamsBodies() bool { return true }

func (st slowTaker) Serve(c *Context) error {
	if !c.BodyFollows() {
		_, _ = c.WriteString("now")
		return nil
	}
	o := &slowOwner{loop: c.Loop(), sum: sha256.New(), progress: st.progress, earlyAt: st.earlyAt}
	o.r = c.Async(o)
	o.resume = func() { o.r.ResumeBody() }
	o.r.ResumeBody()
	return nil
}

// slowOwner hashes the body it is given, a piece at a time.
type slowOwner struct {
	r      *Reply
	loop   *Loop
	n      int
	sum    hash.Hash
	resume func()
	// progress, when set, counts the pieces and bytes given.
	progress *bodyProgress
	// earlyAt, when set, is where the owner starts its response.
	earlyAt int
}

func (o *slowOwner) ReplyExpired(*Reply)      {}
func (o *slowOwner) ReplyDrained(*Reply)      {}
func (o *slowOwner) ReplyClientGone(r *Reply) { r.Finish(nil) }
func (o *slowOwner) ReplyBody(r *Reply, data []byte, last bool) bool {
	o.n += len(data)
	_, _ = o.sum.Write(data)
	if p := o.progress; p != nil {
		p.pieces.Add(1) // before bytes: a test that saw the bytes sees the piece
		p.bytes.Add(int64(len(data)))
	}
	if last {
		_ = r.Write([]byte(strconv.Itoa(o.n) + " " + hex.EncodeToString(o.sum.Sum(nil))))
		r.Finish(nil)
		return true
	}
	if o.earlyAt > 0 && o.n >= o.earlyAt {
		if o.n-len(data) >= o.earlyAt {
			return true
		}
		// Paused, with input left unread, the owner starts the response
		// from a task of its own, as a gateway does when its upstream
		// answers, and resumes the body.
		go func() {
			_ = o.loop.Run(func() {
				_ = o.r.Write([]byte("early "))
				o.r.ResumeBody()
			})
		}()
		return false
	}
	go func() {
		time.Sleep(200 * time.Microsecond) // a slow reader, not a synchronisation
		_ = o.loop.Run(o.resume)
	}()
	return false
}

// A client whose body the handler takes slower than it sends is held
// back off the loop, and comes back whole: its body arrives intact, its
// response and the request it pipelined after the body are served on the
// same connection.
func TestClientHeldBackWhileItsBodyIsTakenSlowly(t *testing.T) {
	t.Parallel()
	s := startServer(t, slowTaker{}, Config{})
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(time.Minute)))
	const size = 24 << 20
	piece := make([]byte, 64<<10)
	for i := range piece {
		piece[i] = byte(i % 251)
	}
	want := sha256.New()
	sent := make(chan error, 1)
	go func() {
		_, err := fmt.Fprintf(c.conn, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n", size)
		for left := size; err == nil && left > 0; left -= len(piece) {
			want.Write(piece)
			_, err = c.conn.Write(piece)
		}
		if err == nil {
			_, err = fmt.Fprint(c.conn, "GET /after HTTP/1.1\r\nHost: h\r\n\r\n")
		}
		sent <- err
	}()
	_, body := c.read("POST")
	require.NoError(t, <-sent, "the client was cut off")
	assert.Equal(t, strconv.Itoa(size)+" "+hex.EncodeToString(want.Sum(nil)), body)
	_, body = c.read("GET")
	assert.Equal(t, "now", body, "the request pipelined after the body")
	assert.Equal(t, uint64(1), s.Stats().HeldBack)
}

// heldBackBytes is the size of a body that a slowTaker's client sends:
// well past clientDetachMark, so that the client is taken off the loop.
const heldBackBytes = 24 << 20

// sendChunks writes a chunked body of size bytes in 64 KiB chunks to w,
// hashing it into sum, all but the CRLF after the last chunk's data, and
// returns the first error.
func sendChunks(w io.Writer, size int, sum hash.Hash) error {
	piece := make([]byte, 64<<10)
	for i := range piece {
		piece[i] = byte(i % 251)
	}
	var err error
	for left := size; err == nil && left > 0; {
		p := piece[:min(len(piece), left)]
		if left < size {
			_, err = io.WriteString(w, "\r\n")
		}
		if err == nil {
			_, err = fmt.Fprintf(w, "%x\r\n", len(p))
		}
		if err == nil {
			_, err = w.Write(p)
		}
		sum.Write(p)
		left -= len(p)
	}
	return err
}

// A chunked body taken slower than the client sends is read off the loop
// like a Content-Length one: it arrives whole and in order, and the
// request the client pipelined behind the last chunk, which the reads
// off the loop took with the body, is answered after it, on the same
// connection, however the end of the body falls across the reads.
func TestChunkedClientHeldBackServesWhatFollowsTheBody(t *testing.T) {
	t.Parallel()
	const after = "GET /after HTTP/1.1\r\nHost: h\r\n\r\n"
	tests := []struct {
		name string
		// tail is what follows the last chunk's data, written in pieces;
		// each piece but the last gives the owner one more piece of the
		// body (empty but for the last), which the test waits for before
		// writing the next: the server has read the piece and keeps the
		// line it cut.
		tail []string
	}{
		{"final chunk and the next request in one write", []string{"\r\n0\r\n\r\n" + after}},
		{"final chunk with trailers in one write", []string{"\r\n0\r\nX-Digest: a\r\nX-More: b\r\n\r\n" + after}},
		{"final chunk split across reads", []string{"\r\n0\r", "\n\r", "\n" + after}},
		{"trailer split across reads", []string{"\r\n0\r", "\nX-Digest: a\r", "\n\r\n" + after}},
		{"next request split from the final chunk", []string{"\r\n0\r", "\n\r", "\nGET /after HT", "TP/1.1\r\nHost: h\r\n\r\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := sha256.New()
			s, c, progress := chunkedBodyTaken(t, heldBackBytes, want)
			for i, piece := range tt.tail {
				pieces := progress.pieces.Load()
				_, err := io.WriteString(c.conn, piece)
				require.NoError(t, err)
				if i < len(tt.tail)-1 {
					require.Eventually(t, func() bool { return progress.pieces.Load() > pieces }, ioTimeout, time.Millisecond)
				}
			}
			_, body := c.read("POST")
			assert.Equal(t, strconv.Itoa(heldBackBytes)+" "+hex.EncodeToString(want.Sum(nil)), body)
			_, body = c.read("GET")
			assert.Equal(t, "now", body, "the request pipelined after the body")
			assert.Equal(t, uint64(1), s.Stats().HeldBack)
		})
	}
}

// chunkedBodyTaken starts a slowTaker server and sends it, over a new
// connection, the head of a chunked POST and size bytes of its body in
// chunks (summed into sum), the last chunk's CRLF and the final chunk
// left to the test; it returns once the handler has taken all size
// bytes.
func chunkedBodyTaken(t *testing.T, size int, sum hash.Hash) (*Server, *client, *bodyProgress) {
	t.Helper()
	progress := &bodyProgress{}
	s := startServer(t, slowTaker{progress: progress}, Config{})
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(time.Minute)))
	_, err := io.WriteString(c.conn, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
	require.NoError(t, err, "the client was cut off")
	require.NoError(t, sendChunks(c.conn, size, sum), "the client was cut off")
	require.Eventually(t, func() bool { return progress.bytes.Load() == int64(size) }, time.Minute, time.Millisecond)
	return s, c, progress
}

// A malformed chunk size gets the same answer whether the body is read on
// the loop or off it: the 400, rendered as every error is, and the close.
func TestChunkedBodyMalformedFramingIs400OnAndOffTheLoop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		size     int // the body's bytes before the malformed chunk size
		heldBack uint64
	}{
		{"on the loop", 5, 0},
		{"off the loop", heldBackBytes, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, c, _ := chunkedBodyTaken(t, tt.size, sha256.New())
			_, err := io.WriteString(c.conn, "\r\nzz\r\n")
			require.NoError(t, err)
			resp, body := c.read("POST")
			assert.Equal(t, 400, resp.StatusCode)
			assert.True(t, resp.Close)
			assert.Contains(t, body, "chunk")
			assert.True(t, c.closedByServer())
			assert.Equal(t, tt.heldBack, s.Stats().HeldBack)
			require.NoError(t, c.conn.Close())
			require.Eventually(t, func() bool { return s.Stats().ConnsOpen == 0 }, ioTimeout, time.Millisecond)
		})
	}
}

// A client that goes away in the middle of a chunked body read off the
// loop is released: the server counts no connection open.
func TestChunkedClientGoneWhileHeldBackIsReleased(t *testing.T) {
	t.Parallel()
	s := startServer(t, slowTaker{}, Config{})
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(time.Minute)))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := io.WriteString(c.conn, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
		if err == nil {
			_ = sendChunks(c.conn, 1<<30, sha256.New()) // until the test closes the connection
		}
	}()
	require.Eventually(t, func() bool { return s.Stats().HeldBack == 1 }, ioTimeout, time.Millisecond)
	assert.Equal(t, int64(1), s.Stats().ConnsOpen, "a client held back is counted open")
	require.NoError(t, c.conn.(*net.TCPConn).SetLinger(0))
	require.NoError(t, c.conn.Close())
	<-done
	require.Eventually(t, func() bool { return s.Stats().ConnsOpen == 0 }, ioTimeout, time.Millisecond)
}

// A reply that starts its response while the client's body is read off
// the loop brings the client back to the loop before the body's end: the
// rest of the body, whatever the reads had taken of it, still reaches
// the owner whole and in order.
func TestClientHeldBackAnsweredBeforeItsBodyEndsKeepsTheBodyWhole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, framing string
		send          func(w io.Writer, sum hash.Hash) error
	}{
		{"Content-Length", "Content-Length: " + strconv.Itoa(heldBackBytes), func(w io.Writer, sum hash.Hash) error {
			piece := make([]byte, 64<<10)
			for i := range piece {
				piece[i] = byte(i % 251)
			}
			for left := heldBackBytes; left > 0; left -= len(piece) {
				sum.Write(piece)
				if _, err := w.Write(piece); err != nil {
					return err
				}
			}
			return nil
		}},
		{"chunked", "Transfer-Encoding: chunked", func(w io.Writer, sum hash.Hash) error {
			if err := sendChunks(w, heldBackBytes, sum); err != nil {
				return err
			}
			_, err := io.WriteString(w, "\r\n0\r\n\r\n")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, slowTaker{earlyAt: 4 << 20}, Config{})
			c := dialRaw(t, s)
			require.NoError(t, c.conn.SetDeadline(time.Now().Add(time.Minute)))
			want := sha256.New()
			sent := make(chan error, 1)
			go func() {
				_, err := io.WriteString(c.conn, "POST / HTTP/1.1\r\nHost: h\r\n"+tt.framing+"\r\n\r\n")
				if err == nil {
					err = tt.send(c.conn, want)
				}
				sent <- err
			}()
			resp, err := http.ReadResponse(c.r, &http.Request{Method: "POST"})
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, <-sent, "the client was cut off")
			assert.Equal(t, "early "+strconv.Itoa(heldBackBytes)+" "+hex.EncodeToString(want.Sum(nil)), string(body))
			assert.Equal(t, uint64(1), s.Stats().HeldBack)
		})
	}
}
