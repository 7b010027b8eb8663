package engine

import (
	"context"
	"errors"
	"net"
	"os"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// Peer connections are outbound connections that code on an event loop
// opens and then serves on that same loop, with no goroutine per
// connection: a gateway's upstream connections. The code dials off the
// loop (a dial waits), enrolls the connection on the loop that wants it
// (Loop.Enroll), and from then on its Peer's methods run on that loop
// whenever bytes arrive or the connection closes.

// Loop is one of the server's event loops, as seen by code that runs on
// it: a handler that makes its reply asynchronous, and the peer
// connections that reply waits on. Only Enroll and Run may be called off
// the loop.
type Loop struct {
	l *loop
	// values holds the per-loop state of the code that runs on it.
	values map[any]any
	// ticks run at every tick of the server's clock (EachTick).
	ticks []func()
}

// ErrLoopClosed is returned by Enroll and Run once the server stops.
var ErrLoopClosed = errors.New("engine: the event loop has stopped")

// Loop returns the event loop that runs c's inline handler, or nil for a
// Blocking handler's Context and for a connection held in memory
// (ServeBytes), which no loop with sockets serves.
func (c *Context) Loop() *Loop {
	if c.conn == nil || c.job != nil || c.conn.gc == nil {
		return nil
	}
	if _, inMemory := c.conn.gc.(directWriter); inMemory {
		return nil
	}
	return &c.conn.loop.pub
}

// Value returns the state stored under key on this loop, or nil. Code
// that runs on several loops keeps its per-loop state here: each loop's
// is touched by that loop alone.
func (l *Loop) Value(key any) any { return l.values[key] }

// SetValue stores v under key on this loop.
func (l *Loop) SetValue(key, v any) {
	if l.values == nil {
		l.values = make(map[any]any)
	}
	l.values[key] = v
}

// EachTick runs fn on the loop at every tick of the server's clock, from
// the next one on: every second, or a quarter of the server's shortest
// timeout when that is shorter. Code on the loop sweeps its own timeouts
// with it (idle connections past their time).
func (l *Loop) EachTick(fn func()) { l.ticks = append(l.ticks, fn) }

// Run runs fn on the loop, from any goroutine; fn runs after the loop's
// current work. It returns ErrLoopClosed when the server stopped, in
// which case fn never runs.
func (l *Loop) Run(fn func()) error {
	if l.l.el == nil {
		return ErrLoopClosed
	}
	if l.l.el.Execute(context.Background(), loopTask(fn)) != nil {
		return ErrLoopClosed
	}
	return nil
}

// loopTask is a function run on a loop as a gnet task. Converting one to
// gnet.Runnable allocates nothing, so a caller that made its function
// once (a detached client's read, a gateway's grant) posts it for no
// allocation of ours; a closure around it cost one per post.
type loopTask func()

// Run runs the task.
func (f loopTask) Run(context.Context) error {
	f()
	return nil
}

// Enroll moves nc, an established TCP or Unix connection, onto this loop:
// p's methods run there for it from then on, PeerOpened first. nc itself
// is closed; the loop keeps a duplicate of its socket. Enroll waits for
// the loop, so it must not be called on the loop: call it from the
// goroutine that dialled. On an error nc is closed and p is never called.
func (l *Loop) Enroll(nc net.Conn, p Peer) error {
	if l.l.el == nil {
		_ = nc.Close()
		return ErrLoopClosed
	}
	pc := &PeerConn{loop: l.l, peer: p}
	ch, err := l.l.el.Enroll(gnet.NewContext(context.Background(), pc), nc)
	if err != nil {
		_ = nc.Close()
		return err
	}
	res := <-ch
	return res.Err
}

// Peer serves a peer connection on its loop.
type Peer interface {
	// PeerOpened runs once the connection is on the loop.
	PeerOpened(pc *PeerConn)
	// PeerTraffic runs when bytes arrived: Buffered holds them.
	PeerTraffic(pc *PeerConn)
	// PeerClosed runs once when the connection closed, by Close or by the
	// other side (err says why; nil for Close), or was detached.
	PeerClosed(pc *PeerConn, err error)
}

// PeerConn is an outbound connection served on an event loop. Its
// methods must be called on that loop.
type PeerConn struct {
	loop   *loop
	peer   Peer
	gc     gnet.Conn
	closed bool
	// sock is a second descriptor of the socket, opened by the first
	// AwaitDrain to learn from the netpoller when it can take more.
	sock *socket
}

// peerDrainWait bounds one wait of AwaitDrain; fn then runs all the same.
const peerDrainWait = time.Minute

// AwaitDrain runs fn on the loop once the socket can take more bytes (or
// after a minute), so that a writer that paused past a high-water mark
// of OutboundBuffered learns when to look again; gnet has no event for
// it. fn does not run if the connection closes first.
func (pc *PeerConn) AwaitDrain(fn func()) {
	if pc.closed {
		return
	}
	if pc.sock == nil {
		s, err := openSocket(pc.gc.Dup)
		if err != nil {
			_ = pc.loop.pub.Run(func() { pc.drained(fn) })
			return
		}
		pc.sock = s
	}
	sock := pc.sock.acquire()
	loop := &pc.loop.pub
	go func() {
		_ = sock.awaitWritable(time.Now().Add(peerDrainWait))
		sock.release()
		_ = loop.Run(func() { pc.drained(fn) })
	}()
}

// drained runs an AwaitDrain's fn unless the connection closed.
func (pc *PeerConn) drained(fn func()) {
	if !pc.closed {
		fn()
	}
}

// Peer returns the connection's Peer.
func (pc *PeerConn) Peer() Peer { return pc.peer }

// Buffered returns every byte that arrived and was not discarded yet. The
// bytes are valid until Discard or the callback returns.
func (pc *PeerConn) Buffered() []byte {
	if pc.closed {
		return nil
	}
	b, _ := pc.gc.Peek(-1)
	return b
}

// Discard drops the first n bytes of Buffered.
func (pc *PeerConn) Discard(n int) {
	if !pc.closed && n > 0 {
		_, _ = pc.gc.Discard(n)
	}
}

// Write sends p, buffering on the loop what the socket does not take at
// once. After the connection closed it returns net.ErrClosed.
func (pc *PeerConn) Write(p []byte) error {
	if pc.closed {
		return net.ErrClosed
	}
	writeNow(pc.gc, p)
	if pc.closed {
		return net.ErrClosed
	}
	return nil
}

// OutboundBuffered returns how many written bytes the socket has not
// taken yet.
func (pc *PeerConn) OutboundBuffered() int {
	if pc.closed {
		return 0
	}
	return pc.gc.OutboundBuffered()
}

// Closed reports whether the connection has closed.
func (pc *PeerConn) Closed() bool { return pc.closed }

// Close closes the connection; PeerClosed runs with a nil error.
func (pc *PeerConn) Close() {
	if pc.closed {
		return
	}
	_ = pc.loop.el.Close(pc.gc)
}

// Detach takes the connection off the loop and returns it as a file the
// caller owns, positioned where the loop left it: what arrived and was not
// discarded is lost to the file, so the caller takes Buffered first. The
// socket stays open for the other side, which notices nothing. PeerClosed
// runs with a nil error before Detach returns.
func (pc *PeerConn) Detach() (*os.File, error) {
	if pc.closed {
		return nil, net.ErrClosed
	}
	fd, err := pc.gc.Dup()
	if err != nil {
		return nil, err
	}
	if err := setNonblock(fd); err != nil {
		_ = closeFD(fd)
		return nil, err
	}
	pc.Close()
	return os.NewFile(uintptr(fd), "peer"), nil
}

// opened runs OnOpen for pc.
func (pc *PeerConn) opened(gc gnet.Conn) {
	pc.gc = gc
	pc.peer.PeerOpened(pc)
}

// traffic runs OnTraffic for pc.
func (pc *PeerConn) traffic() gnet.Action {
	if !pc.closed {
		pc.peer.PeerTraffic(pc)
	}
	return gnet.None
}

// onClose runs OnClose for pc.
func (pc *PeerConn) onClose(err error) {
	if pc.closed {
		return
	}
	pc.closed = true
	if pc.sock != nil {
		pc.sock.abort()
		pc.sock.release()
		pc.sock = nil
	}
	pc.peer.PeerClosed(pc, err)
}
