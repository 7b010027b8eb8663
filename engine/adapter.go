package engine

import (
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
	"github.com/rawhttpd/rawhttpd/version"
)

// FromHTTP returns a Handler that runs a net/http Handler on the engine,
// on the worker pool, so that existing handlers run unchanged.
//
// The handler gets a real *http.Request (method, URL, header, the whole
// body, Host, RemoteAddr, TLS nil, a context cancelled when the client
// goes away) and an http.ResponseWriter that is also an http.Flusher. A
// response written without Flush is sent with Content-Length; once
// flushed it streams, chunked to HTTP/1.1 clients and close-delimited to
// HTTP/1.0 ones, unless the handler declared a Content-Length.
// http.ResponseController's deadlines are not supported: it reports
// http.ErrNotSupported. Hijacking is not supported. Fields set on the
// Context before the request reached the adapter (by middleware) are in
// the handler's w.Header() when it starts.
func FromHTTP(h http.Handler) Handler { return Blocking(httpHandler{h: h}) }

// httpHandler serves one request through a net/http Handler.
type httpHandler struct{ h http.Handler }

// errBadURL answers a request-target net/http cannot represent.
var errBadURL = httperrors.NewClosing(httperrors.StatusBadRequest,
	"the request-target is not a valid URL")

func (a httpHandler) Serve(c *Context) error {
	j := c.job
	if j.http == nil {
		j.http = &httpState{w: responseWriter{header: make(http.Header)}}
	}
	r, err := newHTTPRequest(c)
	if err != nil {
		return errBadURL.WithCause(err)
	}
	w := &j.http.w
	w.c = c
	w.adoptFields()
	defer w.reset()
	a.h.ServeHTTP(w, r)
	return w.finish()
}

// httpState is what a job keeps between the requests it carries through
// the adapter. net/http forbids using a ResponseWriter after ServeHTTP
// returns, so the writer and its header map are reused.
type httpState struct {
	w responseWriter
}

