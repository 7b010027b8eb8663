package engine

import (
	stderrors "errors"
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/valyala/bytebufferpool"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
	"github.com/rawhttpd/rawhttpd/version"
)

// Blocking returns a Handler that runs h on the server's worker pool
// instead of the event loop, for handlers that wait on files, databases or
// upstreams. The request is copied so that it outlives the read; while it
// is worked on, later pipelined requests on the same connection wait
// unparsed, so responses keep request order. When the pool's queue is
// full the request is answered 503 with Retry-After at once.
//
// Inside h the Context may stream with Flush and its Context() is
// cancelled when the client goes away.
func Blocking(h Handler) Handler { return blockingHandler{h: h} }

// blockingHandler marks its Context for the worker pool; the engine then
// runs h there.
type blockingHandler struct{ h Handler }

func (b blockingHandler) Serve(c *Context) error {
	if c.job != nil {
		return b.h.Serve(c) // already on a worker
	}
	c.deferTo = b.h
	return nil
}

// ErrNotBlocking is returned by Context.Flush in an inline handler, which
// cannot stream: its response is written when it returns.
var ErrNotBlocking = httperrors.New(httperrors.StatusInternalServerError,
	"the handler tried to stream a response from the event loop")

// errClientGone ends a stream whose client closed the connection.
var errClientGone = httperrors.New(httperrors.StatusBadRequest, "the client closed the connection")

// errQueueFull answers a blocking request that found the worker queue
// full; the connection stays usable.
var errQueueFull = httperrors.New(httperrors.StatusServiceUnavailable,
	"the server is overloaded: its queue of blocking work is full")

// job is one request handed to the worker pool, with everything it needs
// off the loop: a copy of the request, its own Context, and its output.
// Fields marked "loop" are touched only on the connection's loop.
type job struct {
	srv *Server
	c   *conn     // loop
	gc  gnet.Conn // for AsyncWrite, which is safe off the loop
	h   Handler

	in  *bytebufferpool.ByteBuffer // the request's bytes
	out *bytebufferpool.ByteBuffer // the response being written
	req parser.Request
	ctx Context

	// rctx is the request's context, cancelled when the client goes
	// away or the job is recycled.
	rctx *requestContext
	head bool
	keep bool // the connection stays open after the response
	// pipelined: a further request was buffered behind this one when it
	// was handed over (a drain keeps the connection open for it).
	pipelined bool
	// enqueued is when the job entered the queue (clock.nanotime); 0
	// when the wait is not measured.
	enqueued int64
	// streamed counts the bytes Flush sent, for the access log.
	streamed int
	// chunked is set once a streamed head announced chunked framing.
	chunked bool
	// flushed receives the outcome of each streamed write: nil, or
	// errClientGone.
	flushed chan error

	onWritten gnet.AsyncCallback // j.written, bound once
	onFlushed gnet.AsyncCallback // j.flushDone, bound once

	// http is the net/http adapter's reusable state, made on first use.
	http *httpState
}

// jobPool recycles jobs; New is set in init, since a job's callbacks
// refer back to the pool.
var jobPool sync.Pool

func init() {
	jobPool.New = func() any {
		j := &job{flushed: make(chan error, 1)}
		j.onWritten = j.written
		j.onFlushed = j.flushDone
		return j
	}
}

// startJob hands the request in c.ex to the worker pool for h. It reports
// false, appending a 503, when shedding refuses the request or the queue
// is full; the refusal is decided before anything is copied.
func (c *conn) startJob(out []byte, h Handler) ([]byte, bool) {
	s := c.srv
	head := string(c.ex.req.Method) == "HEAD"
	if s.shed.shouldShed(len(s.pool.jobs)) {
		s.counters.shed.Add(1)
		e := s.errShed[s.shed.retryAfter(int(s.counters.inFlight.Load()))]
		return c.appendRefusal(out, s.canned, e, head, c.ex.req.Header("Accept")), false
	}
	j := jobPool.Get().(*job)
	j.srv, j.c, j.gc, j.h = s, c, c.gc, h
	if j.in == nil {
		j.in, j.out = bytebufferpool.Get(), bytebufferpool.Get()
	}
	copyRequest(&j.req, &c.ex.req, j.in)
	j.head = head
	j.keep = j.req.KeepAlive
	j.pipelined = c.pipelined
	j.rctx = newRequestContext(c.localAddr())
	j.ctx.reset(&j.req, c.t.RemoteAddr())
	if c.remoteStr == "" {
		c.remoteStr = c.t.RemoteAddr().String()
	}
	j.ctx.ctx, j.ctx.job, j.ctx.remoteStr = j.rctx, j, c.remoteStr
	// The access log's duration runs from dispatch: the queue wait is
	// part of what the client waits.
	j.ctx.accessStart = c.loop.ctx.accessStart
	j.ctx.inheritRoute(&c.loop.ctx)
	// The queue wait is measured for every job while shedding is on,
	// and for a sample of them, for Stats, while it is off.
	l := c.loop
	if s.shed.enabled || l.jobs%sampleEvery == 0 {
		j.enqueued = s.clock.nanotime()
	}
	l.jobs++
	s.counters.inFlight.Add(1)
	if !s.pool.submit(j) {
		s.counters.inFlight.Add(-1)
		j.recycle()
		s.counters.shed.Add(1)
		return c.appendRefusal(out, s.canned, s.errQueueFull, head, c.ex.req.Header("Accept")), false
	}
	c.pending = j
	return out, true
}

