package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBinaryMaintenanceFollowsTheFile(t *testing.T) {
	flag := filepath.Join(t.TempDir(), "maintenance")
	b := startBinary(t, "-maintenance-file", flag, "-retry-after", "1", "-metrics", "/metrics")
	require.Equal(t, 200, statusOf(b.addr))

	require.NoError(t, os.WriteFile(flag, nil, 0o644))
	// choreEvery is 250 ms: the mode follows the file within a second
	// (the wait is bounded more loosely, for a loaded machine).
	require.Eventually(t, func() bool { return statusOf(b.addr) == 503 }, ioTimeout, 10*time.Millisecond)
	resp, body := roundTrip(t, b.addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Contains(t, body, "maintenance")
	assert.Contains(t, body, "after 1 second.")
	probes := []struct {
		path   string
		status int
	}{
		{"/healthz", 200},
		{"/readyz", 503},
		{"/metrics", 200},
	}
	for _, p := range probes {
		resp, _ = roundTrip(t, b.addr, "GET "+p.path+" HTTP/1.1\r\nHost: a\r\n\r\n")
		assert.Equal(t, p.status, resp.StatusCode, p.path)
	}
	assert.Contains(t, b.stderr.String(), "maintenance mode on")

	require.NoError(t, os.Remove(flag))
	require.Eventually(t, func() bool { return statusOf(b.addr) == 200 }, ioTimeout, 10*time.Millisecond)
	resp, _ = roundTrip(t, b.addr, "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 200, resp.StatusCode)
}
