package engine

import (
	"context"
	stderrors "errors"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// unixPrefix marks a Unix socket address for Listen and Start.
const unixPrefix = "unix:"

// errSocketInUse refuses to take over a Unix socket another process
// serves on.
var errSocketInUse = stderrors.New("engine: another process is listening on the socket")

// errEmptySocketPath refuses "unix:" without a path.
var errEmptySocketPath = stderrors.New("engine: empty socket path")

// errNotSocket refuses to replace a file that is not a socket.
var errNotSocket = stderrors.New("engine: the path exists and is not a socket")

// Listen returns the listener a Server serves on with StartListener or
// Serve. addr is "host:port" for TCP or "unix:/path/to.sock" for a Unix
// socket.
//
// A TCP listener has SO_REUSEADDR set, so a restarted server binds the
// port the moment its predecessor exited, whatever TIME_WAIT connections
// remain; with reusePort it has SO_REUSEPORT too, so several processes
// may listen on the port at once (a successor started before its
// predecessor stops, for a hot upgrade). reusePort is ignored for a Unix
// socket.
//
// A Unix socket's file, when one exists, is replaced only when it is a
// socket nobody listens on (left by a process that died): Listen refuses
// a live one with an error, and never removes a file that is not a
// socket. The returned *net.UnixListener removes its file when closed; a
// process that hands the socket to a successor calls SetUnlinkOnClose(false)
// first.
func Listen(addr string, reusePort bool) (net.Listener, error) {
	if path, ok := strings.CutPrefix(addr, unixPrefix); ok {
		return listenUnix(path)
	}
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		return setListenerOptions(rc, reusePort)
	}}
	return lc.Listen(context.Background(), "tcp", addr)
}

// setListenerOptions sets SO_REUSEADDR (which Go sets too, on Unix), and
// SO_REUSEPORT when reusePort, on a TCP socket before it binds.
func setListenerOptions(rc syscall.RawConn, reusePort bool) error {
	var err error
	cerr := rc.Control(func(fd uintptr) {
		err = setReuse(int(fd), reusePort)
	})
	if cerr != nil {
		return cerr
	}
	if err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}

// staleProbeTimeout bounds the connect that tells a live Unix socket from
// a stale one.
const staleProbeTimeout = time.Second

// listenUnix listens on the Unix socket at path, replacing a stale socket
// file.
func listenUnix(path string) (net.Listener, error) {
	fail := func(err error) error {
		return &net.OpError{Op: "listen", Net: "unix", Addr: &net.UnixAddr{Name: path, Net: "unix"}, Err: err}
	}
	if path == "" {
		return nil, fail(errEmptySocketPath)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fail(errNotSocket)
		}
		c, err := net.DialTimeout("unix", path, staleProbeTimeout)
		if err == nil {
			_ = c.Close()
			return nil, fail(errSocketInUse)
		}
		if !stderrors.Is(err, syscall.ECONNREFUSED) {
			return nil, fail(err)
		}
		// Refused: the socket's process is gone and its file stayed.
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return nil, fail(err)
		}
	}
	return net.Listen("unix", path)
}
