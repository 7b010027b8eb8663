package engine

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/panjf2000/gnet/v2/pkg/logging"
	"github.com/stretchr/testify/assert"
)

func TestGnetLogGoesToTheServerLogger(t *testing.T) {
	tests := []struct {
		name  string
		log   func(l logging.Logger)
		level slog.Level // the logger's level
		want  string     // "" when nothing is logged
	}{
		{"error", func(l logging.Logger) { l.Errorf("loop %d exits: %v", 2, "boom") }, slog.LevelInfo,
			`level=ERROR msg="gnet: loop 2 exits: boom"`},
		{"fatal logs as error", func(l logging.Logger) { l.Fatalf("engine %s", "gone") }, slog.LevelInfo,
			`level=ERROR msg="gnet: engine gone"`},
		{"warning", func(l logging.Logger) { l.Warnf("stale event fd=%d", 7) }, slog.LevelInfo,
			`level=WARN msg="gnet: stale event fd=7"`},
		{"info is debug", func(l logging.Logger) { l.Infof("launching %d loops", 2) }, slog.LevelDebug,
			`level=DEBUG msg="gnet: launching 2 loops"`},
		{"info hidden at info level", func(l logging.Logger) { l.Infof("launching %d loops", 2) }, slog.LevelInfo, ""},
		{"debug hidden at info level", func(l logging.Logger) { l.Debugf("exiting") }, slog.LevelInfo, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := slog.NewTextHandler(&buf, &slog.HandlerOptions{
				Level: tt.level,
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				},
			})
			var l logging.Logger = gnetLogger{slog.New(h)}
			tt.log(l)
			if tt.want == "" {
				assert.Empty(t, buf.String())
				return
			}
			assert.Equal(t, tt.want+"\n", buf.String())
		})
	}
}
