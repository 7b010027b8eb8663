package gateway

import (
	"net"
	"strconv"

	"github.com/rawhttpd/rawhttpd/parser"
)

// renderRequest appends to dst the request sent to u for req, from the
// client at remote, as bytes ready for the upstream connection: the
// request line with u's path prefix, Host (the client's, or u's own with
// RewriteHost), the end-to-end fields and the forwarding fields
// appendFields chooses, Content-Length, and the body. text is scratch for
// the fields' text; both buffers are reused, so a request costs no
// allocation once they have grown.
//
// With follows set the body is still arriving, to be streamed after the
// head (exchange.ReplyBody): the head announces the client's framing, a
// Content-Length or chunked, and no body is appended.
func (h *Handler) renderRequest(dst []byte, text *requestText, req *parser.Request, remote net.Addr, u *upstream, follows bool) []byte {
	dst = append(dst, req.Method...)
	dst = append(dst, ' ')
	path := req.Path()
	if string(path) != "*" {
		dst = append(dst, u.prefix...)
	}
	dst = append(dst, path...)
	if q := req.Query(); q != nil {
		dst = append(dst, '?')
		dst = append(dst, q...)
	}
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	if req.Host != nil && !h.opts.RewriteHost {
		dst = append(dst, req.Host...)
	} else {
		dst = append(dst, u.authority...)
	}
	dst = append(dst, '\r', '\n')
	text.buf = text.buf[:0]
	var fieldArr [32]fieldAt
	fields := h.appendFields(fieldArr[:0], text, req, remote)
	for _, f := range fields {
		if f.name == "User-Agent" {
			continue // appendFields' empty value, for the Transport only
		}
		if f.name != "" {
			dst = append(dst, f.name...)
		} else {
			dst = append(dst, text.buf[f.nameAt.start:f.nameAt.end]...)
		}
		dst = append(dst, ':', ' ')
		dst = append(dst, text.buf[f.valueAt.start:f.valueAt.end]...)
		dst = append(dst, '\r', '\n')
	}
	switch {
	case follows && req.Chunked:
		dst = append(dst, "Transfer-Encoding: chunked\r\n"...)
	case follows:
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, req.ContentLength, 10)
		dst = append(dst, '\r', '\n')
	case len(req.Body) > 0 || sendsBody(req.Method):
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(req.Body)), 10)
		dst = append(dst, '\r', '\n')
	}
	dst = append(dst, '\r', '\n')
	return append(dst, req.Body...)
}

// sendsBody reports the methods whose requests say Content-Length: 0
// when their body is empty, as net/http's client does, for upstreams that
// refuse them without a length (411).
func sendsBody(method []byte) bool {
	switch string(method) {
	case "POST", "PUT", "PATCH":
		return true
	}
	return false
}
