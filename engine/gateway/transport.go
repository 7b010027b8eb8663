package gateway

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// NewResolver returns a Resolver that sends every name lookup to the DNS
// server at addr (host:port) with Go's own resolver, whatever
// /etc/resolv.conf says. Containers and tests use it to choose the server.
func NewResolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// dialer connects to upstreams in two timed steps, a name lookup bounded
// by its own timeout and a connect bounded by another, so that a slow DNS
// server and a slow upstream are told apart (both 504, with different
// explanations). Its errors are *dialError.
type dialer struct {
	resolver      *net.Resolver
	lookupTimeout time.Duration
	net           net.Dialer
	// mu guards resolved.
	mu sync.Mutex
	// resolved caches each host's successful lookup for lookupTTL, so
	// that connections opened in a burst ask the resolver once.
	resolved map[string]lookup
}

// lookupTTL is how long a successful name lookup is reused. The resolver
// does not tell the records' TTL; a short fixed one bounds how late a
// changed address is seen.
const lookupTTL = 5 * time.Second

// lookup is a cached name lookup.
type lookup struct {
	ips     []netip.Addr
	expires time.Time
}

// DialContext is the Transport's dial function.
func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &dialError{op: opConnect, err: err}
	}
	if ip := net.ParseIP(host); ip != nil {
		return d.connect(ctx, network, addr)
	}
	ips, err := d.lookupHost(ctx, host)
	if err != nil {
		return nil, err
	}
	// Try each address in turn, as net.Dial does; the last error tells.
	for _, ip := range ips {
		var conn net.Conn
		conn, err = d.connect(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
	}
	return nil, err
}

// lookupHost returns host's addresses, from the cache while they are
// fresh, else from the resolver within lookupTimeout.
func (d *dialer) lookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	now := time.Now()
	d.mu.Lock()
	c, ok := d.resolved[host]
	d.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.ips, nil
	}
	lctx, cancel := context.WithTimeout(ctx, d.lookupTimeout)
	ips, err := d.resolver.LookupNetIP(lctx, "ip", host)
	cancel()
	if err != nil {
		return nil, &dialError{op: opLookup, err: err}
	}
	d.mu.Lock()
	if d.resolved == nil {
		d.resolved = make(map[string]lookup)
	}
	d.resolved[host] = lookup{ips: ips, expires: now.Add(lookupTTL)}
	d.mu.Unlock()
	return ips, nil
}

// connect dials one address.
func (d *dialer) connect(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := d.net.DialContext(ctx, network, addr)
	if err != nil {
		return nil, &dialError{op: opConnect, err: err}
	}
	return conn, nil
}

// newDialer returns the dialer of o's timeouts and resolver.
func newDialer(o Options) *dialer {
	return &dialer{
		resolver:      o.Resolver,
		lookupTimeout: o.DNSTimeout,
		net:           net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second},
	}
}

// newTransport returns the Transport that carries the exchanges with https
// upstreams, dialling with d.
func newTransport(o Options, d *dialer) *http.Transport {
	return &http.Transport{
		// The environment's HTTP_PROXY is not this gateway's business.
		Proxy:       nil,
		DialContext: d.DialContext,
		// The slots of each upstream already bound its requests in flight,
		// so the Transport never waits for a connection of its own accord;
		// its limit is a backstop.
		MaxConnsPerHost:       o.MaxConnsPerUpstream,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   o.MaxConnsPerUpstream,
		IdleConnTimeout:       o.IdleConnTimeout,
		ResponseHeaderTimeout: o.UpstreamTimeout,
		TLSHandshakeTimeout:   o.ConnectTimeout,
		// Bodies pass through as the upstream encoded them.
		DisableCompression: true,
		// The gateway speaks HTTP/1.1 upstream; an empty map keeps the
		// Transport from negotiating HTTP/2 over TLS.
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
}
