package engine

import (
	"strconv"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// appendResponse renders the response a handler built in x to dst:
//
//	status line, Server, Date, the handler's fields, Content-Length,
//	Connection when it must be said, the blank line, the body.
//
// The body is left out for HEAD and for the statuses that never have one
// (1xx, 204, 304); Content-Length is still the length of the body a GET
// would get, except for those statuses, which carry none (RFC 9110 §8.6).
func appendResponse(dst []byte, x *Context, date []byte, server string, head bool, persist persistence) []byte {
	dst = httperrors.AppendStatusLine(dst, x.status)
	if server != "" && !x.serverSet {
		dst = append(dst, "Server: "...)
		dst = append(dst, server...)
		dst = append(dst, '\r', '\n')
	}
	dst = append(dst, "Date: "...)
	dst = append(dst, date...)
	dst = append(dst, '\r', '\n')
	dst = append(dst, x.fields...)
	bodyless := x.status < 200 || x.status == 204 || x.status == 304
	if !bodyless {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(x.body)), 10)
		dst = append(dst, '\r', '\n')
	}
	dst = persist.appendField(dst)
	dst = append(dst, '\r', '\n')
	if !head && !bodyless {
		dst = append(dst, x.body...)
	}
	return dst
}

// persistence is what a response says about the connection.
type persistence uint8

const (
	// persistDefault: the version's default holds (HTTP/1.1 keep-alive);
	// no Connection field.
	persistDefault persistence = iota
	// persistKeepAlive: an HTTP/1.0 client asked to keep the connection,
	// and it stays open (RFC 9112 §9.3).
	persistKeepAlive
	// persistClose: the connection closes after this response.
	persistClose
)

// appendField writes the Connection field p calls for, if any.
func (p persistence) appendField(dst []byte) []byte {
	switch p {
	case persistKeepAlive:
		return append(dst, "Connection: keep-alive\r\n"...)
	case persistClose:
		return append(dst, "Connection: close\r\n"...)
	}
	return dst
}
