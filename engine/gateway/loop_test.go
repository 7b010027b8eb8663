package gateway

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// countingUpstream runs serve for every connection, as testupstream.Serve does, and
// counts the connections accepted.
func countingUpstream(t *testing.T, serve func(net.Conn)) (addr string, accepted *atomic.Int32) {
	t.Helper()
	accepted = &atomic.Int32{}
	addr = testupstream.Serve(t, func(conn net.Conn) {
		accepted.Add(1)
		serve(conn)
	})
	return addr, accepted
}

// pathEcho answers each request on conn with its request target as the
// body, one request at a time, until conn closes.
func pathEcho(conn net.Conn) {
	r := bufio.NewReader(conn)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
		req, err := http.ReadRequest(r)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		if _, err := fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(req.RequestURI), req.RequestURI); err != nil {
			return
		}
	}
}

func TestPipelinedRequestsAnsweredInOrder(t *testing.T) {
	t.Parallel()
	upstream, accepted := countingUpstream(t, pathEcho)
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(ioTimeout)))
	var pipeline strings.Builder
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&pipeline, "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i)
	}
	_, err := io.WriteString(c.conn, pipeline.String())
	require.NoError(t, err)
	for i := 1; i <= 5; i++ {
		resp, err := http.ReadResponse(c.r, nil)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, "/"+strconv.Itoa(i), string(body), "response %d", i)
	}
	assert.Equal(t, int32(1), accepted.Load(), "one upstream connection carried the pipeline, request after request")
}

func TestUpstreamAnswersBeforeReadingTheBody(t *testing.T) {
	t.Parallel()
	upstream, accepted := countingUpstream(t, func(conn net.Conn) {
		if readHead(conn) {
			_, _ = io.WriteString(conn, "HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\nConnection: close\r\n\r\nearly")
		}
		// Only then does it read (and drop) the body, until the gateway
		// closes the connection, so that its close sends no reset.
		_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
		_, _ = io.Copy(io.Discard, conn)
		_ = conn.Close()
	})
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	body := strings.Repeat("x", 1<<20)
	for i := 0; i < 2; i++ {
		c := dialRaw(t, s)
		resp, got := c.do("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, "request %d", i)
		assert.Equal(t, "early", got)
	}
	assert.Equal(t, int32(2), accepted.Load(), "a connection whose response came early is not reused")
}

func TestUpstreamConnectionReusedOnlyAfterACompleteResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		response string
		close    bool // the upstream closes after answering
		conns    int32
	}{
		{"length-framed, kept alive", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 1},
		{"chunked, kept alive", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, 1},
		{"Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", false, 2},
		{"HTTP/1.0 without keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 2},
		{"delimited by the close", "HTTP/1.1 200 OK\r\n\r\nok", true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			serve := answer(tt.response)
			if tt.close {
				serve = answerThenClose(tt.response)
			}
			upstream, accepted := countingUpstream(t, serve)
			s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
			c := dialRaw(t, s)
			for i := 0; i < 2; i++ {
				resp, body := c.get("/")
				require.Equal(t, http.StatusOK, resp.StatusCode, "request %d", i)
				assert.Equal(t, "ok", body)
			}
			assert.Equal(t, tt.conns, accepted.Load())
		})
	}
}

// writeSplit writes raw to conn one byte at a time.
func writeSplit(conn net.Conn, raw string) error {
	for i := 0; i < len(raw); i++ {
		if _, err := conn.Write([]byte{raw[i]}); err != nil {
			return err
		}
	}
	return nil
}

func TestMalformedUpstreamResponsesAre502AndNotReused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		response string
	}{
		{"Content-Length with Transfer-Encoding", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"},
		{"obs-fold", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok"},
		{"bare CR in a field", "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok"},
		{"two Content-Lengths that differ", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"},
	}
	for _, tt := range tests {
		for _, split := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/split=%v", tt.name, split), func(t *testing.T) {
				t.Parallel()
				upstream, accepted := countingUpstream(t, func(conn net.Conn) {
					for readHead(conn) {
						write := func() error { _, err := io.WriteString(conn, tt.response); return err }
						if split {
							write = func() error { return writeSplit(conn, tt.response) }
						}
						if write() != nil {
							return
						}
					}
				})
				s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
				c := dialRaw(t, s)
				for i := 0; i < 2; i++ {
					assertReply(t, ErrInvalidResponse, c)
				}
				assert.Equal(t, int32(2), accepted.Load(), "the connection that carried a malformed response is closed")
			})
		}
	}
}

