package engine

import (
	stderrors "errors"
	"io"
	"os"
	"strconv"
	"sync"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// Errors SendFile returns besides those of Flush.
var (
	// ErrInvalidRegion: SendFile was given a negative offset or length;
	// nothing is sent.
	ErrInvalidRegion = httperrors.New(httperrors.StatusInternalServerError,
		"the handler asked to send a file region with a negative offset or length")
	// ErrShortFile: the file ended before the region did, as when it was
	// truncated while it was sent. The length was already promised, so the
	// connection closes after the bytes sent, which tells the client the
	// body is incomplete.
	ErrShortFile = httperrors.New(httperrors.StatusInternalServerError,
		"the file ended before the region the response promised")
)

// sendFileSpan is how many bytes of a region the client must take within
// WriteTimeout, span after span, as it must take each Flush: a client too
// slow for that loses the connection. It is also the size of the buffers
// the fallback copies through.
const sendFileSpan = 256 << 10

// spans are the fallback's buffers, reused across responses.
var spans = sync.Pool{New: func() any { b := make([]byte, sendFileSpan); return &b }}

// SendFile sends the n bytes of f that start at offset as the response
// body, or as its next part when the handler has streamed with Flush,
// without copying them through memory where the platform allows: the
// response head (the first time) and the body written so far go first,
// then the region, with sendfile(2) straight from the file to the client's
// socket. Only a Blocking handler can send a file this way; an inline one
// gets ErrNotBlocking, and can ask for SendFileInline instead.
//
// Set the status and fields first. When no length was declared with
// SetContentLength and nothing was flushed yet, SendFile declares the body
// written so far plus n. A HEAD request, or a status without content,
// gets the head alone. Like Flush it returns once the socket has taken
// the region: a client that reads slowly holds the handler, never memory,
// and must take each 256 KiB within WriteTimeout or lose the connection.
// After a streamed head without a length it sends the region as one chunk.
//
// f is only read, with pread or sendfile at offset, so its file offset is
// left alone; the caller keeps it and closes it after SendFile returns.
// Without a socket (Server.ServeBytes) or without sendfile the region is
// copied through one reused 256 KiB buffer instead. A client that goes
// away ends it with an error (the handler should return); a file that
// ends before the region returns ErrShortFile, and since the length was
// promised the connection closes after what was sent.
func (c *Context) SendFile(f *os.File, offset, n int64) error {
	if c.job == nil {
		return ErrNotBlocking
	}
	if offset < 0 || n < 0 {
		return ErrInvalidRegion
	}
	return c.job.sendFile(f, offset, n)
}

// sendFile is SendFile on a worker: the head and body so far through
// flush, then the region.
func (j *job) sendFile(f *os.File, offset, n int64) error {
	x := &j.ctx
	if !x.streaming && x.length < 0 {
		x.length = int64(len(x.body)) + n
	}
	region := n > 0 && string(j.req.Method) != "HEAD" && !isBodyless(x.status)
	// The head and the chunk's size line go out flagged: the region
	// follows them at once.
	j.more = region
	defer func() { j.more = false }()
	if !x.streaming || len(x.body) > 0 {
		if err := j.flush(); err != nil {
			return err
		}
	}
	if !region {
		return nil
	}
	if j.chunked {
		j.sendCounted(strconv.AppendInt(j.out.B[:0], n, 16), "\r\n")
	}
	j.more = false
	sent, err := j.sendRegion(f, offset, n)
	j.streamed += int(sent)
	j.srv.counters.bytesOut.Add(uint64(sent))
	switch {
	case err == nil && j.chunked:
		j.sendCounted(j.out.B[:0], "\r\n")
	case err == nil:
	default:
		// The client went away, or the promised length cannot be kept:
		// nothing more may go out on this connection, and it closes.
		j.failed, j.keep = true, false
		return err
	}
	if j.failed {
		return errClientGone
	}
	return nil
}

// sendCounted sends p followed by s, counted for the access log.
func (j *job) sendCounted(p []byte, s string) {
	p = append(p, s...)
	j.out.B = p
	j.streamed += len(p)
	j.send(p)
}

// sendRegion sends n bytes of f from offset to the client, with sendfile
// on the job's socket when it can, and reports how many it sent. A client
// that went away or timed out is errClientGone; a file that ended early,
// ErrShortFile; an error reading the file, that error.
func (j *job) sendRegion(f *os.File, offset, n int64) (int64, error) {
	if j.failed {
		return 0, errClientGone
	}
	if !j.claimOutput(outputWorker) && j.output.Load() != outputWorker {
		return 0, errClientGone // the loop answered the request instead
	}
	if j.sock == nil || j.direct != nil {
		return j.copyRegion(f, offset, n)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var sent int64
	var sendErr error
	if err := rc.Read(func(src uintptr) bool {
		sent, sendErr = j.sock.sendFile(int(src), offset, n, j.srv.cfg.WriteTimeout)
		return true
	}); err != nil {
		return 0, err
	}
	switch {
	case sendErr == nil, sendErr == ErrShortFile:
	case sendErr == errNoSendfile:
		return j.copyRegion(f, offset, n)
	default:
		// sendfile does not say whether the socket or the file failed;
		// a socket is far the likelier.
		sendErr = errClientGone
	}
	return sent, sendErr
}

// errNoSendfile: the platform, or this pair of descriptors, cannot use
// sendfile; the region is copied instead.
var errNoSendfile = stderrors.New("engine: sendfile is not available")

// copyRegion sends n bytes of f from offset through a reused buffer: read
// at the offset, write, and again, so that the memory held stays one
// buffer however large the region.
func (j *job) copyRegion(f *os.File, offset, n int64) (int64, error) {
	bp := spans.Get().(*[]byte)
	defer spans.Put(bp)
	buf := *bp
	var sent int64
	for sent < n {
		p := buf[:min(int64(len(buf)), n-sent)]
		m, err := f.ReadAt(p, offset+sent)
		if m > 0 {
			j.send(p[:m])
			if j.failed {
				return sent, errClientGone
			}
			sent += int64(m)
		}
		switch {
		case m == len(p):
		case err == nil || err == io.EOF:
			return sent, ErrShortFile
		default:
			return sent, err
		}
	}
	return sent, nil
}
