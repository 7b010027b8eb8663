// Package engine is rawhttpd's server core: a gnet v2 event handler that
// accepts connections, parses requests with package parser, dispatches them
// to a Handler, and writes the responses, with keep-alive, pipelining,
// limits and timeouts.
//
// # The life of a batch
//
// gnet calls OnTraffic (events.go) on the connection's event loop when
// bytes arrive, and the connection (conn.go) serves them (serve.go): the
// engine peeks at every inbound byte without copying, and asks the
// parser for one request after another. Each complete request is
// dispatched to the Handler with the loop's reused Context; its response is
// appended to the loop's output buffer. A request that is not complete
// stays in gnet's inbound buffer, and the parser remembers how far it has
// checked it. When the batch is done the consumed bytes are discarded and
// every response goes out in one write.
//
// A parse error is answered with its pre-rendered response (the module's
// internal/render renders every error response) and, since the message
// framing can no longer be trusted, the connection closes. CONNECT never reaches a
// handler: the engine opens no tunnels, so it answers 501 itself, as it
// answers 503 in maintenance (maintenance.go). Every refusal the engine
// makes (refusal.go) honours an Accept that prefers
// application/problem+json when the request's fields have been read. A
// panicking handler is answered with 500 and its connection closes
// (recover.go); nothing else is disturbed.
//
// A connection is in one state at a time (state.go): idle, reading,
// dispatched to work off the loop, stalled while its client does not read
// (backpressure.go), closing, lingering for the client's EOF after its
// final response (linger.go), detached while its body is read off the
// loop (clientdetach.go), closed.
//
// # Blocking work
//
// A Blocking handler (FromHTTP among them) runs on the worker pool. The loop copies the request, reserves a place in the pool's
// queue (a full queue is a 503 in request order), and queues the job once
// the batch's earlier responses have reached the socket; it yields its P to
// the workers at the batch's first job and again once the batch is served,
// so that one worker serves the batch's jobs in a row (handoff.go says
// why). The worker writes
// the response itself (whole, streamed by Flush, or a file region sent by
// SendFile with sendfile(2)) to a second descriptor of the socket
// (socket.go), waiting for a slow client through Go's netpoller; then it
// hands the connection back to the loop, which finishes the jobs its
// workers completed in one pass and serves the requests that waited
// unparsed meanwhile. Every response, the loop's, a worker's and
// the engine's own refusals, ends through appendFinal
// (final.go): keep-alive, the Connection field, HEAD and error rendering
// are decided there once.
//
// # Asynchronous replies and peer connections
//
// A handler that waits on the network without a goroutine (the gateway)
// makes its reply asynchronous (Context.Async, reply.go): the connection
// is dispatched as for blocking work, and the reply's owner writes the
// response later on the same loop, as its data arrives, ending it through
// appendFinal's rules. The data comes from peer connections (peer.go):
// outbound connections dialled off the loop and enrolled on it
// (Loop.Enroll), served by the owner's callbacks, and taken off the loop
// (PeerConn.Detach) when a slow client makes reading them on the loop
// pointless. A BodyStreamer handler gets request bodies as they arrive
// (replybody.go); a client whose body its owner takes slowly is read off
// the loop at the owner's pace and comes back for its response
// (clientdetach.go).
//
// Timeouts live in a per-loop timing wheel (timeout.go): arming one is a
// store, and each tick looks only at the connections whose slot is due.
//
// # Listening and draining
//
// The engine owns the listening socket (listen.go, accept.go): gnet runs
// its loops without a listener anyone can reach, and an accept goroutine
// enrolls each connection with a loop through gnet's Register. So a drain
// (drain.go) can stop accepting while the open connections are served,
// and the socket can be a Unix socket, shared with SO_REUSEPORT, or
// inherited from a parent process.
//
// Router sends requests to handlers by net/http ServeMux patterns;
// middleware is a func(Handler) Handler around it. Package enginetest runs
// a Handler on raw requests without a socket, for tests.
//
// The engine leaves TLS, HTTP/2 and tunnels to others. cmd/rawhttpd,
// engine/gateway and engine/files import it.
package engine
