package engine

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// recordingPeer writes hello when opened, and reports what arrives and
// the close.
type recordingPeer struct {
	onOpen func(pc *PeerConn)
	got    chan string
	closed chan error
}

func (p *recordingPeer) PeerOpened(pc *PeerConn) { p.onOpen(pc) }
func (p *recordingPeer) PeerTraffic(pc *PeerConn) {
	b := pc.Buffered()
	p.got <- string(b)
	pc.Discard(len(b))
}
func (p *recordingPeer) PeerClosed(_ *PeerConn, err error) { p.closed <- err }

// within returns the next value from ch, or fails the test with what
// when none arrives in ioTimeout.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(ioTimeout):
		t.Fatal(what)
		panic("unreachable")
	}
}

// loopOf starts a server and returns one of its loops, taken from a
// handler's Context.
func loopOf(t *testing.T) *Loop {
	t.Helper()
	loops := make(chan *Loop, 1)
	s := startServer(t, HandlerFunc(func(c *Context) error {
		loops <- c.Loop()
		return nil
	}), Config{})
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	c.read("GET")
	return <-loops
}

// echoListener accepts connections and echoes what they send; each
// connection is handed to accepted too.
func echoListener(t *testing.T) (string, <-chan net.Conn) {
	t.Helper()
	accepted := make(chan net.Conn, 4)
	addr := testupstream.Serve(t, func(conn net.Conn) {
		accepted <- conn
		_, _ = io.Copy(conn, conn)
		_ = conn.Close()
	})
	return addr, accepted
}

func TestPeerConnectionServedOnTheLoop(t *testing.T) {
	t.Parallel()
	loop := loopOf(t)
	addr, accepted := echoListener(t)
	tests := []struct {
		name    string
		end     func(pc *PeerConn, remote net.Conn)
		wantNil bool
	}{
		{"closed by the loop", func(pc *PeerConn, _ net.Conn) { pc.Close() }, true},
		{"closed by the other side", func(_ *PeerConn, remote net.Conn) { _ = remote.Close() }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opened := make(chan *PeerConn, 1)
			p := &recordingPeer{
				onOpen: func(pc *PeerConn) {
					assert.NoError(t, pc.Write([]byte("hello")))
					opened <- pc
				},
				got: make(chan string, 8), closed: make(chan error, 1),
			}
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			require.NoError(t, loop.Enroll(conn, p))
			pc := within(t, opened, "PeerOpened did not run")
			remote := within(t, accepted, "the echo server accepted no connection")
			assert.Equal(t, "hello", within(t, p.got, "PeerTraffic did not run"), "the echo came back through PeerTraffic")
			require.NoError(t, loop.Run(func() { tt.end(pc, remote) }))
			err = within(t, p.closed, "PeerClosed did not run")
			assert.Equal(t, tt.wantNil, err == nil, "%v", err)
		})
	}
}

func TestPeerConnectionDetachedKeepsTheSocket(t *testing.T) {
	t.Parallel()
	loop := loopOf(t)
	addr, _ := echoListener(t)
	opened := make(chan *PeerConn, 1)
	p := &recordingPeer{onOpen: func(pc *PeerConn) { opened <- pc }, got: make(chan string, 8), closed: make(chan error, 1)}
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	require.NoError(t, loop.Enroll(conn, p))
	pc := within(t, opened, "PeerOpened did not run")
	files := make(chan error, 1)
	var detachedErr error
	require.NoError(t, loop.Run(func() {
		f, err := pc.Detach()
		detachedErr = err
		if err == nil {
			go func() {
				defer f.Close()
				_ = f.SetDeadline(time.Now().Add(ioTimeout))
				if _, err := f.Write([]byte("still here")); err != nil {
					files <- err
					return
				}
				buf := make([]byte, 10)
				_, err := io.ReadFull(f, buf)
				if err == nil && string(buf) != "still here" {
					err = io.ErrUnexpectedEOF
				}
				files <- err
			}()
		}
		close(opened)
	}))
	within(t, opened, "the function given to Run did not run") // closed at its end
	require.NoError(t, detachedErr)
	assert.NoError(t, within(t, p.closed, "PeerClosed did not run"), "PeerClosed runs when the loop lets go")
	assert.NoError(t, within(t, files, "no echo through the detached socket"), "the detached socket still talks to the other side")
}

func TestLoopRunsItsTickFunctions(t *testing.T) {
	t.Parallel()
	loop := loopOf(t)
	ticked := make(chan struct{})
	var once sync.Once
	require.NoError(t, loop.Run(func() {
		loop.EachTick(func() { once.Do(func() { close(ticked) }) })
	}))
	within(t, ticked, "the tick function never ran")
}
