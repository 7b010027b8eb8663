// Package gateway is rawhttpd's reverse proxy: an engine.Handler that
// forwards each request to one of a set of upstream HTTP/1.1 servers and
// answers with the upstream's response, or, when the upstream fails, with
// the status RFC 9110 §15.6 gives a gateway for that failure.
//
// # The life of a forwarded request
//
// New returns a Handler that runs on the engine's worker pool
// (engine.Blocking), since forwarding waits on the network. For each
// request it picks an upstream round robin, skipping those marked
// unhealthy, and takes one of that upstream's connection slots. It builds
// the upstream request: method, path and query, the body, and the
// end-to-end header fields, without the hop-by-hop ones, plus Via and the
// X-Forwarded fields (and Forwarded, if asked), appended to only for a
// peer in Options.TrustedProxies. A net/http Transport sends
// it, with pooling, keep-alive, its own name resolution and a timeout for
// each step. The upstream's status and end-to-end fields are copied back;
// the engine frames the response itself, so the body is written as it
// arrives and flushed in bounded chunks when it is large or of unknown
// length.
//
// # Failures
//
// Every failure of the upstream becomes an *UpstreamError whose Reply is
// one of this package's *errors.Error sentinels: 502 when the upstream
// refused, reset or closed the connection, answered something that is not
// HTTP/1.1, or its name does not exist; 504 when it did not accept a
// connection, send a response head, or its name lookup did not answer in
// time; 503 with Retry-After when every upstream is marked unhealthy (a
// lone upstream never is: each request tries it and gets the exact 502 or
// 504) or the chosen one has no free connection slot. The engine renders them
// (package errors), each entity saying the failure is temporary. The
// upstream's own 5xx responses are not failures: they are passed through.
// A client that goes away while its request is forwarded is not an
// upstream failure: nothing is logged and nothing is answered.
//
// The package leaves TLS termination, routing, caching, retries of
// requests that reached an upstream, and protocol upgrades to others.
// cmd/rawhttpd imports it for its gateway mode.
package gateway
