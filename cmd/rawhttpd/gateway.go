package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/rawhttpd/rawhttpd/engine/gateway"
)

// gatewayOptions are the flags of the gateway mode.
type gatewayOptions struct {
	upstreams string // -upstream: comma-separated URLs; set means gateway mode
	gateway   gateway.Options
	resolver  string // -resolver: host:port of a DNS server
	trusted   string // -trusted-proxies: comma-separated CIDR prefixes
}

// addGatewayFlags registers the gateway mode's flags on fs.
func addGatewayFlags(fs *flag.FlagSet, o *gatewayOptions) {
	fs.StringVar(&o.upstreams, "upstream", "", "forward every request to these `URL[,URL...]` (round robin; host:port alone means http://host:port): the gateway mode")
	fs.DurationVar(&o.gateway.UpstreamTimeout, "upstream-timeout", gateway.DefaultUpstreamTimeout, "time an upstream may take to send its response head (then 504)")
	fs.DurationVar(&o.gateway.DNSTimeout, "dns-timeout", gateway.DefaultDNSTimeout, "time an upstream's name lookup may take (then 504)")
	fs.IntVar(&o.gateway.MaxConnsPerUpstream, "upstream-max-conns", gateway.DefaultMaxConnsPerUpstream, "open connections to each upstream, idle or busy, over all event loops; a request that finds none free within 100ms gets 503")
	fs.Int64Var(&o.gateway.MaxBodyBytes, "upstream-max-body-bytes", 0, "largest request body forwarded to http upstreams, which get bodies as they arrive, so -max-body-bytes does not bound them (then 413); 0 = no limit")
	fs.StringVar(&o.resolver, "resolver", "", "send upstream name lookups to the DNS server at `host:port`")
	fs.StringVar(&o.trusted, "trusted-proxies", "", "believe the X-Forwarded-* and Forwarded fields of peers in these `CIDR[,CIDR...]` and append to them; from any other peer they are replaced (default none)")
}

// newGateway returns the gateway mode's handler, or nil when -upstream
// was not given.
func newGateway(o gatewayOptions, logger *slog.Logger) (*gateway.Handler, error) {
	if o.upstreams == "" {
		return nil, nil
	}
	if o.resolver != "" {
		if _, _, err := net.SplitHostPort(o.resolver); err != nil {
			return nil, fmt.Errorf("-resolver %q: %w", o.resolver, err)
		}
		o.gateway.Resolver = gateway.NewResolver(o.resolver)
	}
	if o.gateway.UpstreamTimeout < 0 || o.gateway.DNSTimeout < 0 {
		return nil, fmt.Errorf("-upstream-timeout and -dns-timeout must not be negative")
	}
	if o.gateway.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("-upstream-max-body-bytes must not be negative")
	}
	if o.gateway.MaxConnsPerUpstream < 1 {
		return nil, fmt.Errorf("-upstream-max-conns must be at least 1")
	}
	trusted, err := parsePrefixes(o.trusted)
	if err != nil {
		return nil, fmt.Errorf("-trusted-proxies: %w", err)
	}
	o.gateway.TrustedProxies = trusted
	o.gateway.Logger = logger
	var urls []string
	for u := range strings.SplitSeq(o.upstreams, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, withScheme(u))
		}
	}
	return gateway.New(urls, o.gateway)
}

// withScheme reads an upstream given as host:port, without a scheme, as
// http://host:port, the only scheme the gateway speaks.
func withScheme(u string) string {
	if strings.Contains(u, "://") {
		return u
	}
	return "http://" + u
}
