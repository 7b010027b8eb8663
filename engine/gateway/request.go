package gateway

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/parser"
)

// Building the upstream request costs few allocations, whatever the
// number of fields: every piece of text it takes from the client's
// request (path, query, Host, field names and values) and the client's IP
// are appended to one buffer (requestText), which becomes one string; the
// URL, Host and header of the upstream request are substrings of it, and
// the header's values share one backing array. The bytes of the client's
// request cannot be used directly: they belong to the engine, which reuses
// them when the handler returns, while the Transport may still read the
// request.

// span is where a piece of text lies in a requestText.
type span struct{ start, end int }

// requestText is the buffer the upstream request's text is gathered in.
type requestText struct{ buf []byte }

func (t *requestText) add(b []byte) span {
	start := len(t.buf)
	t.buf = append(t.buf, b...)
	return span{start, len(t.buf)}
}

func (t *requestText) addString(s string) span {
	start := len(t.buf)
	t.buf = append(t.buf, s...)
	return span{start, len(t.buf)}
}

// addCanonical appends name in the canonical form textproto gives a
// token: upper case at the start and after each '-', lower case elsewhere
// (the parser has already rejected names that are not tokens).
func (t *requestText) addCanonical(name []byte) span {
	start := len(t.buf)
	upper := true
	for _, c := range name {
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		t.buf = append(t.buf, c)
		upper = c == '-'
	}
	return span{start, len(t.buf)}
}

// addList appends the comma-separated list field name as the upstream
// gets it: the values the client sent for it, joined by ", ", then a
// separator when they were not empty; the caller appends its own item
// next, and the span runs from the returned start to the buffer's end.
func (t *requestText) addList(fields []parser.Field, name string) (start int) {
	start = len(t.buf)
	n := 0
	for _, f := range fields {
		if equalsFold(f.Name, name) {
			if n++; n > 1 {
				t.buf = append(t.buf, ", "...)
			}
			t.buf = append(t.buf, f.Value...)
		}
	}
	if len(t.buf) > start {
		t.buf = append(t.buf, ", "...)
	}
	return start
}

// textBuffers recycles requestText buffers: their content is copied into
// the string the request uses.
var textBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 1024)
	return &b
}}

// fieldAt is one upstream header field, as spans of its requestText; name
// is set instead of nameAt for the fields the gateway adds.
type fieldAt struct {
	name    string
	nameAt  span
	valueAt span
}

// upstreamRequest builds the request sent to u for c's, with body, nil
// when the request has none.
func (h *Handler) upstreamRequest(ctx context.Context, c *engine.Context, u *upstream, body *bodySource) *http.Request {
	r := c.Request()
	bp := textBuffers.Get().(*[]byte)
	t := requestText{buf: (*bp)[:0]}
	path := c.Path()
	pathAt := t.addString(u.prefix)
	if string(path) == "*" {
		pathAt.start = len(t.buf)
	}
	pathAt.end = t.add(path).end
	query := c.Query()
	queryAt := t.add(query)
	hostAt := t.add(r.Host)
	var fieldArr [32]fieldAt
	fields := h.appendFields(fieldArr[:0], &t, r, c.RemoteAddr())
	text := string(t.buf)
	*bp = t.buf
	textBuffers.Put(bp)

	target := &url.URL{Scheme: u.scheme, Host: u.host}
	if p := text[pathAt.start:pathAt.end]; strings.HasPrefix(p, "//") {
		// An opaque path starting with "//" would be sent as an absolute
		// URL; Path and RawPath keep it a path. A path with an invalid
		// escape then gets its '%' escaped: a compromise for a path no
		// origin server would accept anyway.
		target.Path, _ = url.PathUnescape(p)
		target.RawPath = p
	} else {
		// Opaque sends the path exactly as the client did, escapes and all.
		target.Opaque = p
	}
	if query != nil {
		target.RawQuery = text[queryAt.start:queryAt.end]
		target.ForceQuery = len(query) == 0
	}
	req := http.Request{
		Method:     r.MethodName(),
		URL:        target,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     fieldsHeader(fields, text),
		Host:       u.authority,
	}
	if r.Host != nil && !h.opts.RewriteHost {
		req.Host = text[hostAt.start:hostAt.end]
	}
	if body != nil {
		req.ContentLength = int64(len(body.b))
		req.Body = body.reader()
		// GetBody lets the Transport replay the body on a fresh connection
		// when a kept-alive one turns out closed before it was written.
		req.GetBody = func() (io.ReadCloser, error) { return body.reader(), nil }
	}
	return req.WithContext(ctx)
}

// fieldsHeader returns the header of fields, whose spans lie in text.
func fieldsHeader(fields []fieldAt, text string) http.Header {
	hdr := make(http.Header, len(fields))
	values := make([]string, len(fields))
	for i, f := range fields {
		name := f.name
		if name == "" {
			name = text[f.nameAt.start:f.nameAt.end]
		}
		values[i] = text[f.valueAt.start:f.valueAt.end]
		if prior, ok := hdr[name]; ok {
			hdr[name] = append(prior, values[i])
		} else {
			// A full slice expression, so that a later append for the same
			// name copies instead of overwriting the next field's value.
			hdr[name] = values[i : i+1 : i+1]
		}
	}
	return hdr
}

