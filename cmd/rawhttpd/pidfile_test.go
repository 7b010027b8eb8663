package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPIDFileIsRemovedOnlyByItsProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rawhttpd.pid")
	require.NoError(t, writePIDFile(path, 41))
	require.NoError(t, writePIDFile(path, 42), "rewritten by a successor")
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "42\n", string(got))
	removePIDFile(path, 41)
	assert.FileExists(t, path, "the predecessor leaves its successor's file")
	removePIDFile(path, 42)
	assert.NoFileExists(t, path)
}

func TestBinaryPIDFileAndSystemdNotifications(t *testing.T) {
	dir := t.TempDir()
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "notify"), Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = notify.Close() })
	t.Setenv("NOTIFY_SOCKET", notify.LocalAddr().String())
	pidFile := filepath.Join(dir, "rawhttpd.pid")

	b := startBinary(t, "-pid-file", pidFile)
	got, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(b.cmd.Process.Pid)+"\n", string(got))
	assert.Equal(t, "READY=1", readNotification(t, notify))

	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, "STOPPING=1", readNotification(t, notify))
	require.Equal(t, 0, b.wait(t))
	assert.NoFileExists(t, pidFile)
}

// readNotification reads one sd_notify datagram.
func readNotification(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(ioTimeout)))
	buf := make([]byte, 512)
	n, err := c.Read(buf)
	require.NoError(t, err)
	return strings.TrimSpace(string(buf[:n]))
}
