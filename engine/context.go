package engine

import (
	"bytes"
	"context"
	"iter"
	"net"
	"os"
	"time"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/ascii"
	"github.com/rawhttpd/rawhttpd/parser"
	"github.com/rawhttpd/rawhttpd/version"
)

// Errors a Context's response builder returns for a field it refuses to
// write.
var (
	// ErrInvalidHeader: a field name that is not a token, or a value with
	// CR, LF or NUL (response splitting); the field is not written.
	ErrInvalidHeader = httperrors.New(httperrors.StatusInternalServerError,
		"the handler set a response header field that is not valid")
	// ErrReservedHeader: a framing field the engine sets itself
	// (Content-Length, Transfer-Encoding, Date).
	ErrReservedHeader = httperrors.New(httperrors.StatusInternalServerError,
		"the handler set a response header field that the server sets itself")
	// ErrInvalidStatus: a status code outside 100 to 999, which no status
	// line can carry; the status is left as it was.
	ErrInvalidStatus = httperrors.New(httperrors.StatusInternalServerError,
		"the handler set a status code outside 100 to 999")
)

// Context is one request and the response being built for it. The engine
// reuses one Context per event loop: nothing in it, nor any byte slice it
// returns, may be kept after the handler returns.
type Context struct {
	req    *parser.Request
	remote net.Addr
	// remoteStr is remote as text, when the connection has formatted it.
	remoteStr string
	// ctx is cancelled when the client goes away; nil (Background) for
	// inline handlers, whose request cannot outlive the connection.
	ctx context.Context
	// deferTo is the handler Blocking asked to run on the worker pool.
	deferTo Handler
	// job is the blocking work this Context belongs to; nil inline.
	job *job
	// conn is the connection an inline handler runs for; nil elsewhere.
	conn *conn
	// async is the reply the handler made asynchronous (Async).
	async *Reply
	// bodyFollows: the request's body is still arriving, to be streamed
	// (BodyStreamer).
	bodyFollows bool

	status httperrors.Status
	fields []byte // rendered "Name: value\r\n" lines set by the handler
	body   []byte
	// shared is a body set by WriteShared and sent from the caller's
	// bytes; nil when body holds it (then body is empty).
	shared []byte
	// byRef: appendResponse may leave a large shared body out of the
	// rendered bytes, in unsent, for the connection to write after them
	// (conn.sendShared). Set only around an inline response's rendering.
	byRef  bool
	unsent []byte
	// file is the region an inline handler asked to send
	// (SendFileInline), sent on the loop after the response's head;
	// fileRelease is called once it has gone or failed.
	file           *os.File
	fileOff, fileN int64
	fileRelease    func()
	length         int64             // a declared Content-Length (FromHTTP); -1 when none
	streaming      bool              // the head has been sent by Flush
	logged         httperrors.Status // the status answered, for the access log
	// accessStart is when the engine began to answer an inline request,
	// for the access line of a request whose handler panics.
	accessStart time.Time
	closeAfter  bool // the handler asked for Connection: close
	serverSet   bool // the handler set its own Server field
	// pipelined: a further request was buffered behind this one when it
	// was dispatched; a drain answers it before closing the connection.
	pipelined bool

	// route is what a Router matched for the handler it calls; zero
	// outside a routed handler.
	route routeMatch
	// scratch holds bytes decoded for this request: path values,
	// PathDecoded, QueryArgDecoded. It only grows while a handler runs,
	// so slices into it stay valid until the Context is reset.
	scratch []byte
	// decodedPath is PathDecoded's result once computed; nil before.
	decodedPath []byte
}

// reset readies c for req from the client at remote.
func (c *Context) reset(req *parser.Request, remote net.Addr) {
	c.req, c.remote, c.remoteStr = req, remote, ""
	c.ctx, c.deferTo = nil, nil
	c.conn, c.async, c.bodyFollows = nil, nil, false
	c.length = -1
	c.status = httperrors.StatusOK
	c.fields = c.fields[:0]
	c.body, c.shared, c.byRef, c.unsent = c.body[:0], nil, false, nil
	if c.file != nil {
		c.releaseFile() // a handler that panicked after SendFileInline
	}
	c.closeAfter, c.serverSet, c.streaming, c.pipelined = false, false, false, false
	c.route.reset()
	c.scratch = c.scratch[:0]
	c.decodedPath = nil
}

// Request returns the parsed request; its slices are valid until the
// handler returns.
func (c *Context) Request() *parser.Request { return c.req }

// Method returns the request method, such as "GET".
func (c *Context) Method() []byte { return c.req.Method }

