package engine

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestContextCancel(t *testing.T) {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	c := newRequestContext(local)
	done := c.Done()
	require.NoError(t, c.Err())
	select {
	case <-done:
		t.Fatal("done before cancel")
	default:
	}
	_, has := c.Deadline()
	assert.False(t, has)
	assert.Equal(t, local, c.Value(http.LocalAddrContextKey))
	assert.Nil(t, c.Value(http.ServerContextKey))

	c.cancel()
	c.cancel() // a second cancel does nothing
	<-done
	assert.True(t, done == c.Done(), "Done returns the same channel")
	assert.ErrorIs(t, c.Err(), context.Canceled)
}

func TestRequestContextDoneAfterCancel(t *testing.T) {
	c := newRequestContext(nil)
	c.cancel()
	<-c.Done() // made closed, never blocks
	assert.Nil(t, c.Value(http.LocalAddrContextKey))
}

func TestRequestContextDerivedContexts(t *testing.T) {
	c := newRequestContext(nil)
	before := runtime.NumGoroutine()
	var children []context.Context
	for range 100 {
		child, cancel := context.WithTimeout(c, time.Hour)
		t.Cleanup(cancel)
		children = append(children, child)
	}
	// With AfterFunc the context package needs no goroutine per child.
	assert.Less(t, runtime.NumGoroutine()-before, 10)

	var ran, stopped atomic.Int32
	stop := context.AfterFunc(c, func() { stopped.Add(1) })
	context.AfterFunc(c, func() { ran.Add(1) })
	assert.True(t, stop())
	assert.False(t, stop())

	c.cancel()
	for _, child := range children {
		select {
		case <-child.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("a derived context was not cancelled")
		}
		assert.ErrorIs(t, child.Err(), context.Canceled)
	}
	require.Eventually(t, func() bool { return ran.Load() == 1 }, 5*time.Second, time.Millisecond)
	assert.Zero(t, stopped.Load())

	// Registered after the cancel: runs at once, and cannot be stopped.
	late := make(chan struct{})
	stop = context.AfterFunc(c, func() { close(late) })
	<-late
	assert.False(t, stop())
}
