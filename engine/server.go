package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/render"
	"github.com/rawhttpd/rawhttpd/internal/sentinels"
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
	canned       *render.Canned
	clock        *clock
	events       *events
	// streams: the handler takes request bodies as they arrive
	// (BodyStreamer).
	streams bool

	openConns atomic.Int64
	// detached holds the clients read off the loop (clientdetach.go),
	// whose sockets Close closes: gnet knows nothing of them.
	detached detachedSet
	// lingering counts open connections that have sent their last
	// response and wait only for the client to close; a drain does not
	// wait for them.
	lingering atomic.Int64
	// draining is set by Shutdown: responses say Connection: close.
	draining atomic.Bool
	// drainExpired is set when Shutdown's context ends: a request parsed
	// from then on gets 503, as does each one still in progress.
	drainExpired atomic.Bool
	// notReady is set by SetReady(false).
	notReady atomic.Bool
	pool     pool
	shed     shedder
	memory   memoryReturn
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

	// mu guards loops, eng, addr, acceptor and state.
	mu       sync.Mutex
	loops    map[gnet.EventLoop]*loop
	eng      gnet.Engine
	addr     net.Addr
	acceptor *acceptor // nil until serving
	started  bool
	running  bool          // gnet's loops are up
	bootOnce sync.Once     // closes booted
	booted   chan struct{} // closed once the loops are up (or Run failed)
	done     chan struct{} // closed when gnet.Run has returned
	runErr   error
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
	canned := append(sentinels.Request(), errRequestTimeout, errNoTunnels, s.errQueueFull, s.errDraining, s.errConnLimit)
	for secs := 1; secs <= maxRetryAfter; secs++ {
		s.errShed[secs] = errShed.WithRetryAfter(secs)
		canned = append(canned, s.errShed[secs])
	}
	s.canned = render.NewCanned(cfg.Server, canned...)
	s.shed = shedder{enabled: cfg.Shed, target: int64(cfg.ShedTarget), interval: int64(cfg.ShedInterval)}
	s.pool.capacity = int64(cfg.QueueLen)
	s.events = &events{srv: s}
	if bs, ok := h.(BodyStreamer); ok && bs.StreamsBodies() {
		s.streams = true
		s.parserConfig.MaxBodyBytes = streamedBodyLimit
	}
	return s
}

// tickInterval is the timing wheels' resolution: Config.TimerResolution
// or a second, or a quarter of the shortest timeout when that is shorter
// (tests use short ones).
func tickInterval(c Config) time.Duration {
	d := time.Second
	if c.TimerResolution > 0 {
		d = c.TimerResolution
	}
	for _, t := range []time.Duration{c.ReadHeaderTimeout, c.BodyReadTimeout, c.IdleTimeout, c.WriteTimeout} {
		if q := t / 4; q < d {
			d = q
		}
	}
	return max(d, 5*time.Millisecond)
}

// ListenAndServe listens on addr ("host:port", or "unix:/path/to.sock"
// for a Unix socket, as Listen takes it) and serves until Close or
// Shutdown; it then returns ErrServerClosed.
func (s *Server) ListenAndServe(addr string) error {
	if err := s.Start(addr); err != nil {
		return err
	}
	return s.wait()
}

// Serve serves on ln until Close or Shutdown, which close ln, and then
// returns ErrServerClosed. ln may come from Listen or be inherited from a
// parent process (net.FileListener); it is closed when Serve fails too.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.StartListener(ln); err != nil {
		return err
	}
	return s.wait()
}

// wait waits until gnet has stopped and returns Serve's result.
func (s *Server) wait() error {
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runErr != nil {
		return s.runErr
	}
	return ErrServerClosed
}

// Start listens on addr (as Listen takes it, with Config.ReusePort) and
// serves in the background. It returns once the server accepts
// connections, so Addr is known, or with the error that prevented it.
func (s *Server) Start(addr string) error {
	ln, err := Listen(addr, s.cfg.ReusePort)
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	return s.StartListener(ln)
}

