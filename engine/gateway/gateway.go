package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// flushBytes is how much of a response body the gateway holds before it
// streams it to the client. A body that ends before this is sent with a
// Content-Length the engine computes; a longer one, or one whose end is
// unknown, goes out in chunks of about this size, so a large body never
// sits whole in memory.
const flushBytes = 32 << 10

// errConnect answers CONNECT: the gateway forwards messages, it does not
// open tunnels.
var errConnect = httperrors.New(httperrors.StatusNotImplemented,
	"the gateway does not open tunnels (CONNECT)")

// Handler is the reverse proxy: an engine.Handler that forwards each
// request to an upstream and answers with its response, or with the 502,
// 503 or 504 that its failure calls for. It is safe for concurrent use;
// create it with New.
type Handler struct {
	opts      Options
	balancer  balancer
	transport *http.Transport
	// serve is forward wrapped by engine.Blocking, so that the engine runs
	// it on its worker pool.
	serve engine.Handler
}

// New returns a Handler that forwards to upstreams, given as http or
// https URLs whose path, if any, is put before every forwarded path
// ("http://10.0.0.5:8080", "http://app.internal/api"). It fails when
// there is no upstream or one is not such a URL.
func New(upstreams []string, opts Options) (*Handler, error) {
	if len(upstreams) == 0 {
		return nil, errors.New("gateway: no upstream")
	}
	o := opts.withDefaults()
	h := &Handler{opts: o, transport: newTransport(o)}
	for _, raw := range upstreams {
		u, err := parseUpstream(raw, o.MaxConnsPerUpstream)
		if err != nil {
			return nil, err
		}
		h.balancer.upstreams = append(h.balancer.upstreams, u)
	}
	h.serve = engine.Blocking(engine.HandlerFunc(h.forward))
	return h, nil
}

// Serve hands c's request to the engine's worker pool, where it is
// forwarded.
func (h *Handler) Serve(c *engine.Context) error { return h.serve.Serve(c) }

// Close closes the idle upstream connections. Requests in flight are not
// disturbed, and the Handler stays usable.
func (h *Handler) Close() { h.transport.CloseIdleConnections() }

// forward runs on a worker: it picks an upstream and exchanges the request
// with it. When the name lookup or connect fails, the request has not
// reached the upstream, so it goes to the next healthy one, at most once
// to each.
func (h *Handler) forward(c *engine.Context) error {
	if string(c.Method()) == "CONNECT" {
		return errConnect
	}
	var last error
	for range h.balancer.upstreams {
		u, retryAfter := h.balancer.pick(time.Now())
		if u == nil {
			if last != nil {
				return last
			}
			h.opts.Logger.Warn("gateway: every upstream is unhealthy", "retry_after", retryAfter)
			return ErrAllUnhealthy.WithRetryAfter(retryAfter)
		}
		if !u.acquire(h.opts.PoolWait) {
			h.opts.Logger.Warn("gateway: upstream connection slots all in use", "upstream", u.host)
			return ErrPoolFull.WithRetryAfter(1)
		}
		err, dialFailed := h.exchange(c, u)
		u.release()
		if !dialFailed {
			return err
		}
		last = err
	}
	return last
}

// exchange sends c's request to u and copies the response to c. It
// reports whether the request failed before reaching u.
func (h *Handler) exchange(c *engine.Context, u *upstream) (err error, dialFailed bool) {
	client := c.Context()
	// ctx also ends a response body that stalls (copyBody).
	ctx, cancel := context.WithCancel(client)
	defer cancel()
	body := &bodySource{b: c.Body()}
	// The Transport may still read the body after RoundTrip returns (an
	// upstream may answer before it has read the request); the engine
	// reuses those bytes once this handler returns.
	defer body.detach()

	// gotBytes tells an upstream that closed the connection without a
	// word from one that sent an invalid response (see classify).
	var gotBytes atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotFirstResponseByte: func() { gotBytes.Store(true) },
	})
	resp, err := h.transport.RoundTrip(h.upstreamRequest(ctx, c, u, body))
	if err != nil {
		if client.Err() != nil {
			return errClientGone, false
		}
		reply, dialFailed := classify(err, gotBytes.Load())
		if dialFailed {
			u.markUnhealthy(time.Now(), h.opts.UnhealthyFor)
		}
		return h.fail(u, reply, err), dialFailed
	}
	defer resp.Body.Close()
	if err := h.copyResponseHeader(c, resp); err != nil {
		return h.fail(u, ErrInvalidResponse, err), false
	}
	c.SetStatus(resp.StatusCode)
	return h.copyBody(c, u, resp.Body, cancel), false
}

