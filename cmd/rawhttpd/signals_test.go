package main

import (
	"bufio"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBinarySecondSignalDuringShutdownExitsAtOnce(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		second syscall.Signal
		phase  string // the log line that says the first signal was taken
	}{
		{"SIGTERM during the drain", []string{"-shutdown-timeout", "30s"}, syscall.SIGTERM, "draining"},
		{"SIGINT during the drain", []string{"-shutdown-timeout", "30s"}, syscall.SIGINT, "draining"},
		{"SIGTERM during the shutdown delay", []string{"-shutdown-delay", "30s"}, syscall.SIGTERM, "not ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := startBinary(t, append([]string{"-delay", "5s"}, tt.args...)...)
			conn, err := net.DialTimeout("tcp", b.addr, ioTimeout)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
			// A slow request is in flight: the drain would wait 5 s for it.
			_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			require.NoError(t, err)
			require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
			require.Eventually(t, func() bool { return strings.Contains(b.stderr.String(), tt.phase) }, ioTimeout, 5*time.Millisecond)
			require.NoError(t, b.cmd.Process.Signal(tt.second))
			// A drain that waited for the request would end in 0.
			assert.Equal(t, 1, b.wait(t))
			assert.Contains(t, b.stderr.String(), "second signal")
		})
	}
}

func TestBinaryReopenSignalsKeepServing(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			b := startBinary(t)
			// A keep-alive connection open across the signal is not
			// disturbed.
			conn, err := net.DialTimeout("tcp", b.addr, ioTimeout)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
			r := bufio.NewReader(conn)
			get := func() int {
				_, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
				require.NoError(t, err)
				return readStatus(t, r)
			}
			require.Equal(t, 200, get())
			require.NoError(t, b.cmd.Process.Signal(sig))
			require.Eventually(t, func() bool { return strings.Contains(b.stderr.String(), "log files reopened") }, ioTimeout, 5*time.Millisecond)
			assert.Equal(t, 200, get())
			assert.Equal(t, 200, statusOf(b.addr))
			assert.NotContains(t, b.stderr.String(), "maintenance")
		})
	}
}

func TestBinaryShutdownDelayTurnsReadinessFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a 3 s shutdown delay")
	}
	b := startBinary(t, "-shutdown-delay", "3s")
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	readyz := func() int {
		resp, _ := roundTrip(t, b.addr, "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n")
		return resp.StatusCode
	}
	require.Eventually(t, func() bool { return readyz() == 503 }, ioTimeout, 5*time.Millisecond)
	resp, body := roundTrip(t, b.addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 200, resp.StatusCode, "everything else is served during the delay")
	assert.Equal(t, "Hello, World!", body)
	assert.False(t, resp.Close, "not yet draining")
	assert.Equal(t, 0, b.wait(t), "then it drains and exits")
	assert.Contains(t, b.stderr.String(), "not ready; draining after the delay")
}
