package engine

import "github.com/panjf2000/gnet/v2"

// writeNow writes p to gc as gnet's Write does, with one difference: the
// first write to the socket is a raw system call, made without the Go
// runtime's syscall bookkeeping (entering and leaving the syscall state,
// which lets the runtime's monitor hand the loop's processor to another
// thread while the call lasts). A write to a non-blocking socket returns
// at once, so the bookkeeping buys nothing on the loop, and each response
// and each forwarded request pays it.
//
// The raw write is tried only when gnet holds no output of gc's, so the
// bytes stay in order. What the socket does not take goes through
// gnet's Write: it writes again, buffers what still does not fit and
// waits for the socket, or meets the error again and closes gc as it
// would have (OnClose runs); an error costs one more system call, a
// partial write (a full socket) at most one.
func writeNow(gc gnet.Conn, p []byte) {
	if len(p) > 0 && gc.OutboundBuffered() == 0 {
		if n := writeRaw(gc.Fd(), p); n > 0 {
			p = p[n:]
		}
		if len(p) == 0 {
			return
		}
	}
	_, _ = gc.Write(p)
}