// upstreamRequest builds the request sent to u for c's.
func (h *Handler) upstreamRequest(ctx context.Context, c *engine.Context, u *upstream, body *bodySource) *http.Request {
	r := c.Request()
	target := &url.URL{Scheme: u.scheme, Host: u.host}
	path := string(c.Path())
	if path != "*" {
		path = u.prefix + path
	}
	if strings.HasPrefix(path, "//") {
		// An opaque path starting with "//" would be sent as an absolute
		// URL; Path and RawPath keep it a path. A path with an invalid
		// escape then gets its '%' escaped: a compromise for a path no
		// origin server would accept anyway.
		target.Path, _ = url.PathUnescape(path)
		target.RawPath = path
	} else {
		// Opaque sends the path exactly as the client did, escapes and all.
		target.Opaque = path
	}
	if q := c.Query(); q != nil {
		target.RawQuery = string(q)
		target.ForceQuery = len(q) == 0
	}
	req := &http.Request{
		Method:     string(r.Method),
		URL:        target,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h.upstreamHeader(c),
		Host:       u.authority,
	}
	if r.Host != nil && !h.opts.RewriteHost {
		req.Host = string(r.Host)
	}
	if n := len(body.b); n > 0 {
		req.ContentLength = int64(n)
		req.Body = body.reader()
		// GetBody lets the Transport replay the body on a fresh connection
		// when a kept-alive one turns out closed before it was written.
		req.GetBody = func() (io.ReadCloser, error) { return body.reader(), nil }
	}
	return req.WithContext(ctx)
}

// copyBody copies the upstream body to c, flushing every flushBytes. A
// body that stops arriving for UpstreamTimeout is abandoned (cancel ends
// the exchange) and answered 504, or, when part of it has been streamed,
// the engine closes the connection so the client sees it incomplete.
func (h *Handler) copyBody(c *engine.Context, u *upstream, body io.Reader, cancel context.CancelFunc) error {
	var stalled atomic.Bool
	stall := time.AfterFunc(h.opts.UpstreamTimeout, func() {
		stalled.Store(true)
		cancel()
	})
	defer stall.Stop()
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf, pending := *bp, 0
	for {
		n, err := body.Read(buf)
		if n > 0 {
			stall.Reset(h.opts.UpstreamTimeout)
			_, _ = c.Write(buf[:n])
			if pending += n; pending >= flushBytes {
				if c.Flush() != nil {
					return errClientGone
				}
				pending = 0
			}
		}
		switch {
		case err == io.EOF:
			return nil
		case err == nil:
		case c.Context().Err() != nil:
			return errClientGone
		case stalled.Load():
			return h.fail(u, ErrResponseTimeout, err)
		default:
			reply, _ := classify(err, true)
			return h.fail(u, reply, err)
		}
	}
}

// fail logs an upstream failure and returns it as an *UpstreamError.
func (h *Handler) fail(u *upstream, reply *httperrors.Error, err error) error {
	h.opts.Logger.Warn("gateway: upstream failed", "upstream", u.host,
		"status", int(reply.Status), "error", err.Error())
	return &UpstreamError{Upstream: u.host, Reply: reply, Err: err}
}

// copyBuffers recycles the buffers copyBody reads into.
var copyBuffers = sync.Pool{New: func() any {
	b := make([]byte, flushBytes)
	return &b
}}

// errBodyDetached is what the Transport reads from a request body after
// the handler that owned it returned.
var errBodyDetached = errors.New("gateway: request body read after its handler returned")

// bodySource is a request body that the Transport may read, through any
// number of readers (one per attempt), until detach: the bytes belong to
// the engine and are reused once the handler returns.
type bodySource struct {
	// mu guards b, which is nil once detached.
	mu sync.Mutex
	b  []byte
}

// reader returns a new reader of the whole body.
func (s *bodySource) reader() io.ReadCloser { return &bodyReader{src: s} }

// detach stops every reader: later reads fail.
func (s *bodySource) detach() {
	s.mu.Lock()
	s.b = nil
	s.mu.Unlock()
}

// bodyReader reads a bodySource from its start.
type bodyReader struct {
	src *bodySource
	off int
}

func (r *bodyReader) Read(p []byte) (int, error) {
	r.src.mu.Lock()
	defer r.src.mu.Unlock()
	if r.src.b == nil {
		return 0, errBodyDetached
	}
	if r.off >= len(r.src.b) {
		return 0, io.EOF
	}
	n := copy(p, r.src.b[r.off:])
	r.off += n
	return n, nil
}

func (r *bodyReader) Close() error { return nil }

// String describes h for logs: its upstreams.
func (h *Handler) String() string {
	hosts := make([]string, len(h.balancer.upstreams))
	for i, u := range h.balancer.upstreams {
		hosts[i] = u.scheme + "://" + u.host + u.prefix
	}
	return fmt.Sprintf("gateway to %s", strings.Join(hosts, ", "))
}
