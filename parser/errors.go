package parser

import (
	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// The parser's failures, one sentinel each, grouped as the status
// contract in the package doc is. Every one closes the connection (Closes reports true): once a request
// is refused before its body has been read, the framing of whatever follows
// cannot be trusted. Compare with errors.Is; the engine renders them. Details
// name the part of the request at fault and never echo its bytes; they
// are sentences for the client, so they carry no "parser:" prefix (the
// Error string already begins with the status).

// Request line (RFC 9112 §3).
var (
	// ErrBadRequestLine: the line is not method SP request-target SP
	// HTTP-version.
	ErrBadRequestLine = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request line is not method, space, request-target, space, HTTP-version")
	// ErrTooManyEmptyLines: more empty lines before the request line than
	// RFC 9112 §2.2's robustness allowance covers.
	ErrTooManyEmptyLines = httperrors.NewClosing(httperrors.StatusBadRequest,
		"too many empty lines before the request line")
	// ErrBareLF: a line ended with LF alone; this parser requires CRLF.
	ErrBareLF = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a line ended with a bare LF; lines must end with CRLF")
	// ErrBadVersion: the HTTP-version is not "HTTP/" DIGIT "." DIGIT.
	ErrBadVersion = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the HTTP-version in the request line is malformed")
	// ErrVersionUnsupported: a well-formed version whose major version is
	// not 1 (HTTP/2.0, HTTP/0.9, the h2 preface). Its detail names the
	// versions the server speaks, as RFC 9110 §15.6.6 asks ("SHOULD
	// generate a representation ... that describes why that version is not
	// supported and what other protocols are supported").
	ErrVersionUnsupported = httperrors.NewClosing(httperrors.StatusHTTPVersionNotSupported,
		"the request's major HTTP version is not supported by this server; "+
			"it supports HTTP/1.0 and HTTP/1.1 (requests for HTTP/1.x with x > 1 are served as HTTP/1.1)")
	// ErrMethodNotToken: the method is empty or not a token.
	ErrMethodNotToken = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request method is not a token")
	// ErrMethodNotImplemented: the method is a token the registry does not
	// hold (RFC 9110 §9.1: 501).
	ErrMethodNotImplemented = httperrors.NewClosing(httperrors.StatusNotImplemented,
		"the request method is not implemented by this server")
	// ErrEmptyTarget: the request-target is empty.
	ErrEmptyTarget = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request-target is empty")
	// ErrTargetTooLong: the request-target is longer than
	// Config.MaxTargetBytes (RFC 9112 §3: 414).
	ErrTargetTooLong = httperrors.NewClosing(httperrors.StatusURITooLong,
		"the request-target is longer than this server accepts")
	// ErrBadTarget: the request-target holds a byte other than a visible
	// US-ASCII character (a space, a control, DEL, or a byte above 0x7e:
	// raw UTF-8 must be percent-encoded, RFC 3986 §2.1).
	ErrBadTarget = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request-target contains a byte that is not a visible US-ASCII character")
	// ErrBadPercentEncoding: a "%" in the request-target that does not
	// begin "%" HEXDIG HEXDIG (RFC 3986 §2.1), which readers would decode
	// differently.
	ErrBadPercentEncoding = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request-target has a \"%\" that is not followed by two hexadecimal digits")
	// ErrFragmentInTarget: a "#" in the request-target. A fragment is
	// never sent (RFC 9112 §3.2 builds the target from a URI without
	// one; RFC 3986 §3.5); readers differ on whether to cut it off.
	ErrFragmentInTarget = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request-target has a fragment (\"#\"), which is not sent in a request")
	// ErrAsteriskNotOptions: asterisk-form with a method other than
	// OPTIONS (RFC 9112 §3.2.4).
	ErrAsteriskNotOptions = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request-target \"*\" is allowed only with OPTIONS")
	// ErrAuthorityNotConnect: the request-target is neither origin-form nor
	// absolute-form, and authority-form is allowed only with CONNECT (RFC
	// 9112 §3.2.3).
	ErrAuthorityNotConnect = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request-target is not origin-form or absolute-form; authority-form is allowed only with CONNECT")
	// ErrBadAuthority: an absolute-form request-target whose authority is
	// not a host with an optional port: empty (RFC 9110 §4.2.1 says to
	// reject an "http" URI with an empty host), with userinfo (§4.2.4:
	// treat it as an error; "http://good@evil/" is a phishing shape), or
	// with a byte no host may hold.
	ErrBadAuthority = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the authority of an absolute-form request-target must be a host with an optional port")
	// ErrConnectNeedsAuthority: CONNECT with a target other than
	// host:port (RFC 9112 §3.2.3).
	ErrConnectNeedsAuthority = httperrors.NewClosing(httperrors.StatusBadRequest,
		"CONNECT requires a request-target in authority-form, host:port")
)

