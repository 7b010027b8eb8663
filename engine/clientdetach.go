package engine

import (
	"context"
	"net"
	"os"
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// A client taken off the loop while its upload waits for a slow reader.
// gnet reads every connection it serves as fast as bytes arrive and
// cannot pause one, so a request body streamed to a reply whose owner
// paused it (BodyOwner.ReplyBody returned false: a gateway's upstream
// reads slowly) would pile up in memory. Past clientDetachMark of held
// input, a body still arriving is read off the loop instead:
//
//	detachClient  during OnTraffic: the socket is duplicated, what gnet
//	              holds is copied, and gnet closes its side (OnClose
//	              leaves the conn alone: it is stateDetached)
//	run           a goroutine reads the rest of the body from the
//	              duplicate through Go's netpoller, one buffer at a time
//	              and only when the loop asks; a Content-Length body is
//	              never read past its end
//	feed          the loop takes the body from each read as from gnet's
//	              input (a chunked body decoded by the reply's decoder,
//	              its trailer section checked as on the loop) and gives
//	              it to the owner, which paces the reads by pausing and
//	              resuming as before
//	reattach      once the body is done (or the reply needs the client:
//	              it writes, or finishes), the socket is enrolled on its
//	              loop again (OnOpen knows the conn), and the reply and
//	              the pipelined requests are served as usual
//
// The end of a chunked body is found only by reading past it: what a
// read brought after the body's last CRLF (requests the client pipelined
// behind it) is carried back to the loop and served before anything read
// from the socket since (carriedInput); so is the rest of a body whose
// reply needed the client back before its end. A chunk's framing line
// cut by the end of a read is kept at the front of the buffer for the
// next one. Malformed framing is answered as on the loop (refuseBody):
// the client, back on the loop, gets the 400 and the connection closes.
//
// The client's TCP connection is the same throughout; while the body is
// read off the loop the client is held back by its TCP window. What the
// reply writes meanwhile is kept and sent on reattaching. A held-back
// client costs the input gnet held when it left (about clientDetachMark
// and one read, copied once) and the feedBytes read buffer, whatever the
// body's size; the input carried back is part of one or the other. A
// close, a drain cut-off or a failed read closes the socket and releases
// the conn as OnClose would; the server's Close closes the sockets of
// all (gnet knows nothing of them).

// clientDetachMark is the held input of a paused body past which the
// client is taken off the loop.
const clientDetachMark = 1 << 20

// clientDetach is a client connection taken off its loop for the rest of
// a body. The goroutine (run) and the loop take turns with buf: the
// goroutine reads into it only after a request on cmds, and the loop
// looks at it only in delivered, which the goroutine schedules after the
// read; so no lock is needed.
type clientDetach struct {
	c    *conn
	r    *Reply
	file *os.File
	// pending is input the loop has not given to the owner yet: the
	// body's, or, once the body is done, what was read past it. What is
	// left of it when the socket goes back is carried back to the loop.
	pending []byte
	buf     []byte
	// into is the part of buf the next read fills, after the kept bytes
	// at its front: a chunk's framing line the last read cut.
	into []byte
	kept int
	n    int   // bytes the last read returned
	err  error // the last read's error
	cmds chan detachCmd
	// refusal is the response to a malformed body, sent once the client
	// is back on the loop, before the connection closes.
	refusal []byte
	// reading: a read was asked for and not delivered yet.
	reading bool
	// reattaching: the socket is to go back on the loop.
	reattaching bool
	stopped     bool
	// The loop's tasks, made once: delivered after each read, resume
	// when the owner resumes the body, failed when enrolling failed.
	delivered, resume, failed func()
}

// detachCmd is what the loop asks of a detached client's goroutine.
type detachCmd uint8

const (
	cmdRead     detachCmd = iota // read more of the body
	cmdReattach                  // enroll the socket on its loop again
)

// canDetachClient reports whether r's client may be taken off the loop:
// a paused body with more held than the mark and more still to come (for
// a chunked body, whose end is not known before it is read, the mark
// alone), nothing written to the client, and a real socket.
func (r *Reply) canDetachClient() bool {
	c := r.c
	held := c.t.InboundBuffered()
	more := r.body == bodyChunked || r.body == bodyLength && int64(held) < r.bodyLeft
	return more && r.bodyPaused && !r.gone && !r.headSent && c.gc != nil &&
		held > clientDetachMark && c.t.OutboundBuffered() == 0 &&
		c.state == stateDispatched && !isDirect(c.gc)
}

// isDirect reports a connection held in memory, which has no socket.
func isDirect(gc gnet.Conn) bool {
	_, ok := gc.(directWriter)
	return ok
}

// detachClient takes r's client off the loop, from OnTraffic; it returns
// the action for gnet: Close, which closes gnet's side only.
func (r *Reply) detachClient() gnet.Action {
	c := r.c
	fd, err := c.gc.Dup()
	if err != nil {
		return gnet.None // the input stays held, within its bound
	}
	if err := setNonblock(fd); err != nil {
		_ = closeFD(fd)
		return gnet.None
	}
	held, _ := c.t.Peek(-1)
	d := &clientDetach{
		c: c, r: r, file: os.NewFile(uintptr(fd), "client"),
		pending: append([]byte(nil), held...),
		buf:     make([]byte, feedBytes),
		cmds:    make(chan detachCmd, 1),
	}
	d.delivered, d.resume, d.failed = d.onRead, d.feed, d.fail
	c.detached = d
	c.srv.detached.add(d)
	c.srv.counters.heldBack.Add(1)
	c.setState(stateDetached) // the reply's timer, if it set one, runs on
	go d.run()
	return gnet.Close
}

// run reads the body when the loop asks, and enrolls the socket again
// when it is told to. It ends when the loop closes the client (stop), or
// when the server has stopped, since the loop that would ask is gone: a
// client whose owner paused its body waits here, not in a read that
// the server's Close fails.
func (d *clientDetach) run() {
	loop := &d.c.loop.pub
	stopped := d.c.srv.done
	for {
		var cmd detachCmd
		select {
		case c, ok := <-d.cmds:
			if !ok {
				return
			}
			cmd = c
		case <-stopped:
			d.closeFile()
			return
		}
		if cmd == cmdReattach {
			d.enroll()
			return
		}
		// One read of a detached client waits at most the body read
		// timeout: a client that sends nothing of its body for that long
		// is closed. The whole body may take longer, since the upstream's
		// pace, not the client's, holds it back.
		_ = d.file.SetReadDeadline(time.Now().Add(d.c.srv.cfg.BodyReadTimeout))
		d.n, d.err = d.file.Read(d.into)
		if loop.Run(d.delivered) != nil {
			d.closeFile() // the server stopped
			return
		}
	}
}

// enroll puts the socket on its loop again, with the conn as its context.
func (d *clientDetach) enroll() {
	if !d.c.srv.detached.remove(d) {
		return // closed meanwhile: by the loop, or by the server's Close
	}
	nc, err := net.FileConn(d.file)
	_ = d.file.Close()
	if err == nil {
		var ch <-chan gnet.RegisteredResult
		ch, err = d.c.loop.el.Enroll(gnet.NewContext(context.Background(), d.c), nc)
		if err == nil {
			err = (<-ch).Err
		} else {
			_ = nc.Close()
		}
	}
	if err != nil {
		_ = d.c.loop.pub.Run(d.failed)
	}
}

// onRead runs on the loop after a read.
func (d *clientDetach) onRead() {
	d.reading = false
	if d.stopped {
		return
	}
	if d.reattaching {
		d.pending, d.kept = d.buf[:d.kept+d.n], 0 // carried back
		d.cmds <- cmdReattach
		return
	}
	if d.n == 0 && d.err != nil {
		d.fail()
		return
	}
	d.pending, d.kept = d.buf[:d.kept+d.n], 0
	d.feed()
}

// feed gives the owner the pending input while it takes more, then asks
// for the next read, or for the socket back once the body is done.
func (d *clientDetach) feed() {
	r := d.r
	if d.stopped || d.reattaching {
		return
	}
	owner, _ := r.owner.(BodyOwner)
	cut := false // the pending input ends inside a chunk's framing line
	for len(d.pending) > 0 && r.BodyFollows() && !r.bodyPaused && !r.gone {
		data, n, err := d.next()
		if err != nil {
			r.refuseBody(err)
			return
		}
		if n == 0 {
			cut = true
			break
		}
		more := r.deliver(owner, data)
		d.pending = d.pending[n:]
		d.c.loop.counts.bytesIn += uint64(n)
		if r.finishing {
			r.finishing = false
			r.finishNow(r.finishErr) // defers itself to the reattach
			return
		}
		r.bodyPaused = r.bodyPaused || !more
	}
	switch {
	case d.stopped || d.reattaching:
	case !r.BodyFollows():
		d.reattach()
	case (len(d.pending) == 0 || cut) && !r.bodyPaused && !d.reading:
		d.read()
	}
}

// next takes the next piece of the body from the pending input, as the
// loop's feed takes it from gnet's: at most feedBytes of it, decoded from
// its chunk framing; n is how much of the input it used, 0 when a
// framing line is not all there yet.
func (d *clientDetach) next() (data []byte, n int, err error) {
	r := d.r
	window := d.pending[:min(len(d.pending), feedBytes)]
	if r.body == bodyLength {
		n = int(min(int64(len(window)), r.bodyLeft))
		r.tookLength(n)
		return window[:n], n, nil
	}
	data, n, err = r.chunks.Next(window)
	if n == 0 && err == nil && len(window) < len(d.pending) {
		data, n, err = r.chunks.Next(d.pending) // a framing line crosses the window
	}
	if err == nil && r.chunks.Done() {
		r.body = bodyDone
	}
	return data, n, err
}

// read asks the goroutine for the next read. What is pending (a framing
// line cut by the last read) moves to the front of the buffer, and the
// read fills the rest, never past the end of a Content-Length body. The
// decoder refuses a chunk size line past 4 KiB and a trailer section
// past 32 KiB, so a kept line always leaves room in the feedBytes
// buffer; were it ever to fill it, the connection closes rather than
// read nothing forever.
func (d *clientDetach) read() {
	d.kept = copy(d.buf, d.pending)
	d.pending = nil
	end := len(d.buf)
	if d.r.body == bodyLength {
		end = int(min(int64(end), d.r.bodyLeft))
	}
	if d.kept >= end {
		d.fail()
		return
	}
	d.into = d.buf[d.kept:end]
	d.reading = true
	d.cmds <- cmdRead
}

// reattach asks for the socket back on the loop. A read in flight is cut
// short. What the loop has not taken of the input goes back with the
// socket: the rest of a body that the reply needs the client before the
// end of (it writes, or finishes), or the input read past a finished
// chunked body.
func (d *clientDetach) reattach() {
	if d.reattaching || d.stopped {
		return
	}
	d.reattaching = true
	if d.reading {
		_ = d.file.SetReadDeadline(time.Now()) // onRead asks again
		return
	}
	d.cmds <- cmdReattach
}

// fail ends a detached client whose socket failed or closed.
func (d *clientDetach) fail() {
	if d.stopped {
		return
	}
	d.c.close()
}

// stop ends the goroutine and closes the socket.
func (d *clientDetach) stop() {
	if d.stopped {
		return
	}
	d.stopped = true
	d.closeFile()
	close(d.cmds)
}

// closeFile closes the socket unless the goroutine took it to enroll it
// or the server closed it: whoever takes d out of the server's set owns
// the file's end, for os.File's Fd (which enrolling needs) must not race
// with its Close.
func (d *clientDetach) closeFile() {
	if d.c.srv.detached.remove(d) {
		_ = d.file.Close()
	}
}

// detachedSet is the server's clients read off the loop.
type detachedSet struct {
	// mu guards files.
	mu    sync.Mutex
	files map[*clientDetach]*os.File
}

// add records d.
func (s *detachedSet) add(d *clientDetach) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = make(map[*clientDetach]*os.File)
	}
	s.files[d] = d.file
}

