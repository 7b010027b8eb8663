package engine

import "golang.org/x/sys/unix"

// unsent returns how many bytes written to the TCP socket fd its peer has
// not yet acknowledged, or -1 when the system does not say.
func unsent(fd int) int {
	n, err := unix.IoctlGetInt(fd, unix.SIOCOUTQ)
	if err != nil {
		return -1
	}
	return n
}

// sendMore writes p to the socket fd flagged MSG_MORE: more bytes follow
// at once, so the system holds a short p to send it with them.
func sendMore(fd int, p []byte) (int, error) {
	return unix.SendmsgN(fd, p, nil, nil, unix.MSG_MORE)
}
