package parser

import httperrors "github.com/rawhttpd/rawhttpd/errors"

// Errors returns every sentinel the parser returns, so that the engine can
// pre-render their responses once (errors.NewCanned).
func Errors() []*httperrors.Error {
	return []*httperrors.Error{
		ErrBadRequestLine,
		ErrTooManyEmptyLines,
		ErrBareLF,
		ErrBadVersion,
		ErrVersionUnsupported,
		ErrMethodNotToken,
		ErrMethodNotImplemented,
		ErrEmptyTarget,
		ErrTargetTooLong,
		ErrBadTarget,
		ErrAsteriskNotOptions,
		ErrAuthorityNotConnect,
		ErrBadAuthority,
		ErrConnectNeedsAuthority,
		ErrObsFold,
		ErrFieldNoColon,
		ErrEmptyFieldName,
		ErrSpaceBeforeColon,
		ErrBadFieldName,
		ErrBadFieldValue,
		ErrHeaderTooLarge,
		ErrTooManyFields,
		ErrMissingHost,
		ErrMultipleHost,
		ErrBadHost,
		ErrBadContentLength,
		ErrConflictingContentLength,
		ErrEmptyTransferEncoding,
		ErrBadTransferEncoding,
		ErrChunkedRepeated,
		ErrChunkedNotLast,
		ErrUnsupportedTransferCoding,
		ErrTransferEncodingWithLength,
		ErrTransferEncodingHTTP10,
		ErrExpectationFailed,
		ErrBodyTooLarge,
		ErrBadChunkSize,
		ErrChunkSizeOverflow,
		ErrBadChunkExtension,
		ErrChunkLineTooLong,
		ErrMissingChunkCRLF,
		ErrChunkOverhead,
		ErrTrailerTooLarge,
		ErrTooManyTrailerFields,
	}
}
