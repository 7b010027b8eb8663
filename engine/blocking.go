package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/bytebufferpool"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/render"
	"github.com/rawhttpd/rawhttpd/parser"
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
//
// The worker writes the response itself, straight to the connection's
// socket (see socket), and hands the connection back to the loop when the
// response has left: the loop writes nothing to a connection while its job
// is out, and hands the job over only once gnet's buffer for it is empty,
// so the bytes keep request order.
type job struct {
	srv *Server
	c   *conn // loop
	h   Handler
	// sock is the connection's socket, which the worker writes to; nil
	// without a real connection (tests on an in-memory transport).
	sock *socket
	// direct takes the worker's writes instead of sock on a connection
	// held in memory (ServeBytes); nil otherwise.
	direct directWriter
	// output says who answers the request: outputOpen until the worker
	// writes its first byte (outputWorker) or a drain that ran out of time
	// answers it from the loop (outputCutOff). Whoever sets it first
	// writes; the other writes nothing.
	output atomic.Int32

	in  *bytebufferpool.ByteBuffer // the request's bytes
	out *bytebufferpool.ByteBuffer // the response being written
	req parser.Request
	ctx Context

	// rctx is the request's context, cancelled (cancel) when the client
	// goes away or the job is recycled.
	rctx   context.Context
	cancel context.CancelFunc
	// keep: the connection stays open after the response.
	keep bool
	// failed: a write to the client failed; the connection closes.
	failed bool
	// submitted is set once the job is in the pool's queue (loop).
	submitted bool
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
	// rest holds the requests the client pipelined behind this one before
	// it half-closed; set on the loop when gnet closes the connection.
	rest []byte
	// continuation: the job is back on a worker to answer rest.
	continuation bool
	// more: what send writes is followed at once by a file region
	// (sendFile), so the socket may hold it for the region's first bytes.
	more bool

	// http is the net/http adapter's reusable state, made on first use.
	http *httpState
}

// jobPool recycles jobs.
var jobPool = sync.Pool{New: func() any { return &job{} }}

// startJob prepares the request in c.ex for the handler x deferred to, run
// on the worker pool with a copy of x's response so far (the fields
// middleware set before deferring).
// It returns the refusal, a 503, when shedding refuses the request or the
// queue is full; the refusal is decided before anything is copied. The job
// waits in c.pending until the batch's responses are written (handOver).
func (c *conn) startJob(x *Context) error {
	s := c.srv
	if s.shed.shouldShed(int(s.pool.reserved.Load())) {
		s.counters.shed.Add(1)
		return s.errShed[s.shed.retryAfter(int(s.counters.inFlight.Load()))]
	}
	if !s.pool.reserve() {
		s.counters.shed.Add(1)
		return s.errQueueFull
	}
	j := jobPool.Get().(*job)
	j.srv, j.c, j.h = s, c, x.deferTo
	if j.in == nil {
		j.in, j.out = bytebufferpool.Get(), bytebufferpool.Get()
	}
	copyRequest(&j.req, &c.ex.req, j.in)
	j.pipelined = x.pipelined
	j.rctx, j.cancel = context.WithCancel(c.requestBase())
	j.ctx.reset(&j.req, c.t.RemoteAddr())
	j.ctx.inherit(x)
	j.ctx.ctx, j.ctx.job, j.ctx.remoteStr = j.rctx, j, c.remoteText()
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
	c.pending = j
	c.setState(stateDispatched)
	return nil
}

// inherit carries over to a job's Context the response fields, status and
// close request set on the loop's Context before the handler deferred to
// the worker pool: middleware's headers survive the hand-off.
func (c *Context) inherit(from *Context) {
	c.status = from.status
	c.fields = append(c.fields[:0], from.fields...)
	c.closeAfter, c.serverSet, c.pipelined = from.closeAfter, from.serverSet, from.pipelined
}

