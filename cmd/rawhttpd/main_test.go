package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ioTimeout bounds every wait of these tests.
const ioTimeout = 10 * time.Second

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// buildBinary builds rawhttpd once for the package's tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rawhttpd-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "rawhttpd")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// newCommand returns a command running the built binary with args.
func newCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	return exec.Command(buildBinary(t), args...)
}

// fmtSscan parses one value, as fmt.Sscan does.
var fmtSscan = func(s string, v *float64) (int, error) { return fmt.Sscan(s, v) }

// binary is a running rawhttpd.
type binary struct {
	cmd    *exec.Cmd
	addr   string
	stderr *syncBuffer
	done   chan error
}

// syncBuffer collects a process's output safely.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenLine = regexp.MustCompile(`listening on http://(\S+) \(mode (\w+)\)`)

// startBinary runs rawhttpd with args on a free 127.0.0.1 port and waits
// for its listening line; the process is killed when the test ends.
func startBinary(t *testing.T, args ...string) *binary {
	t.Helper()
	cmd := exec.Command(buildBinary(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	b := &binary{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = b.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-b.done
	})
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
		b.done <- cmd.Wait()
	}()
	select {
	case line := <-lines:
		m := listenLine.FindStringSubmatch(line)
		require.NotNil(t, m, "startup line %q; stderr %s", line, b.stderr.String())
		b.addr = m[1]
	case <-time.After(ioTimeout):
		t.Fatal("rawhttpd did not start")
	}
	return b
}

// wait waits for the process to exit and returns its exit code.
func (b *binary) wait(t *testing.T) int {
	t.Helper()
	select {
	case err := <-b.done:
		b.done <- err // for Cleanup
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(ioTimeout):
		t.Fatal("rawhttpd did not exit")
		return -1
	}
}

// roundTrip sends raw bytes on a new connection and reads one response.
func roundTrip(t *testing.T, addr, raw string) (*http.Response, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err = io.WriteString(conn, raw)
	require.NoError(t, err)
	method := strings.SplitN(raw, " ", 2)[0]
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// statusOf returns the status of a GET / on a new connection, or -1; it
// never fails the test, so it may run inside require.Eventually.
func statusOf(addr string) int {
	status, _ := quietGet(addr, "/")
	return status
}

// quietGet sends GET path on a new connection and returns the status and
// body, or -1 when any step fails; it never fails the test.
func quietGet(addr, path string) (int, []byte) {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return -1, nil
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
		return -1, nil
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return -1, nil
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return -1, nil
	}
	return resp.StatusCode, body
}

func TestBinaryDefaultMode(t *testing.T) {
	b := startBinary(t)
	resp, body := roundTrip(t, b.addr, "GET /anything HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Hello, World!", body)
	assert.Equal(t, "rawhttpd", resp.Header.Get("Server"))
	assert.NotEmpty(t, resp.Header.Get("Date"))
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "13", resp.Header.Get("Content-Length"))

	resp, body = roundTrip(t, b.addr, "BREW / HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 501, resp.StatusCode)
	assert.Contains(t, body, "permanent")
	resp, body = roundTrip(t, b.addr, "GET / HTTP/2.0\r\n\r\n")
	assert.Equal(t, 505, resp.StatusCode)
	assert.Contains(t, body, "HTTP/1.1")
}

func TestBinaryRespondAndStatusFlags(t *testing.T) {
	b := startBinary(t, "-respond", "custom", "-status", "202")
	resp, body := roundTrip(t, b.addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 202, resp.StatusCode)
	assert.Equal(t, "custom", body)
}

func TestBinaryDrainsOnSIGTERM(t *testing.T) {
	// The delay only has to outlast the scrapes that find the request
	// in progress.
	b := startBinary(t, "-delay", "2s", "-shutdown-timeout", "5s", "-metrics", "/metrics")
	conn, err := net.DialTimeout("tcp", b.addr, ioTimeout)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	// The scrape is blocking work too: the request is in the handler
	// when the scrape sees two.
	require.Eventually(t, func() bool { return scrapeMetric(b.addr, "rawhttpd_blocking_in_flight") == 2 },
		ioTimeout, 5*time.Millisecond)
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 200, resp.StatusCode, "the in-flight request completes")
	assert.Equal(t, "Hello, World!", string(body))
	assert.True(t, resp.Close)
	assert.Equal(t, 0, b.wait(t))
}

func TestBinaryOverload503(t *testing.T) {
	b := startBinary(t, "-max-conns", "1", "-overload", "503", "-retry-after", "3")
	hold, err := net.DialTimeout("tcp", b.addr, ioTimeout)
	require.NoError(t, err)
	defer hold.Close()
	// The held connection counts once the server has accepted it.
	require.Eventually(t, func() bool { return statusOf(b.addr) == 503 }, ioTimeout, time.Millisecond)
	resp, body := roundTrip(t, b.addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "3", resp.Header.Get("Retry-After"))
	assert.Contains(t, body, "temporary")
}

func TestBinaryBadFlagExits2(t *testing.T) {
	for _, args := range [][]string{{"-no-such-flag"}, {"-status", "abc"}, {"-overload", "maybe"}, {"-loops", "-1"}} {
		cmd := exec.Command(buildBinary(t), args...)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "%v", args)
		assert.Equal(t, 2, exit.ExitCode(), "%v: %s", args, out)
	}
}

func TestBinaryBusyPortExits1(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	cmd := exec.Command(buildBinary(t), "-addr", ln.Addr().String())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "address already in use")
}

func TestHelpListsEveryFlag(t *testing.T) {
	out, err := exec.Command(buildBinary(t), "-h").CombinedOutput()
	require.NoError(t, err)
	for _, name := range []string{"addr", "respond", "status", "loops", "reuseport", "max-target-bytes",
		"max-header-bytes", "max-fields", "max-body-bytes", "read-header-timeout", "idle-timeout",
		"max-conns", "overload", "retry-after", "workers", "queue", "shed", "delay", "shutdown-timeout",
		"access-log", "error-log", "log-format", "maintenance-file", "trusted-proxies", "metrics", "version",
		"pid-file", "shutdown-delay", "browse", "methods"} {
		assert.Regexp(t, `(?m)^  -`+name+`( |$)`, string(out))
	}
}

func TestHelpOpensWithTheModesAndGroupsFlagsByMode(t *testing.T) {
	out, err := exec.Command(buildBinary(t), "-h").CombinedOutput()
	require.NoError(t, err)
	help := string(out)
	assert.Regexp(t, `^rawhttpd is .*\n  respond .*\n  files +-root .*\n  gateway +-upstream `, help)
	tests := []struct{ group, flag string }{
		{"Respond mode", "respond"},
		{"Files mode", "root"},
		{"Gateway mode", "upstream"},
		{"Gateway mode", "trusted-proxies"},
		{"Logging", "access-log"},
	}
	for _, tt := range tests {
		assert.Regexp(t, `(?s)\n`+tt.group+`:\n(  -[^\n]*\n    \t[^\n]*\n)*  -`+tt.flag+` `, help, tt.flag)
	}
}

// readStatus reads one response from r, body included, and returns its
// status.
func readStatus(t *testing.T, r *bufio.Reader) int {
	t.Helper()
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	return resp.StatusCode
}
