package engine

import (
	"time"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/render"
)

// errMaintenance answers every request while in maintenance mode.
var errMaintenance = httperrors.New(httperrors.StatusServiceUnavailable,
	"the server is down for maintenance")

// maintenanceMode is the 503 answered while in maintenance, pre-rendered.
type maintenanceMode struct {
	err    *httperrors.Error
	canned *render.Canned
}

// SetMaintenance puts the server in maintenance mode: every request,
// except those for Config.MaintenanceExempt paths, is answered 503 with
// Retry-After and an entity saying the condition is temporary.
func (s *Server) SetMaintenance(retryAfter time.Duration) {
	secs := max(int((retryAfter+time.Second-1)/time.Second), 1)
	e := errMaintenance.WithRetryAfter(secs)
	s.maintenance.Store(&maintenanceMode{err: e, canned: render.NewCanned(s.cfg.Server, e)})
}

// ClearMaintenance ends maintenance mode.
func (s *Server) ClearMaintenance() { s.maintenance.Store(nil) }

// InMaintenance reports whether maintenance mode is on.
func (s *Server) InMaintenance() bool { return s.maintenance.Load() != nil }

// exempt reports whether path is served in maintenance mode.
func (s *Server) exempt(path []byte) bool {
	for _, p := range s.cfg.MaintenanceExempt {
		if string(path) == p {
			return true
		}
	}
	return false
}
