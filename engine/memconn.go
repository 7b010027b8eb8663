package engine

import (
	"context"
	"net"
	"sync"

	"github.com/panjf2000/gnet/v2"
)

// ServeBytes serves in as everything a client sends on one new connection
// held in memory instead of a socket, and returns every byte the server
// wrote on it, and whether the server closed it. It is for tests, where a
// socket adds nothing (package enginetest builds on it): the bytes go the
// way a listener's connection's do — OnOpen, OnTraffic, the parser,
// dispatch, the worker pool for Blocking and FromHTTP handlers, the
// response writer, OnClose — with gnet's connection and event loop
// replaced by in-memory ones, so that what it returns is what a client
// would read.
//
// It returns once the server has answered every complete request in in
// and has no work left for the connection, or has closed it; a request in
// was not complete is left unanswered, as a client that stopped sending
// would find it. It returns ctx's error when ctx ends first, after closing
// the connection (which cancels a blocking handler's Context). The server
// need not be started: the call runs a worker of its own for blocking
// work, and stops it before returning — or, when ctx ended, lets it stop
// once the handler it runs returns. Calls may run concurrently. The
// connection's timeouts do not run: nothing advances its timing wheel
// unless the server is also started.
func (s *Server) ServeBytes(ctx context.Context, in []byte) (out []byte, closed bool, err error) {
	l := &memoryLoop{tasks: make(chan func(), 64)}
	mc := &memoryConn{srv: s, loop: l, in: in}
	workerDone := make(chan struct{})
	stop := make(chan struct{})
	go func() {
		defer close(workerDone)
		// take ends it when a started server stops its pool, or at stop.
		w := newPoolWorker()
		for j := s.pool.take(w, stop); j != nil; j = s.pool.take(w, stop) {
			j.run()
		}
	}()
	waitWorker := true
	defer func() {
		close(stop)
		if waitWorker {
			<-workerDone
		}
		s.mu.Lock()
		delete(s.loops, gnet.EventLoop(l))
		s.mu.Unlock()
	}()

	if _, action := s.events.OnOpen(mc); action == gnet.Close {
		return mc.written(), true, nil
	}
	mc.traffic()
	for !mc.closed && !mc.settled(l) {
		select {
		case task := <-l.tasks:
			task()
		case <-ctx.Done():
			// Closing cancels the handler's Context(); one that ignores
			// it keeps the worker until it returns, and is not waited for.
			mc.close()
			waitWorker = false
			return mc.written(), true, ctx.Err()
		}
	}
	if mc.closed {
		return mc.written(), true, nil
	}
	mc.close() // the client is done with the connection
	return mc.written(), false, nil
}

// memoryLoop is the gnet.EventLoop of a connection served by ServeBytes:
// the goroutine of the call is the loop, and tasks are what other
// goroutines ask it to run. The EventLoop methods the engine never calls
// are left to the nil embedded interface, and panic.
type memoryLoop struct {
	gnet.EventLoop
	tasks chan func()
}

// Execute runs r on the loop.
func (l *memoryLoop) Execute(ctx context.Context, r gnet.Runnable) error {
	l.tasks <- func() { _ = r.Run(ctx) }
	return nil
}

// Close closes c, which is on this loop, as gnet's does: OnClose runs
// before it returns.
func (l *memoryLoop) Close(c gnet.Conn) error {
	c.(*memoryConn).close()
	return nil
}

// memoryConn is the gnet.Conn of ServeBytes: it reads what the client sent
// and keeps what the server wrote. Its fields are touched only on its loop
// (the goroutine of ServeBytes); the concurrency-safe methods post tasks to
// that loop, as gnet's do.
type memoryConn struct {
	gnet.Conn // nil: the methods the engine never calls panic
	srv       *Server
	loop      *memoryLoop
	in        []byte
	ctx       any
	closed    bool

	// mu guards out: a worker writes its response straight into it
	// (writeDirect), as it writes to a real connection's socket.
	mu  sync.Mutex
	out []byte
}

// directWriter is a connection without a socket that takes a worker's
// writes itself, in order with the loop's: ServeBytes's.
type directWriter interface {
	writeDirect(p []byte)
}

// writeDirect keeps p as written by a worker.
func (mc *memoryConn) writeDirect(p []byte) {
	mc.mu.Lock()
	mc.out = append(mc.out, p...)
	mc.mu.Unlock()
}

