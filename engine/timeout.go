package engine

// wheelSlots is the number of slots in a loop's timing wheel. A deadline
// further away than this many ticks waits in the last slot and is put back
// when that slot comes due, so any timeout works; the slot count only
// bounds how often a long wait is looked at.
const wheelSlots = 512

// timerKind says what a connection's deadline guards, and so what happens
// when it passes.
type timerKind uint8

const (
	timerNone timerKind = iota
	// timerIdle: waiting for a request's first byte; close silently.
	timerIdle
	// timerHeader: a partial header section; 408, then close.
	timerHeader
	// timerBody: a partial body; 408, then close.
	timerBody
	// timerWrite: output the client has not read yet; checked each time
	// the socket becomes writable, closed at the write deadline (see
	// conn.waitOutput, conn.checkOutput).
	timerWrite
	// timerLinger: the final response has left and the write side is shut;
	// close when the client has not closed by the deadline.
	timerLinger
	// timerReply: the deadline an asynchronous reply's owner set
	// (Reply.SetDeadline); the owner is told.
	timerReply
)

// timer is a connection's place in its loop's wheel. Re-arming a timer for
// a later deadline is a store: the connection stays in its slot and is
// moved on when that slot comes due, so a busy keep-alive connection costs
// the wheel nothing per request.
type timer struct {
	deadline int64 // tick at which the timer fires
	slotAt   int64 // tick of the slot the connection sits in, when linked
	prev     *conn
	next     *conn
	kind     timerKind
	linked   bool
}

// wheel is a per-loop timing wheel of connections, keyed by tick. Only the
// loop's goroutine touches it.
type wheel struct {
	slots [wheelSlots]*conn // heads of doubly linked lists through conn.timer
	now   int64             // the last tick swept
}

// arm sets c's deadline. It links c into the wheel only when c is not in
// a slot that comes due at or before the deadline.
func (w *wheel) arm(c *conn, kind timerKind, deadline int64) {
	t := &c.timer
	t.kind, t.deadline = kind, deadline
	if t.linked {
		if t.slotAt <= deadline {
			return
		}
		w.unlink(c)
	}
	w.link(c, deadline)
}

// disarm takes c out of the wheel.
func (w *wheel) disarm(c *conn) {
	c.timer.kind = timerNone
	if c.timer.linked {
		w.unlink(c)
	}
}

// advance sweeps every slot due up to tick now, calling expire for each
// connection whose deadline has passed and moving the others on. Each
// connection is visited only when its own slot is due: the cost of a tick is
// the number of timers due in it, not the number of connections.
func (w *wheel) advance(now int64, expire func(*conn)) {
	from := w.now + 1
	if now-from >= wheelSlots {
		from = now - wheelSlots + 1
	}
	w.now = now
	for tick := from; tick <= now; tick++ {
		slot := &w.slots[tick%wheelSlots]
		head := *slot
		*slot = nil
		for c := head; c != nil; {
			next := c.timer.next
			c.timer.linked, c.timer.prev, c.timer.next = false, nil, nil
			switch {
			case c.timer.kind == timerNone:
			case c.timer.deadline <= now:
				expire(c)
			default:
				w.link(c, c.timer.deadline)
			}
			c = next
		}
	}
}

// link puts c into the slot for deadline, clamped to the wheel's span.
func (w *wheel) link(c *conn, deadline int64) {
	at := deadline
	if at <= w.now {
		at = w.now + 1
	}
	if at > w.now+wheelSlots-1 {
		at = w.now + wheelSlots - 1
	}
	slot := &w.slots[at%wheelSlots]
	t := &c.timer
	t.slotAt, t.linked, t.prev, t.next = at, true, nil, *slot
	if *slot != nil {
		(*slot).timer.prev = c
	}
	*slot = c
}

// unlink removes c from its slot.
func (w *wheel) unlink(c *conn) {
	t := &c.timer
	if t.prev != nil {
		t.prev.timer.next = t.next
	} else {
		w.slots[t.slotAt%wheelSlots] = t.next
	}
	if t.next != nil {
		t.next.timer.prev = t.prev
	}
	t.linked, t.prev, t.next = false, nil, nil
}
