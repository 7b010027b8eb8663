package files

import (
	"bytes"
	"net/http"

	"github.com/rawhttpd/rawhttpd/internal/ascii"
	"github.com/rawhttpd/rawhttpd/parser"
)

// The statuses a file request is answered with when it is served.
const (
	statusOK          = 200
	statusPartial     = 206
	statusNotModified = 304
)

// answer is what evaluate decided: the status and the bytes [from, to) of
// the file to send.
type answer struct {
	status   int
	from, to int64
}

// conditions are the request fields that make a file request conditional
// or partial; nil when absent. For a field sent more than once, the first
// line counts.
type conditions struct {
	ifMatch, ifNoneMatch               []byte
	ifModifiedSince, ifUnmodifiedSince []byte
	rangeSpec, ifRange                 []byte
}

// readConditions collects the conditions of req in one pass over its
// fields.
func readConditions(req *parser.Request) (k conditions) {
	for i := range req.Fields {
		name, value := req.Fields[i].Name, req.Fields[i].Value
		var slot *[]byte
		switch len(name) {
		case len("Range"):
			if ascii.EqualFold(name, "Range") {
				slot = &k.rangeSpec
			}
		case len("If-Match"): // and If-Range
			if ascii.EqualFold(name, "If-Match") {
				slot = &k.ifMatch
			} else if ascii.EqualFold(name, "If-Range") {
				slot = &k.ifRange
			}
		case len("If-None-Match"):
			if ascii.EqualFold(name, "If-None-Match") {
				slot = &k.ifNoneMatch
			}
		case len("If-Modified-Since"):
			if ascii.EqualFold(name, "If-Modified-Since") {
				slot = &k.ifModifiedSince
			}
		case len("If-Unmodified-Since"):
			if ascii.EqualFold(name, "If-Unmodified-Since") {
				slot = &k.ifUnmodifiedSince
			}
		}
		if slot != nil && *slot == nil {
			*slot = value
		}
	}
	return k
}

// evaluate decides the answer to a GET (get set) or HEAD of the file m
// describes, under conditions k, in the order of RFC 9110 §13.2.2:
// If-Match, or else If-Unmodified-Since (412 when it fails); If-None-Match,
// or else If-Modified-Since (304 when it holds); then, for GET only, Range
// under If-Range (206, or 416 when the range lies outside the file). A
// date that does not parse, a Range in another unit than bytes or not
// well formed, and a Range of several ranges are ignored (RFC 9110 §13.1.3,
// §14.2): the whole file is sent.
func evaluate(k *conditions, m *meta, get bool) (answer, error) {
	if k.ifMatch != nil {
		if !matchTags(k.ifMatch, m.etag, true) {
			return answer{}, errPrecondition
		}
	} else if k.ifUnmodifiedSince != nil {
		if sec, ok := parseHTTPDate(k.ifUnmodifiedSince); ok && m.modSec > sec {
			return answer{}, errPrecondition
		}
	}
	if k.ifNoneMatch != nil {
		if matchTags(k.ifNoneMatch, m.etag, false) {
			return answer{status: statusNotModified}, nil
		}
	} else if k.ifModifiedSince != nil {
		if sec, ok := parseHTTPDate(k.ifModifiedSince); ok && m.modSec <= sec {
			return answer{status: statusNotModified}, nil
		}
	}
	whole := answer{status: statusOK, to: m.size}
	if !get || k.rangeSpec == nil || k.ifRange != nil && !ifRangeHolds(k.ifRange, m) {
		return whole, nil
	}
	from, to, r := parseRange(k.rangeSpec, m.size)
	switch r {
	case rangeSatisfiable:
		return answer{status: statusPartial, from: from, to: to}, nil
	case rangeUnsatisfiable:
		return answer{}, m.errRange
	}
	return whole, nil
}

// matchTags reports whether the entity-tag list of an If-Match (strong
// comparison) or If-None-Match (weak comparison) names etag, a strong tag
// (RFC 9110 §8.8.3.2, §13.1.1):
//
//	If-Match = "*" / #entity-tag
//	entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE
//
// A list that stops being well formed matches nothing further.
func matchTags(list []byte, etag string, strong bool) bool {
	list = trimOWS(list)
	if len(list) == 1 && list[0] == '*' {
		return true
	}
	for {
		for len(list) > 0 && (list[0] == ',' || list[0] == ' ' || list[0] == '\t') {
			list = list[1:]
		}
		if len(list) == 0 {
			return false
		}
		weak := false
		if len(list) >= 2 && list[0] == 'W' && list[1] == '/' {
			weak, list = true, list[2:]
		}
		if len(list) == 0 || list[0] != '"' {
			return false
		}
		end := bytes.IndexByte(list[1:], '"')
		if end < 0 {
			return false
		}
		tag := list[:end+2]
		if string(tag) == etag && !(strong && weak) {
			return true
		}
		list = list[end+2:]
	}
}

