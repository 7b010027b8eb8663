package engine

// connState is where a connection is in its life. It is one value, moved
// only by setState, so that what the connection waits for is read from
// one field instead of from combinations of flags.
//
// The connection's resources are separate facts: ex (the parse state of
// a request in progress) and pending (blocking work on its request) are
// held for as long as they are needed, which can outlast the state that
// took them: a job the drain cut off stays pending while the connection
// is closing, and one a worker still writes stays pending once gnet has
// closed the connection (job.done lets go of it). Likewise watching (a
// goroutine waits for the socket to drain) and the timer, which run
// across several states.
type connState uint8

const (
	// stateIdle: no request in progress; the connection waits for the
	// next one, under the idle timer.
	stateIdle connState = iota
	// stateReading: bytes of a request have arrived and wait for the
	// rest of it, or to be answered, under the header or body timer.
	stateReading
	// stateDispatched: the request is answered off the loop's batch (by a
	// worker, through pending, or by an asynchronous reply's owner,
	// through reply, which may also be fed the request's body); the loop
	// answers nothing more on the
	// connection, and parses nothing more, until that is done. No timer
	// runs meanwhile, except the write timeout while the work waits for
	// the connection's earlier responses to leave.
	stateDispatched
	// stateStalled: the client does not read its responses; the requests
	// it sent further wait unparsed until the backlog is low, under the
	// write timeout.
	stateStalled
	// stateClosing: the final response is written; the connection shuts
	// its write side once the response has left.
	stateClosing
	// stateLingering: the final response has left and the write side is
	// shut; the connection discards what the client still sends and waits
	// for its EOF, under the linger timer.
	stateLingering
	// stateDetached: the request's body is read off the loop, from a
	// duplicate of the socket, while gnet's side is closed; the
	// connection comes back to stateDispatched when the socket is
	// enrolled on its loop again (clientdetach.go). Only the reply's
	// timer runs.
	stateDetached
	// stateClosed: the connection is closed, or gnet closes it now; what
	// it held is released.
	stateClosed

	numConnStates = iota
)

// String returns the state's name, for test failures and logs.
func (s connState) String() string {
	switch s {
	case stateIdle:
		return "idle"
	case stateReading:
		return "reading"
	case stateDispatched:
		return "dispatched"
	case stateStalled:
		return "stalled"
	case stateClosing:
		return "closing"
	case stateLingering:
		return "lingering"
	case stateDetached:
		return "detached"
	case stateClosed:
		return "closed"
	}
	return "invalid"
}

// connTransitions lists, for each state, the states a connection may move
// to from it. Staying in a state is always allowed. Every state may close
// at once: a failed write, a reset or a timeout closes from anywhere.
var connTransitions = [numConnStates][]connState{
	stateIdle: {
		stateReading, // a request begins
		stateClosing, // refused outside a request: too many connections, a drain
		stateClosed,
	},
	stateReading: {
		stateIdle,       // the batch answered every request that arrived
		stateDispatched, // the request went to work off the loop
		stateStalled,    // the batch's responses backed up
		stateClosing,    // the response said close; a refusal, a timeout
		stateClosed,
	},
	stateDispatched: {
		stateIdle,     // done, and nothing else arrived
		stateReading,  // done, and requests wait behind it
		stateStalled,  // done, but the client has not read the response
		stateClosing,  // the response said close, or a drain cut it off
		stateDetached, // its body waits for a slow reader: read off the loop
		stateClosed,
	},
	stateDetached: {
		stateDispatched, // the socket is back on the loop
		stateClosed,
	},
	stateStalled: {
		stateIdle,    // the client read, and nothing else waits
		stateReading, // the client read, and requests wait
		stateClosed,  // the client read nothing for the write timeout
	},
	stateClosing: {
		stateLingering, // the response has left
		stateClosed,
	},
	stateLingering: {
		stateClosed,
	},
	stateClosed: {},
}

// legalTransition reports whether a connection may move from one state to
// the other.
func legalTransition(from, to connState) bool {
	if from == to {
		return true
	}
	if int(from) >= numConnStates {
		return false
	}
	for _, s := range connTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// illegalTransition, when set, is told of every move connTransitions does
// not list; the engine's tests set it to fail on one. The move happens all
// the same: the table documents the engine, it does not steer it.
var illegalTransition func(from, to connState)

// setState moves c to state to and keeps the server's count of lingering
// connections, which a drain waits for apart from the others.
func (c *conn) setState(to connState) {
	from := c.state
	if from == to {
		return
	}
	if illegalTransition != nil && !legalTransition(from, to) {
		illegalTransition(from, to)
	}
	c.state = to
	switch {
	case to == stateLingering:
		c.srv.lingering.Add(1)
	case from == stateLingering:
		c.srv.lingering.Add(-1)
	}
}

// finishing reports whether c has written its final response: it is
// closing or lingering. Nothing more is answered on it.
func (c *conn) finishing() bool {
	return c.state == stateClosing || c.state == stateLingering
}