// StartListener serves on ln in the background, like Start: it returns
// once the server accepts connections on ln, or with the error that
// prevented it, having closed ln. ln may come from Listen or be inherited
// from a parent process (net.FileListener); Close and Shutdown close it.
func (s *Server) StartListener(ln net.Listener) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		_ = ln.Close()
		return errors.New("engine: server already started")
	}
	s.started = true
	s.mu.Unlock()

	// gnet accepts nothing itself: the acceptor owns ln and enrolls each
	// connection with a loop. gnet will not run without a listener of its
	// own, so it gets a Unix socket whose file is removed as soon as gnet
	// is up; nobody can connect to it after that.
	dir, err := os.MkdirTemp("", "rawhttpd")
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("engine: %w", err)
	}
	defer os.RemoveAll(dir)
	opts := []gnet.Option{
		gnet.WithMulticore(s.cfg.Multicore),
		gnet.WithTicker(true),
		gnet.WithLogger(gnetLogger{s.cfg.Logger}),
	}
	if s.cfg.NumLoops > 0 {
		opts = append(opts, gnet.WithNumEventLoop(s.cfg.NumLoops))
	}
	s.pool.start(s.cfg.Workers)
	go func() {
		err := gnet.Run(s.events, "unix://"+filepath.Join(dir, "gnet.sock"), opts...)
		s.pool.stop()
		s.mu.Lock()
		for _, l := range s.loops {
			// gnet drops the tasks still queued when it stops, a pass
			// over finished jobs among them: a job that finishes after
			// it would wait for that pass for ever, holding its socket.
			l.abandonFinished()
		}
		s.runErr = err
		s.mu.Unlock()
		s.bootOnce.Do(func() { close(s.booted) })
		close(s.done)
	}()
	<-s.booted
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runErr != nil || !s.running {
		_ = ln.Close()
		if s.runErr == nil {
			return errors.New("engine: server stopped before serving")
		}
		return fmt.Errorf("engine: start event loops: %w", s.runErr)
	}
	s.addr = ln.Addr()
	s.acceptor = newAcceptor(s, ln, s.eng)
	go s.acceptor.run()
	return nil
}

// Addr returns the address the server listens on (a *net.TCPAddr or a
// *net.UnixAddr), once Start returned; nil before. With port 0 it names
// the port the system chose.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// closeWait bounds how long Close waits for gnet to stop its loops.
const closeWait = 10 * time.Second

// Close stops the server at once: the listener and every connection close
// without waiting for requests in progress.
func (s *Server) Close() error {
	s.mu.Lock()
	eng, acc := s.eng, s.acceptor
	s.mu.Unlock()
	if acc == nil {
		return nil
	}
	acc.stop(false)
	select {
	case <-acc.done:
	case <-time.After(closeWait):
	}
	// Engine.Stop polls for the end every half second; with a context
	// already cancelled it starts the stop and returns at once, and done
	// says when gnet.Run has returned.
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	_ = eng.Stop(stopped)
	s.detached.closeAll()
	select {
	case <-s.done:
		return nil
	case <-time.After(closeWait):
		return errors.New("engine: event loops did not stop")
	}
}

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

// boot records gnet's engine; gnet calls it through OnBoot, before the
// loops exist.
func (s *Server) boot(eng gnet.Engine) {
	s.mu.Lock()
	s.eng = eng
	s.mu.Unlock()
}

// up notes that gnet's loops are running: its ticker, which calls OnTick,
// starts once they are, and only then can connections be enrolled.
func (s *Server) up() {
	s.bootOnce.Do(func() {
		s.mu.Lock()
		s.running = true
		s.mu.Unlock()
		close(s.booted)
	})
}

// tick runs on gnet's ticker goroutine: it refreshes the clock and asks
// every loop to sweep its timing wheel on its own goroutine.
func (s *Server) tick() time.Duration {
	s.up()
	s.clock.refresh()
	s.memory.tick(time.Now())
	s.mu.Lock()
	for _, l := range s.loops {
		_ = l.el.Execute(context.Background(), l.sweep)
	}
	s.mu.Unlock()
	return s.clock.every
}
