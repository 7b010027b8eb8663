package engine

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"time"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
	"github.com/rawhttpd/rawhttpd/version"
)

// Access is one response as an access log or a metrics hook sees it
// (Config.OnAccess). Its byte slices point into the connection's buffers:
// they are valid only during the call, and hold the request's bytes as
// sent, so a log must escape them before writing them out.
type Access struct {
	// Remote is the client's address.
	Remote net.Addr
	// Method, Target and Version are the request line's; for a request
	// refused before its request line was read whole they are empty and
	// Version is the zero value.
	Method, Target []byte
	Version        version.Version
	// Host, UserAgent and Referer are those fields' values, nil when the
	// request had none or was refused before they were read.
	Host, UserAgent, Referer []byte
	// Status is the status answered.
	Status int
	// Bytes counts the response bytes written, head included.
	Bytes int
	// Start is when the engine began to answer; Duration how long it took
	// until the response was handed to the connection.
	Start    time.Time
	Duration time.Duration
}

// accessLogged reports whether responses are reported to an access log or
// an OnAccess hook; without either the engine reads no clock for them.
func (s *Server) accessLogged() bool {
	return s.cfg.AccessLog != nil || s.cfg.OnAccess != nil
}

// logAccess reports one response to Config.OnAccess and Config.AccessLog:
// method, target, protocol, status, response bytes, duration, Host, user
// agent, referer and remote address. It is called only when accessLogged,
// so a server without either pays a nil check per request and nothing
// else. The hook gets the request's bytes; the slog line gets them cut
// short and as text, which the slog handler quotes or escapes itself.
func (s *Server) logAccess(req *parser.Request, remote net.Addr, status httperrors.Status, bytes int, start time.Time) {
	a := Access{
		Remote:    remote,
		Method:    req.Method,
		Target:    req.Target,
		Version:   req.Version,
		Host:      req.Host,
		UserAgent: req.Header("User-Agent"),
		Referer:   req.Header("Referer"),
		Status:    int(status),
		Bytes:     bytes,
		Start:     start,
		Duration:  time.Since(start),
	}
	s.reportAccess(a)
}

// reportAccess hands a to the hook and the slog access log.
func (s *Server) reportAccess(a Access) {
	if s.cfg.OnAccess != nil {
		s.cfg.OnAccess(a)
	}
	if s.cfg.AccessLog == nil {
		return
	}
	proto := ""
	if a.Version.Major != 0 {
		proto = a.Version.String()
	}
	remote := ""
	if a.Remote != nil {
		remote = a.Remote.String()
	}
	s.cfg.AccessLog.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("method", logPrefix(a.Method)),
		slog.String("target", logPrefix(a.Target)),
		slog.String("proto", proto),
		slog.Int("status", a.Status),
		slog.Int("bytes", a.Bytes),
		slog.Duration("duration", a.Duration),
		slog.String("host", logPrefix(a.Host)),
		slog.String("user_agent", logPrefix(a.UserAgent)),
		slog.String("referer", logPrefix(a.Referer)),
		slog.String("remote", remote),
	)
}

// logRefusal reports a request the parser refused. The parser leaves no
// request line in its Request then, so it is read again from raw, the
// bytes of the refused request: when its line ended within them, the
// method, target and version are logged, otherwise none of them. The
// field lines read before the fault give Host, user agent and referer.
func (s *Server) logRefusal(req *parser.Request, raw []byte, remote net.Addr, status httperrors.Status, bytes int, start time.Time) {
	method, target, v := requestLineOf(raw)
	a := Access{
		Remote:    remote,
		Method:    method,
		Target:    target,
		Version:   v,
		UserAgent: req.Header("User-Agent"),
		Referer:   req.Header("Referer"),
		Host:      req.Header("Host"),
		Status:    int(status),
		Bytes:     bytes,
		Start:     start,
		Duration:  time.Since(start),
	}
	s.reportAccess(a)
}

// requestLineOf returns the method, target and version of the request
// line at the front of raw (after the empty lines a client may send
// first), when the line is complete and has that shape; otherwise nothing.
// The version is kept only when it parses.
func requestLineOf(raw []byte) (method, target []byte, v version.Version) {
	for len(raw) >= 2 && raw[0] == '\r' && raw[1] == '\n' {
		raw = raw[2:]
	}
	end := bytes.IndexByte(raw, '\n')
	if end < 0 {
		return nil, nil, version.Version{}
	}
	line := bytes.TrimSuffix(raw[:end], []byte("\r"))
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 <= 0 || sp2 <= sp1 {
		return nil, nil, version.Version{}
	}
	if pv, err := version.Parse(line[sp2+1:]); err == nil {
		v = pv
	}
	return line[:sp1], line[sp1+1 : sp2], v
}

// logPrefix returns at most 64 bytes of b as a string, for a slog line:
// the handler quotes and escapes it, so it is not quoted here.
func logPrefix(b []byte) string {
	const max = 64
	if len(b) > max {
		b = b[:max]
	}
	return string(b)
}
