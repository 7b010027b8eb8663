// Package enginetest runs an engine.Handler on raw requests without a
// socket and returns the responses a client would read, as net/http's
// httptest.NewRecorder serves net/http handlers.
//
// The requests go through the engine's own path — parser, dispatch,
// the worker pool for Blocking and FromHTTP handlers, the response writer
// and the error renderer — on a connection held in memory
// (engine.Server.ServeBytes), so a status, a field or a body seen here is
// the one on the wire. It is imported by tests only.
package enginetest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
)

// Timeout bounds how long Do and Serve wait for a handler; past it they
// return an error rather than hang the test.
const Timeout = 10 * time.Second

// Response is one response as the client read it.
type Response struct {
	// StatusCode is the status, such as 404.
	StatusCode int
	// Proto is the version of the status line, such as "HTTP/1.1".
	Proto string
	// Header holds the response's fields, with canonical keys, as
	// net/http's client reads them: it keeps Transfer-Encoding and
	// "Connection: close" out (Raw has them; Closed tells the latter).
	Header http.Header
	// Body is the body, chunked framing removed; empty for HEAD.
	Body []byte
	// Closed reports that the server closed the connection after this
	// response.
	Closed bool
	// Raw is the response as written: status line, fields and body.
	Raw string
}

// Do serves raw, the wire form of one request (NewRequest, Raw), with h
// on a server of the default engine.Config, and returns its response.
// It is an error when the server answers anything but one final response
// (a malformed request gets its error response, which is not an error).
func Do(h engine.Handler, raw string) (*Response, error) {
	responses, err := Serve(engine.New(h, engine.Config{}), raw)
	if err != nil {
		return nil, err
	}
	if len(responses) != 1 {
		return nil, fmt.Errorf("enginetest: %d responses to one request; Serve reads several", len(responses))
	}
	return responses[0], nil
}

// Serve serves raw as everything a client sends on one connection of s,
// pipelined requests included, and returns the final responses in order
// (an interim "100 Continue" is left out, as net/http's client does). s
// comes from engine.New with the Config under test; it need not be
// started, and may serve many calls.
func Serve(s *engine.Server, raw string) ([]*Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	out, closed, err := s.ServeBytes(ctx, []byte(raw))
	if err != nil {
		return nil, fmt.Errorf("enginetest: %w", err)
	}
	responses, err := parseResponses(out, methodsOf(raw))
	if err != nil {
		return responses, err
	}
	if closed && len(responses) > 0 {
		responses[len(responses)-1].Closed = true
	}
	return responses, nil
}

// NewRequest returns the wire form of an HTTP/1.1 request for method and
// target (origin-form "/path?query", or absolute-form) with Host
// example.com (or an absolute target's host) and body, sent with its
// Content-Length. For other fields, build an *http.Request and use Raw.
func NewRequest(method, target string, body io.Reader) string {
	return Raw(httptest.NewRequest(method, target, body))
}

// Raw returns the wire form of r, as net/http's client would send it, for
// Do and Serve: fields, Host, and a body with its Content-Length when r's
// ContentLength is known (httptest.NewRequest sets it for the usual
// readers), else chunked. It panics if r's body cannot be read, a test's
// mistake.
func Raw(r *http.Request) string {
	var b bytes.Buffer
	r.RequestURI = ""
	if err := r.Write(&b); err != nil {
		panic("enginetest: writing the request: " + err.Error())
	}
	return b.String()
}

// methodsOf returns the methods of the requests in raw, as far as they
// parse, so that responses to HEAD are read without a body.
func methodsOf(raw string) []string {
	var methods []string
	br := bufio.NewReader(strings.NewReader(raw))
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return methods
		}
		methods = append(methods, req.Method)
		_, _ = io.Copy(io.Discard, req.Body)
	}
}

// parseResponses reads every response in out; methods[i] is the method of
// the request the i-th final response answers ("GET" when unknown).
func parseResponses(out []byte, methods []string) ([]*Response, error) {
	var responses []*Response
	rd := bytes.NewReader(out)
	br := bufio.NewReader(rd)
	start := 0
	for br.Buffered() > 0 || rd.Len() > 0 {
		method := "GET"
		if i := len(responses); i < len(methods) {
			method = methods[i]
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			return responses, fmt.Errorf("enginetest: reading response %d: %w", len(responses)+1, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return responses, fmt.Errorf("enginetest: reading the body of response %d: %w", len(responses)+1, err)
		}
		end := len(out) - rd.Len() - br.Buffered()
		raw := string(out[start:end])
		start = end
		if resp.StatusCode >= 100 && resp.StatusCode < 200 {
			continue // interim
		}
		responses = append(responses, &Response{
			StatusCode: resp.StatusCode,
			Proto:      resp.Proto,
			Header:     resp.Header,
			Body:       body,
			Raw:        raw,
		})
	}
	return responses, nil
}

// String returns the status line's code and reason, such as "404 Not
// Found", for messages.
func (r *Response) String() string {
	return strconv.Itoa(r.StatusCode) + " " + http.StatusText(r.StatusCode)
}
