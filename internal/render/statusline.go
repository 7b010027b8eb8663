package render

import httperrors "github.com/rawhttpd/rawhttpd/errors"

// AppendStatusLine appends "HTTP/1.1 <code> <reason>\r\n" to dst. Every
// response says HTTP/1.1: RFC 9110 §6.2 has a server send the highest minor
// version it conforms to within the request's major version, an HTTP/1.0
// client understands an HTTP/1.1 response, and a 505 is sent as HTTP/1.1
// too. The code is written as
// three digits; codes outside 100–999 are a programmer error and are
// written as 500.
func AppendStatusLine(dst []byte, s httperrors.Status) []byte {
	if s < 100 || s > 999 {
		s = httperrors.StatusInternalServerError
	}
	dst = append(dst, "HTTP/1.1 "...)
	dst = append(dst, byte('0'+s/100), byte('0'+s/10%10), byte('0'+s%10), ' ')
	dst = append(dst, s.Reason()...)
	return append(dst, '\r', '\n')
}
