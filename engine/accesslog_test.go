package engine

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

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
	c.send("GET /inline/1?q=2 HTTP/1.1\r\nHost: a\r\nUser-Agent: ua \"x\"\r\nReferer: http://r/\r\n\r\n" +
		"GET /block/2 HTTP/1.1\r\nHost: a\r\n\r\n")
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
		assert.Equal(t, "HTTP/1.1", l["proto"])
	}
	inline := byTarget["/inline/1?q=2"]
	require.NotNil(t, inline, "values are not quoted twice")
	assert.Equal(t, "GET", inline["method"])
	assert.Equal(t, float64(200), inline["status"])
	assert.Equal(t, "a", inline["host"])
	assert.Equal(t, `ua "x"`, inline["user_agent"])
	assert.Equal(t, "http://r/", inline["referer"])
	assert.Greater(t, inline["bytes"].(float64), float64(len(inlineBody)))
	block := byTarget["/block/2"]
	require.NotNil(t, block)
	assert.Equal(t, float64(200), block["status"])
	assert.Greater(t, block["bytes"].(float64), float64(len(blockBody)))
	rejected := byTarget["/"]
	require.NotNil(t, rejected, "a refused request line is logged")
	assert.Equal(t, "BREW", rejected["method"])
	assert.Equal(t, float64(501), rejected["status"])
}

// accessRecorder keeps the Access values an OnAccess hook received, with
// their bytes copied.
type accessRecorder struct {
	mu   sync.Mutex
	seen []Access
}

func (r *accessRecorder) record(a Access) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range []*[]byte{&a.Method, &a.Target, &a.Host, &a.UserAgent, &a.Referer} {
		*b = bytes.Clone(*b)
	}
	r.seen = append(r.seen, a)
}

func (r *accessRecorder) all() []Access {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Access(nil), r.seen...)
}

func TestOnAccessSeesRefusalsAndPanics(t *testing.T) {
	tests := []struct {
		name                 string
		raw                  string
		status               int
		method, target, host string
	}{
		{"served", "GET /ok HTTP/1.1\r\nHost: h\r\n\r\n", 200, "GET", "/ok", "h"},
		{"body too large after the request line", "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 99999\r\n\r\n", 413, "POST", "/up", "h"},
		{"header section too large", "GET /big HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("a", 2048) + "\r\n\r\n", 431, "GET", "/big", "h"},
		{"inline handler panics", "GET /panic HTTP/1.1\r\nHost: h\r\n\r\n", 500, "GET", "/panic", "h"},
		{"no request line", "\x01\x02\r\n\r\n", 400, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec accessRecorder
			h := HandlerFunc(func(c *Context) error {
				if string(c.Path()) == "/panic" {
					panic("boom")
				}
				return nil
			})
			s := startServer(t, h, Config{OnAccess: rec.record, MaxBodyBytes: 1024, MaxHeaderBytes: 1024, Logger: discardSlog()})
			c := dialRaw(t, s)
			c.send(tt.raw)
			resp, _ := c.read("GET")
			require.Equal(t, tt.status, resp.StatusCode)
			require.Eventually(t, func() bool { return len(rec.all()) == 1 }, ioTimeout, 5)
			a := rec.all()[0]
			assert.Equal(t, tt.status, a.Status)
			assert.Equal(t, tt.method, string(a.Method))
			assert.Equal(t, tt.target, string(a.Target))
			assert.Equal(t, tt.host, string(a.Host))
			assert.Positive(t, a.Bytes)
			assert.Contains(t, a.Remote.String(), "127.0.0.1:")
			assert.False(t, a.Start.IsZero())
		})
	}
}

func TestRequestLineOf(t *testing.T) {
	tests := []struct {
		name, raw, method, target, proto string
	}{
		{"whole line", "GET /a HTTP/1.1\r\nHost", "GET", "/a", "HTTP/1.1"},
		{"after empty lines", "\r\n\r\nPUT /b HTTP/1.0\r\n", "PUT", "/b", "HTTP/1.0"},
		{"bad version keeps method and target", "GET /c HTTP/x\r\n", "GET", "/c", ""},
		{"line not ended", "GET /d HTTP/1.1", "", "", ""},
		{"one word", "GARBAGE\r\n", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, target, v := requestLineOf([]byte(tt.raw))
			assert.Equal(t, tt.method, string(m))
			assert.Equal(t, tt.target, string(target))
			if tt.proto == "" {
				assert.Zero(t, v.Major)
			} else {
				assert.Equal(t, tt.proto, v.String())
			}
		})
	}
}

func TestOnAccessDurationCountsTheQueueWait(t *testing.T) {
	var rec accessRecorder
	release := make(chan struct{})
	slow := Blocking(HandlerFunc(func(c *Context) error {
		<-release
		return nil
	}))
	s := startServer(t, slow, Config{OnAccess: rec.record, Workers: 1})
	first, second := dialRaw(t, s), dialRaw(t, s)
	first.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n")
	second.send("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n")
	require.Eventually(t, func() bool { return s.Stats().InFlight == 2 }, ioTimeout, time.Millisecond)
	dispatched := time.Now()
	close(release) // the second waited in the queue behind the first
	first.read("GET")
	second.read("GET")
	require.Eventually(t, func() bool { return len(rec.all()) == 2 }, ioTimeout, time.Millisecond)
	for _, a := range rec.all() {
		assert.True(t, a.Start.Before(dispatched), "%s: the clock starts at dispatch, not when a worker takes it", a.Target)
		assert.GreaterOrEqual(t, a.Start.Add(a.Duration), dispatched)
	}
}
