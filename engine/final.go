package engine

import (
	stderrors "errors"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/render"
	"github.com/rawhttpd/rawhttpd/version"
)

// The end of an exchange, for inline and worker handlers alike, and for
// the answers the engine makes by itself (501 to CONNECT, the 503s of
// maintenance, shedding and a full queue):
//
//	canKeepAlive   may the connection serve another request after this one?
//	appendFinal    render the response: the handler's, or the error's with
//	               the Context's fields, HEAD without the entity, the
//	               Connection field the decision calls for; count it
//
// Every rule about how a response ends is written here once; the loop
// (conn.respond) and the workers (job.run) only call it.

// canKeepAlive reports whether the connection may serve another request
// after x's response: the client did not ask to close (Connection: close,
// or HTTP/1.0 without keep-alive), nor did the handler, and the server is
// not draining (a request already pipelined behind this one is still
// answered during a drain). After a request that said close the server must not
// process further requests (RFC 9112 §9.6).
func (s *Server) canKeepAlive(x *Context) bool {
	return x.req.KeepAlive && !x.closeAfter && !s.closesForDrain(x.pipelined)
}

// appendFinal renders the response that ends x's exchange to out and
// reports whether the connection stays open. err is the handler's error, or
// the engine's own refusal, and replaces the response x holds; nil means x
// holds the response. canned is consulted for a pre-rendered error; counts
// is the loop's tally, nil on a worker (the server's atomic counters). The
// status answered is left in x.logged.
func (s *Server) appendFinal(out []byte, x *Context, err error, canned *render.Canned, st *stamp, counts *loopCounts) ([]byte, bool) {
	keep := s.canKeepAlive(x)
	head := string(x.req.Method) == "HEAD"
	status := x.status
	if err != nil {
		e := httperrors.From(err)
		if e.Closes() {
			keep = false
		}
		if stderrors.Is(e, httperrors.ErrInternal) {
			// A plain error's text never reaches the client; the log keeps it.
			s.logHandlerError(x, err)
		}
		status = e.Status()
		out = s.appendError(out, x, e, canned, st, head, persistenceFor(keep, x.req.Version))
	} else {
		out = appendResponse(out, x, st, head, persistenceFor(keep, x.req.Version))
	}
	x.logged = status
	if counts != nil {
		counts.response(status)
	} else {
		s.counters.countResponse(status)
	}
	return out, keep
}

// appendError renders e as the response to x's request: the pre-rendered
// text from canned when it says exactly what is needed, else through
// render.AppendError, in the format the request's Accept prefers, with the
// fields set on the Context (by middleware before the handler failed, or by
// the handler) that the renderer does not write itself, and the Connection
// field p calls for (keep-alive to an HTTP/1.0 client that keeps the
// connection, which no canned response says).
func (s *Server) appendError(out []byte, x *Context, e *httperrors.Error, canned *render.Canned, st *stamp, head bool, p persistence) []byte {
	format := render.FormatFor(x.req.Header("Accept"))
	closing := p == persistClose
	if format == render.FormatText && closing == e.Closes() && p != persistKeepAlive && len(x.fields) == 0 && canned != nil {
		if b, ok := canned.Append(out, e, st.date[:], head); ok {
			return b
		}
	}
	return render.AppendError(out, e, render.Options{
		Head:      head,
		Close:     closing,
		KeepAlive: p == persistKeepAlive,
		Format:    format,
		Date:      st.date[:],
		Server:    x.errorServer(s.cfg.Server),
		Fields:    x.errorFields(e, format),
	})
}

// persistenceFor returns what a response to a request of version v says
// of the connection: close unless keep, keep-alive to an HTTP/1.0 client
// that asked for it, nothing where HTTP/1.1's default holds.
func persistenceFor(keep bool, v version.Version) persistence {
	switch {
	case !keep:
		return persistClose
	case v == version.HTTP10:
		return persistKeepAlive
	}
	return persistDefault
}
