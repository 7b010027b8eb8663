package engine

import (
	"bytes"
	"time"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/ascii"
	"github.com/rawhttpd/rawhttpd/internal/render"
	"github.com/rawhttpd/rawhttpd/parser"
)

// refusal returns the answer the engine makes to req by itself, before any
// handler, with the canned responses that hold it pre-rendered: 501 to
// CONNECT, 503 in maintenance mode; a nil error when a handler serves req.
func (s *Server) refusal(req *parser.Request) (*render.Canned, error) {
	switch m := s.maintenance.Load(); {
	case string(req.Method) == "CONNECT":
		return s.canned, errNoTunnels
	case m != nil && !s.exempt(req.Path()):
		return m.canned, m.err
	}
	return s.canned, nil
}

// errNoTunnels answers CONNECT, before any handler: a 2xx answer would
// turn the connection into a tunnel (RFC 9110 §9.3.6), and the engine
// opens none, so no handler can serve the method for any target (RFC 9110
// §15.6.2: 501). The request itself was well framed; the connection stays
// unless the request said close.
var errNoTunnels = httperrors.New(httperrors.StatusNotImplemented,
	"this server does not open tunnels, so it serves CONNECT for no target")

// appendParseError appends the response to a request the parser refused
// (appendParseRefusal), counts and logs it. The connection closes after
// it: the framing of what follows is unknown.
func (c *conn) appendParseError(out []byte, err error, raw []byte) []byte {
	var start time.Time
	from := len(out)
	if c.srv.accessLogged() {
		start = time.Now()
	}
	e := httperrors.From(err)
	c.loop.counts.response(e.Status())
	out = c.srv.appendParseRefusal(out, e, &c.ex.req, raw)
	if c.srv.accessLogged() {
		c.srv.logRefusal(&c.ex.req, raw, c.t.RemoteAddr(), e.Status(), len(out)-from, start)
	}
	return out
}

// acceptArrived returns the value of the first Accept field line among the
// complete lines of raw after its request line, up to the end of the
// header section; nil when there is none. It reads the fields of a request
// refused in its request line, which the parser never reached: the value
// only chooses the format of the refusal, so a line that would not parse
// costs nothing worse than text.
func acceptArrived(raw []byte) []byte {
	for len(raw) >= 2 && raw[0] == '\r' && raw[1] == '\n' {
		raw = raw[2:]
	}
	i := bytes.Index(raw, crlf)
	if i < 0 {
		return nil
	}
	for raw = raw[i+2:]; ; {
		i = bytes.Index(raw, crlf)
		if i <= 0 {
			return nil // the blank line, or the field lines have not all arrived
		}
		line := raw[:i]
		raw = raw[i+2:]
		if len(line) > len("Accept:") && ascii.EqualFold(line[:len("Accept:")], "Accept:") {
			return bytes.Trim(line[len("Accept:"):], " \t")
		}
	}
}

// crlf ends every line of a request's head.
var crlf = []byte("\r\n")

// isHead reports whether the request starting in raw (after the empty
// lines a client may send first) is a HEAD request.
func isHead(raw []byte) bool {
	for len(raw) >= 2 && raw[0] == '\r' && raw[1] == '\n' {
		raw = raw[2:]
	}
	return len(raw) >= 5 && string(raw[:5]) == "HEAD "
}

// appendRefusal appends the response to a request the engine refuses by
// itself (a parse error, maintenance, overload, a timeout): e's
// pre-rendered text from canned, or e rendered as application/problem+json
// when accept (the request's Accept value, nil when unknown) prefers it, or
// rendered as text when canned lacks e. The response says Connection: close
// when e.Closes().
func (c *conn) appendRefusal(out []byte, canned *render.Canned, e *httperrors.Error, head bool, accept []byte) []byte {
	c.loop.counts.response(e.Status())
	return c.srv.renderRefusal(out, canned, e, head, accept)
}

// renderRefusal renders what appendRefusal appends, without counting it.
func (s *Server) renderRefusal(out []byte, canned *render.Canned, e *httperrors.Error, head bool, accept []byte) []byte {
	date := s.clock.date()
	format := render.FormatFor(accept)
	if format == render.FormatText {
		if b, ok := canned.Append(out, e, date, head); ok {
			return b
		}
	}
	return render.AppendError(out, e, render.Options{
		Head: head, Close: e.Closes(), Format: format, Date: date, Server: s.cfg.Server,
	})
}

// appendParseRefusal renders the answer to a request the parser refused
// with e, for the loop and for a worker answering a half-closed client's
// pipeline alike. The parser's view of a refused request is incomplete:
// whether it is HEAD (no entity) is read from its raw bytes, and an Accept
// asking for application/problem+json is honoured when it is among the
// field lines read before the fault, or, for a fault in the request line
// (found before any field is parsed), among the whole lines that arrived
// with it.
func (s *Server) appendParseRefusal(out []byte, e *httperrors.Error, req *parser.Request, raw []byte) []byte {
	accept := req.Header("Accept")
	if accept == nil {
		accept = acceptArrived(raw)
	}
	return s.renderRefusal(out, s.canned, e, isHead(raw), accept)
}

// timeOut answers a request that did not arrive in time with 408 and
// closes the connection.
func (c *conn) timeOut() {
	c.reject(errRequestTimeout)
}

// reject answers e's pre-rendered response outside any request, then
// closes the connection gracefully.
func (c *conn) reject(e *httperrors.Error) {
	out := c.appendRefusal(c.loop.out[:0], c.srv.canned, e, false, nil)
	c.loop.out = out[:0]
	if c.write(out) {
		c.setState(stateClosing)
		c.finish()
	}
}

// errRequestTimeout answers a request whose head or body was too slow.
var errRequestTimeout = httperrors.NewClosing(httperrors.StatusRequestTimeout,
	"the request was not received in time")
