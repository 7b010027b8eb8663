package parser

import (
	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// The response parser's failures. Each is the answer a gateway gives its
// own client when an upstream's response cannot be relayed: 502 (Bad
// Gateway, RFC 9110 §15.6.3: "an invalid response"). Closes reports false: the
// client's own connection is in order. It is the upstream connection whose
// framing can no longer be trusted: after any of these errors the caller
// closes it and never reuses it. Where the fault is one the request
// parser also finds (a field line, Content-Length, Transfer-Encoding, a
// chunk), the response sentinel wraps the request one as its Cause, so
// errors.Is finds both: errors.Is(err, ErrBadResponseFraming) and
// errors.Is(err, ErrTransferEncodingWithLength). Details say what the
// upstream did wrong and never echo its bytes. The cause's own text is
// the request parser's and speaks of "the request"; it is for logs, and
// the response sentinel before it says whose message it was.
var (
	// ErrUnsolicitedResponse: the upstream sent bytes while no request
	// was waiting for a response (before the first request, or after a
	// complete response): a desync, or a response to a request smuggled
	// past an earlier hop.
	ErrUnsolicitedResponse = httperrors.New(httperrors.StatusBadGateway,
		"the upstream sent a response that no request asked for")
	// ErrBadStatusLine: the status line is not HTTP-version SP 3DIGIT SP
	// reason-phrase (RFC 9112 §4), its status is outside 100-599 (RFC 9110
	// §15), or its reason holds a control byte.
	ErrBadStatusLine = httperrors.New(httperrors.StatusBadGateway,
		"the upstream's status line is not HTTP/1.x, a three-digit status and a reason")
	// ErrResponseVersion: a well-formed status line whose major version is
	// not 1.
	ErrResponseVersion = httperrors.New(httperrors.StatusBadGateway,
		"the upstream answered with an HTTP version other than 1.x")
	// ErrSwitchingProtocols: a 101 (Switching Protocols). The gateway
	// never asks for an upgrade and relays no tunnels.
	ErrSwitchingProtocols = httperrors.New(httperrors.StatusBadGateway,
		"the upstream switched protocols, which this gateway does not relay")
	// ErrBadResponseField: a malformed field line in the header or trailer
	// section (obs-fold, no colon, a name that is not a token, a control
	// byte in a value, a bare LF); the Cause names which.
	ErrBadResponseField = httperrors.New(httperrors.StatusBadGateway,
		"the upstream sent a malformed header field")
	// ErrResponseHeaderTooLarge: the header section passed
	// Config.MaxHeaderBytes or Config.MaxFields.
	ErrResponseHeaderTooLarge = httperrors.New(httperrors.StatusBadGateway,
		"the upstream's response header is larger than this gateway accepts")
	// ErrBadResponseFraming: Content-Length and Transfer-Encoding do not
	// frame the body unambiguously (RFC 9112 §6.3): an invalid or repeated
	// length, both fields, a coding other than chunked, Transfer-Encoding
	// in HTTP/1.0; the Cause names which.
	ErrBadResponseFraming = httperrors.New(httperrors.StatusBadGateway,
		"the upstream's response does not frame its body unambiguously")
	// ErrBadResponseChunk: the chunked body is malformed (RFC 9112 §7.1);
	// the Cause names how.
	ErrBadResponseChunk = httperrors.New(httperrors.StatusBadGateway,
		"the upstream sent a malformed chunked body")
	// ErrResponseMissing: the upstream closed the connection before
	// sending any byte of the response. On a reused connection this is
	// the race of an idle close, after which a request that was not
	// processed may be sent again on a new connection.
	ErrResponseMissing = httperrors.New(httperrors.StatusBadGateway,
		"the upstream closed the connection without answering")
	// ErrResponseTruncated: the upstream closed the connection in the
	// middle of the response head or of a body whose end was declared.
	ErrResponseTruncated = httperrors.New(httperrors.StatusBadGateway,
		"the upstream closed the connection before its response was complete")
)

// responseFault is one response sentinel wrapping one request-side
// sentinel.
type responseFault struct{ kind, cause *httperrors.Error }

// responseFaults holds every wrapped error the response parser can
// return, built once so that a refused response allocates nothing.
var responseFaults = func() map[responseFault]*httperrors.Error {
	m := map[responseFault]*httperrors.Error{}
	add := func(kind *httperrors.Error, causes ...*httperrors.Error) {
		for _, c := range causes {
			m[responseFault{kind, c}] = kind.WithCause(c)
		}
	}
	fieldFaults := []*httperrors.Error{ErrBareLF, ErrObsFold, ErrFieldNoColon,
		ErrEmptyFieldName, ErrSpaceBeforeColon, ErrBadFieldName, ErrBadFieldValue}
	add(ErrBadStatusLine, ErrBareLF)
	add(ErrBadResponseField, fieldFaults...)
	add(ErrResponseHeaderTooLarge, ErrHeaderTooLarge, ErrTooManyFields)
	add(ErrBadResponseFraming, ErrBadContentLength, ErrMultipleContentLength,
		ErrEmptyTransferEncoding, ErrBadTransferEncoding, ErrChunkedRepeated,
		ErrChunkedNotLast, ErrUnsupportedTransferCoding, ErrTransferEncodingWithLength,
		ErrTransferEncodingHTTP10)
	add(ErrBadResponseChunk, append(fieldFaults, ErrBadChunkSize, ErrChunkSizeOverflow,
		ErrBadChunkExtension, ErrChunkLineTooLong, ErrMissingChunkCRLF, ErrChunkOverhead,
		ErrTrailerTooLarge, ErrTooManyTrailerFields, ErrBodyTooLarge)...)
	return m
}()

// asResponseFault returns kind wrapping err, a sentinel the request-side
// scanners returned. A fault not foreseen in responseFaults is returned
// as kind alone, never as the request's status.
func asResponseFault(kind *httperrors.Error, err error) error {
	cause, _ := err.(*httperrors.Error)
	if e, ok := responseFaults[responseFault{kind, cause}]; ok {
		return e
	}
	return kind
}
