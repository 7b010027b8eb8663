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
}

// addGatewayFlags registers the gateway mode's flags on fs.
func addGatewayFlags(fs *flag.FlagSet, o *gatewayOptions) {
	fs.StringVar(&o.upstreams, "upstream", "", "forward every request to these `URL[,URL...]` (round robin): the gateway mode")
	fs.DurationVar(&o.gateway.UpstreamTimeout, "upstream-timeout", gateway.DefaultUpstreamTimeout, "time an upstream may take to send its response head (then 504)")
	fs.DurationVar(&o.gateway.DNSTimeout, "dns-timeout", gateway.DefaultDNSTimeout, "time an upstream's name lookup may take (then 504)")
	fs.StringVar(&o.resolver, "resolver", "", "send upstream name lookups to the DNS server at `host:port`")
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
	o.gateway.Logger = logger
	var urls []string
	for u := range strings.SplitSeq(o.upstreams, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	return gateway.New(urls, o.gateway)
}
