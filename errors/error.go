package errors

import (
	stderrors "errors"
)

// Class overrides the default temporary/permanent class of an Error's
// status.
type Class uint8

// The classes an Error may carry. ClassDefault takes the status's own
// (Status.Temporary).
const (
	ClassDefault Class = iota
	ClassTemporary
	ClassPermanent
)

// Error is an error that carries the HTTP status it should be answered
// with, an explanation for the client, and what the connection must do.
//
// Parse failures are package-level *Error sentinels, declared once where the
// status is decided and compared with errors.Is; handlers return their own.
// An Error cannot change once made: its fields are read through methods,
// and the With methods return changed copies, so a sentinel shared by every
// connection stays what its package declared.
//
// Two Errors are the same error, for errors.Is and for everything else
// that compares them, when they carry the same status and detail: a copy
// made by a With method still matches its sentinel.
type Error struct {
	// status is the status the response carries.
	status Status
	// detail explains the failure to the client. It names the field at
	// fault, never echoes request bytes.
	detail string
	// retryAfter, when positive, is sent as Retry-After in seconds.
	retryAfter int
	// class overrides the status's default temporary/permanent class.
	class Class
	// close says the connection must close after the response, because the
	// message framing can no longer be trusted.
	close bool
	// cause is the underlying error, for logs and errors.Is/As; it never
	// reaches the client.
	cause error
	// fields are response fields the rendered response carries, as
	// "Name: value\r\n" lines; WithField adds them.
	fields string
}

// New returns an Error with the given status and explanation.
func New(status Status, detail string) *Error {
	return &Error{status: status, detail: detail}
}

// NewClosing returns an Error after which the connection must close.
func NewClosing(status Status, detail string) *Error {
	return &Error{status: status, detail: detail, close: true}
}

// Error returns "http <code> <reason>: <detail>[: <cause>]".
func (e *Error) Error() string {
	s := "http " + e.status.String()
	if e.detail != "" {
		s += ": " + e.detail
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

// Status returns the status the response carries.
func (e *Error) Status() Status { return e.status }

// Detail returns the explanation for the client: it names the part of the
// request at fault and never echoes request bytes.
func (e *Error) Detail() string { return e.detail }

// RetryAfter returns the seconds the client is asked to wait before
// retrying, sent as Retry-After; zero when the response carries none.
func (e *Error) RetryAfter() int { return e.retryAfter }

// Closes reports whether the connection must close after the response,
// because the message framing can no longer be trusted.
func (e *Error) Closes() bool { return e.close }

// Unwrap returns the cause: the underlying error, for logs and
// errors.Is/As; it never reaches the client.
func (e *Error) Unwrap() error { return e.cause }

// Temporary reports whether repeating the request later may succeed.
func (e *Error) Temporary() bool {
	switch e.class {
	case ClassTemporary:
		return true
	case ClassPermanent:
		return false
	}
	return e.status.Temporary()
}

// WithRetryAfter returns a copy of e that asks the client to wait seconds
// before retrying.
func (e *Error) WithRetryAfter(seconds int) *Error {
	c := *e
	c.retryAfter = seconds
	return &c
}

// WithCause returns a copy of e that wraps cause.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// WithClass returns a copy of e with the class overridden.
func (e *Error) WithClass(class Class) *Error {
	c := *e
	c.class = class
	return &c
}

// WithField returns a copy of e whose rendered response carries the field
// name: value, such as Allow on a 405 or WWW-Authenticate on a 401. It
// panics when name is not a token or value holds a control character other
// than a tab: a field that would split or corrupt the response is a
// programming error. Fields the renderer writes itself (Content-Type,
// Content-Length, Date, Server, Connection, Retry-After) are refused the
// same way.
func (e *Error) WithField(name, value string) *Error {
	if !validFieldName(name) || !validFieldValue(value) {
		panic("errors: WithField: invalid response field " + name)
	}
	if reservedField(name) {
		panic("errors: WithField: the renderer writes " + name + " itself")
	}
	c := *e
	c.fields = e.fields + name + ": " + value + "\r\n"
	return &c
}

// Fields returns the fields WithField added, rendered as "Name: value"
// lines each ended by CRLF; empty when there are none.
func (e *Error) Fields() string { return e.fields }

// Is reports whether target is an Error with the same status and detail,
// so that copies made by the With methods still match their sentinel.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.status == e.status && t.detail == e.detail
}

// ErrInternal is the Error an error without a status is answered with.
var ErrInternal = New(StatusInternalServerError,
	"the server met an unexpected condition that prevented it from fulfilling the request")

// From returns the *Error in err's chain, or ErrInternal wrapping err when
// the chain has none. From(nil) is nil.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	// The sentinels of the request path come unwrapped; asserting first
	// keeps errors.As, whose target escapes, off the hot path.
	if e, ok := err.(*Error); ok {
		return e
	}
	var e *Error
	if stderrors.As(err, &e) {
		return e
	}
	return ErrInternal.WithCause(err)
}
