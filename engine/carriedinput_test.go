package engine

import (
	"io"
	"testing"

	"github.com/panjf2000/gnet/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gnetInput is the input side of a gnet connection, in memory; the rest
// of gnet.Conn is left nil.
type gnetInput struct {
	gnet.Conn
	in []byte
}

func (g *gnetInput) InboundBuffered() int { return len(g.in) }

func (g *gnetInput) Peek(n int) ([]byte, error) {
	if n > len(g.in) {
		return nil, io.ErrShortBuffer
	}
	if n <= 0 {
		n = len(g.in)
	}
	return g.in[:n], nil
}

func (g *gnetInput) Discard(n int) (int, error) {
	n = min(n, len(g.in))
	g.in = g.in[n:]
	return n, nil
}

// The input carried back comes before what gnet read since, however it
// is consumed, and once it is all consumed the conn reads gnet again.
func TestCarriedInputComesFirst(t *testing.T) {
	tests := []struct {
		name, held, read string
		// steps are the sizes consumed in turn; peek: each is peeked
		// before it is discarded, as serve does.
		steps []int
		peek  bool
	}{
		{"held only, at once", "GET /a HTTP/1.1\r\n\r\n", "", []int{19}, true},
		{"held and read, at once", "GET /a HTT", "P/1.1\r\n\r\n", []int{19}, true},
		{"held and read, in steps", "GET /a HTT", "P/1.1\r\n\r\nGET /b", []int{4, 6, 9, 6}, true},
		{"held and read, discarded unseen past the held", "GET /a HTT", "P/1.1\r\n\r\nGET /b", []int{12, 13}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &gnetInput{in: []byte(tt.read)}
			c := &conn{}
			c.t = &carriedInput{Conn: g, c: c, held: []byte(tt.held)}
			require.Equal(t, len(tt.held)+len(tt.read), c.t.InboundBuffered())
			var got []byte
			for _, n := range tt.steps {
				if tt.peek {
					b, err := c.t.Peek(n)
					require.NoError(t, err)
					got = append(got, b...)
				}
				m, err := c.t.Discard(n)
				require.NoError(t, err)
				require.Equal(t, n, m)
			}
			if tt.peek {
				assert.Equal(t, tt.held+tt.read, string(got))
			}
			assert.Zero(t, c.t.InboundBuffered())
			assert.Same(t, g, c.t, "the conn reads gnet again")
		})
	}
}

// What gnet reads after the held input is moved behind it only at a Peek,
// and then once: a second Peek copies nothing more.
func TestCarriedInputTakesGnetsInputBehindIt(t *testing.T) {
	g := &gnetInput{in: []byte("c")}
	c := &conn{}
	ci := &carriedInput{Conn: g, c: c, held: []byte("ab")}
	c.t = ci
	b, err := ci.Peek(2)
	require.NoError(t, err)
	assert.Equal(t, "ab", string(b))
	assert.Zero(t, g.InboundBuffered(), "gnet's input was moved")
	g.in = []byte("d")
	b, err = ci.Peek(-1)
	require.NoError(t, err)
	assert.Equal(t, "abcd", string(b))
	_, err = ci.Peek(5)
	assert.ErrorIs(t, err, io.ErrShortBuffer)
	_, err = ci.Discard(3)
	require.NoError(t, err)
	assert.Same(t, ci, c.t, "one byte is still held")
}
