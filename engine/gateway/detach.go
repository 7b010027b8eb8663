package gateway

import (
	"errors"
	"io"
	"os"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
)

// Back-pressure on a large response. gnet reads every connection it
// serves as fast as bytes arrive and cannot pause one, so an upstream
// relayed on the loop to a client that reads slowly would pile up in
// memory. Once the client's unread output passes relayHighWater, the
// exchange takes its upstream connection off the loop (PeerConn.Detach:
// the socket stays open, the upstream notices nothing) and a goroutine
// reads it, one buffer at a time, only when the client has drained
// (Reply.AwaitDrain): the upstream's own send buffer and TCP window then
// hold it back. The loop still parses and writes every byte, so framing,
// counting and the end of the reply are the same as on the loop. The
// connection is closed at the end of the response, never reused.
//
// Memory per such response is bounded by relayHighWater plus one read
// (detachReadBytes, framed) of client output held by the engine, and the
// detachReadBytes buffer: about 400 KiB, whatever the body's size.

const (
	// relayHighWater is the client output the engine may hold for a
	// relayed response before the upstream is read only as the client
	// drains.
	relayHighWater = 256 << 10
	// detachReadBytes is the size of each read from a detached upstream.
	detachReadBytes = 64 << 10
)

// detached is an upstream connection taken off the loop for the rest of
// one response. The goroutine (run) and the loop take turns with buf:
// the goroutine reads into it only after a signal on next, and the loop
// looks at it only in deliver, which the goroutine schedules after the
// read; so no lock is needed.
type detached struct {
	x    *exchange
	u    *upstream
	ls   *loopState
	file *os.File
	buf  []byte
	// kept counts the bytes at the front of buf that the parser left for
	// the next read (a chunk's framing cut by the read).
	kept    int
	n       int   // bytes the last read added after kept
	err     error // the last read's error
	next    chan struct{}
	timeout time.Duration
	// stopped is set on the loop once the response ended; a read
	// delivered after it is dropped.
	stopped bool
	deliver func()
}

// errDetachedFraming ends a response whose chunk framing does not fit a
// detached read buffer.
var errDetachedFraming = errors.New("gateway: a chunk's framing is longer than a read buffer")

// detach takes x's upstream connection off the loop; the rest of the
// response is read as the client drains.
func (x *exchange) detach() {
	uc := x.uc
	uc.detached = true
	f, err := uc.pc.Detach()
	if err != nil {
		uc.detached = false
		x.fail(ErrReset, err)
		return
	}
	d := &detached{
		x: x, u: uc.u, ls: x.ls, file: f,
		buf:     make([]byte, detachReadBytes),
		next:    make(chan struct{}, 1),
		timeout: x.h.opts.UpstreamTimeout,
	}
	d.deliver = d.delivered
	x.det = d
	go d.run()
	x.r.AwaitDrain()
}

// run reads the upstream each time the loop asks, and hands what it read
// back to the loop.
func (d *detached) run() {
	loop := d.ls.loop
	for range d.next {
		_ = d.file.SetReadDeadline(time.Now().Add(d.timeout))
		d.n, d.err = d.file.Read(d.buf[d.kept:])
		if loop.Run(d.deliver) != nil {
			_ = d.file.Close() // the server stopped
			return
		}
	}
}

// delivered runs on the loop after a read: the bytes go to the client,
// and the next read is asked for once the client has room.
func (d *detached) delivered() {
	if d.stopped {
		return
	}
	x := d.x
	uc := x.uc
	end := d.kept + d.n
	used, ok := x.relayBytes(d.buf[:end])
	if !ok {
		return // the exchange ended; it stopped d
	}
	if uc.parser.Done() {
		x.endDetached(nil)
		return
	}
	d.kept = copy(d.buf, d.buf[used:end])
	switch {
	case d.kept == len(d.buf):
		x.fail(ErrInvalidResponse, errDetachedFraming)
	case d.err == io.EOF:
		x.endDetached(uc.parser.Closed())
	case d.err != nil && isTimeout(d.err):
		x.fail(ErrResponseTimeout, d.err)
	case d.err != nil:
		x.fail(ErrReset, d.err)
	case x.r.Unsent() > relayHighWater:
		x.r.AwaitDrain()
	default:
		d.read()
	}
}

// read asks the goroutine for the next read.
func (d *detached) read() { d.next <- struct{}{} }

// endDetached ends a detached response: complete when verdict is nil
// (the body's end, or the close that delimits it), else cut short.
func (x *exchange) endDetached(verdict error) {
	if verdict != nil {
		x.fail(ErrClosed, verdict)
		return
	}
	if err := x.relayBody(nil, true); err != nil {
		x.clientLeft()
		return
	}
	x.dropUpstream()
	x.finish(nil)
}

// stop ends the goroutine and closes the connection, giving back its
// slot.
func (d *detached) stop() {
	if d.stopped {
		return
	}
	d.stopped = true
	_ = d.file.Close()
	close(d.next)
	d.ls.giveBackSlot(d.u)
}

// resumeDetached asks for the next read once the client has drained.
func (x *exchange) resumeDetached(*engine.Reply) {
	if d := x.det; d != nil && !d.stopped {
		d.read()
	}
}
