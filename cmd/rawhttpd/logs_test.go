package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// targetOf finds the target in an access line of the text format.
var targetOf = regexp.MustCompile(`target=(\S+)`)

func TestBinaryLogRotationLosesAndRepeatsNothing(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			access, errors := filepath.Join(dir, "access.log"), filepath.Join(dir, "error.log")
			b := startBinary(t, "-access-log="+access, "-error-log", errors)

			// Four clients send numbered requests while the log is moved
			// and the signal sent, as logrotate does.
			var sent atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for c := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					sendNumbered(t, b.addr, c, stop, &sent)
				}()
			}
			require.Eventually(t, func() bool { return sent.Load() >= 200 }, ioTimeout, time.Millisecond)
			require.NoError(t, os.Rename(access, access+".1"))
			require.NoError(t, os.Rename(errors, errors+".1"))
			require.NoError(t, b.cmd.Process.Signal(sig))
			require.Eventually(t, func() bool {
				got, _ := os.ReadFile(errors)
				return strings.Contains(string(got), "log files reopened")
			}, ioTimeout, 5*time.Millisecond, "the error log is reopened too")
			at := sent.Load()
			require.Eventually(t, func() bool { return sent.Load() >= at+200 }, ioTimeout, time.Millisecond)
			close(stop)
			wg.Wait()
			require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
			require.Equal(t, 0, b.wait(t))

			seen := map[string]int{}
			newLines := 0
			for _, f := range []string{access + ".1", access} {
				body, err := os.ReadFile(f)
				require.NoError(t, err)
				for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
					m := targetOf.FindStringSubmatch(line)
					require.NotNil(t, m, "access line %q", line)
					seen[m[1]]++
					if f == access {
						newLines++
					}
				}
			}
			assert.Len(t, seen, int(sent.Load()), "one line per request answered")
			for target, n := range seen {
				require.Equal(t, 1, n, "%s logged once", target)
			}
			assert.Positive(t, newLines, "lines after the signal go to the new file")
			old, err := os.ReadFile(errors + ".1")
			require.NoError(t, err)
			assert.NotContains(t, string(old), "log files reopened")
		})
	}
}

// sendNumbered sends GET /c<client>/<n> on one keep-alive connection
// until stop, counting the responses read.
func sendNumbered(t *testing.T, addr string, client int, stop <-chan struct{}, sent *atomic.Int64) {
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	if !assert.NoError(t, err) {
		return
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		_ = conn.SetDeadline(time.Now().Add(ioTimeout))
		if _, err := fmt.Fprintf(conn, "GET /c%d/%d HTTP/1.1\r\nHost: a\r\n\r\n", client, n); !assert.NoError(t, err) {
			return
		}
		resp, err := readResponse(r)
		if !assert.NoError(t, err) || !assert.Equal(t, 200, resp) {
			return
		}
		sent.Add(1)
	}
}

// readResponse reads one response from r, body included, and returns
// its status; it does not fail the test, for use off the test goroutine.
func readResponse(r *bufio.Reader) (int, error) {
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

func TestBinaryCombinedAccessLine(t *testing.T) {
	b := startBinary(t, "-access-log", "-log-format", "combined")
	resp, _ := roundTrip(t, b.addr, "GET /logged?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: probe/1.0\r\nReferer: http://from.example/\r\n\r\n")
	require.Equal(t, 200, resp.StatusCode)
	resp, _ = roundTrip(t, b.addr, "POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n")
	require.Equal(t, 413, resp.StatusCode)
	var lines []string
	require.Eventually(t, func() bool {
		lines = nil
		for _, l := range strings.SplitAfter(b.stderr.String(), "\n") {
			if combinedLine.MatchString(l) {
				lines = append(lines, l)
			}
		}
		return len(lines) == 2
	}, ioTimeout, 10*time.Millisecond)
	m := combinedLine.FindStringSubmatch(lines[0])
	assert.Equal(t, "127.0.0.1", m[1])
	assert.Equal(t, "GET /logged?x=1 HTTP/1.1", m[5])
	assert.Equal(t, "200", m[6])
	assert.Equal(t, "http://from.example/", m[8])
	assert.Equal(t, "probe/1.0", m[9])
	m = combinedLine.FindStringSubmatch(lines[1])
	assert.Equal(t, "POST /big HTTP/1.1", m[5], "a refused request logs its request line")
	assert.Equal(t, "413", m[6])
}

func TestBinaryJSONAccessLineIsNotQuotedTwice(t *testing.T) {
	b := startBinary(t, "-access-log", "-log-format", "json")
	resp, _ := roundTrip(t, b.addr, "GET /logged?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
	require.Equal(t, 200, resp.StatusCode)
	line := regexp.MustCompile(`\{[^\n]*"msg":"request"[^\n]*\}`)
	require.Eventually(t, func() bool { return line.MatchString(b.stderr.String()) }, ioTimeout, 10*time.Millisecond)
	got := line.FindString(b.stderr.String())
	for _, want := range []string{`"method":"GET"`, `"target":"/logged?x=1"`, `"proto":"HTTP/1.1"`, `"host":"a"`,
		`"status":200`, `"bytes":`, `"duration":`, `"remote":"127.0.0.1:`} {
		assert.Contains(t, got, want)
	}
}
