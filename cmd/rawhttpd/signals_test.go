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

func TestBinarySecondSignalDuringDrainExitsAtOnce(t *testing.T) {
	for _, second := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(second.String(), func(t *testing.T) {
			b := startBinary(t, "-delay", "5s", "-shutdown-timeout", "30s")
			conn, err := net.DialTimeout("tcp", b.addr, ioTimeout)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
			_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			require.NoError(t, err)
			require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
			require.Eventually(t, func() bool { return strings.Contains(b.stderr.String(), "draining") }, ioTimeout, 5*time.Millisecond)
			start := time.Now()
			require.NoError(t, b.cmd.Process.Signal(second))
			code := b.wait(t)
			assert.Equal(t, 1, code)
			assert.Less(t, time.Since(start), 4*time.Second, "did not wait for the 5 s request")
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
