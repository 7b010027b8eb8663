package engine

import (
	"context"
	"time"

	"github.com/panjf2000/gnet/v2"
)

// Output back-pressure: past outputHighWater bytes the client has not
// read, the connection's later requests stay unparsed until the backlog
// falls under outputLowWater; its inbound bytes are bounded meanwhile by
// unreadInboundLimit, past which it is closed: a client that does not
// read has no use for more requests parsed, and gnet keeps reading what
// it sends. While blocking work runs the bound is heldInboundLimit, which
// leaves room for a pipelined request with a large body.
const (
	outputHighWater    = 1 << 20
	outputLowWater     = 64 << 10
	unreadInboundLimit = 256 << 10
	heldInboundLimit   = 8 << 20
)

// holdInput handles bytes that arrive while c is closing, stalled or
// waiting for blocking work: they stay unparsed, within a bound.
func (c *conn) holdInput() gnet.Action {
	if c.finishing() {
		// Nothing more will be answered; keep no input.
		n := c.t.InboundBuffered()
		if n > 0 {
			_, _ = c.t.Discard(n)
		}
		return gnet.None
	}
	limit := heldInboundLimit
	if c.state == stateStalled {
		limit = unreadInboundLimit
	}
	if c.t.InboundBuffered() > limit {
		return gnet.Close
	}
	return gnet.None
}

// waitOutput waits for c's output to drain, up to the write timeout, which
// the wheel keeps. A goroutine that exists only for the wait learns from the
// netpoller when the socket becomes writable again and hands checkOutput to
// the loop: gnet has no "output drained" event, and a poll on a timer would
// cap the pace of a slow client's stream at the poll's rate.
func (c *conn) waitOutput() {
	if c.timer.kind != timerWrite {
		c.armWriteDeadline()
	}
	if c.watching || c.gc == nil {
		return
	}
	sock, err := c.socket()
	if err != nil {
		return // the write deadline still ends the wait
	}
	if c.checkOutputTask == nil {
		c.checkOutputTask = func(context.Context) error {
			c.watching = false
			if c.state != stateClosed && c.timer.kind == timerWrite {
				c.checkOutput()
			}
			return nil
		}
	}
	c.watching = true
	sock.acquire()
	deadline := time.Now().Add(c.srv.cfg.WriteTimeout)
	el, task := c.loop.el, c.checkOutputTask
	go func() {
		_ = sock.awaitWritable(deadline)
		sock.release()
		_ = el.Execute(context.Background(), task)
	}()
}

// checkOutput runs when c's socket became writable or its write deadline
// passed: a closing connection closes once its output drained, a job
// waiting for the connection's earlier responses is handed over, a stalled
// connection resumes parsing once its backlog is low, and any of them
// closes at the write deadline.
func (c *conn) checkOutput() {
	pending := c.t.OutboundBuffered()
	switch {
	case c.finishing() && pending == 0:
		c.finish()
	case c.pending != nil && !c.pending.submitted && pending == 0:
		c.loop.wheel.disarm(c)
		c.handOver()
	case c.reply != nil && c.reply.wantDrain && pending < outputLowWater:
		c.loop.wheel.disarm(c)
		c.reply.drained()
	case c.state == stateStalled && pending < outputLowWater:
		if c.t.InboundBuffered() == 0 {
			// Nothing waited: the connection is idle, not mid-request.
			c.afterBatch(false, true)
			return
		}
		c.setState(stateReading)
		c.loop.wheel.arm(c, timerHeader, c.srv.clock.after(c.srv.cfg.ReadHeaderTimeout))
		if c.gc != nil {
			_ = c.gc.Wake(nil)
		}
	case c.srv.clock.now() >= c.writeDeadline && c.heldOutput() >= c.outputHeld:
		c.close() // the client read nothing for the write timeout
	case c.srv.clock.now() >= c.writeDeadline:
		c.armWriteDeadline() // the client reads, however slowly
		c.waitOutput()
	default:
		c.waitOutput()
	}
}

// armWriteDeadline starts a write timeout for the output c holds now.
func (c *conn) armWriteDeadline() {
	c.writeDeadline = c.srv.clock.after(c.srv.cfg.WriteTimeout)
	c.outputHeld = c.heldOutput()
	c.loop.wheel.arm(c, timerWrite, c.writeDeadline)
}

// heldOutput returns how much of c's output the client has not taken: what
// gnet buffers and what the socket holds unsent, where the system says
// (the socket is reported writable only once much of its buffer drained,
// so gnet's buffer alone can stand still while a slow client reads).
func (c *conn) heldOutput() int {
	held := c.t.OutboundBuffered()
	if c.gc != nil {
		if sock, err := c.socket(); err == nil {
			held += max(unsent(sock.fd), 0)
		}
	}
	return held
}