// newHTTPRequest builds the *http.Request net/http would have made for
// the request in c. It is built as a value that stays on the stack, so
// that the copy WithContext makes is the only allocation of the request
// itself. Its fields are copies: the handler may keep them.
//
// It allocates little beyond what net/http itself would: the field values
// share one string (the Host field's among them), common methods,
// protocol names and field names are constants, and the client's address
// is formatted once per connection.
func newHTTPRequest(c *Context) (*http.Request, error) {
	req := c.Request()
	method := req.MethodName()
	header, host, target := newHTTPHeader(req.Fields, req.Target)
	u, err := requestURL(target, method)
	if err != nil {
		return nil, err
	}
	r := http.Request{
		Method:     method,
		URL:        u,
		Proto:      protoString(req.Version),
		ProtoMajor: int(req.Version.Major),
		ProtoMinor: int(req.Version.Minor),
		Header:     header,
		Host:       u.Host,
		RemoteAddr: c.remoteText(),
		RequestURI: target,
		Close:      !req.KeepAlive,
		Body:       http.NoBody,
	}
	if r.Host == "" {
		// As net/http does, a Host in an absolute-form target wins over
		// the field.
		r.Host = host
	}
	r.Pattern = c.route.pattern // a Router's match, as ServeMux sets it
	for i, name := range c.route.names {
		r.SetPathValue(name, string(c.route.values[i]))
	}
	if len(req.Body) > 0 {
		body := bytes.Clone(req.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return r.WithContext(c.Context()), nil
}

// requestURL parses target the way net/http's server does: "*" and the
// authority-form of CONNECT are not URLs of their own. An origin-form
// target without escapes or a fragment, the usual case, is split at '?'
// directly: the parser has already refused every byte url.Parse would.
func requestURL(target, method string) (*url.URL, error) {
	switch {
	case target == "*":
		return &url.URL{Path: "*"}, nil
	case method == "CONNECT" && target != "" && target[0] != '/':
		return &url.URL{Host: target}, nil
	case target != "" && target[0] == '/' && !strings.ContainsAny(target, "%#"):
		path, query, hasQuery := strings.Cut(target, "?")
		return &url.URL{Path: path, RawQuery: query, ForceQuery: hasQuery && query == ""}, nil
	}
	return url.ParseRequestURI(target)
}

// newHTTPHeader builds the http.Header of fields, with canonical keys, and
// returns the Host field's value apart, and the request-target as a
// string: as net/http's server does, the header leaves Host out (the
// request's Host field has it) and a Pragma: no-cache without
// Cache-Control adds Cache-Control: no-cache. The target and the values
// are cut from one string and each key's first value sits in one shared
// array: three allocations however many fields there are.
func newHTTPHeader(fields []parser.Field, rawTarget []byte) (header http.Header, host, target string) {
	header = make(http.Header, len(fields))
	var firsts []string // made for the first field that is not Host
	size := len(rawTarget)
	for _, f := range fields {
		size += len(f.Value)
	}
	var b strings.Builder
	b.Grow(size)
	b.Write(rawTarget)
	for _, f := range fields {
		b.Write(f.Value)
	}
	values := b.String()
	target, values = values[:len(rawTarget)], values[len(rawTarget):]
	for i, f := range fields {
		v := values[:len(f.Value)]
		values = values[len(f.Value):]
		key := commonFieldNames[string(f.Name)]
		if key == "" {
			key = textproto.CanonicalMIMEHeaderKey(string(f.Name))
		}
		if key == "Host" {
			host = v // the parser refuses a second Host
			continue
		}
		if prior, ok := header[key]; ok {
			header[key] = append(prior, v)
			continue
		}
		if firsts == nil {
			firsts = make([]string, len(fields))
		}
		firsts[i] = v
		header[key] = firsts[i : i+1 : i+1]
	}
	if pragma, ok := header["Pragma"]; ok && pragma[0] == "no-cache" {
		if _, ok := header["Cache-Control"]; !ok {
			header["Cache-Control"] = []string{"no-cache"}
		}
	}
	return header, host, target
}

// commonFieldNames maps field names as clients usually spell them to
// their canonical keys, so that the lookup (which does not copy the name)
// spares the allocation of canonicalizing them.
var commonFieldNames = func() map[string]string {
	m := make(map[string]string)
	for _, k := range []string{"Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language",
		"Connection", "Content-Length", "Content-Type", "Cookie", "Authorization", "Cache-Control",
		"If-Modified-Since", "If-None-Match", "Range", "Referer", "Origin", "Upgrade-Insecure-Requests",
		"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-Id", "Pragma", "Te", "Via",
		"If-Match", "If-Unmodified-Since", "If-Range", "Content-Encoding", "Dnt", "Priority", "Keep-Alive",
		"Sec-Ch-Ua", "Sec-Ch-Ua-Mobile", "Sec-Ch-Ua-Platform", "Sec-Fetch-Site", "Sec-Fetch-Mode",
		"Sec-Fetch-User", "Sec-Fetch-Dest", "X-Real-Ip", "X-Requested-With", "Expect"} {
		m[k] = k
		m[strings.ToLower(k)] = k
	}
	return m
}()

// protoString returns the protocol name of v, without allocating for the
// versions served.
func protoString(v version.Version) string {
	switch v {
	case version.HTTP11:
		return "HTTP/1.1"
	case version.HTTP10:
		return "HTTP/1.0"
	}
	return v.String()
}

// responseWriter is the http.ResponseWriter of one request: it collects
// the header, then writes status, fields and body through the Context.
type responseWriter struct {
	c         *Context
	header    http.Header
	status    int
	committed bool // the header has been copied into the Context
}

// Header returns the response header to fill before WriteHeader.
func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader sets the status; later calls are ignored, as net/http does.
// Informational statuses (1xx) are not sent.
func (w *responseWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 {
		return
	}
	if code > 999 {
		panic("engine: invalid WriteHeader code " + strconv.Itoa(code))
	}
	w.status = code
}

// Write appends p to the body, sniffing a Content-Type on the first
// write when the handler set none, as net/http does. A body that reaches
// writeThrough bytes is flushed (see flushLarge).
func (w *responseWriter) Write(p []byte) (int, error) {
	beginBody(w, p)
	n, _ := w.c.Write(p)
	return n, w.flushLarge()
}

// WriteString is Write for a string; io.WriteString uses it and so avoids
// converting the string to a slice.
func (w *responseWriter) WriteString(s string) (int, error) {
	beginBody(w, s)
	n, _ := w.c.WriteString(s)
	return n, w.flushLarge()
}

// writeThrough is how much body the adapter holds before it sends it.
const writeThrough = 64 << 10

// flushLarge streams the response once its body holds writeThrough bytes,
// as net/http's server writes through its own small buffer: a large
// response (http.FileServer's 10 MB file) never sits whole in memory, and
// its handler waits in Write while the client is slow to read. It goes
// out with the declared Content-Length, else chunked (HTTP/1.1) or
// delimited by close (HTTP/1.0), as net/http's would. Its error is the
// client's going away.
func (w *responseWriter) flushLarge() error {
	if len(w.c.body) < writeThrough {
		return nil
	}
	return w.c.Flush()
}

// beginBody commits the status and header before the first body bytes p,
// sniffing a Content-Type from p when the handler set none.
func beginBody[T string | []byte](w *responseWriter, p T) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.committed {
		return
	}
	// The keys are canonical: indexing spares Header.Get's
	// canonicalization and finds what Get would.
	if _, set := w.header["Content-Type"]; !set && len(p) > 0 && firstValue(w.header["Transfer-Encoding"]) == "" {
		w.header.Set("Content-Type", http.DetectContentType([]byte(p)))
	}
	w.commit()
}

// Flush sends what has been written; the response streams from then on.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError is Flush reporting the error, for http.ResponseController.
func (w *responseWriter) FlushError() error {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.commit()
	return w.c.Flush()
}

// commit copies the header into the Context once. The engine writes
// Date, Content-Length and Transfer-Encoding itself; a declared
// Content-Length is kept as the body's length for HEAD and for a streamed
// response, where the engine cannot count the body.
func (w *responseWriter) commit() {
	if w.committed {
		return
	}
	w.committed = true
	c := w.c
	_ = c.SetStatus(w.status) // WriteHeader kept it within 200 to 999
	for key, values := range w.header {
		switch key {
		case "Content-Length":
			if n, err := strconv.ParseInt(firstValue(values), 10, 64); err == nil {
				c.SetContentLength(n)
			}
			continue
		case "Transfer-Encoding", "Date", "Trailer":
			continue
		}
		for _, v := range values {
			_ = c.AddHeader(key, v) // an invalid field is dropped, never written
		}
	}
}

// firstValue returns a field's first value, as http.Header's Get does.
func firstValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	return values[0]
}

// adoptFields moves the fields set on the Context before the request
// reached the adapter (by middleware in front of FromHTTP) into the
// header the net/http handler gets, as net/http middleware would have set
// them on the ResponseWriter: the handler sees them, may change them, and
// what it leaves is sent.
func (w *responseWriter) adoptFields() {
	c := w.c
	for rest := c.fields; len(rest) > 0; {
		line, next, _ := bytes.Cut(rest, []byte("\r\n"))
		name, value, _ := bytes.Cut(line, []byte(": "))
		w.header.Add(string(name), string(value))
		rest = next
	}
	c.fields, c.serverSet = c.fields[:0], false
}

// reset makes w ready for the next request of its job.
func (w *responseWriter) reset() {
	clear(w.header)
	*w = responseWriter{header: w.header}
}

// finish completes the response after the handler returned.
func (w *responseWriter) finish() error {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.commit()
	c := w.c
	// Without streaming the engine counts the body, except for HEAD where
	// the handler declares the length of the body it did not write.
	if !c.streaming && string(c.Method()) != "HEAD" {
		c.length = -1
	}
	return nil
}
