package engine

import (
	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// Ready reports whether the server wants traffic: not in maintenance, not
// draining, and not marked unready with SetReady(false).
func (s *Server) Ready() bool {
	return !s.InMaintenance() && !s.draining.Load() && !s.notReady.Load()
}

// errNotReady answers a readiness probe during maintenance, a drain, or
// after SetReady(false).
var errNotReady = httperrors.New(httperrors.StatusServiceUnavailable,
	"the server is not ready for traffic: it is in maintenance or shutting down")

// ReadinessHandler returns a handler for load balancers' readiness probes
// (e.g. /readyz): 200 normally, 503 with Retry-After during maintenance,
// a drain or after SetReady(false), so traffic moves away before the
// process goes. Exempt its path from maintenance so that it answers for
// itself.
func (s *Server) ReadinessHandler() Handler {
	notReady := errNotReady.WithRetryAfter(s.cfg.RetryAfter)
	return HandlerFunc(func(c *Context) error {
		if !s.Ready() {
			return notReady
		}
		_ = c.SetContentType("text/plain; charset=utf-8")
		_, _ = c.WriteString("ready\n")
		return nil
	})
}

// HealthHandler returns a handler for liveness probes (e.g. /healthz):
// 200 while the process serves, maintenance included.
func HealthHandler() Handler {
	return HandlerFunc(func(c *Context) error {
		_ = c.SetContentType("text/plain; charset=utf-8")
		_, _ = c.WriteString("ok\n")
		return nil
	})
}