// copyRequest makes dst a copy of src whose slices point into buf.
func copyRequest(dst, src *parser.Request, buf *bytebufferpool.ByteBuffer) {
	size := len(src.Method) + len(src.Target) + len(src.Host) + len(src.Body)
	for _, f := range src.Fields {
		size += len(f.Name) + len(f.Value)
	}
	if cap(buf.B) < size {
		buf.B = make([]byte, 0, size)
	}
	b := buf.B[:0]
	cp := func(p []byte) []byte {
		if p == nil {
			return nil
		}
		start := len(b)
		b = append(b, p...)
		return b[start:len(b):len(b)]
	}
	fields := dst.Fields[:0]
	*dst = *src
	dst.Method, dst.Target, dst.Host, dst.Body = cp(src.Method), cp(src.Target), cp(src.Host), cp(src.Body)
	for _, f := range src.Fields {
		fields = append(fields, parser.Field{Name: cp(f.Name), Value: cp(f.Value)})
	}
	dst.Fields = fields
	buf.B = b
}

// run works on j on a worker goroutine and sends its response.
func (j *job) run() {
	s := j.srv
	var wait int64
	if j.enqueued != 0 {
		now := s.clock.nanotime()
		wait = now - j.enqueued
		s.shed.dequeued(wait, now)
	}
	defer s.counters.inFlight.Add(-1)
	x := &j.ctx
	var start time.Time
	if s.accessLogged() {
		if start = x.accessStart; start.IsZero() {
			start = time.Now()
		}
	}
	var err error
	var panicked bool
	if s.shed.stale(wait) {
		// Admitted before shedding began, it has waited too long to be
		// worth serving now; answering it frees the worker at once.
		s.counters.shed.Add(1)
		err = s.errShed[s.shed.retryAfter(int(s.counters.inFlight.Load()))]
	} else {
		err, panicked = j.srv.callHandler(j.h, x)
		s.shed.completed(s.clock)
	}
	st := j.srv.clock.stamp()
	date := st.date[:]
	status := x.status
	j.keep = j.keep && !x.closeAfter && !j.srv.closesForDrain(j.pipelined)
	out := j.out.B[:0]
	switch {
	case x.streaming:
		out = j.finishStream(out, err != nil)
	case err != nil:
		e := httperrors.From(err)
		if panicked || e.Close {
			j.keep = false
		}
		if !panicked && stderrors.Is(e, httperrors.ErrInternal) {
			s.logHandlerError(x, err)
		}
		s.counters.countResponse(e.Status)
		status = e.Status
		out = httperrors.Append(out, e, httperrors.Options{
			Head: j.head, Close: !j.keep, Format: httperrors.FormatFor(j.req.Header("Accept")),
			Date: date, Server: j.srv.cfg.Server,
		})
	default:
		s.counters.countResponse(x.status)
		out = appendResponse(out, x, st, j.head, j.persistence())
	}
	if x.streaming {
		s.counters.countResponse(x.status)
	}
	s.counters.bytesOut.Add(uint64(len(out)))
	if s.accessLogged() {
		s.logAccess(&j.req, j.ctx.remote, status, len(out)+j.streamed, start)
	}
	j.out.B = out
	if j.gc == nil || j.gc.AsyncWrite(out, j.onWritten) != nil {
		j.recycle()
	}
}

