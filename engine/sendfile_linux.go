package engine

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// maxSendfileCall bounds the count of one sendfile call, below the
// kernel's own limit of about 2 GiB.
const maxSendfileCall = 1 << 30

// sendFile sends n bytes of the file src from off with sendfile(2) and
// reports how many the socket took. Like write it tries the socket at
// once, with as much as it takes, and only when the socket is full does it
// wait through the netpoller, which retries each time the socket can take
// more. A wait ends at timeout; the deadline is renewed once the client
// has taken sendFileSpan bytes more, so that it must take each span within
// timeout. A file that ends before n bytes gives ErrShortFile; a source
// that sendfile cannot read from gives errNoSendfile before any byte.
func (s *socket) sendFile(src int, off, n int64, timeout time.Duration) (int64, error) {
	r := regionSend{src: src, off: off, n: n, mark: -1}
	if !r.more(uintptr(s.fd)) {
		for r.sent < r.n && r.err == nil {
			r.mark = r.sent
			f, err := s.pollable(time.Now().Add(timeout))
			if err != nil {
				return r.sent, err
			}
			rc, err := f.SyscallConn()
			if err != nil {
				return r.sent, err
			}
			if err := rc.Write(r.more); err != nil && r.err == nil {
				r.err = err
			}
		}
	}
	if r.sent == 0 && (r.err == syscall.EINVAL || r.err == syscall.ENOSYS || r.err == syscall.EOPNOTSUPP) {
		return 0, errNoSendfile
	}
	return r.sent, r.err
}

// regionSend is the progress of one sendFile.
type regionSend struct {
	src          int
	off, n, sent int64
	// mark is sent when the deadline was last set; -1 before any wait.
	mark int64
	err  error
}

// more sends on fd until the region is done or failed (true), or the
// socket is full: then false, to wait, or true when the client has taken
// a span since the deadline was set, to renew it.
func (r *regionSend) more(fd uintptr) bool {
	for r.sent < r.n {
		o := r.off + r.sent
		m, err := unix.Sendfile(int(fd), r.src, &o, int(min(r.n-r.sent, maxSendfileCall)))
		if m > 0 {
			r.sent += int64(m)
		}
		switch {
		case err == nil && m == 0:
			r.err = ErrShortFile
			return true
		case err == nil, err == syscall.EINTR:
		case err == syscall.EAGAIN:
			return r.mark >= 0 && r.sent-r.mark >= sendFileSpan
		default:
			r.err = err
			return true
		}
	}
	return true
}

// loopSendfile says that SendFileInline sends regions from the loop here.
const loopSendfile = true

// sendHeadMore writes p to the socket fd flagged MSG_MORE, so that it
// leaves with the region that follows it.
func sendHeadMore(fd int, p []byte) (int, error) {
	return unix.SendmsgN(fd, p, nil, nil, unix.MSG_MORE)
}

// sendRegion sends what the socket fd takes now of the n bytes of f from
// off, without waiting: it returns how many went, and the error that
// stopped it, nil when the region went whole or the socket is full.
func sendRegion(fd int, f *os.File, off, n int64) (int64, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	r := regionSend{off: off, n: n, mark: -1}
	if err := rc.Control(func(src uintptr) {
		r.src = int(src)
		r.more(uintptr(fd))
	}); err != nil {
		return 0, err
	}
	return r.sent, r.err
}
