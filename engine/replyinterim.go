package engine

import (
	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/ascii"
	"github.com/rawhttpd/rawhttpd/internal/render"
	"github.com/rawhttpd/rawhttpd/parser"
	"github.com/rawhttpd/rawhttpd/version"
)

// Interim responses and trailer fields of an asynchronous reply. A
// gateway relays what its upstream sent besides the final head and the
// body: the 1xx responses before the final one (RFC 9110 §15.2) and the
// trailer section after a chunked body (RFC 9112 §7.1.2). The engine
// renders both, since it alone knows the client's version and the
// response's framing; the caller chooses which fields to pass on.

// ErrInterimStatus is what Reply.WriteInterim returns for a status that is
// not an interim one it may send: outside 100 to 199, 101 (the engine
// opens no other protocol on a connection), or once the final head went
// out.
var ErrInterimStatus = httperrors.New(httperrors.StatusInternalServerError, "the interim response cannot be sent")

// AddInterimField adds a field to the next interim response (WriteInterim),
// with the checks of AddField.
func (r *Reply) AddInterimField(name, value []byte) error {
	if _, err := classifyFieldBytes(name, value); err != nil {
		return err
	}
	r.interim = appendFieldLine(r.interim, name, value)
	return nil
}

// WriteInterim sends an interim response with status and the fields added
// by AddInterimField since the last one, before the final head. RFC 9110
// §15.2 forbids sending one to an HTTP/1.0 client: there it is dropped and
// WriteInterim returns nil. It returns ErrInterimStatus for a status that
// is not interim, for 101, or after the final head.
func (r *Reply) WriteInterim(status int) error {
	fields := r.interim
	r.interim = r.interim[:0]
	if status < 100 || status > 199 || status == 101 || r.headSent {
		return ErrInterimStatus
	}
	if r.req.Version == version.HTTP10 {
		return nil
	}
	out := render.AppendStatusLine(r.out[:0], httperrors.Status(status))
	out = append(out, fields...)
	r.out = append(out, '\r', '\n')
	return r.write(r.out)
}

// AddTrailer adds a trailer field, sent after the body when the body is
// chunked: to an HTTP/1.1 client whose response has no Content-Length. It
// is dropped otherwise, for an HTTP/1.0 client reads no trailer section.
// The checks are AddField's, and the fields that frame or route a message
// (Content-Length, Transfer-Encoding, Connection, Trailer, Host), which a
// trailer section must not carry (RFC 9110 §6.5.1), are refused with
// ErrReservedHeader.
func (r *Reply) AddTrailer(name, value []byte) error {
	if !parser.ValidFieldName(view(name)) || !parser.ValidFieldValue(view(value)) {
		return ErrInvalidHeader
	}
	switch {
	case ascii.EqualFold(name, "Content-Length"), ascii.EqualFold(name, "Transfer-Encoding"),
		ascii.EqualFold(name, "Connection"), ascii.EqualFold(name, "Trailer"), ascii.EqualFold(name, "Host"):
		return ErrReservedHeader
	}
	r.trailer = appendFieldLine(r.trailer, name, value)
	return nil
}
