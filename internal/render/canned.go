package render

import (
	"bytes"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// Canned holds pre-rendered error responses in text/plain for the
// rejections the event loop makes most: each is AppendError's output for one
// Error, rendered once, with the Date value patched in place when it is
// appended. A Canned is immutable after NewCanned and safe for concurrent
// use.
//
// It is a cache of AppendError's output, keyed by the *Error it rendered:
// an Error cannot change once made, so the pointer names exactly the bytes
// rendered. It is not a second notion of which errors are the same (that is
// errors.Is: status and detail): an equal copy, such as a sentinel
// WithCause, misses the cache and AppendError renders the same bytes.
type Canned struct {
	responses map[*httperrors.Error]*canned
}

// canned is one pre-rendered response: the bytes with a placeholder Date,
// where the Date value starts, and where the entity starts (for HEAD).
type canned struct {
	bytes    []byte
	dateAt   int
	entityAt int
}

// datePlaceholder stands in for the 29-byte IMF-fixdate until Canned.Append
// patches it.
const datePlaceholder = "Thu, 01 Jan 1970 00:00:00 GMT"

// NewCanned pre-renders the response of each error in errs, with the given
// Server field (empty for none). Each is rendered with Connection: close
// when the error Closes.
func NewCanned(server string, errs ...*httperrors.Error) *Canned {
	c := &Canned{responses: make(map[*httperrors.Error]*canned, len(errs))}
	for _, e := range errs {
		b := AppendError(nil, e, Options{Close: e.Closes(), Date: []byte(datePlaceholder), Server: server})
		head := AppendError(nil, e, Options{Close: e.Closes(), Head: true, Date: []byte(datePlaceholder), Server: server})
		c.responses[e] = &canned{
			bytes:    b,
			dateAt:   indexAfter(b, "\r\nDate: "),
			entityAt: len(head),
		}
	}
	return c
}

// Append appends the pre-rendered response for e with date (29 bytes,
// from the engine's clock) patched in, without the entity when head is set.
// It reports false, appending nothing, when e was not pre-rendered; the
// caller then uses AppendError.
func (c *Canned) Append(dst []byte, e *httperrors.Error, date []byte, head bool) ([]byte, bool) {
	r := c.responses[e]
	if r == nil || len(date) != len(datePlaceholder) {
		return dst, false
	}
	start := len(dst)
	if head {
		dst = append(dst, r.bytes[:r.entityAt]...)
	} else {
		dst = append(dst, r.bytes...)
	}
	copy(dst[start+r.dateAt:], date)
	return dst, true
}

// indexAfter returns the index just past the first sep in b.
func indexAfter(b []byte, sep string) int {
	i := bytes.Index(b, []byte(sep))
	if i < 0 {
		panic("errors: rendered response lacks " + sep)
	}
	return i + len(sep)
}
