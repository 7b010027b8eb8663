package main

import (
	"encoding/json"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/version"
)

// sampleAccess is a response with a hostile user agent: a quote, a
// backslash, a control byte and a byte that is not UTF-8.
func sampleAccess() engine.Access {
	return engine.Access{
		Remote:    &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 53211},
		Method:    []byte("GET"),
		Target:    []byte("/a?b=c d"),
		Version:   version.HTTP11,
		Host:      []byte("example.com"),
		UserAgent: []byte("ua \"q\" \\ \x01 \xff"),
		Status:    200,
		Bytes:     151,
		Start:     time.Date(2026, 1, 2, 15, 4, 5, 123e6, time.UTC),
		Duration:  1500 * time.Microsecond,
	}
}

// combinedLine is the combined log format, as log analysers read it,
// with nginx's $request_time after it.
var combinedLine = regexp.MustCompile(`^(\S+) (\S+) (\S+) \[(\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)" (\d+\.\d{3})\n$`)

func TestAccessLineFormats(t *testing.T) {
	a := sampleAccess()
	t.Run("combined", func(t *testing.T) {
		line := string(appendCombined(nil, &a))
		m := combinedLine.FindStringSubmatch(line)
		require.NotNil(t, m, line)
		assert.Equal(t, "192.0.2.1", m[1])
		assert.Equal(t, "02/Jan/2026:15:04:05 +0000", m[4])
		assert.Equal(t, "GET /a?b=c d HTTP/1.1", m[5])
		assert.Equal(t, "200", m[6])
		assert.Equal(t, "151", m[7])
		assert.Equal(t, "-", m[8], "no referer")
		assert.Equal(t, `ua \x22q\x22 \x5c \x01 \xff`, m[9])
		assert.Equal(t, "0.002", m[10])
	})
	t.Run("json", func(t *testing.T) {
		line := appendJSONLine(nil, &a)
		var got map[string]any
		require.NoError(t, json.Unmarshal(line, &got), string(line))
		assert.Equal(t, map[string]any{
			"time": "2026-01-02T15:04:05.123Z", "level": "INFO", "msg": "request",
			"method": "GET", "target": "/a?b=c d", "proto": "HTTP/1.1", "status": 200.0, "bytes": 151.0,
			"duration": 0.0015, "host": "example.com", "user_agent": "ua \"q\" \\ \x01 \uFFFD", "referer": "",
			"remote": "192.0.2.1:53211",
		}, got)
	})
	t.Run("text", func(t *testing.T) {
		line := string(appendTextLine(nil, &a))
		assert.Equal(t, `time=2026-01-02T15:04:05.123Z level=INFO msg=request method=GET target="/a?b=c d" proto=HTTP/1.1 status=200 bytes=151 duration=0.001500 host=example.com user_agent="ua \"q\" \\ \x01 \xff" referer="" remote=192.0.2.1:53211`+"\n", line)
	})
}

func TestAccessLineOfRefusedRequest(t *testing.T) {
	a := engine.Access{Remote: &net.TCPAddr{IP: net.IPv6loopback, Port: 1}, Status: 400, Bytes: 90, Start: time.Unix(0, 0)}
	tests := []struct {
		name   string
		format func([]byte, *engine.Access) []byte
		want   string
	}{
		{"combined", appendCombined, `"-" 400 90 "-" "-"`},
		{"text", appendTextLine, `method="" target="" proto="" status=400`},
		{"json", appendJSONLine, `"method":"","target":"","proto":"","status":400`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, string(tt.format(nil, &a)), tt.want)
		})
	}
}

func TestAccessLineAllocatesNothing(t *testing.T) {
	a := sampleAccess()
	buf := make([]byte, 0, 512)
	for _, format := range []func([]byte, *engine.Access) []byte{appendCombined, appendTextLine, appendJSONLine} {
		assert.Zero(t, testing.AllocsPerRun(100, func() { buf = format(buf[:0], &a) }))
	}
}

func BenchmarkAccessLine(b *testing.B) {
	m := newMetrics(func() *engine.Server { return nil })
	for _, format := range []string{formatText, formatJSON, formatCombined} {
		b.Run("format="+format, func(b *testing.B) {
			f, err := openLogFile(b.TempDir()+"/access.log", nil, true)
			require.NoError(b, err)
			defer f.Close()
			log := &accessLog{out: f, format: format}
			hook := onAccess(log, m)
			a := sampleAccess()
			b.ReportAllocs()
			for b.Loop() {
				hook(a)
			}
		})
	}
	b.Run("format=none/histogram", func(b *testing.B) {
		hook := onAccess(nil, m)
		a := sampleAccess()
		b.ReportAllocs()
		for b.Loop() {
			hook(a)
		}
	})
}

func TestAccessLogFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want accessLogFlag
	}{
		{"absent", nil, accessLogFlag{}},
		{"alone: stderr", []string{"-access-log"}, accessLogFlag{on: true}},
		{"a file", []string{"-access-log=/var/log/a.log"}, accessLogFlag{on: true, path: "/var/log/a.log"}},
		{"off", []string{"-access-log=false"}, accessLogFlag{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseFlags(tt.args, &strings.Builder{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.accessLog)
		})
	}
}