// persistence says what the response tells the client of the connection.
func (j *job) persistence() persistence {
	switch {
	case !j.keep:
		return persistClose
	case j.req.Version == version.HTTP10:
		return persistKeepAlive
	}
	return persistDefault
}

// flush sends the response head (the first time) and the body written so
// far, then waits until the client has taken enough of it that the server
// holds at most outputHighWater bytes for it.
func (j *job) flush() error {
	x := &j.ctx
	out := j.out.B[:0]
	if !x.streaming {
		x.streaming = true
		fr := framedByLength
		switch {
		case x.length >= 0:
		case j.req.Version == version.HTTP10:
			fr, j.keep = framedByClose, false
		default:
			fr, j.chunked = framedChunked, true
		}
		if j.head || isBodyless(x.status) {
			fr, j.chunked = framedByLength, false
		}
		out = appendHead(out, x, j.srv.clock.stamp(), j.persistence(), fr, max(x.length, 0))
	}
	if !j.head {
		if j.chunked {
			out = appendChunk(out, x.body)
		} else {
			out = append(out, x.body...)
		}
	}
	x.body = x.body[:0]
	j.out.B = out
	if len(out) == 0 {
		return nil
	}
	j.streamed += len(out)
	if err := j.gc.AsyncWrite(out, j.onFlushed); err != nil {
		return errClientGone
	}
	select {
	case err := <-j.flushed:
		return err
	case <-j.rctx.Done():
		return errClientGone
	}
}

// finishStream ends a streamed response: the rest of the body and the last
// chunk. A handler that failed mid-stream cannot change its status any
// more; the connection closes so the client sees the body is incomplete.
func (j *job) finishStream(out []byte, failed bool) []byte {
	x := &j.ctx
	if failed {
		j.keep = false
		return out
	}
	if !j.head {
		if j.chunked {
			out = appendChunk(out, x.body)
			out = append(out, lastChunk...)
		} else {
			out = append(out, x.body...)
		}
	}
	return out
}

// flushDone runs on the loop once a streamed write is written or buffered.
func (j *job) flushDone(gnet.Conn, error) error {
	c := j.c
	c.streamed = true
	switch {
	case c.closed:
		j.flushed <- errClientGone
	case c.t.OutboundBuffered() > outputHighWater:
		c.streamWaiting = j
		c.waitOutput()
	default:
		j.flushed <- nil
	}
	return nil
}

// written runs on the loop once the job's last bytes are written or
// buffered: the connection moves on to the requests that waited.
func (j *job) written(gnet.Conn, error) error {
	c, keep := j.c, j.keep
	j.recycle()
	if c.closed {
		return nil
	}
	c.pending = nil
	if !keep {
		c.closing = true
		c.finish()
		return nil
	}
	c.resume()
	return nil
}

// jobBufferKept is how many bytes of buffers a recycled job keeps for the
// next request instead of returning them to their pool: enough for usual
// requests and responses, and no large body held by an idle job.
const jobBufferKept = 16 << 10

// recycle returns j to its pool, with its buffers unless they grew large.
func (j *job) recycle() {
	if j.rctx != nil {
		j.rctx.cancel()
	}
	in, out := j.in, j.out
	if in != nil && cap(in.B)+cap(out.B) > jobBufferKept {
		bytebufferpool.Put(in)
		bytebufferpool.Put(out)
		in, out = nil, nil
	}
	j.ctx.reset(nil, nil)
	j.ctx.job = nil
	j.req.Reset()
	select {
	case <-j.flushed:
	default:
	}
	*j = job{req: j.req, ctx: j.ctx, flushed: j.flushed, onWritten: j.onWritten, onFlushed: j.onFlushed, http: j.http, in: in, out: out}
	jobPool.Put(j)
}

// pool is the bounded worker pool of blocking handlers: a fixed set of
// goroutines fed by a bounded queue. A full queue is answered 503, never
// waited on, so the event loop never blocks.
type pool struct {
	jobs chan *job
	wg   sync.WaitGroup
	once sync.Once
}

// start launches n workers.
func (p *pool) start(n int) {
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for j := range p.jobs {
				j.run()
			}
		}()
	}
}

// submit queues j, or reports false when the queue is full.
func (p *pool) submit(j *job) bool {
	select {
	case p.jobs <- j:
		return true
	default:
		return false
	}
}

// stop ends the workers once the queue is empty; it does not wait.
func (p *pool) stop() { p.once.Do(func() { close(p.jobs) }) }
