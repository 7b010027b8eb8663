package render

import (
	"net/http"
	"strconv"
	"time"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// Format is the media type of an error response's entity.
type Format uint8

// The entity formats. FormatText is the default; FormatProblem is RFC 9457
// application/problem+json, chosen when the request's Accept prefers it.
const (
	FormatText Format = iota
	FormatProblem
)

// Options says how to render one error response.
type Options struct {
	// Head omits the entity (the request was HEAD); the headers, including
	// Content-Length, are those the entity would have had.
	Head bool
	// Close adds "Connection: close".
	Close bool
	// KeepAlive adds "Connection: keep-alive": an HTTP/1.0 client that asked
	// to keep the connection assumes it closes unless the response says so.
	// Close wins when both are set.
	KeepAlive bool
	// Format selects the entity's media type.
	Format Format
	// Date is the Date field's value (29 bytes of IMF-fixdate); when nil the
	// current time is formatted.
	Date []byte
	// Server, when not empty, is sent as the Server field.
	Server string
	// Fields are further response fields, rendered "Name: value\r\n"
	// lines (a handler's or middleware's), written after the Error's own.
	Fields []byte
}

// AppendError renders the error response for err to dst and returns the
// extended slice. err's status comes from From; an error without one is
// answered as ErrInternal, so nothing of its text reaches the client. The
// entity explains the error and says whether it is temporary or
// permanent; Retry-After is sent when the Error carries one.
//
// AppendError is the one place an error response is rendered: the engine, the
// canned responses and handlers' errors all come through it.
func AppendError(dst []byte, err error, o Options) []byte {
	e := httperrors.From(err)
	if e == nil {
		e = httperrors.ErrInternal
	}
	dst = AppendStatusLine(dst, e.Status())
	dst = appendHeaders(dst, e, o, entityLen(e, o.Format))
	if o.Head {
		return dst
	}
	return appendEntity(dst, e, o.Format)
}

// appendHeaders writes every field of the response and the blank line.
func appendHeaders(dst []byte, e *httperrors.Error, o Options, bodyLen int) []byte {
	if o.Server != "" {
		dst = append(dst, "Server: "...)
		dst = append(dst, o.Server...)
		dst = append(dst, '\r', '\n')
	}
	dst = append(dst, "Date: "...)
	if o.Date != nil {
		dst = append(dst, o.Date...)
	} else {
		dst = time.Now().UTC().AppendFormat(dst, http.TimeFormat)
	}
	dst = append(dst, "\r\nContent-Type: "...)
	if o.Format == FormatProblem {
		dst = append(dst, "application/problem+json"...)
	} else {
		dst = append(dst, "text/plain; charset=utf-8"...)
	}
	dst = append(dst, "\r\nContent-Length: "...)
	dst = strconv.AppendInt(dst, int64(bodyLen), 10)
	dst = append(dst, '\r', '\n')
	if e.RetryAfter() > 0 {
		dst = append(dst, "Retry-After: "...)
		dst = strconv.AppendInt(dst, int64(e.RetryAfter()), 10)
		dst = append(dst, '\r', '\n')
	}
	dst = append(dst, e.Fields()...)
	dst = append(dst, o.Fields...)
	if o.Close {
		dst = append(dst, "Connection: close\r\n"...)
	} else if o.KeepAlive {
		dst = append(dst, "Connection: keep-alive\r\n"...)
	}
	if o.Format == FormatText {
		// An error page must not be sniffed into something executable.
		dst = append(dst, "X-Content-Type-Options: nosniff\r\n"...)
	}
	return append(dst, '\r', '\n')
}

// entityLen returns the length appendEntity will write, so Content-Length
// can precede the entity without a second buffer.
func entityLen(e *httperrors.Error, f Format) int {
	var scratch [512]byte
	return len(appendEntity(scratch[:0], e, f))
}

// appendEntity writes the explanation of e in format f.
func appendEntity(dst []byte, e *httperrors.Error, f Format) []byte {
	if f == FormatProblem {
		return appendProblem(dst, e)
	}
	return appendText(dst, e)
}

// appendText writes the text/plain entity, for example:
//
//	501 Not Implemented
//	The request method is not supported by this server.
//	This is a permanent condition: repeating the request will not succeed.
func appendText(dst []byte, e *httperrors.Error) []byte {
	dst = strconv.AppendInt(dst, int64(e.Status()), 10)
	if r := e.Status().Reason(); r != "" {
		dst = append(dst, ' ')
		dst = append(dst, r...)
	}
	dst = append(dst, '\n')
	if e.Detail() != "" {
		dst = appendSentence(dst, e.Detail())
		dst = append(dst, '\n')
	}
	return appendClassSentence(dst, e)
}

// appendClassSentence writes the sentence that says whether the condition
// is temporary, and for how long when Retry-After is known.
func appendClassSentence(dst []byte, e *httperrors.Error) []byte {
	if !e.Temporary() {
		return append(dst, "This is a permanent condition: repeating the request unchanged will not succeed.\n"...)
	}
	dst = append(dst, "This is a temporary condition: the request may be repeated later"...)
	if e.RetryAfter() > 0 {
		dst = append(dst, ", after "...)
		dst = strconv.AppendInt(dst, int64(e.RetryAfter()), 10)
		if e.RetryAfter() == 1 {
			dst = append(dst, " second"...)
		} else {
			dst = append(dst, " seconds"...)
		}
	}
	return append(dst, ".\n"...)
}

// appendProblem writes an RFC 9457 problem details object. "type" is
// about:blank, so "title" is the reason phrase (§4.2.1); "temporary" and
// "retry_after" are extension members (§3.2).
func appendProblem(dst []byte, e *httperrors.Error) []byte {
	dst = append(dst, `{"type":"about:blank","title":`...)
	dst = appendJSONString(dst, e.Status().Reason())
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendInt(dst, int64(e.Status()), 10)
	if e.Detail() != "" {
		dst = append(dst, `,"detail":`...)
		var scratch [256]byte
		dst = appendJSONString(dst, appendSentence(scratch[:0], e.Detail()))
	}
	dst = append(dst, `,"temporary":`...)
	dst = strconv.AppendBool(dst, e.Temporary())
	if e.RetryAfter() > 0 {
		dst = append(dst, `,"retry_after":`...)
		dst = strconv.AppendInt(dst, int64(e.RetryAfter()), 10)
	}
	return append(dst, "}\n"...)
}

// appendJSONString writes s as a JSON string, escaping what RFC 8259 §7
// requires.
func appendJSONString[T string | []byte](dst []byte, s T) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// appendSentence writes detail as a sentence: an ASCII first letter upper
// cased (details are lowercase, as Go error strings are) and a full stop.
func appendSentence(dst []byte, detail string) []byte {
	if c := detail[0]; c >= 'a' && c <= 'z' {
		dst = append(dst, c-'a'+'A')
		detail = detail[1:]
	}
	dst = append(dst, detail...)
	return append(dst, '.')
}
