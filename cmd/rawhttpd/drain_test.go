package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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

// timeWaitOn reports whether a TCP socket on the local port of addr is in
// TIME_WAIT, from /proc/net/tcp (state 06).
func timeWaitOn(t *testing.T, addr string) bool {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	data, err := os.ReadFile("/proc/net/tcp")
	require.NoError(t, err)
	local := fmt.Sprintf(":%04X ", p)
	for _, line := range strings.Split(string(data), "\n")[1:] {
		fields := strings.Fields(line)
		if len(fields) > 3 && strings.HasSuffix(fields[1]+" ", local) && fields[3] == "06" {
			return true
		}
	}
	return false
}

func TestBinaryRestartsOnTheSamePortAtOnce(t *testing.T) {
	first := startBinary(t)
	for i := 0; i < 5; i++ {
		// Connection: close makes the server close first, so the
		// TIME_WAIT sockets are on its side, on its port. The client
		// reads to the server's EOF before it closes: closing right
		// after the body could, on a loaded machine, beat the server's
		// FIN and put the TIME_WAIT on the client's side.
		conn, err := net.DialTimeout("tcp", first.addr, ioTimeout)
		require.NoError(t, err)
		require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
		_, err = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		require.NoError(t, err)
		all, err := io.ReadAll(conn)
		require.NoError(t, err, "the server closes after its response")
		require.True(t, strings.HasPrefix(string(all), "HTTP/1.1 200 "), "request %d: %q", i, all)
		require.NoError(t, conn.Close())
	}
	require.NoError(t, first.cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, first.wait(t))
	require.True(t, timeWaitOn(t, first.addr), "the drain left TIME_WAIT sockets on the port")

	second := startBinary(t, "-addr", first.addr)
	assert.Equal(t, first.addr, second.addr)
	resp, body := roundTrip(t, second.addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Hello, World!", body)
}

// loadResult is what the clients of a drain under load saw.
type loadResult struct {
	mu       sync.Mutex
	statuses map[int]int
	// lost lists requests fully written that got no response.
	lost []string
	// closing counts 200s that said Connection: close: the clients never
	// ask for it, so each is the drain's notice on an open connection.
	closing int
	// notConnected counts connects that failed: refused by the kernel
	// once the listener closed (or reset while it closed). No request was
	// written on them, so none is lost.
	notConnected int
	answered     atomic.Int64
}

func (r *loadResult) record(resp *http.Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses[resp.StatusCode]++
	if resp.Close && resp.StatusCode == 200 {
		r.closing++
	}
}

func (r *loadResult) lose(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lost = append(r.lost, why)
}

// keepAliveClient sends requests on a keep-alive connection, one at a
// time, opening a new connection when the server closes one, until a
// connect is refused or stop is closed.
func keepAliveClient(addr string, res *loadResult, stop <-chan struct{}, oneShot bool) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, ioTimeout)
		if err != nil {
			res.mu.Lock()
			res.notConnected++
			res.mu.Unlock()
			return
		}
		closed := serveConn(conn, res, stop, oneShot)
		_ = conn.Close()
		if !closed {
			return
		}
	}
}

// serveConn sends requests on conn until the server says
// Connection: close (it returns true) or stop is closed.
func serveConn(conn net.Conn, res *loadResult, stop <-chan struct{}, oneShot bool) bool {
	r := bufio.NewReader(conn)
	for {
		_ = conn.SetDeadline(time.Now().Add(ioTimeout))
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil {
			// Not fully written: the server closed first, which a
			// client sees before sending and retries elsewhere.
			return true
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			res.lose("read: " + err.Error())
			return false
		}
		_, err = io.Copy(io.Discard, resp.Body)
		if err != nil {
			res.lose("body: " + err.Error())
			return false
		}
		res.record(resp)
		res.answered.Add(1)
		if resp.Close || oneShot {
			return true
		}
		select {
		case <-stop:
			return false
		default:
		}
	}
}

func TestBinaryDrainUnderLoadLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("drains the binary under load")
	}
	b := startBinary(t, "-delay", "50ms", "-shutdown-timeout", "10s")
	res := &loadResult{statuses: map[int]int{}}
	stop := make(chan struct{})
	var clients sync.WaitGroup
	const keepAlive, arriving = 30, 6
	for i := 0; i < keepAlive+arriving; i++ {
		clients.Add(1)
		go func() {
			defer clients.Done()
			keepAliveClient(b.addr, res, stop, i >= keepAlive)
		}()
	}
	// Load runs until the server has answered a few rounds.
	require.Eventually(t, func() bool { return res.answered.Load() >= 3*keepAlive }, ioTimeout, time.Millisecond)
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, b.wait(t))
	allDone := make(chan struct{})
	go func() { clients.Wait(); close(allDone) }()
	select {
	case <-allDone:
	case <-time.After(ioTimeout):
		close(stop)
		t.Fatal("clients did not finish")
	}
	res.mu.Lock()
	defer res.mu.Unlock()
	assert.Empty(t, res.lost, "every request written was answered")
	assert.Equal(t, map[int]int{200: res.statuses[200]}, res.statuses, "only 200s: the drain did not run out of time")
	assert.GreaterOrEqual(t, res.closing, keepAlive,
		"each keep-alive connection ends on a 200 with Connection: close, not on EOF")
	assert.Equal(t, keepAlive+arriving, res.notConnected, "every client ends on a connect the kernel refused")
}

// scrapeMetric returns the value of a metric from the binary's /metrics, or -1.
func scrapeMetric(addr, name string) float64 {
	status, body := quietGet(addr, "/metrics")
	if status < 0 {
		return -1
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			if _, err := fmtSscan(v, &f); err == nil {
				return f
			}
		}
	}
	return -1
}

func TestBinaryTimedOutDrainExits1(t *testing.T) {
	b := startBinary(t, "-delay", "5s", "-shutdown-timeout", "200ms", "-metrics", "/metrics", "-retry-after", "7")
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
	require.NoError(t, err, "the request cut off is answered")
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "7", resp.Header.Get("Retry-After"))
	assert.True(t, resp.Close)
	assert.Contains(t, string(body), "shutting down")
	assert.Equal(t, 1, b.wait(t))
	assert.Contains(t, b.stderr.String(), "drain timed out")
	assert.Contains(t, b.stderr.String(), "cut_off=1")
}
