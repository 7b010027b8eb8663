//go:build !linux

package engine

// unsent returns -1: the system does not say how many bytes a socket holds
// unsent, so only the bytes a write hands over count as the client's
// progress.
func unsent(int) int { return -1 }

// sendMore writes p to the socket fd; this platform is not told that more
// bytes follow.
func sendMore(fd int, p []byte) (int, error) { return writeFD(fd, p) }
