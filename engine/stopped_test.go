package engine

import (
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pausedTaker streams each request's body to an owner that takes the
// first piece and pauses for good: an upstream that stopped reading.
type pausedTaker struct{}

func (pausedTaker) StreamsBodies() bool { return true }

func (pausedTaker) Serve(c *Context) error {
	if !c.BodyFollows() {
		_, _ = c.WriteString("now")
		return nil
	}
	c.Async(pausedOwner{}).ResumeBody()
	return nil
}

// pausedOwner never resumes the body it paused.
type pausedOwner struct{}

func (pausedOwner) ReplyExpired(*Reply)                 {}
func (pausedOwner) ReplyDrained(*Reply)                 {}
func (pausedOwner) ReplyClientGone(r *Reply)            { r.Finish(nil) }
func (pausedOwner) ReplyBody(*Reply, []byte, bool) bool { return false }

// detachedReaders counts the goroutines reading clients off the loop.
func detachedReaders() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "(*clientDetach).run(")
}

// A client held back off the loop while its body waits for an owner that
// stopped taking it is let go when the server closes: its socket closes
// and the goroutine that read it ends, so a server stopped (and started
// again in the same process) keeps neither.
func TestServerCloseEndsClientsHeldBack(t *testing.T) {
	s := startServer(t, pausedTaker{}, Config{})
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(time.Minute)))
	sent := make(chan error, 1)
	go func() {
		_, err := fmt.Fprintf(c.conn, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n", heldBackBytes)
		piece := make([]byte, 64<<10)
		for left := heldBackBytes; err == nil && left > 0; left -= len(piece) {
			_, err = c.conn.Write(piece)
		}
		sent <- err
	}()
	require.Eventually(t, func() bool { return s.Stats().HeldBack == 1 }, time.Minute, time.Millisecond)
	require.NoError(t, s.Close())
	require.Error(t, <-sent, "the held-back client's connection closes")
	require.Eventually(t, func() bool { return detachedReaders() == 0 }, 10*time.Second, time.Millisecond,
		"the goroutine that read the client off the loop ends")
}

// Taking a client off the loop lets go of nothing: the input gnet held
// is copied to the conn, so it is not counted as a large release, whose
// memory return forces a full collection, at most once a second, that
// every connection pays for.
func TestClientHeldBackIsNoMemoryRelease(t *testing.T) {
	t.Parallel()
	s := New(pausedTaker{}, Config{TimerResolution: 5 * time.Millisecond})
	var returns atomic.Int64
	s.memory.free = func() { returns.Add(1) }
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(time.Minute)))
	go func() {
		_, err := fmt.Fprintf(c.conn, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n", heldBackBytes)
		piece := make([]byte, 64<<10)
		for left := heldBackBytes; err == nil && left > 0; left -= len(piece) {
			_, err = c.conn.Write(piece)
		}
	}()
	require.Eventually(t, func() bool { return s.Stats().HeldBack == 1 }, time.Minute, time.Millisecond)
	ticked := s.clock.now() + 2 // a tick after the detach looked at the release
	require.Eventually(t, func() bool { return s.clock.now() >= ticked }, 10*time.Second, time.Millisecond)
	require.Equal(t, int64(0), returns.Load(), "memory returned for a client taken off the loop")
}

// A Blocking job that finishes after the server stopped lets go of its
// socket, even when the loop had a pass over finished jobs posted that
// gnet dropped as it stopped: the job does not wait for it for ever.
func TestJobFinishedAfterCloseLetsGoOfItsSocket(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	s := startServer(t, Blocking(HandlerFunc(func(c *Context) error {
		close(entered)
		<-release
		return nil
	})), Config{})
	c := dialRaw(t, s)
	_, err := c.conn.Write([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
	require.NoError(t, err)
	<-entered
	s.mu.Lock()
	loops := make([]*loop, 0, len(s.loops))
	for _, l := range s.loops {
		loops = append(loops, l)
	}
	s.mu.Unlock()
	claimed := make(chan struct{}, len(loops))
	for _, l := range loops {
		// A pass is due, as one posted and then dropped, once the pass
		// the hand-off posted has run: a task posted from a task runs
		// after every task queued before it.
		require.NoError(t, l.pub.Run(func() {
			_ = l.pub.Run(func() {
				l.finished.claim()
				claimed <- struct{}{}
			})
		}))
	}
	for range loops {
		<-claimed
	}
	require.NoError(t, s.Close())
	close(release)
	require.Eventually(t, func() bool { return s.Stats().InFlight == 0 }, 10*time.Second, time.Millisecond)
	for _, l := range loops {
		l.finished.mu.Lock()
		held := len(l.finished.jobs)
		l.finished.mu.Unlock()
		assert.Zero(t, held, "a finished job still waits for its stopped loop")
	}
}
