package engine

import (
	stderrors "errors"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// socket is a second descriptor of a connection's TCP socket, registered
// with Go's network poller. gnet's loop owns the first descriptor and waits
// for it in epoll_wait as a plain system call, keeping its P; the socket
// gives the engine what gnet does not:
//
//   - a worker writes its response straight to the client, at socket speed,
//     and when the client reads slowly it waits through the netpoller, which
//     parks the goroutine and gives its P away, as net/http's writes do. The
//     socket's send buffer is the bound: nothing queues in memory;
//   - a goroutine that lives only while a connection's output is backed up
//     learns when the socket becomes writable again (gnet has no "output
//     drained" event), so nothing polls on a timer;
//   - the TCP connection outlives gnet's descriptor: gnet closes a
//     connection when read returns EOF, and a client that half-closed after
//     its last request is still owed the response a worker is writing.
//
// A socket stays open while anyone holds a reference: the connection holds
// one until OnClose, a job one while it may write, a watcher one while it
// waits. The last release closes the descriptor.
//
// The duplicate joins the netpoller only when someone first has to wait
// for it: once registered, every packet the client sends also wakes the
// netpoller, which a connection whose responses always fit in the socket
// should not pay for.
type socket struct {
	fd   int // the duplicate, non-blocking
	refs atomic.Int32

	// mu guards file and aborted: the loop aborts while a worker or a
	// watcher may be registering the descriptor.
	mu sync.Mutex
	// file is fd registered with the netpoller, made by the first wait;
	// its Fd method is never called, since it would make fd blocking.
	file    *os.File
	aborted bool
}

// openSocket duplicates a connection's non-blocking socket with dup. The
// caller holds the one reference.
func openSocket(dup func() (int, error)) (*socket, error) {
	fd, err := dup()
	if err != nil {
		return nil, err
	}
	s := &socket{fd: fd}
	s.refs.Store(1)
	return s, nil
}

// acquire adds a reference.
func (s *socket) acquire() *socket {
	s.refs.Add(1)
	return s
}

// release drops a reference and closes the descriptor with the last one.
func (s *socket) release() {
	if s.refs.Add(-1) != 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != nil {
		_ = s.file.Close()
		return
	}
	_ = closeFD(s.fd)
}

// pollable returns the socket registered with the netpoller, with its
// write deadline set, registering it on first use.
func (s *socket) pollable(deadline time.Time) (*os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		s.file = os.NewFile(uintptr(s.fd), "tcp")
	}
	if s.aborted {
		deadline = time.Unix(1, 0)
	}
	return s.file, s.file.SetWriteDeadline(deadline)
}

// write writes all of p. It tries the socket at once, as gnet's Write does,
// and when the socket does not take everything it waits for the client
// through the netpoller. With more set, bytes that follow at once (a file
// region sent with sendfile) are on their way: the first attempt tells the
// system so (MSG_MORE), and a short head goes out in the same segment as
// the region's first bytes instead of one of its own, which saves the
// client a wake-up and the loopback path a packet. It gives up when the client has read nothing for
// timeout: the timeout is for a client that does not read, and a slow one
// that keeps reading gets its whole response however long p is. Reading
// is seen in the bytes the socket still holds unsent (unsent), since the
// socket is reported writable again only once much of its buffer has
// drained, which a slow reader takes many timeouts to do.
func (s *socket) write(p []byte, timeout time.Duration, more bool) error {
	var n int
	var err error
	if more {
		n, err = sendMore(s.fd, p)
	} else {
		n, err = writeFD(s.fd, p)
	}
	switch {
	case err == nil && n == len(p):
		return nil
	case err == nil:
		p = p[n:]
	case err != syscall.EAGAIN && err != syscall.EINTR:
		return err
	}
	held := unsent(s.fd)
	for {
		f, err := s.pollable(time.Now().Add(timeout))
		if err != nil {
			return err
		}
		n, err = f.Write(p)
		p = p[n:]
		if !stderrors.Is(err, os.ErrDeadlineExceeded) || s.isAborted() {
			return err
		}
		now := unsent(s.fd)
		if n == 0 && (now < 0 || now >= held) {
			return err // the client read nothing within the timeout
		}
		held = now
	}
}

// isAborted reports whether abort was called.
func (s *socket) isAborted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.aborted
}

// awaitWritable returns once the socket can take more bytes, or with an
// error at deadline or after abort. The check that the socket is still
// full comes after the netpoller forgot earlier readiness, so an edge
// between gnet's last write and this call is not lost.
func (s *socket) awaitWritable(deadline time.Time) error {
	f, err := s.pollable(deadline)
	if err != nil {
		return err
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	waited := false
	return rc.Write(func(fd uintptr) bool {
		if waited {
			return true
		}
		waited = true
		return writable(int(fd))
	})
}

// abort ends any write or wait on the socket with an error at once, and
// every later one, from any goroutine.
func (s *socket) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aborted = true
	if s.file != nil {
		_ = s.file.SetWriteDeadline(time.Unix(1, 0))
	}
}
