package main

import (
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rssBytes returns the resident set size of process pid, from
// /proc/PID/status.
func rssBytes(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// pipelineWithoutReading writes pipelined GETs to addr and never reads,
// until the server stops taking them (the write blocks past a deadline)
// or closes the connection, or limit bytes are written. It returns the
// connection, still open, for the caller to close.
func pipelineWithoutReading(addr string, limit int) net.Conn {
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		return nil
	}
	chunk := []byte(strings.Repeat("GET / HTTP/1.1\r\nHost: a\r\n\r\n", 4096))
	for sent := 0; sent < limit; sent += len(chunk) {
		_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
		if _, err := conn.Write(chunk); err != nil {
			break
		}
	}
	return conn
}

// TestBinaryMemoryPerNonReadingClient has 50 clients pipeline requests
// without reading a response: each must cost the server at most 2 MiB,
// and the memory must go back to the system within seconds of their
// leaving, not when Go's scavenger gets to it.
func TestBinaryMemoryPerNonReadingClient(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the RSS of 50 clients that pipeline without reading")
	}
	b := startBinary(t)
	pid := b.cmd.Process.Pid
	resp, _ := roundTrip(t, b.addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.Equal(t, 200, resp.StatusCode)
	baseline := rssBytes(t, pid)

	const clients = 50
	conns := make([]net.Conn, clients)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conns[i] = pipelineWithoutReading(b.addr, 64<<20)
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	peak := baseline
	for done := false; !done; {
		select {
		case <-finished:
			done = true
		case <-time.After(10 * time.Millisecond):
		}
		peak = max(peak, rssBytes(t, pid))
	}
	for _, c := range conns {
		if c != nil {
			_ = c.Close()
		}
	}
	t.Logf("RSS baseline %.1f MB, peak %.1f MB with %d clients", float64(baseline)/1e6, float64(peak)/1e6, clients)
	assert.LessOrEqual(t, peak, int64(150<<20), "peak RSS with %d non-reading clients", clients)
	assert.LessOrEqual(t, (peak-baseline)/clients, int64(2<<20), "RSS per non-reading client")

	var back int64
	start := time.Now()
	assert.Eventually(t, func() bool {
		back = rssBytes(t, pid)
		return back <= baseline+16<<20
	}, 10*time.Second, 50*time.Millisecond, "RSS returns near the baseline once the clients left")
	t.Logf("RSS %.1f MB %v after the clients left", float64(back)/1e6, time.Since(start).Round(10*time.Millisecond))
}
