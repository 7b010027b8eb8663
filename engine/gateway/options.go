package gateway

import (
	"log/slog"
	"net"
	"net/netip"
	"time"
)

// Options holds a Handler's settings. Its zero value is the shipped
// default: every field documents its default and the status that follows
// when a limit is reached.
type Options struct {
	// UpstreamTimeout bounds the wait for the upstream's response head
	// once the request has been written, and each wait for more of the
	// response body; default 30 s. Past it: 504 (or, once the body is
	// streaming, a closed connection).
	UpstreamTimeout time.Duration
	// ConnectTimeout bounds a TCP connect to an upstream; default 10 s.
	// Past it: 504, and the upstream is marked unhealthy.
	ConnectTimeout time.Duration
	// DNSTimeout bounds the name lookup of an upstream's host; default 5 s.
	// Past it: 504, and the upstream is marked unhealthy.
	DNSTimeout time.Duration
	// Resolver looks up upstream host names; nil means net.DefaultResolver.
	// NewResolver gives one that asks a given DNS server.
	Resolver *net.Resolver

	// MaxConnsPerUpstream limits the requests in flight, hence the open
	// connections, to one upstream; default 256. A request that finds no
	// free slot within PoolWait gets 503 with Retry-After.
	MaxConnsPerUpstream int
	// PoolWait is how long a request waits for a free connection slot;
	// default 100 ms.
	PoolWait time.Duration
	// MaxBodyBytes bounds a request body when bodies are forwarded as
	// they arrive (every upstream http): the engine's MaxBodyBytes then
	// does not apply, so this bounds a body that arrived whole with its
	// head as well as one still arriving; default 0, no bound. Past it:
	// 413, then close.
	MaxBodyBytes int64
	// IdleConnTimeout is how long an upstream connection may wait idle
	// for the next request before it is closed; default 90 s. It is
	// checked when the connection's loop next looks for one.
	IdleConnTimeout time.Duration
	// UnhealthyFor is how long an upstream is skipped after a failed name
	// lookup or connect; default 5 s. When every upstream is skipped the
	// answer is 503 with Retry-After set to the seconds until the first
	// comes back. A lone upstream is never skipped: each request tries it
	// and gets the exact 502 or 504.
	UnhealthyFor time.Duration

	// RewriteHost sends the upstream's own host as Host instead of the
	// client's, which is preserved by default.
	RewriteHost bool
	// Forwarded adds an RFC 7239 Forwarded field next to the X-Forwarded
	// ones.
	Forwarded bool
	// TrustedProxies are the networks of the proxies whose X-Forwarded-For,
	// X-Forwarded-Host, X-Forwarded-Proto and Forwarded fields are
	// believed; default none. A request from a peer in one of them has
	// this hop appended to X-Forwarded-For and Forwarded, and keeps its
	// X-Forwarded-Host and -Proto; from any other peer, which could forge
	// them, all four are replaced by what this hop saw.
	TrustedProxies []netip.Prefix
	// Pseudonym names this gateway in Via fields; default "rawhttpd".
	Pseudonym string

	// Logger receives upstream failures; nil means slog.Default(). A
	// client's own disconnect is not logged.
	Logger *slog.Logger
}

// Defaults of the Options fields whose zero value means "default".
const (
	DefaultUpstreamTimeout     = 30 * time.Second
	DefaultConnectTimeout      = 10 * time.Second
	DefaultDNSTimeout          = 5 * time.Second
	DefaultMaxConnsPerUpstream = 256
	DefaultPoolWait            = 100 * time.Millisecond
	DefaultUnhealthyFor        = 5 * time.Second
	DefaultIdleConnTimeout     = 90 * time.Second
	DefaultPseudonym           = "rawhttpd"
)

// withDefaults returns o with every zero field replaced by its default.
func (o Options) withDefaults() Options {
	if o.UpstreamTimeout <= 0 {
		o.UpstreamTimeout = DefaultUpstreamTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.DNSTimeout <= 0 {
		o.DNSTimeout = DefaultDNSTimeout
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.MaxConnsPerUpstream <= 0 {
		o.MaxConnsPerUpstream = DefaultMaxConnsPerUpstream
	}
	if o.PoolWait <= 0 {
		o.PoolWait = DefaultPoolWait
	}
	if o.IdleConnTimeout <= 0 {
		o.IdleConnTimeout = DefaultIdleConnTimeout
	}
	if o.UnhealthyFor <= 0 {
		o.UnhealthyFor = DefaultUnhealthyFor
	}
	if o.Pseudonym == "" {
		o.Pseudonym = DefaultPseudonym
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// trusts reports whether the peer at addr is one of TrustedProxies.
func (o *Options) trusts(addr net.Addr) bool {
	if len(o.TrustedProxies) == 0 {
		return false
	}
	a, ok := addr.(*net.TCPAddr)
	if !ok {
		return false
	}
	ip := a.AddrPort().Addr().Unmap()
	for _, p := range o.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