// written returns everything written so far.
func (mc *memoryConn) written() []byte {
	mc.mu.Lock()
	defer mc.mu.Unlock()
	return mc.out
}

// memoryClient and memoryServer are the addresses of a memoryConn, the
// client's being the documentation address httptest's requests carry.
var (
	memoryClient net.Addr = &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1234}
	memoryServer net.Addr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}
)

// traffic runs OnTraffic, as gnet does when bytes arrive or on Wake.
func (mc *memoryConn) traffic() {
	if mc.srv.events.OnTraffic(mc) == gnet.Close {
		mc.close()
	}
}

// settled reports whether the engine has nothing left to do for the
// connection: no blocking work in progress, no stream waiting, no task
// queued.
func (mc *memoryConn) settled(l *memoryLoop) bool {
	c, _ := mc.ctx.(*conn)
	return c != nil && c.pending == nil && c.reply == nil && !c.watching && len(l.tasks) == 0
}

// close closes the connection once, running OnClose.
func (mc *memoryConn) close() {
	if mc.closed {
		return
	}
	mc.closed = true
	mc.srv.events.OnClose(mc, nil)
}

// Peek returns the first n unread bytes, or all of them for n < 0.
func (mc *memoryConn) Peek(n int) ([]byte, error) {
	if n < 0 || n > len(mc.in) {
		return mc.in, nil
	}
	return mc.in[:n], nil
}

// Discard drops the first n unread bytes.
func (mc *memoryConn) Discard(n int) (int, error) {
	n = min(n, len(mc.in))
	mc.in = mc.in[n:]
	return n, nil
}

// Write keeps p as written.
func (mc *memoryConn) Write(p []byte) (int, error) {
	mc.writeDirect(p)
	return len(p), nil
}

// Writev keeps the slices of bs as written, in order.
func (mc *memoryConn) Writev(bs [][]byte) (int, error) {
	n := 0
	for _, b := range bs {
		mc.writeDirect(b)
		n += len(b)
	}
	return n, nil
}

// AsyncWrite writes buf on the loop, then calls callback there.
func (mc *memoryConn) AsyncWrite(buf []byte, callback gnet.AsyncCallback) error {
	mc.loop.tasks <- func() {
		if mc.closed {
			if callback != nil {
				_ = callback(mc, net.ErrClosed)
			}
			return
		}
		mc.writeDirect(buf)
		if callback != nil {
			_ = callback(mc, nil)
		}
	}
	return nil
}

// AsyncWritev is AsyncWrite of the concatenation of bs.
func (mc *memoryConn) AsyncWritev(bs [][]byte, callback gnet.AsyncCallback) error {
	var buf []byte
	for _, b := range bs {
		buf = append(buf, b...)
	}
	return mc.AsyncWrite(buf, callback)
}

// Wake runs OnTraffic on the loop, then callback.
func (mc *memoryConn) Wake(callback gnet.AsyncCallback) error {
	mc.loop.tasks <- func() {
		if !mc.closed {
			mc.traffic()
		}
		if callback != nil {
			_ = callback(mc, nil)
		}
	}
	return nil
}

// Close closes the connection on the loop.
func (mc *memoryConn) Close() error {
	mc.loop.tasks <- mc.close
	return nil
}

// CloseWithCallback closes the connection on the loop, then calls
// callback.
func (mc *memoryConn) CloseWithCallback(callback gnet.AsyncCallback) error {
	mc.loop.tasks <- func() {
		mc.close()
		if callback != nil {
			_ = callback(mc, nil)
		}
	}
	return nil
}

func (mc *memoryConn) InboundBuffered() int      { return len(mc.in) }
func (mc *memoryConn) OutboundBuffered() int     { return 0 }
func (mc *memoryConn) RemoteAddr() net.Addr      { return memoryClient }
func (mc *memoryConn) LocalAddr() net.Addr       { return memoryServer }
func (mc *memoryConn) Fd() int                   { return -1 } // no socket: shutdown fails, so closes are immediate
func (mc *memoryConn) Context() any              { return mc.ctx }
func (mc *memoryConn) SetContext(ctx any)        { mc.ctx = ctx }
func (mc *memoryConn) EventLoop() gnet.EventLoop { return mc.loop }
