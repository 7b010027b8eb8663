package engine

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// bodySummer streams each request's body to an owner that answers with
// its length once it has all arrived; a request to /now is answered at
// once, its body not taken.
type bodySummer struct{}

func (bodySummer) StreamsBodies() bool { return true }

func (bodySummer) Serve(c *Context) error {
	if string(c.Path()) == "/now" || !c.BodyFollows() {
		_, _ = c.WriteString("now:" + strconv.Itoa(len(c.Body())))
		return nil
	}
	o := &summingOwner{}
	o.r = c.Async(o)
	o.r.ResumeBody()
	return nil
}

// summingOwner counts the body it is given.
type summingOwner struct {
	r *Reply
	n int
}

func (o *summingOwner) ReplyExpired(*Reply)      {}
func (o *summingOwner) ReplyDrained(*Reply)      {}
func (o *summingOwner) ReplyClientGone(r *Reply) { r.Finish(nil) }
func (o *summingOwner) ReplyBody(r *Reply, data []byte, last bool) bool {
	o.n += len(data)
	if last {
		_ = r.Write([]byte("streamed:" + strconv.Itoa(o.n)))
		r.Finish(nil)
	}
	return true
}

func TestBodyStreamedToTheReplyAsItArrives(t *testing.T) {
	t.Parallel()
	s := startServer(t, bodySummer{}, Config{MaxBodyBytes: 1 << 10})
	body := strings.Repeat("b", 100<<10) // past MaxBodyBytes: never held whole
	tests := []struct {
		name, framing, first, rest, want string
	}{
		{"Content-Length", "Content-Length: " + strconv.Itoa(len(body)), body[:10], body[10:], "streamed:102400"},
		{"chunked", "Transfer-Encoding: chunked", "19000\r\n" + body[:10], body[10:] + "\r\n0\r\n\r\n", "streamed:102400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, s)
			c.send("POST / HTTP/1.1\r\nHost: h\r\n" + tt.framing + "\r\n\r\n" + tt.first)
			waitConn(t, s, func(c *conn) bool { return c.reply != nil }) // dispatched on its head
			c.send(tt.rest + "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
			resp, got := c.read("POST")
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tt.want, got)
			_, got = c.read("GET")
			assert.Equal(t, "now:0", got, "the request after the body is served")
		})
	}
}

func TestStreamedBodyNotTakenClosesTheConnection(t *testing.T) {
	t.Parallel()
	s := startServer(t, bodySummer{}, Config{})
	c := dialRaw(t, s)
	c.send("POST /now HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc")
	resp, got := c.read("POST")
	assert.Equal(t, "now:0", got)
	assert.True(t, resp.Close, "the unread body leaves the connection unusable")
	assert.True(t, c.closedByServer())
}
