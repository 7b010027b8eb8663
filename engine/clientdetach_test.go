package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowTaker streams each request's body to an owner that takes one piece
// and then pauses until a goroutine of its own resumes it, a little
// later: a reader slower than the client. It answers with the body's
// length and SHA-256; a request without a streamed body gets "now".
type slowTaker struct{}

func (slowTaker) StreamsBodies() bool { return true }

func (slowTaker) Serve(c *Context) error {
	if !c.BodyFollows() {
		_, _ = c.WriteString("now")
		return nil
	}
	o := &slowOwner{loop: c.Loop(), sum: sha256.New()}
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
}

func (o *slowOwner) ReplyExpired(*Reply)      {}
func (o *slowOwner) ReplyDrained(*Reply)      {}
func (o *slowOwner) ReplyClientGone(r *Reply) { r.Finish(nil) }
func (o *slowOwner) ReplyBody(r *Reply, data []byte, last bool) bool {
	o.n += len(data)
	_, _ = o.sum.Write(data)
	if last {
		_ = r.Write([]byte(strconv.Itoa(o.n) + " " + hex.EncodeToString(o.sum.Sum(nil))))
		r.Finish(nil)
		return true
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