func TestUnsolicitedUpstreamBytesCloseTheConnection(t *testing.T) {
	t.Parallel()
	upstream, accepted := countingUpstream(t, answer(ok200+"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno"))
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	for i := 0; i < 2; i++ {
		resp, body := c.get("/")
		require.Equal(t, http.StatusOK, resp.StatusCode, "request %d", i)
		assert.Equal(t, "ok", body, "request %d: the unsolicited response never reaches a client", i)
	}
	assert.Equal(t, int32(2), accepted.Load(), "a connection that sent more than its response is not reused")
}

func TestUnsolicitedResponseToAnIdleConnectionIsNotServed(t *testing.T) {
	t.Parallel()
	sendJunk, dropped := make(chan struct{}), make(chan struct{})
	var conns atomic.Int32
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		if conns.Add(1) > 1 {
			answer(ok200)(conn)
			return
		}
		if !readHead(conn) {
			return
		}
		_, _ = io.WriteString(conn, ok200)
		<-sendJunk
		// A response nobody asked for, on the idle connection.
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno")
		_ = conn.SetReadDeadline(time.Time{})
		_, _ = io.Copy(io.Discard, conn) // returns when the gateway closes it
		close(dropped)
	})
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	resp, body := c.get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok", body)
	close(sendJunk)
	waitFor(t, dropped, "the gateway kept a connection that spoke unasked")
	resp, body = c.get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "ok", body)
	assert.Equal(t, int32(2), conns.Load())
}

// rss returns the process's resident set size in bytes, from /proc.
func rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// downloadBytes is the size of the large download; RAWHTTPD_GATEWAY_GIB=n
// makes it n GiB.
func downloadBytes(t *testing.T) int64 {
	if v := os.Getenv("RAWHTTPD_GATEWAY_GIB"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		return int64(n) << 30
	}
	return 256 << 20
}

func TestLargeDownloadToAClientThatDoesNotReadIsBounded(t *testing.T) {
	size := downloadBytes(t)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4<<10) // 64 KiB
	stalled := make(chan int64, 1)
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		if !readHead(conn) {
			return
		}
		_, _ = fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", size)
		var sent int64
		reported := false
		for sent < size {
			_ = conn.SetWriteDeadline(time.Now().Add(300 * time.Millisecond))
			n, err := conn.Write(chunk[:min(int64(len(chunk)), size-sent)])
			sent += int64(n)
			if err != nil && !reported {
				// The gateway stopped reading: back-pressure reached here.
				reported = true
				stalled <- sent
				continue
			}
			if err != nil && !isTimeout(err) {
				return
			}
		}
	})
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	runtime.GC()
	before := rss(t)
	c := dialRaw(t, s)
	_, err := io.WriteString(c.conn, "GET /big HTTP/1.1\r\nHost: h\r\n\r\n")
	require.NoError(t, err)
	var sentWhenStalled int64
	select {
	case sentWhenStalled = <-stalled:
	case <-time.After(30 * time.Second):
		t.Fatal("the upstream was never held back")
	}
	grown := rss(t) - before
	t.Logf("upstream held back after %d MiB of %d MiB; RSS grew %d MiB", sentWhenStalled>>20, size>>20, grown>>20)
	assert.Less(t, sentWhenStalled, int64(96<<20), "only socket buffers and a bounded backlog hold the response")
	assert.Less(t, grown, int64(64<<20), "memory does not follow the response's size")

	// The client now reads it all: nothing was lost on the way.
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(5*time.Minute)))
	resp, err := http.ReadResponse(c.r, nil)
	require.NoError(t, err)
	n, err := io.Copy(io.Discard, resp.Body)
	require.NoError(t, err)
	assert.Equal(t, size, n)
	t.Logf("RSS grew %d MiB over the whole download", (rss(t)-before)>>20)
}