// appendFields appends to fields the header fields to send upstream for
// req, from the client at remote, their text appended to t: the
// client's end-to-end fields, then Via, X-Forwarded-For, -Proto and -Host
// and, if asked, Forwarded.
// From a peer in Options.TrustedProxies the client's X-Forwarded-For and
// Forwarded are appended to and its X-Forwarded-Proto and -Host kept;
// from any other peer all four are replaced by what this hop saw (its
// Forwarded dropped when this hop adds none). Host, Content-Length and
// Expect are left out: renderRequest, or the Transport, writes Host from
// the request and frames the body itself, and the engine has already
// answered any 100-continue.
func (h *Handler) appendFields(fields []fieldAt, t *requestText, req *parser.Request, remote net.Addr) []fieldAt {
	var optArr [8][]byte
	connOpts := appendConnectionFieldOptions(optArr[:0], req.Fields)
	// What a client says of earlier hops is kept only when the client is
	// a proxy the operator trusts; anyone else could forge it, so this
	// hop's view replaces it, and a Forwarded this hop does not write is
	// dropped.
	trusted := h.opts.trusts(remote)
	forwarded := h.opts.Forwarded || !trusted
	userAgent := false
	for _, f := range req.Fields {
		switch name := nameOf(f.Name); {
		case name.hopByHop(), name.added(forwarded), name == hostField, name == contentLengthField,
			name == expectField, namedIn(f.Name, connOpts):
			continue
		case name == userAgentField:
			userAgent = true
		}
		fields = append(fields, fieldAt{nameAt: t.addCanonical(f.Name), valueAt: t.add(f.Value)})
	}
	v := req.Version
	start := t.addList(req.Fields, "Via")
	t.buf = append(t.buf, receivedProtocol(int(v.Major), int(v.Minor))...)
	t.buf = append(t.buf, ' ')
	t.buf = append(t.buf, h.opts.Pseudonym...)
	fields = append(fields, fieldAt{name: "Via", valueAt: span{start, len(t.buf)}})
	start = len(t.buf)
	if trusted {
		start = t.addList(req.Fields, "X-Forwarded-For")
	}
	ipAt := appendClientIP(t, remote)
	fields = append(fields, fieldAt{name: "X-Forwarded-For", valueAt: span{start, len(t.buf)}})
	proto, host := []byte("http"), req.Host
	if trusted {
		// A trusted proxy in front saw the original scheme and host.
		if p := req.Header("X-Forwarded-Proto"); p != nil {
			proto = p
		}
		if fh := req.Header("X-Forwarded-Host"); fh != nil {
			host = fh
		}
	}
	fields = append(fields, fieldAt{name: "X-Forwarded-Proto", valueAt: t.add(proto)})
	if host != nil {
		fields = append(fields, fieldAt{name: "X-Forwarded-Host", valueAt: t.add(host)})
	}
	if h.opts.Forwarded {
		client := string(t.buf[ipAt.start:ipAt.end])
		start = len(t.buf)
		if trusted {
			start = t.addList(req.Fields, "Forwarded")
		}
		t.buf = append(t.buf, forwardedElement(client, req.Host)...)
		fields = append(fields, fieldAt{name: "Forwarded", valueAt: span{start, len(t.buf)}})
	}
	if !userAgent {
		// An empty value keeps the Transport from adding its own.
		fields = append(fields, fieldAt{name: "User-Agent", valueAt: span{len(t.buf), len(t.buf)}})
	}
	return fields
}

// appendClientIP appends the IP of addr, or its whole text when it has no
// port, and returns its span.
func appendClientIP(t *requestText, addr net.Addr) span {
	start := len(t.buf)
	if a, ok := addr.(*net.TCPAddr); ok {
		if ip4 := a.IP.To4(); ip4 != nil {
			// An IPv4 address, or an IPv4-mapped IPv6 one, as Unmap
			// would give it, without making a netip.Addr first.
			for i, b := range ip4 {
				if i > 0 {
					t.buf = append(t.buf, '.')
				}
				t.buf = appendOctet(t.buf, b)
			}
			return span{start, len(t.buf)}
		}
		t.buf = a.AddrPort().Addr().Unmap().AppendTo(t.buf)
		return span{start, len(t.buf)}
	}
	return t.addString(clientIP(addr))
}

// appendOctet appends b in decimal, without leading zeros.
func appendOctet(dst []byte, b byte) []byte {
	if b >= 100 {
		dst = append(dst, '0'+b/100)
	}
	if b >= 10 {
		dst = append(dst, '0'+b/10%10)
	}
	return append(dst, '0'+b%10)
}
