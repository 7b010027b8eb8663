package engine

import (
	"io"

	"github.com/panjf2000/gnet/v2"
)

// carriedInput is a client connection's transport while it holds input
// that was read off the loop past the end of a chunked body
// (clientdetach.go): the requests the client pipelined behind the body.
// They come first; what gnet reads from the socket after them is moved
// behind them, once, at the next Peek. Once the held input is consumed,
// the conn's transport is gnet's connection again. Everything else is
// gnet's. Like gnet's, its methods are called on the loop only.
type carriedInput struct {
	gnet.Conn
	c    *conn
	held []byte
}

// InboundBuffered returns the held input and what gnet holds after it.
func (ci *carriedInput) InboundBuffered() int {
	return len(ci.held) + ci.Conn.InboundBuffered()
}

// Peek returns the next n bytes of input (all of it when n <= 0), valid
// until the next Discard or Peek; io.ErrShortBuffer when fewer are held.
func (ci *carriedInput) Peek(n int) ([]byte, error) {
	if more := ci.Conn.InboundBuffered(); more > 0 {
		b, _ := ci.Conn.Peek(more)
		ci.held = append(ci.held, b...)
		_, _ = ci.Conn.Discard(more)
	}
	if n > len(ci.held) {
		return nil, io.ErrShortBuffer
	}
	if n <= 0 {
		n = len(ci.held)
	}
	return ci.held[:n], nil
}

// Discard drops the next n bytes of input; once the held input is all
// consumed, gnet's connection serves the conn directly again.
func (ci *carriedInput) Discard(n int) (int, error) {
	from := min(n, len(ci.held))
	ci.held = ci.held[from:]
	m := from
	if n > from {
		k, err := ci.Conn.Discard(n - from)
		m += k
		if err != nil {
			return m, err
		}
	}
	if len(ci.held) == 0 && ci.c.t == transport(ci) {
		ci.c.t = ci.Conn
	}
	return m, nil
}
