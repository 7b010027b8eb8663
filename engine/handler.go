package engine

// Handler answers requests. Serve runs on the connection's event loop, so
// it must not block: no file, network or lock waits (those belong on a
// worker pool). It reads the request and writes the response through c,
// which is valid only until Serve returns.
//
// Returning a non-nil error discards the status and body Serve wrote and
// answers with that error's response instead: an *errors.Error gives its
// status, explanation and fields, any other error a 500 whose text stays
// in the log. The response fields set before are kept (a middleware's
// request ID reaches a 404), except the Content-* ones, which described
// the discarded body.
//
// A middleware is a func(Handler) Handler: it sets fields or reads the
// request, calls the next handler and may look at the error it returns.
// Fields it sets before calling a Blocking or FromHTTP handler stay on
// that handler's response.
type Handler interface {
	Serve(c *Context) error
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(c *Context) error

// Serve calls f(c).
func (f HandlerFunc) Serve(c *Context) error { return f(c) }
