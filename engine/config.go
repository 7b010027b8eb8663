package engine

import (
	"log/slog"
	"time"

	"github.com/rawhttpd/rawhttpd/parser"
)

// Config holds a Server's settings. Its zero value is the shipped default:
// every field documents its default and what happens past a limit.
type Config struct {
	// Multicore runs one event loop per CPU, unless NumLoops says how many.
	Multicore bool
	// NumLoops is the number of event loops; 0 means 1 without Multicore
	// and one per CPU with it.
	NumLoops int
	// ReusePort sets SO_REUSEPORT on the listener, so several processes
	// may share the address.
	ReusePort bool
	// TCPDelay leaves Nagle's algorithm on. By default TCP_NODELAY is set,
	// since a response is written in one piece.
	TCPDelay bool

	// MaxTargetBytes limits the request-target; default 8 KiB; past it 414.
	MaxTargetBytes int
	// MaxHeaderBytes limits the header section; default 32 KiB; past it 431.
	MaxHeaderBytes int
	// MaxFields limits the number of header fields; default 100; past it 431.
	MaxFields int
	// MaxBodyBytes limits a request body; default 4 MiB; past it 413 and
	// the connection closes.
	MaxBodyBytes int64
	// Methods is the method registry; nil means an origin server's (the
	// RFC 9110 methods and PATCH, as parser.NewMethods() holds). Unregistered methods are answered 501.
	Methods *parser.Methods

	// ReadHeaderTimeout bounds the time from a request's first byte to the
	// end of its header section, and a new connection's wait for its first
	// byte; default 10 s. A partial request past it gets 408 and the
	// connection closes; a connection that sent nothing is closed.
	ReadHeaderTimeout time.Duration
	// BodyReadTimeout bounds the time from the end of the header section
	// to the end of the body; default 60 s; past it 408 and close.
	BodyReadTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that waits for its next
	// request longer than this; default 120 s.
	IdleTimeout time.Duration
	// WriteTimeout bounds how long output the client does not read may
	// stay buffered; default 30 s; past it the connection closes.
	WriteTimeout time.Duration
	// TimerResolution is how often the engine's timers are checked: every
	// timeout above, and the deadlines of asynchronous replies
	// (Reply.SetDeadline), fires up to this late, never early. Zero means
	// a second, or a quarter of the shortest of the four timeouts above
	// when that is shorter. A handler with shorter deadlines of its own
	// sets it (the gateway's Handler.TimerResolution says what it needs).
	TimerResolution time.Duration

	// MaxConns limits open connections; 0 means unlimited. What happens
	// to a connection past the limit is Overload's choice; either way it
	// never reaches a handler.
	MaxConns int
	// Overload is the policy past MaxConns: Refuse (the default) closes
	// the connection before reading; Respond503 answers 503 with
	// Retry-After, then closes.
	Overload OverloadPolicy

	// Shed turns on adaptive shedding of blocking requests: when their
	// wait for a worker has stayed above ShedTarget for ShedInterval, new
	// ones are answered 503 (Retry-After from the drain rate) whenever
	// the queue's estimated wait exceeds ShedTarget.
	Shed bool
	// ShedTarget is the queue wait adaptive shedding aims to stay under;
	// default 20 ms.
	ShedTarget time.Duration
	// ShedInterval is how long the wait must stay above ShedTarget before
	// shedding starts; default 100 ms.
	ShedInterval time.Duration

	// MaintenanceExempt lists request paths (e.g. "/healthz") still
	// served in maintenance mode.
	MaintenanceExempt []string

	// Workers is the number of goroutines that run Blocking handlers;
	// default 256.
	Workers int
	// QueueLen bounds the blocking requests waiting for a worker; default
	// 1024. A request that finds the queue full gets 503 with Retry-After.
	QueueLen int
	// RetryAfter is the Retry-After, in seconds, of the 503 responses for
	// overload and shutdown; default 1.
	RetryAfter int

	// Server is the Server field's value; default "rawhttpd".
	Server string
	// NoServerHeader leaves the Server field out.
	NoServerHeader bool

	// Logger receives panics and unexpected conditions; nil means
	// slog.Default().
	Logger *slog.Logger
	// AccessLog, when set, receives one line per response (method,
	// target, protocol, status, bytes, duration, Host, user agent,
	// referer, remote address); nil, the default, turns access logging
	// off at the cost of one nil check per request.
	AccessLog *slog.Logger
	// OnAccess, when set, is called once per response with what an access
	// log line holds, from the event loops and the workers at once: it
	// must be safe for concurrent use, must not block, and must not keep
	// the Access's byte slices. A binary formats its own access log or
	// observes a latency histogram with it, without the cost of slog.
	OnAccess func(Access)
}

// Defaults of the Config fields whose zero value means "default".
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultBodyReadTimeout   = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultWriteTimeout      = 30 * time.Second
	DefaultServer            = "rawhttpd"
	DefaultWorkers           = 256
	DefaultQueueLen          = 1024
)

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if c.BodyReadTimeout <= 0 {
		c.BodyReadTimeout = DefaultBodyReadTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.ShedTarget <= 0 {
		c.ShedTarget = 20 * time.Millisecond
	}
	if c.ShedInterval <= 0 {
		c.ShedInterval = 100 * time.Millisecond
	}
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.QueueLen <= 0 {
		c.QueueLen = DefaultQueueLen
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = 1
	}
	if c.Server == "" {
		c.Server = DefaultServer
	}
	if c.NoServerHeader {
		c.Server = ""
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// parserConfig returns the parser's share of c.
func (c Config) parserConfig() parser.Config {
	return parser.Config{
		MaxTargetBytes: c.MaxTargetBytes,
		MaxHeaderBytes: c.MaxHeaderBytes,
		MaxFields:      c.MaxFields,
		MaxBodyBytes:   c.MaxBodyBytes,
		Methods:        c.Methods,
	}
}