// remove forgets d, and reports whether it was there.
func (s *detachedSet) remove(d *clientDetach) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.files[d]
	delete(s.files, d)
	return ok
}

// closeAll closes the sockets of the clients read off the loop, when the
// server stops: a goroutine in a read sees it fail and, the loop being
// gone, ends; one waiting for the loop ends once gnet has stopped (run).
func (s *detachedSet) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for d, f := range s.files {
		_ = f.Close()
		delete(s.files, d)
	}
}

// reattached runs in OnOpen when the socket of a detached client is back
// on the loop as gc. A body refused while off the loop gets its answer
// and the connection closes. Input read off the loop that the loop has
// not taken (the rest of the body, or what followed its end) comes
// before what gnet reads from the socket from now on.
func (c *conn) reattached(gc gnet.Conn) {
	d := c.detached
	c.detached = nil
	c.gc, c.t = gc, gc
	c.setState(stateDispatched)
	if d.refusal != nil {
		if c.write(d.refusal) {
			c.setState(stateClosing)
			c.finish()
		}
		return
	}
	if len(d.pending) > 0 {
		c.t = &carriedInput{Conn: gc, c: c, held: d.pending}
	}
	r := c.reply
	if r == nil {
		c.resume()
		return
	}
	if len(r.held) > 0 {
		held := r.held
		r.held = nil
		if r.write(held) != nil {
			return // the client went; release told the owner
		}
	}
	switch {
	case r.finishDeferred:
		r.finishDeferred = false
		r.finishNow(r.finishErr)
	case r.wantDrain:
		c.waitOutput()
	case r.BodyFollows() && !r.bodyPaused:
		_ = gc.Wake(nil)
	}
}

// closeDetached closes a detached client from its loop: the goroutine
// stops, and what OnClose does for a connection is done here.
func (c *conn) closeDetached() {
	d := c.detached
	c.detached = nil
	d.stop()
	c.srv.memory.noteRelease(len(d.pending)) // the input it held, as OnClose notes gnet's
	c.onClose(nil)
	delete(c.loop.conns, c)
	c.srv.openConns.Add(-1)
}
