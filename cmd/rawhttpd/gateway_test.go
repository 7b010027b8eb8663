package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startGatewayBinary runs rawhttpd with args on a free 127.0.0.1 port and
// returns the address and mode its startup line names; the process is
// killed, and waited for, when the test ends.
func startGatewayBinary(t *testing.T, args ...string) (addr, mode string) {
	t.Helper()
	cmd := exec.Command(buildBinary(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
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
		m := listenLine.FindStringSubmatch(line)
		require.NotNil(t, m, "startup line %q", line)
		return m[1], m[2]
	case <-time.After(ioTimeout):
		t.Fatal("rawhttpd did not start")
	}
	return "", ""
}

func TestBinaryGatewayMode(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "upstream saw "+r.RequestURI+" for "+r.Host)
	}))
	t.Cleanup(upstream.Close)

	addr, mode := startGatewayBinary(t, "-upstream", upstream.URL,
		"-upstream-timeout", "2s", "-dns-timeout", "1s", "-resolver", "127.0.0.1:53")
	assert.Equal(t, "gateway", mode)
	get := "GET /hello?x=1 HTTP/1.1\r\nHost: client.example\r\n\r\n"

	resp, body := roundTrip(t, addr, get)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "upstream saw /hello?x=1 for client.example", body)
	assert.Equal(t, "1.1 rawhttpd", resp.Header.Get("Via"))

	upstream.Close() // from now on the upstream's port refuses
	resp, body = roundTrip(t, addr, get)
	require.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, body, "refused")
	assert.Contains(t, body, "temporary")
}

func TestGatewayFlagsRejectBadValues(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"upstream not http", []string{"-upstream", "ftp://h"}},
		{"resolver without port", []string{"-upstream", "http://h", "-resolver", "nocolon"}},
		{"trusted proxy not a prefix", []string{"-upstream", "http://h", "-trusted-proxies", "10.0.0.0/8,nope"}},
		{"no upstream connection allowed", []string{"-upstream", "http://h", "-upstream-max-conns", "0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			assert.Equal(t, 2, run(tt.args, io.Discard, &stderr))
			assert.Contains(t, stderr.String(), "rawhttpd:")
		})
	}
}

func TestBinaryGatewayTrustedProxies(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Header.Get("X-Forwarded-For"))
	}))
	t.Cleanup(upstream.Close)
	forged := "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"untrusted peer: replaced", nil, "127.0.0.1"},
		{"trusted peer: kept and appended", []string{"-trusted-proxies", "10.0.0.0/8,127.0.0.0/8"}, "6.6.6.6, 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The upstream given as host:port, without a scheme.
			addr, _ := startGatewayBinary(t, append([]string{"-upstream", strings.TrimPrefix(upstream.URL, "http://")}, tt.args...)...)
			resp, body := roundTrip(t, addr, forged)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tt.want, body)
		})
	}
}

func TestBinaryGatewayUpstreamMaxConns(t *testing.T) {
	got := make(chan struct{}, 1)
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- struct{}{}
		<-release // holds the only connection until the test ends
	}))
	t.Cleanup(upstream.Close)
	t.Cleanup(func() { close(release) }) // runs first: the handler returns
	addr, _ := startGatewayBinary(t, "-upstream", upstream.URL, "-upstream-max-conns", "1")
	first, err := net.DialTimeout("tcp", addr, ioTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = first.Close() })
	_, err = io.WriteString(first, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	select {
	case <-got:
	case <-time.After(ioTimeout):
		t.Fatal("the upstream never got the first request")
	}
	resp, body := roundTrip(t, addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Contains(t, body, "in use")
}

func TestBinaryGatewayStreamsUploads(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		_, _ = fmt.Fprintf(w, "%d", n)
	}))
	t.Cleanup(upstream.Close)
	addr, _ := startGatewayBinary(t, "-upstream", upstream.URL, "-max-body-bytes", "1024", "-upstream-max-body-bytes", "100000")
	tests := []struct {
		name   string
		size   int
		status int
	}{
		{"past -max-body-bytes, within -upstream-max-body-bytes", 50000, http.StatusOK},
		{"past -upstream-max-body-bytes", 200000, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", addr, ioTimeout)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
			// The head first: the body follows once the gateway has it.
			_, err = fmt.Fprintf(conn, "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n", tt.size)
			require.NoError(t, err)
			go func() { _, _ = conn.Write(bytes.Repeat([]byte("u"), tt.size)) }()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			if tt.status == http.StatusOK {
				assert.Equal(t, strconv.Itoa(tt.size), string(body))
			}
		})
	}
}
