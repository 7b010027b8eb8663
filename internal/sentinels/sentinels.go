// Package sentinels lists every *errors.Error sentinel the parser
// returns, for the engine, which pre-renders the responses to them once,
// and for tests that check each one's status. It is internal: a user
// compares an error with the parser's sentinels by name, with errors.Is.
package sentinels

import (
	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
)

// Request returns every sentinel parser.Parser and parser.ChunkedDecoder
// return: the refusals of a request, each of which closes the connection.
func Request() []*httperrors.Error {
	return []*httperrors.Error{
		parser.ErrBadRequestLine,
		parser.ErrTooManyEmptyLines,
		parser.ErrBareLF,
		parser.ErrBadVersion,
		parser.ErrVersionUnsupported,
		parser.ErrMethodNotToken,
		parser.ErrMethodNotImplemented,
		parser.ErrEmptyTarget,
		parser.ErrTargetTooLong,
		parser.ErrBadTarget,
		parser.ErrBadPercentEncoding,
		parser.ErrFragmentInTarget,
		parser.ErrAsteriskNotOptions,
		parser.ErrAuthorityNotConnect,
		parser.ErrBadAuthority,
		parser.ErrConnectNeedsAuthority,
		parser.ErrObsFold,
		parser.ErrFieldNoColon,
		parser.ErrEmptyFieldName,
		parser.ErrSpaceBeforeColon,
		parser.ErrBadFieldName,
		parser.ErrBadFieldValue,
		parser.ErrHeaderTooLarge,
		parser.ErrTooManyFields,
		parser.ErrMissingHost,
		parser.ErrMultipleHost,
		parser.ErrBadHost,
		parser.ErrBadContentLength,
		parser.ErrMultipleContentLength,
		parser.ErrEmptyTransferEncoding,
		parser.ErrBadTransferEncoding,
		parser.ErrChunkedRepeated,
		parser.ErrChunkedNotLast,
		parser.ErrUnsupportedTransferCoding,
		parser.ErrTransferEncodingWithLength,
		parser.ErrTransferEncodingHTTP10,
		parser.ErrExpectationFailed,
		parser.ErrBodyTooLarge,
		parser.ErrBadChunkSize,
		parser.ErrChunkSizeOverflow,
		parser.ErrSpaceAfterChunkSize,
		parser.ErrBadChunkExtension,
		parser.ErrChunkLineTooLong,
		parser.ErrMissingChunkCRLF,
		parser.ErrChunkOverhead,
		parser.ErrTrailerTooLarge,
		parser.ErrTooManyTrailerFields,
	}
}

// Response returns every sentinel parser.ResponseParser returns: the 502s
// of an upstream's response. The wrapped copies it returns match these
// with errors.Is.
func Response() []*httperrors.Error {
	return []*httperrors.Error{
		parser.ErrUnsolicitedResponse,
		parser.ErrBadStatusLine,
		parser.ErrResponseVersion,
		parser.ErrSwitchingProtocols,
		parser.ErrBadResponseField,
		parser.ErrResponseHeaderTooLarge,
		parser.ErrBadResponseFraming,
		parser.ErrBadResponseChunk,
		parser.ErrResponseMissing,
		parser.ErrResponseTruncated,
	}
}