func TestNameLookupReusedForNewConnections(t *testing.T) {
	t.Parallel()
	var queries atomic.Int32
	dns := serveDNS(t, func(q []byte) []byte {
		queries.Add(1)
		return localhostDNS(q)
	})
	// Connection: close makes every request open a new connection.
	upstream := testupstream.Serve(t, answerThenClose("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"))
	opts := Options{Resolver: NewResolver(dns)}
	s := startGateway(t, []string{"http://upstream.test:" + portOf(t, upstream)}, opts, engine.Config{})
	c := dialRaw(t, s)
	resp, _ := c.get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	first := queries.Load()
	require.Positive(t, first)
	for i := 0; i < 3; i++ {
		resp, _ := dialRaw(t, s).get("/")
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	assert.Equal(t, first, queries.Load(), "the lookup is reused while fresh")
}

func TestIdleUpstreamConnectionClosedAfterTheIdleTimeout(t *testing.T) {
	t.Parallel()
	closed := make(chan struct{})
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		answer(ok200)(conn) // returns when the gateway closes the connection
		close(closed)
	})
	s := startGateway(t, []string{"http://" + upstream}, Options{IdleConnTimeout: time.Millisecond}, engine.Config{})
	resp, _ := dialRaw(t, s).get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	waitFor(t, closed, "the idle upstream connection was kept past its timeout")
}

func TestChunkedBodyToAnHTTP10ClientEndsWithTheClose(t *testing.T) {
	t.Parallel()
	payload := strings.Repeat("0123456789abcdef", 8<<10) // 128 KiB, past flushBytes
	var chunked strings.Builder
	for i := 0; i < len(payload); i += 4096 {
		fmt.Fprintf(&chunked, "%x\r\n%s\r\n", 4096, payload[i:i+4096])
	}
	chunked.WriteString("0\r\n\r\n")
	upstream := testupstream.Serve(t, answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"+chunked.String()))
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	resp, body := c.do("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, resp.TransferEncoding, "HTTP/1.0 has no chunked coding")
	assert.True(t, resp.Close, "the body ends with the connection")
	assert.True(t, body == payload, "the body arrives whole, decoded")
}

func TestCloseClosesTheLoopsIdleConnections(t *testing.T) {
	t.Parallel()
	closed := make(chan struct{})
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		answer(ok200)(conn) // returns when the gateway closes the connection
		close(closed)
	})
	h, err := New([]string{"http://" + upstream}, Options{Logger: quietLogger})
	require.NoError(t, err)
	s := engine.New(h, engine.Config{})
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	resp, _ := dialRaw(t, s).get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	h.Close()
	waitFor(t, closed, "Close left the idle upstream connection open")
}

func TestKeptAliveConnectionClosedUnderARequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method string
		want   int
	}{
		{"GET", http.StatusOK},          // sent again on a new connection
		{"POST", http.StatusBadGateway}, // could have taken effect: not resent
		{"DELETE", http.StatusOK},       // idempotent
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			t.Parallel()
			var conns atomic.Int32
			upstream := testupstream.Serve(t, func(conn net.Conn) {
				if conns.Add(1) == 1 {
					// Answers one request, then closes as the next
					// one arrives, without a word.
					if readHead(conn) {
						_, _ = io.WriteString(conn, ok200)
					}
					readHead(conn)
					_ = conn.Close()
					return
				}
				answer(ok200)(conn)
			})
			s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
			c := dialRaw(t, s)
			resp, _ := c.get("/")
			require.Equal(t, http.StatusOK, resp.StatusCode)
			resp, _ = c.do(tt.method + " / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
			assert.Equal(t, tt.want, resp.StatusCode)
		})
	}
}

func TestDrainThatRunsOutAnswersAForwardedRequest503(t *testing.T) {
	t.Parallel()
	got := make(chan struct{}, 1)
	upstream := testupstream.Serve(t, func(conn net.Conn) {
		if readHead(conn) {
			got <- struct{}{}
		}
		_ = conn.SetReadDeadline(time.Time{})
		_, _ = io.Copy(io.Discard, conn) // never answers
	})
	s := startGateway(t, []string{"http://" + upstream}, Options{}, engine.Config{})
	c := dialRaw(t, s)
	require.NoError(t, c.conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err := io.WriteString(c.conn, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	require.NoError(t, err)
	waitFor(t, got, "the upstream never got the request")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.Error(t, s.Shutdown(ctx), "the drain ran out of time")
	resp, err := http.ReadResponse(c.r, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("Retry-After"))
}