// Target returns the request-target as sent.
func (c *Context) Target() []byte { return c.req.Target }

// Path returns the target's path, without the query.
func (c *Context) Path() []byte { return c.req.Path() }

// PathDecoded returns the target's path with every %XX escape decoded,
// as url.URL's Path holds it: "%2F" becomes '/', so the decoded path
// cannot tell an escaped slash from a separator (a Router, which matches
// segment by segment, can: see PathValue). Without an escape it is Path
// itself and costs nothing; otherwise it is decoded once per request into
// the Context's reused buffer. Valid until the handler returns.
func (c *Context) PathDecoded() []byte {
	p := c.req.Path()
	if bytes.IndexByte(p, '%') < 0 {
		return p
	}
	if c.decodedPath == nil {
		c.decodedPath = c.appendScratch(p, false)
	}
	return c.decodedPath
}

// Query returns the target's query, without the '?'; nil when absent.
func (c *Context) Query() []byte { return c.req.Query() }

// QueryArg returns the value of the first query argument called name, as
// sent: still %-escaped, '+' not turned into a space (QueryArgDecoded
// decodes it). Argument names are compared decoded, so "a%20b" is found
// as "a b". Arguments are separated by '&' only, as net/url does since Go
// 1.17. It returns nil when the argument is absent, and an empty non-nil
// slice for "?name" or "?name=". It does not allocate; the bytes are
// valid until the handler returns.
func (c *Context) QueryArg(name string) []byte {
	q := c.req.Query()
	for len(q) > 0 {
		var arg []byte
		if i := bytes.IndexByte(q, '&'); i >= 0 {
			arg, q = q[:i], q[i+1:]
		} else {
			arg, q = q, nil
		}
		key, value := arg, arg[len(arg):]
		if i := bytes.IndexByte(arg, '='); i >= 0 {
			key, value = arg[:i], arg[i+1:]
		}
		if equalUnescaped(key, name) {
			return value
		}
	}
	return nil
}

// QueryArgDecoded is QueryArg with the value decoded as a form value is:
// %XX escapes decoded and '+' read as a space. A value without either is
// returned as sent; one with them is decoded into the Context's reused
// buffer, so it allocates nothing once that buffer has grown. Valid until
// the handler returns.
func (c *Context) QueryArgDecoded(name string) []byte {
	v := c.QueryArg(name)
	if bytes.IndexByte(v, '%') < 0 && bytes.IndexByte(v, '+') < 0 {
		return v
	}
	return c.appendScratch(v, true)
}

// appendScratch decodes p into the Context's scratch buffer and returns
// the decoded bytes. The buffer only grows during a request, so earlier
// results stay valid.
func (c *Context) appendScratch(p []byte, plusIsSpace bool) []byte {
	start := len(c.scratch)
	c.scratch = appendUnescaped(c.scratch, p, plusIsSpace)
	return c.scratch[start:len(c.scratch):len(c.scratch)]
}

// Version returns the request's protocol version.
func (c *Context) Version() version.Version { return c.req.Version }

// Header returns the first value of the named request field (matched
// case-insensitively), or nil.
func (c *Context) Header(name string) []byte { return c.req.Header(name) }

// HeaderValues yields the value of every request field line called name
// (matched case-insensitively), in the order received. A value is one
// field line's, as sent: a line "Accept: a, b" yields "a, b" once, since
// the parser keeps each line whole and splitting a list is the caller's
// to do (bytes.Split, or a walk with bytes.Cut); "Accept: a" and
// "Accept: b" on two lines yield "a" and then "b". Ranging over it does
// not allocate; the values are valid until the handler returns.
func (c *Context) HeaderValues(name string) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := range c.req.Fields {
			f := &c.req.Fields[i]
			if ascii.EqualFold(f.Name, name) && !yield(f.Value) {
				return
			}
		}
	}
}

// Body returns the whole request body (decoded when chunked).
func (c *Context) Body() []byte { return c.req.Body }

// RemoteAddr returns the client's address.
func (c *Context) RemoteAddr() net.Addr { return c.remote }

// remoteText returns the client's address as text.
func (c *Context) remoteText() string {
	if c.remoteStr == "" {
		c.remoteStr = c.remote.String()
	}
	return c.remoteStr
}

// Context returns a context that is cancelled when the client closes the
// connection while a blocking handler works on its request. Inline
// handlers get context.Background().
func (c *Context) Context() context.Context {
	if c.ctx == nil {
		return context.Background()
	}
	return c.ctx
}

