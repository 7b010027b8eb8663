//go:build unix

package engine

import (
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The engine reaches under gnet and net to a socket's descriptor for a
// few operations neither offers: shutting one direction of a connection,
// asking a connection's own address, writing to and polling a second
// descriptor of it, taking what waits in a listener's accept queue,
// SO_REUSEPORT. They are Unix system calls; fd_other.go says what the
// engine does without them.

// shutdownWrite shuts down the sending side of the socket fd: the client
// reads EOF after what was sent.
func shutdownWrite(fd int) error { return syscall.Shutdown(fd, syscall.SHUT_WR) }

// shutdownBoth ends the TCP connection of fd, whichever descriptors of
// it are still open.
func shutdownBoth(fd int) error { return syscall.Shutdown(fd, syscall.SHUT_RDWR) }

// setNonblock makes the descriptor fd non-blocking.
func setNonblock(fd int) error { return syscall.SetNonblock(fd, true) }

// sockname returns the local address of the socket fd.
func sockname(fd int) (net.Addr, error) {
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return nil, err
	}
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]).To16(), Port: sa.Port}, nil
	case *syscall.SockaddrInet6:
		return &net.TCPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}, nil
	case *syscall.SockaddrUnix:
		return &net.UnixAddr{Name: sa.Name, Net: "unix"}, nil
	}
	return nil, syscall.EAFNOSUPPORT
}

// closeFD closes the descriptor fd.
func closeFD(fd int) error { return syscall.Close(fd) }

// writeFD writes p to the descriptor fd once, without waiting.
func writeFD(fd int, p []byte) (int, error) { return syscall.Write(fd, p) }

// writeRaw writes p to the non-blocking descriptor fd once, with a raw
// system call (writeNow says why), and returns how many bytes it took, or
// -1 on an error, EAGAIN included.
func writeRaw(fd int, p []byte) int {
	n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if errno != 0 {
		return -1
	}
	return int(n)
}

// writable reports whether fd can take more bytes now.
func writable(fd int) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLOUT|unix.POLLERR|unix.POLLHUP) != 0
}

// acceptFD accepts one connection from the non-blocking listening socket
// fd, marked close-on-exec; syscall.EAGAIN when none waits.
func acceptFD(fd int) (int, error) {
	nfd, _, err := syscall.Accept(fd)
	if err != nil {
		return -1, err
	}
	syscall.CloseOnExec(nfd)
	return nfd, nil
}

// setReuse sets SO_REUSEADDR (which Go sets too, on Unix), and
// SO_REUSEPORT when reusePort, on the socket fd before it binds.
func setReuse(fd int, reusePort bool) error {
	err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if err == nil && reusePort {
		err = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	}
	return err
}
