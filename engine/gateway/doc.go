// Package gateway is rawhttpd's reverse proxy: an engine.Handler that
// forwards each request to one of a set of upstream HTTP/1.1 servers and
// answers with the upstream's response, or, when the upstream fails, with
// the status RFC 9110 §15.6 gives a gateway for that failure.
//
// # The life of a forwarded request
//
// A request is forwarded from the event loop that parsed it, with no
// goroutine in its path. Serve picks an upstream round robin, skipping
// those marked unhealthy, and makes the response asynchronous
// (engine.Context.Async). It renders the upstream request into a reused
// buffer: method, path and query (after the upstream's path prefix), Host
// (the client's, or the upstream's with Options.RewriteHost), the
// end-to-end header fields without the hop-by-hop ones, Via and the
// X-Forwarded fields (and Forwarded, if asked), appended to only for a
// peer in Options.TrustedProxies, then Content-Length and the body.
//
// Each event loop keeps its own idle connections to each upstream, the
// most recently used first; the connections of all loops to one upstream
// are bounded by Options.MaxConnsPerUpstream, and a request that finds
// none free waits up to PoolWait for a slot, the waiting requests of
// all loops served in the order they began to wait, whichever loop frees
// one (slots.go). A new connection is dialled
// off the loop (name lookup and connect, each with its timeout) and joins
// the loop of the request that wanted it (engine.Loop.Enroll). The
// response is parsed as it arrives by parser.ResponseParser, strict about
// framing; its head is relayed with the end-to-end fields and this
// gateway added to Via, and its body as it arrives. A body that ends
// within flushBytes goes out with a Content-Length; a longer one, or one
// still arriving, is streamed (chunked to HTTP/1.1 clients, delimited by
// the close for HTTP/1.0). Interim (1xx) responses are relayed to an
// HTTP/1.1 client as they come but for 100 Continue, which the engine
// answers itself (interim.go); 101 is refused (502). A chunked body's
// trailer fields are passed on to an HTTP/1.1 client (trailer.go). A
// connection carries its next request only after a complete response
// that leaves it open, with nothing sent after it and the whole request
// taken by the upstream; any other is closed. A kept-alive connection
// that the upstream closed as a request crossed it is replaced once.
//
// A client that reads slower than the upstream sends holds at most about
// 400 KiB in the gateway: past relayHighWater of unread output the
// upstream connection leaves the loop and is read only as the client
// drains (see detach.go), so the upstream's TCP window holds it back.
// A request body that arrives with its head is forwarded with it; one
// still arriving is forwarded as it arrives, past the engine's
// MaxBodyBytes if need be (bounded by Options.MaxBodyBytes instead, see
// upload.go). It pauses while the upstream has 256 KiB of it unread.
// gnet keeps reading the client meanwhile: past 1 MiB held, the engine
// reads the rest of the body, Content-Length or chunked, off the loop at
// the upstream's pace, so the client's TCP window holds it back (engine's
// clientdetach.go), and the requests pipelined behind it are served once
// it is done.
//
// A request in flight holds, besides gnet's buffers of the two
// connections: the engine's Reply (about 700 bytes, with its copy of the
// request head), the rendered upstream request (its head, a few hundred
// bytes, and a body that arrived whole with it), the response head being
// built, the upstream connection's parse state (about 700 bytes, pooled
// with the connection), and up to flushBytes (32 KiB) of a response body
// gathered before the head goes out. All of it is reused from request to
// request.
//
// Requests to https upstreams, and requests served where no event loop
// runs (engine.Blocking, enginetest), take a fallback: the engine's
// worker pool and a net/http Transport, which does TLS, with the same
// failures and answers.
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
