package files

import (
	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// The refusals of the files handler; the engine renders them.
var (
	// errNotFound: no file at the path, or a path no file may be served
	// at (a "." or ".." segment, a dotfile, an encoded "/", a NUL).
	errNotFound = httperrors.New(httperrors.StatusNotFound,
		"no file is served at this path")
	// errForbidden: the path or a symbolic link on it leads outside the
	// served directory, or the file may not be read.
	errForbidden = httperrors.New(httperrors.StatusForbidden,
		"the file at this path may not be served")
	// errMethod: only GET and HEAD read files (RFC 9110 §15.5.6).
	errMethod = httperrors.New(httperrors.StatusMethodNotAllowed,
		"files are served to GET and HEAD only").WithField("Allow", "GET, HEAD")
	// errBadPath: a "%" not followed by two hex digits (RFC 3986 §2.1).
	errBadPath = httperrors.New(httperrors.StatusBadRequest,
		"the request path holds a malformed percent-encoding")
	// errPrecondition: If-Match or If-Unmodified-Since does not hold
	// (RFC 9110 §13.1.1, §13.1.4).
	errPrecondition = httperrors.New(httperrors.Status(412),
		"a precondition of the request does not hold for the file")
)

// newRangeError returns the 416 of a file of size bytes, with the
// Content-Range that says its length (RFC 9110 §15.5.17).
func newRangeError(size string) *httperrors.Error {
	return httperrors.New(httperrors.StatusRangeNotSatisfiable,
		"the requested range lies outside the file").WithField("Content-Range", "bytes */"+size)
}