// Field lines (RFC 9112 §5, RFC 9110 §5).
var (
	// ErrObsFold: a field line starts with whitespace (obsolete line
	// folding, RFC 9112 §5.2).
	ErrObsFold = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a header field line starts with whitespace (obsolete line folding is not accepted)")
	// ErrFieldNoColon: a field line has no colon.
	ErrFieldNoColon = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a header field line has no colon")
	// ErrEmptyFieldName: a field line starts with a colon.
	ErrEmptyFieldName = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a header field name is empty")
	// ErrSpaceBeforeColon: whitespace between a field name and its colon
	// (RFC 9112 §5.1: MUST reject with 400).
	ErrSpaceBeforeColon = httperrors.NewClosing(httperrors.StatusBadRequest,
		"whitespace between a header field name and its colon")
	// ErrBadFieldName: a field name holds a byte that is not a tchar.
	ErrBadFieldName = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a header field name contains a character that is not allowed in a token")
	// ErrBadFieldValue: a field value holds CR, LF, NUL or another control
	// character other than HTAB (RFC 9110 §5.5).
	ErrBadFieldValue = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a header field value contains a control character")
	// ErrHeaderTooLarge: the header section passed Config.MaxHeaderBytes
	// (RFC 6585 §5: 431).
	ErrHeaderTooLarge = httperrors.NewClosing(httperrors.StatusHeaderFieldsTooLarge,
		"the header section is larger than this server accepts")
	// ErrTooManyFields: more field lines than Config.MaxFields.
	ErrTooManyFields = httperrors.NewClosing(httperrors.StatusHeaderFieldsTooLarge,
		"the header section has more fields than this server accepts")
)

