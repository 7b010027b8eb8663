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
// The default (a Config without Methods) is an origin server's: RFC 9110's
// methods and PATCH. GatewayMethods is a gateway's: every name of the IANA HTTP
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
//
// # Status contract
//
// These are the answers the parser decides, each carried by one of its
// Err sentinels. Every refusal closes the connection:
// once a request is refused, the framing of what follows it cannot be
// trusted. Package engine's doc describes the form of every error response
// (Date, Content-Length, the explaining entity, its media type) and the
// answers the engine decides itself: CONNECT, overload, maintenance,
// draining, panics, 100-continue.
//
// The request line is judged as soon as it is complete, before any
// header field is read, and in this order:
//
//   - An HTTP-version that is not "HTTP/" DIGIT "." DIGIT, matched
//     case-sensitively ("http/1.1", "HTTP/10.1" and "HTTP/1" are not): 400.
//   - A well-formed version whose major version is not 1 (HTTP/2.0,
//     HTTP/0.9, the HTTP/2 preface "PRI * HTTP/2.0"): 505, and the
//     entity names the versions served. The version is checked before the
//     method, so "FOO / HTTP/3.0" is 505, not 501.
//   - HTTP/1.x with x above 1: served, and answered as HTTP/1.1.
//   - A method that is not a token: 400.
//   - A token method the registry does not hold: 501. Methods are
//     case-sensitive ("get" is not GET). The default registry is an origin
//     server's (RFC 9110's methods and PATCH); GatewayMethods
//     holds the whole IANA HTTP Method Registry, for a gateway, which is
//     not the origin; Methods.Register adds more. CONNECT with a
//     host:port target parses, and the engine answers it 501 (it opens no
//     tunnels); with any other target it is malformed: 400.
//   - A request-target longer than Config.MaxTargetBytes: 414.
//   - "*" with a method other than OPTIONS, authority-form with a method
//     other than CONNECT, or a "#" fragment anywhere in the target (a
//     percent-encoded "%23" is not one): 400.
//
// The header section:
//
//   - Larger than Config.MaxHeaderBytes, or more fields than
//     Config.MaxFields: 431.
//   - Whitespace between a field name and its colon, obsolete line
//     folding, a name character that is not a tchar, or CR, LF, NUL or
//     another control character in a value: 400.
//   - HTTP/1.1 without a Host field, more than one Host field in any
//     version, or a Host value that is neither empty nor uri-host
//     [ ":" port ] by RFC 3986 (a reg-name, an IPv4 address, or a
//     bracketed IPv6 or IPvFuture literal; the port, if any, digits
//     only): 400. HTTP/1.0 may omit Host.
//
// Framing (RFC 9112 §6) and expectations:
//
//   - A Content-Length that is not digits, is negative, overflows an
//     int64, or is given more than once (as a list or on several lines,
//     equal or not): 400.
//   - A Transfer-Encoding coding other than chunked ("gzip, chunked"):
//     501.
//   - An empty Transfer-Encoding; chunked not the last coding;
//     Transfer-Encoding together with Content-Length; Transfer-Encoding
//     in an HTTP/1.0 request: 400.
//   - A malformed chunk size (whitespace may follow the size only before
//     a ";" extension), a size that overflows, chunk data without its
//     CRLF, a chunk size line that with its extensions and line end does
//     not fit in 4 KiB, or a body that spends far more bytes on chunk
//     framing than on data: 400.
//   - A trailer section larger than Config.MaxHeaderBytes, or with more
//     fields than Config.MaxFields: 431.
//   - A body, declared or decoded, larger than Config.MaxBodyBytes: 413.
//   - An Expect value other than 100-continue: 417. For 100-continue the
//     request is parsed as usual (Request.Expect100) and the engine sends
//     the interim response.
//
// ResponseParser's failures, reading an upstream, carry 502 instead: to
// the client of a gateway they mean an invalid response.
package parser
