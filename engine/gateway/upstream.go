package gateway

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// upstream is one server requests are forwarded to, with its share of the
// gateway's state. Its fields are set by parseUpstream and read-only after,
// but for downUntil and slots, which are safe for concurrent use.
type upstream struct {
	scheme string // "http" or "https"
	host   string // host:port, the port always present
	// authority is the host as the URL gave it, sent as Host with
	// Options.RewriteHost.
	authority string
	// prefix is the URL's path without its trailing slash, put before
	// every forwarded path; empty for "/".
	prefix string
	// slots holds one token per request in flight on the worker path:
	// its capacity is MaxConnsPerUpstream.
	slots chan struct{}
	// index is the upstream's place in the balancer's list.
	index int
	// loopSlots bound the connections the event loops hold to the
	// upstream, idle or busy, and those being dialled (slots.go).
	loopSlots slotPool
	// downUntil is when, in Unix nanoseconds, an upstream marked unhealthy
	// is tried again; zero or past means healthy.
	downUntil atomic.Int64
}

// parseUpstream checks that raw is an http or https URL with a host and
// nothing but a path after it.
func parseUpstream(raw string, maxConns int) (*upstream, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("gateway: upstream %q: %w", raw, err)
	}
	port := ""
	switch u.Scheme {
	case "http":
		port = "80"
	case "https":
		port = "443"
	default:
		return nil, fmt.Errorf("gateway: upstream %q: scheme must be http or https", raw)
	}
	switch {
	case u.Hostname() == "":
		return nil, fmt.Errorf("gateway: upstream %q: no host", raw)
	case u.User != nil, u.RawQuery != "", u.Fragment != "":
		return nil, fmt.Errorf("gateway: upstream %q: only scheme, host, port and path are allowed", raw)
	}
	if p := u.Port(); p != "" {
		port = p
	}
	return &upstream{
		scheme:    u.Scheme,
		host:      net.JoinHostPort(u.Hostname(), port),
		authority: u.Host,
		prefix:    strings.TrimSuffix(u.EscapedPath(), "/"),
		slots:     make(chan struct{}, maxConns),
		loopSlots: slotPool{max: int64(maxConns)},
	}, nil
}

// healthy reports whether u may be tried at now.
func (u *upstream) healthy(now time.Time) bool { return u.downUntil.Load() <= now.UnixNano() }

// markUnhealthy makes u skipped until now+d.
func (u *upstream) markUnhealthy(now time.Time, d time.Duration) {
	u.downUntil.Store(now.Add(d).UnixNano())
}

// acquire takes a connection slot, waiting at most wait. It reports false
// when none came free.
func (u *upstream) acquire(wait time.Duration) bool {
	select {
	case u.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case u.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	}
}

// release returns a slot taken by acquire.
func (u *upstream) release() { <-u.slots }

// balancer chooses upstreams round robin among the healthy ones.
type balancer struct {
	upstreams []*upstream
	next      atomic.Uint64
}

// pick returns the next healthy upstream. When there is none it returns
// nil and the whole seconds, at least 1, until the first comes back.
func (b *balancer) pick(now time.Time) (*upstream, int) {
	n := uint64(len(b.upstreams))
	start := uint64(0)
	if n > 1 {
		// The counter is shared by every loop: one upstream needs none.
		start = b.next.Add(1) - 1
	}
	soonest := int64(0)
	for i := uint64(0); i < n; i++ {
		u := b.upstreams[(start+i)%n]
		if u.healthy(now) {
			return u, 0
		}
		if d := u.downUntil.Load(); soonest == 0 || d < soonest {
			soonest = d
		}
	}
	wait := time.Duration(soonest - now.UnixNano())
	return nil, max(1, int((wait+time.Second-1)/time.Second))
}