// Framing and expectations (RFC 9112 §3.2, §6; RFC 9110 §10.1.1).
var (
	// ErrMissingHost: an HTTP/1.1 request without a Host field (RFC 9112
	// §3.2: MUST respond with 400).
	ErrMissingHost = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request has no Host header field")
	// ErrMultipleHost: more than one Host field line.
	ErrMultipleHost = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request has more than one Host header field")
	// ErrBadHost: a Host value that is neither empty nor uri-host [ ":"
	// port ] (RFC 9112 §3.2: MUST respond with 400; the rule is
	// isHostPort's, the one an absolute-form authority is read by).
	ErrBadHost = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the Host header field value is not a host with an optional port (uri-host [ \":\" port ])")
	// ErrBadContentLength: a Content-Length that is empty, not digits, or
	// larger than an int64.
	ErrBadContentLength = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the Content-Length header field is not a valid length")
	// ErrMultipleContentLength: more than one Content-Length value, as a
	// list or on several field lines, equal or not (RFC 9112 §6.3).
	ErrMultipleContentLength = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request has more than one Content-Length value")
	// ErrEmptyTransferEncoding: a Transfer-Encoding field with no coding.
	ErrEmptyTransferEncoding = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the Transfer-Encoding header field is empty")
	// ErrBadTransferEncoding: a Transfer-Encoding element that is not a
	// transfer-coding.
	ErrBadTransferEncoding = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the Transfer-Encoding header field is not a list of transfer codings")
	// ErrChunkedRepeated: chunked named more than once (RFC 9112 §6.1:
	// MUST NOT apply chunked more than once).
	ErrChunkedRepeated = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the Transfer-Encoding header field names chunked more than once")
	// ErrChunkedNotLast: a coding follows chunked (RFC 9112 §6.3: 400 and
	// close).
	ErrChunkedNotLast = httperrors.NewClosing(httperrors.StatusBadRequest,
		"chunked is not the final transfer coding")
	// ErrUnsupportedTransferCoding: a transfer coding other than chunked
	// (RFC 9112 §6.1: 501).
	ErrUnsupportedTransferCoding = httperrors.NewClosing(httperrors.StatusNotImplemented,
		"the request uses a transfer coding other than chunked, which this server does not implement")
	// ErrTransferEncodingWithLength: both Transfer-Encoding and
	// Content-Length (RFC 9112 §6.3: a smuggling vector).
	ErrTransferEncodingWithLength = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the request has both Transfer-Encoding and Content-Length")
	// ErrTransferEncodingHTTP10: Transfer-Encoding in an HTTP/1.0 request
	// (RFC 9112 §6.1: faulty framing).
	ErrTransferEncodingHTTP10 = httperrors.NewClosing(httperrors.StatusBadRequest,
		"Transfer-Encoding is not allowed in an HTTP/1.0 request")
	// ErrExpectationFailed: an Expect value other than 100-continue (RFC
	// 9110 §10.1.1: 417). It closes because the body is left unread.
	ErrExpectationFailed = httperrors.NewClosing(httperrors.StatusExpectationFailed,
		"the Expect header field holds an expectation other than 100-continue")
	// ErrBodyTooLarge: the declared or decoded body is larger than
	// Config.MaxBodyBytes (RFC 9110 §15.5.14: 413).
	ErrBodyTooLarge = httperrors.NewClosing(httperrors.StatusContentTooLarge,
		"the request body is larger than this server accepts")
)

// Chunked transfer coding (RFC 9112 §7.1).
var (
	// ErrBadChunkSize: a chunk line that does not start with a hex size.
	ErrBadChunkSize = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a chunk size is not a hexadecimal number")
	// ErrChunkSizeOverflow: a chunk size of more than 16 hex digits or
	// larger than an int64.
	ErrChunkSizeOverflow = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a chunk size is too large to represent")
	// ErrSpaceAfterChunkSize: whitespace after a chunk size that no ";"
	// follows ("5 "). RFC 9112 §7.1.1 allows whitespace (BWS) there only
	// before a chunk extension.
	ErrSpaceAfterChunkSize = httperrors.NewClosing(httperrors.StatusBadRequest,
		"whitespace follows a chunk size; it is allowed there only before a \";\" chunk extension")
	// ErrBadChunkExtension: a chunk extension that is not ";" name ["="
	// value], whitespace allowed only around ";" and "=".
	ErrBadChunkExtension = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a chunk extension is malformed")
	// ErrChunkLineTooLong: a chunk size line that, with its extensions and
	// its line end, does not fit in 4 KiB.
	ErrChunkLineTooLong = httperrors.NewClosing(httperrors.StatusBadRequest,
		"a chunk size line is too long")
	// ErrMissingChunkCRLF: chunk data not followed by CRLF.
	ErrMissingChunkCRLF = httperrors.NewClosing(httperrors.StatusBadRequest,
		"chunk data is not followed by CRLF")
	// ErrChunkOverhead: far more bytes spent on chunk framing than on data.
	ErrChunkOverhead = httperrors.NewClosing(httperrors.StatusBadRequest,
		"the chunked body spends too many bytes on framing")
	// ErrTrailerTooLarge: the trailer section passed the header limit.
	ErrTrailerTooLarge = httperrors.NewClosing(httperrors.StatusHeaderFieldsTooLarge,
		"the trailer section is larger than this server accepts")
	// ErrTooManyTrailerFields: more trailer field lines than the field limit.
	ErrTooManyTrailerFields = httperrors.NewClosing(httperrors.StatusHeaderFieldsTooLarge,
		"the trailer section has more fields than this server accepts")
)
