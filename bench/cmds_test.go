package bench

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cmdTimeout bounds every step of the tests that run bench/cmd binaries.
const cmdTimeout = 60 * time.Second

// buildCmd builds ./cmd/<name> into the test's temporary directory.
func buildCmd(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("go", "build", "-o", bin, "./cmd/"+name).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// startNetHTTPD runs nethttpd on a free loopback port and returns its
// address, read from its startup line; the process is killed at cleanup.
func startNetHTTPD(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(buildCmd(t, "nethttpd"), "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	lines := make(chan string, 1)
	go func() {
		defer close(done)
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
		_ = cmd.Wait()
	}()
	select {
	case line := <-lines:
		const prefix = "nethttpd: listening on "
		require.True(t, strings.HasPrefix(line, prefix), "startup line %q", line)
		return strings.TrimSpace(strings.TrimPrefix(line, prefix))
	case <-time.After(cmdTimeout):
		t.Fatal("nethttpd did not start")
		return ""
	}
}

// TestNetHTTPDServesPlaintext checks that compare.sh's net/http peer
// answers the plaintext response the rawhttpd binary gives by default.
func TestNetHTTPDServesPlaintext(t *testing.T) {
	addr := startNetHTTPD(t)
	client := &http.Client{Timeout: cmdTimeout}
	resp, err := client.Get("http://" + addr + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	assert.Equal(t, "Hello, World!", string(body))
}

// TestIdleConnsHoldsServedConnections checks that idleconns reports the
// connections held only once each was served, and exits after -hold.
func TestIdleConnsHoldsServedConnections(t *testing.T) {
	addr := startNetHTTPD(t)
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, buildCmd(t, "idleconns"),
		"-addr", addr, "-conns", "20", "-hold", "0s").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "held 20\n", string(out))
}

// TestIdleConnsFailsWithoutAServer checks that a refused connection ends
// idleconns with an error instead of a count.
func TestIdleConnsFailsWithoutAServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	// A port that was free a moment ago and is closed again: refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	out, err := exec.CommandContext(ctx, buildCmd(t, "idleconns"),
		"-addr", addr, "-conns", "1", "-hold", "0s").CombinedOutput()
	require.Error(t, err)
	assert.Contains(t, string(out), "idleconns: connection 1:")
}
