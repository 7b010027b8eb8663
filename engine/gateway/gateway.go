package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
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

// Handler is the reverse proxy: an engine.Handler that forwards each
// request to an upstream and answers with its response, or with the 502,
// 503 or 504 that its failure calls for. It is safe for concurrent use;
// create it with New.
type Handler struct {
	opts      Options
	balancer  balancer
	transport *http.Transport
	// dialer opens the event loops' upstream connections.
	dialer *dialer
	// mu guards states.
	mu sync.Mutex
	// states are the Handler's state on each event loop it ran on.
	states []*loopState
	// serve is forward wrapped by engine.Blocking, so that the engine runs
	// it on its worker pool; serveVia[i] is the same, starting with
	// upstream i, which the event loop picked.
	serve    engine.Handler
	serveVia []engine.Handler
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
	h := &Handler{opts: o, dialer: newDialer(o)}
	h.transport = newTransport(o, h.dialer)
	for _, raw := range upstreams {
		u, err := parseUpstream(raw, o.MaxConnsPerUpstream)
		if err != nil {
			return nil, err
		}
		u.index = len(h.balancer.upstreams)
		h.balancer.upstreams = append(h.balancer.upstreams, u)
	}
	h.serve = engine.Blocking(engine.HandlerFunc(func(c *engine.Context) error { return h.forward(c, nil) }))
	for _, u := range h.balancer.upstreams {
		h.serveVia = append(h.serveVia, engine.Blocking(engine.HandlerFunc(func(c *engine.Context) error {
			return h.forward(c, u)
		})))
	}
	return h, nil
}

// Serve forwards c's request from the event loop that runs it; a request
// to an https upstream, or one that reaches Serve on a worker, goes to
// the engine's worker pool and the net/http Transport instead.
func (h *Handler) Serve(c *engine.Context) error {
	if loop := c.Loop(); loop != nil {
		toWorker, err := h.serveOnLoop(c, loop)
		if toWorker == nil {
			return err
		}
		return h.serveVia[toWorker.index].Serve(c)
	}
	return h.serve.Serve(c)
}

// TimerResolution returns the engine timer resolution this Handler's
// deadlines need to fire close to their time: a quarter of the shorter of
// UpstreamTimeout and PoolWait, which the engine's timers enforce (name
// lookups and connects are timed by the dialer itself). Serve it with
// engine.Config.TimerResolution set to at most this; with the engine's
// default of a second, a 2 s UpstreamTimeout could fire at up to 3 s.
func (h *Handler) TimerResolution() time.Duration {
	return min(h.opts.UpstreamTimeout, h.opts.PoolWait) / 4
}

// Close closes the idle upstream connections, those of the event loops
// on the loops themselves. Requests in flight are not disturbed, and the
// Handler stays usable.
func (h *Handler) Close() {
	h.transport.CloseIdleConnections()
	h.mu.Lock()
	states := append([]*loopState(nil), h.states...)
	h.mu.Unlock()
	for _, ls := range states {
		_ = ls.loop.Run(ls.closeAllIdle) // fails only once the server stopped, closing them
	}
}

// forward runs on a worker: it exchanges the request with u, or with the
// upstream it picks when u is nil. When the name lookup or connect
// fails, the request has not reached the upstream, so it goes to the next
// healthy one, at most once to each.
func (h *Handler) forward(c *engine.Context, u *upstream) error {
	var last error
	for range h.balancer.upstreams {
		if u == nil {
			var retryAfter int
			if u, retryAfter = h.balancer.pick(time.Now()); u == nil {
				if last != nil {
					return last
				}
				h.opts.Logger.Warn("gateway: every upstream is unhealthy", "retry_after", retryAfter)
				return ErrAllUnhealthy.WithRetryAfter(retryAfter)
			}
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
		last, u = err, nil
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
	var body *bodySource
	if b := c.Body(); len(b) > 0 {
		body = &bodySource{b: b}
		// The Transport may still read the body after RoundTrip returns (an
		// upstream may answer before it has read the request); the engine
		// reuses those bytes once this handler returns.
		defer body.detach()
	}
	s := newExchangeState(cancel)
	ctx = httptrace.WithClientTrace(ctx, &s.trace)
	resp, err := h.transport.RoundTrip(h.upstreamRequest(ctx, c, u, body))
	if err != nil {
		if client.Err() != nil {
			return errClientGone, false
		}
		reply, dialFailed := classify(err, s.gotBytes.Load())
		if dialFailed && len(h.balancer.upstreams) > 1 {
			// A lone upstream is never skipped: there is nowhere else to
			// send the next request, and trying it tells that client
			// what is wrong (502 or 504) instead of a 503.
			u.markUnhealthy(time.Now(), h.opts.UnhealthyFor)
		}
		return h.fail(u, reply, err), dialFailed
	}
	defer resp.Body.Close()
	if err := h.copyResponseHeader(c, resp); err != nil {
		return h.fail(u, ErrInvalidResponse, err), false
	}
	if err := c.SetStatus(resp.StatusCode); err != nil {
		// A status no status line can carry is not a valid response.
		return h.fail(u, ErrInvalidResponse, err), false
	}
	return h.copyBody(c, u, resp.Body, s), false
}

// copyBody copies the upstream body to c, flushing every flushBytes. A
// body that stops arriving for UpstreamTimeout is abandoned (s's stall
// timer cancels the exchange) and answered 504, or, when part of it has
// been streamed, the engine closes the connection so the client sees it
// incomplete.
func (h *Handler) copyBody(c *engine.Context, u *upstream, body io.Reader, s *exchangeState) error {
	s.stall.Reset(h.opts.UpstreamTimeout)
	defer s.stall.Stop()
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf, pending := *bp, 0
	for {
		n, err := body.Read(buf)
		if n > 0 {
			s.stall.Reset(h.opts.UpstreamTimeout)
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
		case s.stalled.Load():
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
		"status", int(reply.Status()), "error", err.Error())
	return &UpstreamError{Upstream: u.host, Reply: reply, Err: err}
}

// copyBuffers recycles the buffers copyBody reads into.
var copyBuffers = sync.Pool{New: func() any {
	b := make([]byte, flushBytes)
	return &b
}}

// exchangeState is what one exchange shares with goroutines it does not
// run: the trace hook the Transport calls at the first byte of the
// response, and the timer that abandons a stalled response body. Each
// exchange has its own: the Transport may call the hook after the
// exchange returned, so a state is never reused (this path serves https
// upstreams only; plain http goes through the event loop).
type exchangeState struct {
	// gotBytes tells an upstream that closed the connection without a
	// word from one that sent an invalid response (see classify).
	gotBytes atomic.Bool
	trace    httptrace.ClientTrace
	stall    *time.Timer
	stalled  atomic.Bool
	// cancel ends the exchange; the stall timer calls it.
	cancel context.CancelFunc
}

// newExchangeState returns the state of an exchange that cancel ends, its
// stall timer stopped until the response body is read.
func newExchangeState(cancel context.CancelFunc) *exchangeState {
	s := &exchangeState{cancel: cancel}
	s.trace.GotFirstResponseByte = s.gotFirstByte
	s.stall = time.AfterFunc(time.Hour, s.stalledOut)
	s.stall.Stop()
	return s
}

func (s *exchangeState) gotFirstByte() { s.gotBytes.Store(true) }

// stalledOut runs when the response body stopped arriving for
// UpstreamTimeout.
func (s *exchangeState) stalledOut() {
	s.stalled.Store(true)
	s.cancel()
}

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
