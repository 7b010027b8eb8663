// Package parser is rawhttpd's incremental, zero-allocation HTTP/1.x request
// parser.
//
// It reads one request at a time from the front of a byte slice the caller
// owns (for the engine, the bytes gnet already holds): the request line, the
// header section, and the message body framed by Content-Length or by the
// chunked transfer coding (RFC 9112). It decides, as early as the bytes
// allow, whether a request can be served, and when it cannot it returns a
// package-level sentinel of the one httperrors.Error type that carries the
// status to answer (400, 413, 414, 417, 431, 501, 505) and says that the
// connection must close.
//
// The parser never copies the request: every slice in a Request points into
// the caller's buffer and is valid until the caller discards or reuses those
// bytes. The one time it writes to the buffer is when a chunked body is
// complete: the chunk data is then moved, in place, to the front of the body
// bytes (see Parser.Parse and ChunkedDecoder).
//
// Which methods are served is a registry's choice (Methods): a token
// method the registry lacks is answered 501 from the request line alone.
// The default, DefaultMethods, is an origin server's: RFC 9110's methods
// and PATCH. GatewayMethods is a gateway's: every name of the IANA HTTP
// Method Registry (WebDAV, LINK, SEARCH, QUERY, ...), since the upstream,
// not the gateway, knows which it implements. NewMethods and
// Methods.Register add more.
//
// A Parser keeps per-connection state so that a request that arrives in
// pieces is checked once: each call resumes where the previous one stopped,
// and a slow sender costs linear time, not quadratic.
//
// ResponseParser reads the other direction, for a gateway: an upstream's
// responses, one request at a time, with the same field-line scanner,
// tables, framing rules and chunked decoder, strict wherever a lenient
// reader could be desynchronised (RFC 9112 §6.3). It reads a head whole
// and a body piece by piece as it arrives (ResponseParser.Body,
// ChunkedDecoder.Next), so that a gateway relays a body of any length in
// bounded memory. Its failures are sentinels that carry 502.
//
// The parser knows nothing of sockets, goroutines or net/http; engine/
// drives it and fuzz/ and bench/ exercise it. It imports version and errors.
package parser