// SetStatus sets the response status; the default is 200. A code outside
// 100 to 999, which no status line can carry, is refused with
// ErrInvalidStatus and the status stays what it was, so the response (and
// the access log) shows the status actually sent.
func (c *Context) SetStatus(code int) error {
	if code < 100 || code > 999 {
		return ErrInvalidStatus
	}
	c.status = httperrors.Status(code)
	return nil
}

// SetHeader sets a response field, replacing every field of that name
// (compared ignoring case) set before: setting Content-Type twice sends
// one. It refuses, writing nothing, a name that is not a token or a value
// holding CR, LF or NUL (ErrInvalidHeader), and the framing fields the
// engine writes itself (ErrReservedHeader). "Connection: close" is
// honoured: the connection closes after this response.
func (c *Context) SetHeader(name, value string) error {
	kind, err := classifyField(name, value)
	if err != nil {
		return err
	}
	if c.noteField(kind) {
		return nil
	}
	c.removeFields(name)
	c.fields = appendFieldLine(c.fields, name, value)
	return nil
}

// AddHeader adds a response field, keeping those of the same name set
// before (Set-Cookie, Vary, Link). It refuses the fields SetHeader
// refuses, for the same reasons.
func (c *Context) AddHeader(name, value string) error {
	kind, err := classifyField(name, value)
	if err != nil {
		return err
	}
	if !c.noteField(kind) {
		c.fields = appendFieldLine(c.fields, name, value)
	}
	return nil
}

// SetContentType sets the Content-Type field, replacing one set before.
func (c *Context) SetContentType(value string) error { return c.SetHeader("Content-Type", value) }

// appendFieldLine appends the checked field "name: value" and CRLF.
func appendFieldLine[N, V string | []byte](dst []byte, name N, value V) []byte {
	dst = append(dst, name...)
	dst = append(dst, ':', ' ')
	dst = append(dst, value...)
	return append(dst, '\r', '\n')
}

// removeFields deletes the response fields called name (ignoring case)
// from the rendered lines, keeping the others in order.
func (c *Context) removeFields(name string) {
	b := c.fields
	kept := 0
	for i := 0; i < len(b); {
		end := i + bytes.IndexByte(b[i:], '\n') + 1 // values hold no LF
		line := b[i:end]
		if colon := bytes.IndexByte(line, ':'); colon != len(name) || !ascii.EqualFold(line[:colon], name) {
			kept += copy(b[kept:], line)
		}
		i = end
	}
	c.fields = b[:kept]
}

// SetContentLength declares the length of a body the handler does not
// write in one piece: the length a GET would get, for a HEAD response,
// and the length of a response streamed with Flush (sent then with
// Content-Length instead of chunked). For a response written whole the
// engine counts the body itself and ignores the declaration.
func (c *Context) SetContentLength(n int64) {
	if n >= 0 {
		c.length = n
	}
}

// Write appends p to the response body.
func (c *Context) Write(p []byte) (int, error) {
	c.ownBody()
	c.body = append(c.body, p...)
	return len(p), nil
}

// WriteString appends s to the response body.
func (c *Context) WriteString(s string) (int, error) {
	c.ownBody()
	c.body = append(c.body, s...)
	return len(s), nil
}

// WriteShared appends p to the response body as Write does, but when p is
// an inline handler's whole body the engine sends it from p itself instead
// of copying it into the Context first. p must then stay unchanged until
// the next request on the connection is dispatched or the connection
// closes, as bytes that are never written again (a cache's) do. A Blocking
// handler's body, or one written in several pieces, is copied as with
// Write.
func (c *Context) WriteShared(p []byte) (int, error) {
	if c.job != nil || len(c.body) > 0 || c.shared != nil || len(p) == 0 {
		return c.Write(p)
	}
	c.shared = p
	return len(p), nil
}

// ownBody moves a body set by WriteShared into the Context's own buffer,
// before more is appended to it.
func (c *Context) ownBody() {
	if c.shared != nil {
		c.body = append(c.body, c.shared...)
		c.shared = nil
	}
}

// bodyBytes returns the response body written so far, shared or not.
func (c *Context) bodyBytes() []byte {
	if c.shared != nil {
		return c.shared
	}
	return c.body
}

// Flush sends the response head, the first time, and the body written so
// far, and waits until the client has read enough of it that the server
// holds at most a bounded amount. The rest of the response is then
// streamed: chunked to an HTTP/1.1 client unless a length was declared,
// delimited by closing the connection for HTTP/1.0. Only a Blocking
// handler can stream; an inline one gets ErrNotBlocking.
func (c *Context) Flush() error {
	if c.job == nil {
		return ErrNotBlocking
	}
	return c.job.flush()
}
