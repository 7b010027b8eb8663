package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
)

// ErrServerClosed is returned by ListenAndServe and Start after Close.
var ErrServerClosed = errors.New("engine: server closed")

// Server serves HTTP/1.x on gnet event loops. Create it with New; it
// serves once.
type Server struct {
	handler      Handler
	cfg          Config
	parserConfig parser.Config
	canned       *httperrors.Canned
	clock        *clock
	events       *events

	openConns atomic.Int64
	// lingering counts open connections that have sent their last
	// response and wait only for the client to close; a drain does not
	// wait for them.
	lingering atomic.Int64
	// draining is set by Shutdown: responses say Connection: close and new
	// requests get 503.
	draining atomic.Bool
	pool     pool
	shed     shedder
	counters counters
	// maintenance is the mode's pre-rendered 503, nil when off.
	maintenance atomic.Pointer[maintenanceMode]
	// errShed holds the shedding 503 for each Retry-After, 1 to
	// maxRetryAfter seconds, all pre-rendered.
	errShed      [maxRetryAfter + 1]*httperrors.Error
	errConnLimit *httperrors.Error
	// errQueueFull and errDraining carry the configured Retry-After.
	errQueueFull *httperrors.Error
	errDraining  *httperrors.Error

	// mu guards loops, eng, addr and state.
	mu      sync.Mutex
	loops   map[gnet.EventLoop]*loop
	eng     gnet.Engine
	addr    net.Addr
	started bool
	booted  chan struct{} // closed once the listener is up (or Run failed)
	done    chan struct{} // closed when gnet.Run has returned
	runErr  error
}

// New returns a Server that answers requests with h.
func New(h Handler, cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		handler:      h,
		cfg:          cfg,
		parserConfig: cfg.parserConfig(),
		loops:        make(map[gnet.EventLoop]*loop),
		booted:       make(chan struct{}),
		done:         make(chan struct{}),
	}
	var serverLine string // "Server: <name>\r\n", or none when turned off
	if cfg.Server != "" {
		serverLine = "Server: " + cfg.Server + "\r\n"
	}
	s.clock = newClock(tickInterval(cfg), serverLine)
	s.errQueueFull = errQueueFull.WithRetryAfter(cfg.RetryAfter)
	s.errDraining = errDraining.WithRetryAfter(cfg.RetryAfter)
	s.errConnLimit = errOverConnLimit.WithRetryAfter(cfg.RetryAfter)
	canned := append(parser.Errors(), errRequestTimeout, errNoTunnels, s.errQueueFull, s.errDraining, s.errConnLimit)
	for secs := 1; secs <= maxRetryAfter; secs++ {
		s.errShed[secs] = errShed.WithRetryAfter(secs)
		canned = append(canned, s.errShed[secs])
	}
	s.canned = httperrors.NewCanned(cfg.Server, canned...)
	s.shed = shedder{enabled: cfg.Shed, target: int64(cfg.ShedTarget), interval: int64(cfg.ShedInterval)}
	s.pool.jobs = make(chan *job, cfg.QueueLen)
	s.events = &events{srv: s}
	return s
}

// tickInterval is the timing wheels' resolution: a second, or a quarter of
// the shortest timeout when that is shorter (tests use short ones).
func tickInterval(c Config) time.Duration {
	d := time.Second
	for _, t := range []time.Duration{c.ReadHeaderTimeout, c.BodyReadTimeout, c.IdleTimeout, c.WriteTimeout} {
		if q := t / 4; q < d {
			d = q
		}
	}
	return max(d, 5*time.Millisecond)
}

// ListenAndServe listens on the TCP address addr ("host:port") and
// serves until Close; it then returns ErrServerClosed.
func (s *Server) ListenAndServe(addr string) error {
	if err := s.Start(addr); err != nil {
		return err
	}
	<-s.done
	if s.runErr != nil {
		return s.runErr
	}
	return ErrServerClosed
}

