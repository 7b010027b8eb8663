package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// detached is a rawhttpd whose output goes to a file, as a successor
// started by a hot upgrade inherits it: a pipe would stay open as long as
// the successor runs.
type detached struct {
	cmd    *exec.Cmd
	out    string // the file holding stdout and stderr
	addr   string
	exited chan struct{}
}

// startDetached runs rawhttpd with args, output to a file, and waits for
// its listening line. The process, and any successor named by pidFile,
// is killed when the test ends.
func startDetached(t *testing.T, pidFile string, args ...string) *detached {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(out)
	require.NoError(t, err)
	defer f.Close()
	cmd := exec.Command(buildBinary(t), append([]string{"-pid-file", pidFile}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	d := &detached{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(func() {
		if pid := readPID(pidFile); pid > 0 && pid != cmd.Process.Pid {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		_ = cmd.Process.Kill()
		<-d.exited
	})
	require.Eventually(t, func() bool {
		m := listenLine.FindStringSubmatch(d.output())
		if m != nil {
			d.addr = m[1]
		}
		return m != nil
	}, ioTimeout, 5*time.Millisecond, "rawhttpd did not start")
	return d
}

// output returns what the process and its successors wrote so far.
func (d *detached) output() string {
	b, _ := os.ReadFile(d.out)
	return string(b)
}

// readPID returns the process ID in a PID file, or 0.
func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// alive reports whether the process pid exists.
func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// load sends GET and POST requests from several clients until stop and
// counts those that did not end in a 200: an error (refused, reset) or
// another status.
type load struct {
	ok, failed atomic.Int64
	mu         sync.Mutex
	failures   []string
}

func (l *load) run(addr string, clients int, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: ioTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer client.CloseIdleConnections()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var resp *http.Response
				var err error
				if (c+i)%2 == 0 {
					resp, err = client.Get("http://" + addr + "/")
				} else {
					resp, err = client.Post("http://"+addr+"/", "text/plain", strings.NewReader("payload"))
				}
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					l.failed.Add(1)
					l.mu.Lock()
					l.failures = append(l.failures, err.Error())
					l.mu.Unlock()
					continue
				}
				l.ok.Add(1)
			}
		}()
	}
	return &wg
}

func TestBinaryHotUpgradeUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("upgrades the binary under load")
	}
	dir := t.TempDir()
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "notify"), Net: "unixgram"})
	require.NoError(t, err)
	t.Cleanup(func() { _ = notify.Close() })
	t.Setenv("NOTIFY_SOCKET", notify.LocalAddr().String())
	pidFile := filepath.Join(dir, "rawhttpd.pid")
	old := startDetached(t, pidFile, "-addr", "127.0.0.1:0")
	oldPID := old.cmd.Process.Pid
	require.Equal(t, oldPID, readPID(pidFile))
	require.Equal(t, "READY=1", readNotification(t, notify))

	var l load
	stop := make(chan struct{})
	wg := l.run(old.addr, 8, stop)
	require.Eventually(t, func() bool { return l.ok.Load() >= 500 }, ioTimeout, time.Millisecond)
	require.NoError(t, old.cmd.Process.Signal(syscall.SIGUSR2))

	// The old process exits once the new one serves and its own
	// connections are drained.
	select {
	case <-old.exited:
	case <-time.After(ioTimeout):
		t.Fatal("the old process did not exit")
	}
	newPID := readPID(pidFile)
	require.NotEqual(t, oldPID, newPID, "the new process rewrote the PID file")
	require.True(t, alive(newPID))
	assert.Zero(t, old.cmd.ProcessState.ExitCode())
	assert.Equal(t, fmt.Sprintf("MAINPID=%d\nREADY=1", newPID), readNotification(t, notify), "systemd follows the new process")
	at := l.ok.Load()
	require.Eventually(t, func() bool { return l.ok.Load() >= at+500 }, ioTimeout, time.Millisecond, "the new process serves")
	close(stop)
	wg.Wait()
	assert.Zero(t, l.failed.Load(), "failed requests: %v", l.failures)
	assert.Contains(t, old.output(), "serving on the inherited listener")

	// The new process is an ordinary server: it answers, then drains
	// on SIGTERM.
	assert.Equal(t, 200, statusOf(old.addr))
	require.NoError(t, syscall.Kill(newPID, syscall.SIGTERM))
	assert.Equal(t, "STOPPING=1", readNotification(t, notify), "the old process said nothing of stopping; the new one does")
	require.Eventually(t, func() bool { return !alive(newPID) }, ioTimeout, 10*time.Millisecond)
	assert.NoFileExists(t, pidFile)
}

