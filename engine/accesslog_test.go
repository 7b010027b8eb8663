package engine

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer safe for the loop and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func TestAccessLogOneLinePerResponse(t *testing.T) {
	var buf lockedBuffer
	s := startServer(t, routes(0), Config{AccessLog: slog.New(slog.NewJSONHandler(&buf, nil))})
	c := dialRaw(t, s)
	c.send("GET /inline/1?q=2 HTTP/1.1\r\nHost: a\r\n\r\nGET /block/2 HTTP/1.1\r\nHost: a\r\n\r\n")
	_, inlineBody := c.read("GET")
	_, blockBody := c.read("GET")
	bad := dialRaw(t, s)
	bad.send("BREW / HTTP/1.1\r\n\r\n")
	_, _ = bad.read("GET")

	require.Eventually(t, func() bool { return len(buf.lines()) == 3 }, ioTimeout, 5)
	lines := buf.lines()
	byTarget := map[string]map[string]any{}
	for _, l := range lines {
		byTarget[l["target"].(string)] = l
		assert.Equal(t, "request", l["msg"])
		assert.Contains(t, l["remote"], "127.0.0.1:")
		assert.Contains(t, l, "duration")
	}
	inline := byTarget[`"/inline/1?q=2"`]
	require.NotNil(t, inline)
	assert.Equal(t, `"GET"`, inline["method"])
	assert.Equal(t, float64(200), inline["status"])
	assert.Greater(t, inline["bytes"].(float64), float64(len(inlineBody)))
	block := byTarget[`"/block/2"`]
	require.NotNil(t, block)
	assert.Equal(t, float64(200), block["status"])
	assert.Greater(t, block["bytes"].(float64), float64(len(blockBody)))
	rejected := byTarget[`""`]
	require.NotNil(t, rejected)
	assert.Equal(t, float64(501), rejected["status"])
}
