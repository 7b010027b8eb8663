package errors

import (
	"net/http"
	"strconv"
)

// Status is an HTTP status code.
type Status int

// The statuses the engine emits or a handler commonly returns.
const (
	StatusContinue                Status = 100
	StatusOK                      Status = 200
	StatusNoContent               Status = 204
	StatusNotModified             Status = 304
	StatusBadRequest              Status = 400
	StatusUnauthorized            Status = 401
	StatusForbidden               Status = 403
	StatusNotFound                Status = 404
	StatusMethodNotAllowed        Status = 405
	StatusRequestTimeout          Status = 408
	StatusContentTooLarge         Status = 413
	StatusURITooLong              Status = 414
	StatusRangeNotSatisfiable     Status = 416
	StatusExpectationFailed       Status = 417
	StatusHeaderFieldsTooLarge    Status = 431
	StatusInternalServerError     Status = 500
	StatusNotImplemented          Status = 501
	StatusBadGateway              Status = 502
	StatusServiceUnavailable      Status = 503
	StatusGatewayTimeout          Status = 504
	StatusHTTPVersionNotSupported Status = 505
)

// Reason returns the reason phrase of s: RFC 9110 §15's for the codes it
// defines, net/http's StatusText for the others it knows (418, 451, ...),
// and "" for a code neither knows; a response still carries the code then.
func (s Status) Reason() string {
	switch s {
	case 100:
		return "Continue"
	case 101:
		return "Switching Protocols"
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 202:
		return "Accepted"
	case 204:
		return "No Content"
	case 206:
		return "Partial Content"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Found"
	case 303:
		return "See Other"
	case 304:
		return "Not Modified"
	case 307:
		return "Temporary Redirect"
	case 308:
		return "Permanent Redirect"
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 406:
		return "Not Acceptable"
	case 408:
		return "Request Timeout"
	case 409:
		return "Conflict"
	case 410:
		return "Gone"
	case 411:
		return "Length Required"
	case 412:
		return "Precondition Failed"
	case 413:
		return "Content Too Large"
	case 414:
		return "URI Too Long"
	case 415:
		return "Unsupported Media Type"
	case 416:
		return "Range Not Satisfiable"
	case 417:
		return "Expectation Failed"
	case 421:
		return "Misdirected Request"
	case 422:
		return "Unprocessable Content"
	case 426:
		return "Upgrade Required"
	case 428:
		return "Precondition Required"
	case 429:
		return "Too Many Requests"
	case 431:
		return "Request Header Fields Too Large"
	case 500:
		return "Internal Server Error"
	case 501:
		return "Not Implemented"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Unavailable"
	case 504:
		return "Gateway Timeout"
	case 505:
		return "HTTP Version Not Supported"
	}
	return http.StatusText(int(s))
}

// Temporary reports the default class of s: whether repeating the same
// request later may succeed without the client changing it.
//
// The temporary statuses are 408 (the client was too slow this time), 429,
// 500 (an unexpected condition, most often transient), 502, 503 and 504
// (RFC 9110 §15.6: the gateway, overload and maintenance conditions are
// expected to pass). Every other 4xx and 5xx is permanent: 501 and 505 in
// particular will answer the same request the same way tomorrow. An Error
// may override the class.
func (s Status) Temporary() bool {
	switch s {
	case 408, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// String returns the code and reason phrase, such as "501 Not Implemented".
func (s Status) String() string {
	if r := s.Reason(); r != "" {
		return strconv.Itoa(int(s)) + " " + r
	}
	return strconv.Itoa(int(s))
}