// Start listens on addr and serves in the background. It returns once the
// listener is up, so Addr is known, or with the error that prevented it.
func (s *Server) Start(addr string) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("engine: server already started")
	}
	s.started = true
	s.mu.Unlock()

	opts := []gnet.Option{
		gnet.WithMulticore(s.cfg.Multicore),
		gnet.WithReusePort(s.cfg.ReusePort),
		gnet.WithTicker(true),
		gnet.WithLogger(discardLogger{}),
	}
	if s.cfg.NumLoops > 0 {
		opts = append(opts, gnet.WithNumEventLoop(s.cfg.NumLoops))
	}
	if s.cfg.TCPDelay {
		opts = append(opts, gnet.WithTCPNoDelay(gnet.TCPDelay))
	}
	s.pool.start(s.cfg.Workers)
	go func() {
		err := gnet.Run(s.events, "tcp://"+addr, opts...)
		s.pool.stop()
		s.mu.Lock()
		s.runErr = err
		s.mu.Unlock()
		select {
		case <-s.booted:
		default:
			close(s.booted)
		}
		close(s.done)
	}()
	<-s.booted
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.addr == nil {
		if s.runErr == nil {
			return errors.New("engine: server stopped before listening")
		}
		return fmt.Errorf("engine: listen on %s: %w", addr, s.runErr)
	}
	return nil
}

// Addr returns the address the server listens on, once Start returned; nil
// before. With port 0 it names the port the system chose.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Close stops the server at once: the listener and every connection close
// without waiting for requests in progress.
func (s *Server) Close() error {
	s.mu.Lock()
	eng, started := s.eng, s.addr != nil
	s.mu.Unlock()
	if !started {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := eng.Stop(ctx)
	<-s.done
	if errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// Shutdown stops the server gracefully. New connections are closed at
// once (gnet cannot close its listener alone, so the socket stays bound
// until the end); idle connections close; requests in progress, inline or
// blocking, finish and their responses go out with Connection: close; a
// request that arrives on an open connection gets 503 with Retry-After.
// Shutdown returns once every connection has closed or sent its last
// response, or when ctx ends; it then closes the rest at once (returning
// ctx's error in the second case).
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.mu.Lock()
	for _, l := range s.loops {
		_ = l.el.Execute(ctx, gnet.RunnableFunc(l.closeIdle))
	}
	s.mu.Unlock()
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for s.openConns.Load() > s.lingering.Load() {
		select {
		case <-ctx.Done():
			_ = s.Close()
			return ctx.Err()
		case <-poll.C:
		}
	}
	return s.Close()
}

// errDraining answers a request that arrives after Shutdown began.
var errDraining = httperrors.NewClosing(httperrors.StatusServiceUnavailable,
	"the server is shutting down")

// OpenConns returns the number of open connections.
func (s *Server) OpenConns() int { return int(s.openConns.Load()) }

// loopFor returns the state of event loop el, creating it on first use.
func (s *Server) loopFor(el gnet.EventLoop) *loop {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.loops[el]
	if l == nil {
		l = newLoop(s, el)
		s.loops[el] = l
	}
	return l
}

// booted records the listener's address; gnet calls it through OnBoot.
func (s *Server) boot(eng gnet.Engine) {
	addr, err := listenerAddr(eng)
	s.mu.Lock()
	s.eng = eng
	s.addr = addr
	if err != nil {
		s.runErr = err
	}
	s.mu.Unlock()
	close(s.booted)
}

// listenerAddr learns the bound address from a duplicate of the listening
// socket, since gnet does not report it.
func listenerAddr(eng gnet.Engine) (net.Addr, error) {
	fd, err := eng.Dup()
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "listener")
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	return ln.Addr(), nil
}

// tick runs on gnet's ticker goroutine: it refreshes the clock and asks
// every loop to sweep its timing wheel on its own goroutine.
func (s *Server) tick() time.Duration {
	s.clock.refresh()
	s.mu.Lock()
	for _, l := range s.loops {
		_ = l.el.Execute(context.Background(), l.sweep)
	}
	s.mu.Unlock()
	return s.clock.every
}

// discardLogger silences gnet's own logging; the engine logs through
// Config.Logger.
type discardLogger struct{}

func (discardLogger) Debugf(string, ...any) {}
func (discardLogger) Infof(string, ...any)  {}
func (discardLogger) Warnf(string, ...any)  {}
func (discardLogger) Errorf(string, ...any) {}
func (discardLogger) Fatalf(string, ...any) {}
