package engine

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// sendFile sends n bytes of the file src from off with sendfile(2) and
// reports how many the socket took. Like write it tries the socket at
// once and waits through the netpoller only when the socket is full; the
// client must take each sendFileSpan within timeout. A file that ends
// before n bytes gives ErrShortFile; a source that sendfile cannot read
// from gives errNoSendfile before any byte is sent.
func (s *socket) sendFile(src int, off, n int64, timeout time.Duration) (int64, error) {
	var sent int64
	for sent < n {
		span := min(n-sent, sendFileSpan)
		m, err := s.sendSpan(src, off+sent, span, timeout)
		sent += m
		if err != nil {
			if sent == 0 && (err == syscall.EINVAL || err == syscall.ENOSYS || err == syscall.EOPNOTSUPP) {
				return 0, errNoSendfile
			}
			return sent, err
		}
	}
	return sent, nil
}

// sendSpan sends n bytes of src from off, waiting for the client up to
// timeout from its start.
func (s *socket) sendSpan(src int, off, n int64, timeout time.Duration) (int64, error) {
	var sent int64
	var deadline time.Time
	for sent < n {
		o := off + sent
		m, err := unix.Sendfile(s.fd, src, &o, int(n-sent))
		if m > 0 {
			sent += int64(m)
		}
		switch {
		case err == nil && m == 0:
			return sent, ErrShortFile
		case err == nil, err == syscall.EINTR:
			continue
		case err != syscall.EAGAIN:
			return sent, err
		}
		if deadline.IsZero() {
			deadline = time.Now().Add(timeout)
		}
		if err := s.awaitWritable(deadline); err != nil {
			return sent, err
		}
	}
	return sent, nil
}
