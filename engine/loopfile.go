package engine

import (
	"errors"
	"os"
	"syscall"
)

// SendFileInline asks, from an inline handler, that the n bytes of f from
// offset be the response body, sent from the event loop without a hand-off
// to a worker: once the handler returns, the responses before it in the
// batch and its head go to the socket flagged MSG_MORE, then the region
// with sendfile(2). When the socket takes it all, the connection goes on
// to its next request at once. When it takes only part, the rest is sent
// as SendFile sends it, by a worker that waits for the socket through the
// netpoller, under WriteTimeout per 256 KiB, while the connection waits as
// for Blocking work.
//
// It reports false, having taken nothing, where it cannot do that: outside
// an inline handler, without a socket (Server.ServeBytes), for a request
// whose body is streamed, after a body was written, or while earlier
// responses of the connection are still buffered because the client has
// not read them; the handler then answers another way (Blocking and
// SendFile). The head is rendered once the handler returns, so the status
// and fields may be set before or after; the length is n unless
// SetContentLength declared it. HEAD, a status without content, or an
// error returned by the handler send no region.
//
// When it reports true the engine owns release, which it calls once the
// region has been sent or has failed (on the loop, or on the worker that
// finished it): f must stay open until then. f is read with sendfile at
// offset only, so its file offset is left alone.
func (c *Context) SendFileInline(f *os.File, offset, n int64, release func()) bool {
	k := c.conn
	if !loopSendfile || k == nil || c.job != nil || c.bodyFollows || c.file != nil || offset < 0 || n < 0 ||
		len(c.body) > 0 || c.shared != nil || k.gc == nil || k.t.OutboundBuffered() > 0 {
		return false
	}
	if _, ok := k.gc.(directWriter); ok || k.gc.Fd() < 0 {
		return false
	}
	c.file, c.fileOff, c.fileN, c.fileRelease = f, offset, n, release
	return true
}

// releaseFile lets go of the region an inline handler asked to send.
func (c *Context) releaseFile() {
	if c.fileRelease != nil {
		c.fileRelease()
	}
	c.file, c.fileRelease = nil, nil
}

// sendFileRegion sends out, the batch rendered so far, ending with the
// head of the response whose region the loop's Context holds
// (SendFileInline), and then that region, on the loop; next is what that
// response leaves the connection to do, headLen the size of its head. It
// returns what is left of the batch for the loop to write (nothing unless
// the rest goes to a worker) and the outcome: next when the whole region
// went; deferred when a worker finishes it; closeConn when the socket or
// the file failed, since the promised length can no longer be kept.
func (c *conn) sendFileRegion(out []byte, next outcome, headLen int) ([]byte, outcome) {
	l := c.loop
	x := &l.ctx
	fd := c.gc.Fd()
	wrote := 0
	if c.t.OutboundBuffered() == 0 {
		m, err := sendHeadMore(fd, out)
		switch {
		case err == nil:
			wrote = m
		case err != syscall.EAGAIN && err != syscall.EINTR:
			x.releaseFile()
			return out[:0], closeConn
		}
	}
	l.counts.bytesOut += uint64(wrote)
	var sent int64
	if wrote == len(out) {
		var err error
		sent, err = sendRegion(fd, x.file, x.fileOff, x.fileN)
		l.counts.bytesOut += uint64(sent)
		switch {
		case sent == x.fileN:
			x.releaseFile()
			return out[:0], next
		case sent == 0 && (err == syscall.EINVAL || err == syscall.ENOSYS || err == syscall.EOPNOTSUPP || errors.Is(err, errNoSendfile)):
			// sendfile cannot read this file: the worker's SendFile
			// copies it instead.
		case err != nil:
			// The client went away, or the file is shorter than promised
			// (or sendfile cannot read it): what was sent stands, and the
			// connection closes after it.
			x.releaseFile()
			return out[:0], closeConn
		}
	}
	// The socket is full (or sendfile cannot read the file): a worker
	// finishes the region once the rest of the batch, kept in gnet's
	// buffer meanwhile, has left.
	out = append(out[:0], out[wrote:]...)
	rest := &regionRest{f: x.file, off: x.fileOff + sent, n: x.fileN - sent, release: x.fileRelease}
	x.file, x.fileRelease = nil, nil
	x.deferTo = rest
	if err := c.startJob(x); err != nil {
		rest.release()
		return out, closeConn
	}
	j := c.pending
	j.ctx.streaming, j.ctx.length = true, x.length
	j.keep = next == keepOpen
	j.streamed = headLen + int(sent) // for the access log
	return out, deferred
}

// regionRest is the part of an inline handler's region that the socket
// did not take on the loop, finished by a worker as SendFile sends.
type regionRest struct {
	f       *os.File
	off, n  int64
	release func()
}

// Serve sends the rest of the region and lets go of the file.
func (r *regionRest) Serve(c *Context) error {
	defer r.release()
	return c.SendFile(r.f, r.off, r.n)
}
