//go:build !unix

package engine

import (
	"errors"
	"net"
)

// Without Unix descriptors the operations of fd_unix.go are unsupported,
// and the engine takes its other path for each: a closing connection
// closes at once instead of lingering, a connection's address is gnet's,
// the accept queue is left to the listener's close, and ReusePort fails
// the listen.

func shutdownWrite(int) error          { return errors.ErrUnsupported }
func shutdownBoth(int) error           { return errors.ErrUnsupported }
func sockname(int) (net.Addr, error)   { return nil, errors.ErrUnsupported }
func closeFD(int) error                { return errors.ErrUnsupported }
func setNonblock(int) error            { return errors.ErrUnsupported }
func writeFD(int, []byte) (int, error) { return 0, errors.ErrUnsupported }
func writable(int) bool                { return false }
func writeRaw(int, []byte) int         { return -1 }
func acceptFD(int) (int, error)        { return -1, errors.ErrUnsupported }
func setReuse(_ int, reusePort bool) error {
	if reusePort {
		return errors.ErrUnsupported
	}
	return nil
}