// dropJob gives up c's pending job before a worker saw it.
func (c *conn) dropJob() {
	j := c.pending
	c.pending = nil
	c.srv.pool.reserved.Add(-1)
	c.srv.counters.inFlight.Add(-1)
	j.recycle()
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

// run works on j on a worker goroutine, writes its response to the
// client and hands the connection back to its loop.
func (j *job) run() {
	s := j.srv
	s.pool.reserved.Add(-1)
	defer s.counters.inFlight.Add(-1)
	if j.continuation {
		j.serveRest()
		j.recycle()
		return
	}
	var wait int64
	if j.enqueued != 0 {
		now := s.clock.nanotime()
		wait = now - j.enqueued
		s.shed.dequeued(wait, now)
	}
	var start time.Time
	if s.accessLogged() {
		if start = j.ctx.accessStart; start.IsZero() {
			start = time.Now()
		}
	}
	var err error
	if s.shed.stale(wait) {
		// Admitted before shedding began, it has waited too long to be
		// worth serving now; answering it frees the worker at once.
		s.counters.shed.Add(1)
		err = s.errShed[s.shed.retryAfter(int(s.counters.inFlight.Load()))]
	} else {
		err, _ = s.callHandler(j.h, &j.ctx)
		s.shed.completed(s.clock)
	}
	j.respond(err, s.canned, start)
	j.handBack()
}

// respond ends the response in j's Context (or answers err instead),
// logs it and writes it to the client.
func (j *job) respond(err error, canned *render.Canned, start time.Time) {
	s, x := j.srv, &j.ctx
	out := j.out.B[:0]
	if x.streaming {
		out = j.finishStream(out, err != nil)
		x.logged = x.status
		s.counters.countResponse(x.status)
	} else {
		out, j.keep = s.appendFinal(out, x, err, canned, s.clock.stamp(), nil)
	}
	s.counters.bytesOut.Add(uint64(len(out)))
	if s.accessLogged() {
		s.logAccess(&j.req, x.remote, x.logged, len(out)+j.streamed, start)
	}
	j.out.B = out
	j.send(out)
}

// serveRest answers, in order, the requests in j.rest: the client
// pipelined them behind j's request and then half-closed, and gnet has
// closed the connection, so they are served here, off the loop, each
// handler run on this worker and each response written to the socket. An
// incomplete request at the end is dropped: its client will not finish it.
func (j *job) serveRest() {
	s := j.srv
	p := parser.New(s.parserConfig)
	remote, remoteStr := j.ctx.remote, j.ctx.remoteStr
	for rest := j.rest; len(rest) > 0 && j.keep && !j.failed; {
		n, err := p.Parse(rest, &j.req)
		if err != nil {
			// Parser refusals close the connection (their Error says so).
			var start time.Time
			if s.accessLogged() {
				start = time.Now()
			}
			e := httperrors.From(err)
			s.counters.countResponse(e.Status())
			out := s.appendParseRefusal(j.out.B[:0], e, &j.req, rest)
			if s.accessLogged() {
				s.logRefusal(&j.req, rest, remote, e.Status(), len(out), start)
			}
			j.out.B = out
			j.send(out)
			return
		}
		if n == 0 {
			return
		}
		rest = rest[n:]
		var start time.Time
		if s.accessLogged() {
			start = time.Now()
		}
		x := &j.ctx
		x.reset(&j.req, remote)
		x.ctx, x.job, x.remoteStr = j.rctx, j, remoteStr
		j.streamed, j.chunked = 0, false
		canned, err := s.refusal(&j.req)
		if err == nil {
			// A Blocking handler runs its inner handler here at once,
			// since the Context belongs to a job.
			err, _ = s.callHandler(s.handler, x)
		}
		j.respond(err, canned, start)
	}
}

// send writes p to the client. A write that fails, or that the client
// does not take within WriteTimeout, ends the connection.
func (j *job) send(p []byte) {
	if len(p) > 0 && !j.claimOutput(outputWorker) && j.output.Load() != outputWorker {
		j.failed, j.keep = true, false // the loop answered it instead
		return
	}
	if j.direct != nil && len(p) > 0 {
		j.direct.writeDirect(p)
		return
	}
	if len(p) == 0 || j.sock == nil || j.failed {
		return
	}
	if j.sock.write(p, j.srv.cfg.WriteTimeout, j.more) != nil {
		j.failed, j.keep = true, false
	}
}

// Who answers a job's request: see job.output.
const (
	outputOpen int32 = iota
	outputWorker
	outputCutOff
)

// claimOutput makes who the one that answers j's request, and reports
// whether it was still open.
func (j *job) claimOutput(who int32) bool {
	return j.output.CompareAndSwap(outputOpen, who)
}

// flush sends the response head (the first time) and the body written so
// far, straight to the socket; it returns once the socket has taken it
// all, so a client that reads slowly holds the handler back with no more
// than the socket's buffer in flight.
func (j *job) flush() error {
	x := &j.ctx
	head := string(j.req.Method) == "HEAD"
	noBody := head || isBodyless(x.status)
	out := j.out.B[:0]
	if !x.streaming {
		x.streaming = true
		var fr bodyFraming
		fr, j.keep, j.chunked = streamFraming(x.length, x.status, head, j.req.Version, j.srv.canKeepAlive(x))
		out = appendHead(out, x, j.srv.clock.stamp(), persistenceFor(j.keep, j.req.Version), fr, max(x.length, 0))
	}
	if !noBody { // what a handler writes after 204 or 304 is dropped
		if j.chunked {
			out = appendChunk(out, x.body)
		} else {
			out = append(out, x.body...)
		}
	}
	x.body = x.body[:0]
	j.out.B = out
	j.streamed += len(out)
	j.srv.counters.bytesOut.Add(uint64(len(out)))
	j.send(out)
	if j.failed {
		return errClientGone
	}
	return nil
}

// finishStream ends a streamed response: the rest of the body and the last
// chunk. A handler that failed mid-stream cannot change its status any
// more; the connection closes so the client sees the body is incomplete.
// The connection's fate was said in the head; it can only turn to close.
func (j *job) finishStream(out []byte, failed bool) []byte {
	x := &j.ctx
	j.keep = j.keep && !failed && j.srv.canKeepAlive(x)
	if failed {
		return out
	}
	if string(j.req.Method) != "HEAD" && !isBodyless(x.status) {
		if j.chunked {
			out = appendChunk(out, x.body)
			out = append(out, lastChunk...)
		} else {
			out = append(out, x.body...)
		}
	}
	return out
}

// done runs on the loop once the worker has written j's response
// (finishJobs): the connection moves on to the requests that waited, or
// closes.
func (j *job) done(context.Context) error {
	c, keep, failed := j.c, j.keep, j.failed
	if c.state == stateClosed {
		if len(j.rest) > 0 && keep && !failed && j.srv.pool.reserve() {
			j.continuation = true
			j.srv.counters.inFlight.Add(1)
			j.srv.pool.push(j) // the place is reserved
			return nil
		}
		j.recycle()
		return nil
	}
	cut := j.output.Load() == outputCutOff
	j.recycle()
	c.pending = nil
	switch {
	case cut:
		// A drain that ran out of time answered the request from the loop
		// and is closing the connection gracefully: leave it to that.
	case failed:
		c.close()
	case !keep:
		c.setState(stateClosing)
		c.finish()
	default:
		c.resume()
	}
	return nil
}

// jobBufferKept is how many bytes of buffers a recycled job keeps for the
// next request instead of returning them to their pool: enough for usual
// requests and responses, and no large body held by an idle job.
const jobBufferKept = 16 << 10

// recycle returns j to its pool, with its buffers unless they grew large.
func (j *job) recycle() {
	if j.cancel != nil {
		j.cancel()
	}
	in, out := j.in, j.out
	if in != nil && cap(in.B)+cap(out.B) > jobBufferKept {
		bytebufferpool.Put(in)
		bytebufferpool.Put(out)
		in, out = nil, nil
	}
	if j.sock != nil {
		j.sock.release()
	}
	j.ctx.reset(nil, nil)
	j.ctx.job = nil
	j.req.Reset()
	j.srv, j.c, j.h, j.sock, j.direct, j.in, j.out, j.rctx, j.cancel = nil, nil, nil, nil, nil, in, out, nil, nil
	j.keep, j.failed, j.submitted, j.chunked, j.continuation = false, false, false, false, false
	j.output.Store(outputOpen)
	if cap(j.rest) > jobBufferKept {
		j.rest = nil
	}
	j.rest = j.rest[:0]
	j.enqueued, j.streamed = 0, 0
	jobPool.Put(j)
}
