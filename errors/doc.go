// Package errors is rawhttpd's status catalogue and the error value that
// carries a status.
//
// It holds the reason phrase and the default class (temporary or
// permanent) of every status, and Error, which carries a status through
// the parser, the engine and handlers together with an explanation for the
// client, an optional Retry-After and whether the connection must close. A
// handler that returns an *Error is answered with an explained error
// response: the status line, Date, Content-Type, Content-Length,
// Connection: close when asked, Retry-After when set and, except for HEAD,
// an entity in text/plain or application/problem+json (RFC 9457, when the
// request's Accept prefers it) that explains the error and says whether it
// is temporary. The engine renders it, in one place for every error.
//
// It knows nothing of sockets or goroutines. Importers alias it
// httperrors; it imports only the standard library.
package errors
