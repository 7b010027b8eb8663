package engine

import (
	"context"
	"net"
	"time"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
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

	status    httperrors.Status
	fields    []byte // rendered "Name: value\r\n" lines set by the handler
	body      []byte
	length    int64             // a declared Content-Length (FromHTTP); -1 when none
	streaming bool              // the head has been sent by Flush
	logged    httperrors.Status // the status answered, for the access log
	// accessStart is when the engine began to answer an inline request,
	// for the access line of a request whose handler panics.
	accessStart time.Time
	closeAfter  bool // the handler asked for Connection: close
	serverSet   bool // the handler set its own Server field
}

// reset readies c for req from the client at remote.
func (c *Context) reset(req *parser.Request, remote net.Addr) {
	c.req, c.remote, c.remoteStr = req, remote, ""
	c.ctx, c.deferTo = nil, nil
	c.length = -1
	c.status = httperrors.StatusOK
	c.fields = c.fields[:0]
	c.body = c.body[:0]
	c.closeAfter, c.serverSet, c.streaming = false, false, false
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

// Query returns the target's query, without the '?'; nil when absent.
func (c *Context) Query() []byte { return c.req.Query() }

// Version returns the request's protocol version.
func (c *Context) Version() version.Version { return c.req.Version }

// Header returns the first value of the named request field (matched
// case-insensitively), or nil.
func (c *Context) Header(name string) []byte { return c.req.Header(name) }

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

// SetStatus sets the response status; the default is 200.
func (c *Context) SetStatus(code int) { c.status = httperrors.Status(code) }

// SetHeader adds a response field. It refuses, writing nothing, a name
// that is not a token or a value holding CR, LF or NUL
// (ErrInvalidHeader), and the framing fields the engine writes itself
// (ErrReservedHeader). "Connection: close" is honoured: the connection
// closes after this response.
func (c *Context) SetHeader(name, value string) error {
	kind, err := classifyField(name, value)
	if err != nil {
		return err
	}
	if c.noteField(kind) {
		return nil
	}
	c.fields = append(c.fields, name...)
	c.fields = append(c.fields, ':', ' ')
	c.fields = append(c.fields, value...)
	c.fields = append(c.fields, '\r', '\n')
	return nil
}

// SetContentType sets the Content-Type field.
func (c *Context) SetContentType(value string) error { return c.SetHeader("Content-Type", value) }

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
	c.body = append(c.body, p...)
	return len(p), nil
}

// WriteString appends s to the response body.
func (c *Context) WriteString(s string) (int, error) {
	c.body = append(c.body, s...)
	return len(s), nil
}

// equalFold reports whether s equals the ASCII name t, ignoring case.
func equalFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i]|0x20, t[i]|0x20
		if a != b {
			return false
		}
	}
	return true
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
