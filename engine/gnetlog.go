package engine

import (
	"context"
	"fmt"
	"log/slog"
)

// gnetLogger hands gnet's own log lines to Config.Logger, so that what
// goes wrong inside gnet (an event loop that exits with an error, a
// failed shutdown) reaches the server's log. gnet's info and debug lines
// narrate its loops starting and stopping, on the internal socket the
// engine gives it, which say nothing about the server's own listener:
// they go out at debug level.
type gnetLogger struct{ l *slog.Logger }

// Debugf logs gnet's debug line at debug level.
func (g gnetLogger) Debugf(format string, args ...any) { g.log(slog.LevelDebug, format, args) }

// Infof logs gnet's info line at debug level.
func (g gnetLogger) Infof(format string, args ...any) { g.log(slog.LevelDebug, format, args) }

// Warnf logs gnet's warning at warn level.
func (g gnetLogger) Warnf(format string, args ...any) { g.log(slog.LevelWarn, format, args) }

// Errorf logs gnet's error at error level.
func (g gnetLogger) Errorf(format string, args ...any) { g.log(slog.LevelError, format, args) }

// Fatalf logs gnet's fatal condition at error level and leaves the
// process alone: gnet ends its engine itself, which Start or the server's
// end reports, and ending the process is the caller's choice.
func (g gnetLogger) Fatalf(format string, args ...any) { g.log(slog.LevelError, format, args) }

// log formats the line only when the logger takes its level.
func (g gnetLogger) log(level slog.Level, format string, args []any) {
	ctx := context.Background()
	if !g.l.Enabled(ctx, level) {
		return
	}
	g.l.Log(ctx, level, "gnet: "+fmt.Sprintf(format, args...))
}