func TestBinaryFailedUpgradeKeepsServing(t *testing.T) {
	// A successor that cannot start (its -access-log directory is gone)
	// leaves the old process serving.
	dir := t.TempDir()
	logDir := filepath.Join(dir, "logs")
	require.NoError(t, os.Mkdir(logDir, 0o755))
	pidFile := filepath.Join(dir, "rawhttpd.pid")
	old := startDetached(t, pidFile, "-addr", "127.0.0.1:0", "-access-log="+filepath.Join(logDir, "access.log"))
	require.NoError(t, os.RemoveAll(logDir))
	require.NoError(t, old.cmd.Process.Signal(syscall.SIGUSR2))
	require.Eventually(t, func() bool { return strings.Contains(old.output(), "hot upgrade failed") }, ioTimeout, 10*time.Millisecond)
	assert.Equal(t, 200, statusOf(old.addr))
	assert.Equal(t, old.cmd.Process.Pid, readPID(pidFile))
}

func TestBinaryServesOnAUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "rawhttpd.sock")
	d := startDetachedUnix(t, sock)
	client := &http.Client{Timeout: ioTimeout, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var dialer net.Dialer
			return dialer.DialContext(ctx, "unix", sock)
		},
	}}
	resp, err := client.Get("http://unix/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Hello, World!", string(body))
	require.NoError(t, d.cmd.Process.Signal(syscall.SIGTERM))
	<-d.exited
	assert.Zero(t, d.cmd.ProcessState.ExitCode())
	assert.NoFileExists(t, sock, "the socket file goes with the server")
}

func TestBinaryHotUpgradeOnAUnixSocket(t *testing.T) {
	if testing.Short() {
		t.Skip("upgrades a detached binary")
	}
	dir := t.TempDir()
	sock, pidFile := filepath.Join(dir, "rawhttpd.sock"), filepath.Join(dir, "rawhttpd.pid")
	old := startDetachedUnix(t, sock, "-pid-file", pidFile)
	t.Cleanup(func() {
		if pid := readPID(pidFile); pid > 0 && pid != old.cmd.Process.Pid {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	require.NoError(t, old.cmd.Process.Signal(syscall.SIGUSR2))
	<-old.exited
	newPID := readPID(pidFile)
	require.NotEqual(t, old.cmd.Process.Pid, newPID)
	require.FileExists(t, sock, "the old process leaves the socket to its successor")
	conn, err := net.DialTimeout("unix", sock, ioTimeout)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	assert.Equal(t, 200, readStatus(t, bufio.NewReader(conn)))
	require.NoError(t, syscall.Kill(newPID, syscall.SIGTERM))
	require.Eventually(t, func() bool { return !alive(newPID) }, ioTimeout, 10*time.Millisecond)
	assert.NoFileExists(t, sock, "the successor removes it when it stops")
}

// startDetachedUnix runs rawhttpd on the Unix socket at sock and waits
// for its listening line.
func startDetachedUnix(t *testing.T, sock string, args ...string) *detached {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(out)
	require.NoError(t, err)
	defer f.Close()
	cmd := exec.Command(buildBinary(t), append([]string{"-addr", "unix:" + sock}, args...)...)
	cmd.Stdout, cmd.Stderr = f, f
	require.NoError(t, cmd.Start())
	d := &detached{cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-d.exited
	})
	require.Eventually(t, func() bool {
		return strings.Contains(d.output(), "listening on unix:"+sock+" (mode respond)")
	}, ioTimeout, 5*time.Millisecond, "rawhttpd did not start")
	return d
}
