package engine

import (
	"runtime/debug"

	"github.com/panjf2000/gnet/v2"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/render"
	"github.com/rawhttpd/rawhttpd/parser"
)

// errHandlerPanic answers a request whose handler panicked; the
// connection closes, since the handler's state is unknown.
var errHandlerPanic = httperrors.NewClosing(httperrors.StatusInternalServerError,
	"the server met an unexpected condition while handling the request")

// recoverBatch answers the request whose handling panicked with 500,
// after the responses out already holds for the batch's earlier requests,
// and closes the connection: the panic value and stack go to the log with
// the request line, never to the client. consumed counts the bytes of
// every request dispatched, the panicking one included.
func (c *conn) recoverBatch(r any, out []byte, consumed int) gnet.Action {
	if c.state == stateClosed {
		// A panic in the engine after the connection was released: there
		// is no request left to log and no client to answer.
		c.srv.logPanic(r, &refusedRequest)
		return gnet.None
	}
	c.srv.logPanic(r, &c.ex.req)
	from := len(out)
	out = render.AppendError(out, errHandlerPanic, render.Options{
		Head:   string(c.ex.req.Method) == "HEAD",
		Close:  true,
		Format: render.FormatFor(c.ex.req.Header("Accept")),
		Date:   c.srv.clock.date(),
		Server: c.srv.cfg.Server,
	})
	c.loop.counts.response(errHandlerPanic.Status())
	if x := &c.loop.ctx; c.srv.accessLogged() && x.req == &c.ex.req {
		// The panicking request's 500 is logged like any response; its
		// clock started in dispatch.
		c.srv.logAccess(x.req, c.t.RemoteAddr(), errHandlerPanic.Status(), len(out)-from, x.accessStart)
	}
	if consumed > 0 {
		_, _ = c.t.Discard(consumed)
	}
	c.loop.out = out[:0]
	if c.write(out) {
		c.setState(stateClosing)
		c.finish()
	}
	return gnet.None
}

// logPanic logs a handler's panic with the request line and the stack.
func (s *Server) logPanic(r any, req *parser.Request) {
	s.cfg.Logger.Error("engine: handler panic",
		"method", logPrefix(req.Method), "target", logPrefix(req.Target),
		"panic", r, "stack", string(debug.Stack()))
}

// callHandler runs h, turning a panic into errHandlerPanic. The panic
// value and stack go to the log with the request line, never to the
// client. It is the worker pool's recover boundary; the loop's is serve.
func (s *Server) callHandler(h Handler, x *Context) (err error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			s.logPanic(r, x.req)
			err, panicked = errHandlerPanic, true
		}
	}()
	return h.Serve(x), false
}

// refusedRequest stands for a request that is gone, in the panic log; it
// is never written.
var refusedRequest parser.Request

// logHandlerError logs an error without a status that a handler returned;
// the client got a plain 500.
func (s *Server) logHandlerError(x *Context, err error) {
	s.cfg.Logger.Error("engine: handler error",
		"method", logPrefix(x.req.Method), "target", logPrefix(x.req.Target), "err", err)
}
