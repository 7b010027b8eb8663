package engine

// Handler answers requests. Serve runs on the connection's event loop, so
// it must not block: no file, network or lock waits (those belong on a
// worker pool). It reads the request and writes the response through c,
// which is valid only until Serve returns.
//
// Returning a non-nil error discards the status and body Serve wrote and
// answers with that error's response instead: an *errors.Error gives its
// status and explanation, any other error a 500 whose text stays in the
// log. The header fields set on c (by middleware, say) are kept, except
// those the error's rendering writes itself, such as Content-Type.
type Handler interface {
	Serve(c *Context) error
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(c *Context) error

// Serve calls f(c).
func (f HandlerFunc) Serve(c *Context) error { return f(c) }
