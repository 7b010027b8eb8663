// Package render writes the bytes of the engine's responses that are not a
// handler's own: the status line every response begins with, and the
// explained error response of an *errors.Error (status line, Server, Date,
// Content-Type, Content-Length, Retry-After, the Error's fields,
// Connection, and an entity in text/plain or application/problem+json, as
// the request's Accept prefers). Canned holds the rejections the event loop
// makes most pre-rendered, so that refusing a request is one append.
//
// It is internal: a handler answers with an error by returning an
// *errors.Error, and the engine renders it here.
package render
