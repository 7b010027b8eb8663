package engine

import (
	"context"
	"log/slog"
	"time"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
)

// logAccess writes one access-log line for a response: method, target,
// status, response bytes, duration and remote address. It is called only
// when Config.AccessLog is set, so a server without an access log pays a
// nil check per request and nothing else. Request bytes are logged
// quoted and cut short, never raw.
func (s *Server) logAccess(req *parser.Request, remote string, status httperrors.Status, bytes int, start time.Time) {
	s.cfg.AccessLog.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("method", quotePrefix(req.Method)),
		slog.String("target", quotePrefix(req.Target)),
		slog.Int("status", int(status)),
		slog.Int("bytes", bytes),
		slog.Duration("duration", time.Since(start)),
		slog.String("remote", remote),
	)
}
