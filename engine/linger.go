package engine

import (
	"time"
)

// finish ends a closing connection gracefully. Once its last response
// has left, it shuts down the write side, so the client reads the response
// and then EOF, and keeps discarding what the client still sends for up to
// lingerTimeout: closing at once would make the kernel answer those bytes
// with a reset, which can destroy the response before the client reads it
// (RFC 9112 §9.6).
func (c *conn) finish() {
	if c.t.OutboundBuffered() > 0 {
		c.waitOutput()
		return
	}
	if c.gc == nil || shutdownWrite(c.gc.Fd()) != nil {
		c.close()
		return
	}
	c.setState(stateLingering)
	c.loop.wheel.arm(c, timerLinger, c.srv.clock.after(lingerTimeout))
}

// lingerTimeout bounds how long a closing connection waits for the
// client's EOF after the final response. It covers a client still sending
// the rest of a refused request in small pieces (a 501 is decided on the
// request line alone): until it closes, what it sends is read and
// dropped, so no reset can destroy the response it has not read yet.
const lingerTimeout = 5 * time.Second
