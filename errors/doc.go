// Package errors is rawhttpd's status catalogue and its one renderer of
// error responses.
//
// It holds the reason phrase and the default class (temporary or
// permanent) of every status the engine emits, the Error value that carries
// a status through the parser, the engine and handlers, and Append, which
// renders an explained error response: status line, Date, Content-Type,
// Content-Length, Connection: close when asked, Retry-After when set and,
// except for HEAD, an entity in text/plain or application/problem+json
// (RFC 9457) that explains the error and says whether it is temporary.
// Canned holds the hot rejections pre-rendered, so that refusing a request
// on the event loop is one append.
//
// It knows nothing of sockets or goroutines. Importers alias it
// httperrors; it imports only version.
package errors
