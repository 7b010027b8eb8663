package engine

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain fails the package's tests when any connection, in any test,
// moved between states that connTransitions does not list.
func TestMain(m *testing.M) {
	var mu sync.Mutex
	var illegal []string
	illegalTransition = func(from, to connState) {
		mu.Lock()
		defer mu.Unlock()
		illegal = append(illegal, from.String()+" -> "+to.String())
	}
	code := m.Run()
	if len(illegal) > 0 {
		fmt.Fprintf(os.Stderr, "connections moved between states connTransitions does not list: %v\n", illegal)
		code = 1
	}
	os.Exit(code)
}

func TestConnTransitions(t *testing.T) {
	tests := []struct {
		from, to connState
		legal    bool
	}{
		{stateIdle, stateReading, true},
		{stateIdle, stateClosing, true},
		{stateIdle, stateDispatched, false}, // a request is read before it is dispatched
		{stateIdle, stateStalled, false},    // only responses back up
		{stateReading, stateIdle, true},
		{stateReading, stateDispatched, true},
		{stateReading, stateStalled, true},
		{stateReading, stateClosing, true},
		{stateReading, stateLingering, false}, // the final response leaves first
		{stateDispatched, stateIdle, true},
		{stateDispatched, stateReading, true},
		{stateDispatched, stateStalled, true},
		{stateDispatched, stateClosing, true},
		{stateStalled, stateIdle, true},
		{stateStalled, stateReading, true},
		{stateStalled, stateDispatched, false}, // requests wait unparsed
		{stateStalled, stateClosing, false},    // a client that reads nothing is closed
		{stateClosing, stateLingering, true},
		{stateClosing, stateReading, false}, // nothing more is answered
		{stateClosing, stateIdle, false},
		{stateLingering, stateClosing, false},
		{stateLingering, stateIdle, false},
		{stateClosed, stateClosing, false}, // no graceful close of a connection already gone
		{stateClosed, stateIdle, false},
		{stateClosed, stateReading, false},
	}
	for _, tt := range tests {
		t.Run(tt.from.String()+" to "+tt.to.String(), func(t *testing.T) {
			assert.Equal(t, tt.legal, legalTransition(tt.from, tt.to))
		})
	}
	for s := range connState(numConnStates) {
		assert.NotEqual(t, "invalid", s.String())
		assert.True(t, legalTransition(s, s), "%v may stay", s)
		assert.True(t, legalTransition(s, stateClosed), "%v may close at once", s)
	}
}

func TestConnStateFollowsTheConnection(t *testing.T) {
	get := "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	// workerDone completes the connection's blocking job as a worker
	// would, keeping the connection open.
	workerDone := func(t *testing.T, c *conn, _ *memTransport) {
		j := queuedJob(c.srv)
		j.keep = true
		require.NoError(t, j.done(context.Background()))
	}
	// clientReads empties the output the client had not read.
	clientReads := func(_ *testing.T, c *conn, m *memTransport) {
		m.outbound = 0
		c.checkOutput()
	}
	tests := []struct {
		name     string
		h        Handler
		in       string
		outbound int // output the client has not read when the batch ends
		then     func(t *testing.T, c *conn, m *memTransport)
		want     connState
	}{
		{"request answered", hello, get, 0, nil, stateIdle},
		{"head in part", hello, "GET / HT", 0, nil, stateReading},
		{"body in part", hello, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab", 0, nil, stateReading},
		{"head too slow", hello, "GET / HT", 0, func(_ *testing.T, c *conn, _ *memTransport) { c.timeOut() }, stateClosed},
		{"response says close", hello, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 0, nil, stateClosed},
		{"request refused by the parser", hello, "GET / HTTP/2.0\r\n\r\n", 0, nil, stateClosed},
		{"blocking handler at work", Blocking(hello), get, 0, nil, stateDispatched},
		{"blocking handler done", Blocking(hello), get, 0, workerDone, stateIdle},
		{"blocking handler done, next one dispatched", Blocking(hello), get + get, 0, workerDone, stateDispatched},
		{"output backed up", hello, get + get, outputHighWater + 1, nil, stateStalled},
		{"client read the backlog", hello, get, outputHighWater + 1, clientReads, stateIdle},
		{"client read the backlog, a request waits", hello, get + get, outputHighWater + 1, clientReads, stateReading},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memTransport{in: []byte(tt.in), outbound: tt.outbound}
			c := memConn(tt.h, m)
			c.serve()
			if tt.then != nil {
				tt.then(t, c, m)
			}
			assert.Equal(t, tt.want, c.state)
			assert.Equal(t, tt.want == stateDispatched, c.pending != nil, "a job is pending while dispatched")
			if tt.want == stateIdle {
				assert.Nil(t, c.ex, "an idle connection holds no parse state")
			}
		})
	}
}

func TestLingeringConnectionsAreCounted(t *testing.T) {
	c := memConn(hello, &memTransport{})
	c.setState(stateReading)
	c.setState(stateClosing)
	assert.Zero(t, c.srv.lingering.Load())
	c.setState(stateLingering)
	c.setState(stateLingering)
	assert.Equal(t, int64(1), c.srv.lingering.Load())
	c.setState(stateClosed)
	assert.Zero(t, c.srv.lingering.Load())
}