// ifRangeHolds reports whether an If-Range validator matches the file, so
// that its Range is honoured: an entity-tag by strong comparison, a date
// when it is exactly the Last-Modified (RFC 9110 §13.1.5).
func ifRangeHolds(v []byte, m *meta) bool {
	v = trimOWS(v)
	if len(v) > 0 && (v[0] == '"' || v[0] == 'W') {
		return string(v) == m.etag
	}
	sec, ok := parseHTTPDate(v)
	return ok && sec == m.modSec
}

// rangeResult is what parseRange found.
type rangeResult uint8

const (
	rangeIgnored       rangeResult = iota // not one well-formed byte range
	rangeSatisfiable                      // [from, to) within the file
	rangeUnsatisfiable                    // no byte of it in the file
)

// parseRange reads a Range of one byte range (RFC 9110 §14.1.2) against
// a file of size bytes:
//
//	Range = "bytes" "=" ( int-range / suffix-range )
//	int-range = first-pos "-" [ last-pos ]
//	suffix-range = "-" suffix-length
//
// The unit is matched case-insensitively. A last-pos past the end is
// clamped to it; numbers too large for int64 saturate.
func parseRange(spec []byte, size int64) (from, to int64, r rangeResult) {
	if len(spec) < len("bytes=") || !ascii.EqualFold(spec[:5], "bytes") || spec[5] != '=' {
		return 0, 0, rangeIgnored
	}
	s := trimOWS(spec[6:])
	if bytes.IndexByte(s, ',') >= 0 {
		return 0, 0, rangeIgnored // several ranges: the whole file is sent
	}
	dash := bytes.IndexByte(s, '-')
	if dash < 0 {
		return 0, 0, rangeIgnored
	}
	if dash == 0 {
		n, ok := parseDigits(s[1:])
		switch {
		case !ok:
			return 0, 0, rangeIgnored
		case n == 0 || size == 0:
			return 0, 0, rangeUnsatisfiable
		}
		return size - min(n, size), size, rangeSatisfiable
	}
	first, ok := parseDigits(s[:dash])
	if !ok {
		return 0, 0, rangeIgnored
	}
	to = size
	if rest := s[dash+1:]; len(rest) > 0 {
		last, ok := parseDigits(rest)
		if !ok || last < first {
			return 0, 0, rangeIgnored
		}
		if last < size {
			to = last + 1
		}
	}
	if first >= size {
		return 0, 0, rangeUnsatisfiable
	}
	return first, to, rangeSatisfiable
}

// parseDigits parses 1*DIGIT, saturating at the largest int64.
func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	const limit = (1<<63 - 1) / 10
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > limit {
			n = 1<<63 - 1
			continue
		}
		n = n*10 + int64(c-'0')
		if n < 0 {
			n = 1<<63 - 1
		}
	}
	return n, true
}

// parseHTTPDate parses an HTTP-date (RFC 9110 §5.6.7) to Unix seconds:
// IMF-fixdate by hand, without allocating, and the two obsolete formats a
// recipient must still accept through net/http.
func parseHTTPDate(b []byte) (int64, bool) {
	b = trimOWS(b)
	if sec, ok := parseIMFFixdate(b); ok {
		return sec, true
	}
	t, err := http.ParseTime(string(b))
	if err != nil {
		return 0, false
	}
	return t.Unix(), true
}

// parseIMFFixdate parses
//
//	IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT
//	            ; e.g. "Sun, 06 Nov 1994 08:49:37 GMT"
func parseIMFFixdate(b []byte) (int64, bool) {
	if len(b) != 29 || b[3] != ',' || b[4] != ' ' || b[7] != ' ' || b[11] != ' ' ||
		b[16] != ' ' || b[19] != ':' || b[22] != ':' || string(b[25:]) != " GMT" {
		return 0, false
	}
	month := -1
	for i, name := range [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"} {
		if string(b[8:11]) == name {
			month = i + 1
		}
	}
	day, ok1 := parseFixed(b[5:7])
	year, ok2 := parseFixed(b[12:16])
	hour, ok3 := parseFixed(b[17:19])
	minute, ok4 := parseFixed(b[20:22])
	second, ok5 := parseFixed(b[23:25])
	if month < 0 || !ok1 || !ok2 || !ok3 || !ok4 || !ok5 ||
		day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 {
		return 0, false
	}
	return daysFromCivil(year, int64(month), day)*86400 + hour*3600 + minute*60 + second, true
}

// parseFixed parses a fixed number of digits.
func parseFixed(b []byte) (int64, bool) {
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// daysFromCivil returns the days from 1970-01-01 to the given date of the
// proleptic Gregorian calendar, for years 0 and later.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400                     // [0, 399]
	mp := (m + 9) % 12                     // March is 0
	doy := (153*mp+2)/5 + d - 1            // [0, 365]
	doe := yoe*365 + yoe/4 - yoe/100 + doy // [0, 146096]
	return era*146097 + doe - 719468
}

// trimOWS removes the optional whitespace around a field value.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
