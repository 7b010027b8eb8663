package engine

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// requestContext is the context.Context of one blocking request. Like
// net/http's request context it is cancelled when the client goes away or
// the request's work ends, and it carries the server's address under
// http.LocalAddrContextKey.
//
// It is one allocation where context.WithCancel makes two and stores
// into an atomic.Value on cancel; its done channel is made only when a
// handler asks for it. It implements the AfterFunc method the context
// package looks for, so contexts derived from it (WithTimeout, WithCancel,
// context.AfterFunc) are cancelled with it without a goroutine each.
type requestContext struct {
	local net.Addr // the server's address of the connection
	// url is the net/http adapter's request URL, made with the context
	// so that the two cost one allocation.
	url url.URL

	mu     sync.Mutex
	done   chan struct{} // made by the first Done; closed by cancel
	err    error         // context.Canceled once cancelled
	afters []*afterFunc  // registered by AfterFunc, run by cancel
}

// afterFunc is one function registered with requestContext.AfterFunc.
type afterFunc struct{ f func() }

// closedDone is the Done channel of a context cancelled before anyone
// asked for it.
var closedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func newRequestContext(local net.Addr) *requestContext {
	return &requestContext{local: local}
}

// Deadline reports no deadline: a request's work has none of its own.
func (c *requestContext) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done returns a channel closed when the context is cancelled.
func (c *requestContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		if c.err != nil {
			return closedDone
		}
		c.done = make(chan struct{})
	}
	return c.done
}

// Err returns nil until the context is cancelled, then context.Canceled.
func (c *requestContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value returns the server's address for http.LocalAddrContextKey, as
// net/http does, and nil for any other key.
func (c *requestContext) Value(key any) any {
	if key == http.LocalAddrContextKey && c.local != nil {
		return c.local
	}
	return nil
}

// AfterFunc arranges for f to run in its own goroutine once the context is
// cancelled, at once if it already is. stop unregisters f; it reports
// whether it did so before f was started. context.AfterFunc and the
// derived contexts of the context package use it.
func (c *requestContext) AfterFunc(f func()) (stop func() bool) {
	a := &afterFunc{f: f}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	c.afters = append(c.afters, a)
	c.mu.Unlock()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.afters {
			if x == a {
				c.afters = append(c.afters[:i], c.afters[i+1:]...)
				return true
			}
		}
		return false
	}
}

// cancel cancels the context; later calls do nothing.
func (c *requestContext) cancel() {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = context.Canceled
	if c.done != nil {
		close(c.done)
	}
	afters := c.afters
	c.afters = nil
	c.mu.Unlock()
	for _, a := range afters {
		go a.f()
	}
}

// String names the context, as the context package's own types do.
func (c *requestContext) String() string { return "engine.requestContext" }

// Interface checks.
var _ context.Context = (*requestContext)(nil)
