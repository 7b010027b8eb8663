// # Status contract
//
// Every request gets an answer, from its handler or, when it cannot be
// served, from the engine, with a status that says why. Package parser's
// doc lists what the parser refuses (400, 413, 414, 417, 431, 501, 505);
// every one of those refusals closes the connection. The engine decides
// the rest:
//
//   - CONNECT: 501 before any handler runs, whatever host:port it names
//     (any other target is the parser's 400); the engine opens no
//     tunnels. The request was well framed, so a keep-alive connection
//     stays open.
//   - Expect: 100-continue: the interim "100 Continue" once the head is
//     complete and none of the body has arrived yet, then the final
//     response. Any other expectation is the parser's 417.
//   - A request body streamed to its handler as it arrives (BodyStreamer):
//     the parser's chunked decoder checks its framing piece by piece, and
//     a malformed one gets the decoder's answer (400, or 431 for the
//     trailer section), then close, whether the body was read on the loop
//     or off it; if the reply's head has already left, the connection
//     only closes, since a second response cannot follow the first.
//     Config.MaxBodyBytes does not bound such a body: the handler does
//     (the gateway's Options.MaxBodyBytes, 413), and an answer given
//     before the body was all read closes the connection.
//   - Interim responses a handler relays (Reply.WriteInterim) are not sent
//     to an HTTP/1.0 client, which must not get one (RFC 9110 §15.2), and
//     101 is never sent: the engine opens no other protocol.
//   - A handler that panics, or an unexpected condition in the engine:
//     500, logged with the request line (never echoed to the client), then
//     close. Other connections are not disturbed.
//   - A partial request past Config.ReadHeaderTimeout or
//     Config.BodyReadTimeout: 408, then close.
//   - Past Config.MaxConns: the connection is refused (closed before it is
//     read), or, with Config.Overload set to Respond503, answered 503 with
//     Retry-After and closed.
//   - A blocking request that finds the worker queue full, or that the
//     adaptive shedder (Config.Shed) refuses: 503 with Retry-After.
//   - Maintenance mode (Server.SetMaintenance): 503 with Retry-After for
//     every path but Config.MaintenanceExempt.
//   - Draining (Server.Shutdown): the listener stops accepting, so a new
//     connection is refused by the kernel or taken by another process
//     listening on the port; none is accepted and dropped. A request on an
//     open connection is served, and the response to the last request
//     its client has sent says Connection: close. Only a request that cannot be finished
//     before Shutdown's context ends is answered 503 with Retry-After,
//     and only while none of its response has left and its body is not
//     being read off the loop; otherwise its connection just closes.
//   - Any answer the engine makes itself (the 501 to CONNECT, its 503s, a
//     router's 404 and 405) to a request that asked for the connection to
//     end (Connection: close, or HTTP/1.0 without keep-alive) is that one
//     response, then close (RFC 9112 §9.6).
//
// Package gateway, a Handler, answers for its upstream: 502 when the
// upstream refused or reset the connection, closed it early, answered
// with an invalid response or with 101 (the gateway opens no tunnels),
// or its name does not resolve; 504 when the
// upstream or its name lookup did not answer in time; 503 with
// Retry-After when every upstream is marked unhealthy or its connection
// pool stayed full.
//
// Every error response, the engine's or a handler's, is rendered in one
// place (the module's internal/render, from a package errors value) and
// says HTTP/1.1. It carries Date and Content-Length,
// Connection: close when the connection closes after it, Retry-After when
// the condition is expected to pass, and, except for a HEAD request, an
// entity that explains the error and says whether it is temporary or
// permanent. The entity is text/plain; charset=utf-8 unless the request's
// Accept prefers application/problem+json (RFC 9457); the engine honours
// an Accept read before the fault.
package engine
