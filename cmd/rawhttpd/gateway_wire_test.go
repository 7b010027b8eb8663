package main

import (
	"bufio"
	dnswire "encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

// upstreamMisbehavingOn runs an upstream on 127.0.0.1 whose connections
// answer "HTTP/1.1 200 OK" with the request target as the body and stay
// open, except that
// a request for /fail gets raw and then, as end says, the connection's
// close ("close"), reset ("reset") or nothing more until the test ends
// ("hang"). It returns the upstream's address.
func upstreamMisbehavingOn(t *testing.T, raw, end string) string {
	t.Helper()
	serve := func(conn net.Conn) {
		defer conn.Close()
		r := bufio.NewReader(conn)
		for {
			_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
			req, err := http.ReadRequest(r)
			if err != nil {
				return
			}
			if req.URL.Path != "/fail" {
				_, _ = io.Copy(io.Discard, req.Body)
				if _, err := fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(req.RequestURI), req.RequestURI); err != nil {
					return
				}
				continue
			}
			_, _ = io.WriteString(conn, raw)
			switch end {
			case "reset":
				_ = conn.(*net.TCPConn).SetLinger(0)
			case "hang":
				_ = conn.SetReadDeadline(time.Time{})
				_, _ = io.Copy(io.Discard, conn) // returns when the test closes conn
			}
			return
		}
	}
	return testupstream.Serve(t, serve)
}

// dnsServer runs a DNS server on 127.0.0.1 UDP that answers every query
// "no such name" (RCODE 3), or, when silent, never answers, and returns
// its address. It stops when the test ends.
func dnsServer(t *testing.T, silent bool) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := nxdomainReply(buf[:n]); !silent && out != nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	t.Cleanup(func() {
		_ = pc.Close()
		<-done
	})
	return pc.LocalAddr().String()
}

// nxdomainReply is the "no such name" answer to query q (RFC 1035 §4.1):
// its ID and question echoed, no records; nil when q cannot be read.
func nxdomainReply(q []byte) []byte {
	const headerLen = 12
	if len(q) < headerLen {
		return nil
	}
	end := headerLen
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 1 + 4 // the root label, QTYPE and QCLASS
	if end > len(q) {
		return nil
	}
	out := []byte{q[0], q[1], 0x80 | q[2]&0x01, 0x80 | 3}
	out = dnswire.BigEndian.AppendUint16(out, 1) // QDCOUNT
	out = append(out, 0, 0, 0, 0, 0, 0)          // ANCOUNT, NSCOUNT, ARCOUNT
	return append(out, q[headerLen:end]...)
}

// The binary in gateway mode before misbehaving upstreams, each request
// written whole and then one byte at a time over one client connection:
// the status and explanation of each failure, and after each the next
// request answered on the same connection.
func TestBinaryGatewayMisbehavingUpstreams(t *testing.T) {
	const (
		shortHead = "HTTP/1.1 200 OK\r\nContent-Ty"
		shortBody = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf"
	)
	portOf := func(t *testing.T, addr string) string {
		_, port, err := net.SplitHostPort(addr)
		require.NoError(t, err)
		return port
	}
	tests := []struct {
		name string
		// args starts the upstream and returns the gateway's flags for it.
		args   func(t *testing.T) []string
		status int
		detail string
		// broken: every request fails alike, the next one too.
		broken bool
	}{
		{"refused", func(t *testing.T) []string { return []string{"-upstream", testupstream.RefusingAddr(t)} },
			http.StatusBadGateway, "refused the connection", true},
		{"reset in the head", func(t *testing.T) []string {
			return []string{"-upstream", upstreamMisbehavingOn(t, shortHead, "reset")}
		},
			http.StatusBadGateway, "reset the connection", false},
		{"reset in the body", func(t *testing.T) []string {
			return []string{"-upstream", upstreamMisbehavingOn(t, shortBody, "reset")}
		},
			http.StatusBadGateway, "reset the connection", false},
		{"garbage", func(t *testing.T) []string {
			return []string{"-upstream", upstreamMisbehavingOn(t, "SSH-2.0-OpenSSH_9.6\r\n\r\n", "close")}
		}, http.StatusBadGateway, "invalid", false},
		{"closed early", func(t *testing.T) []string { return []string{"-upstream", upstreamMisbehavingOn(t, "", "close")} },
			http.StatusBadGateway, "closed the connection", false},
		{"slow head", func(t *testing.T) []string { return []string{"-upstream", upstreamMisbehavingOn(t, shortHead, "hang")} },
			http.StatusGatewayTimeout, "did not send", false},
		{"slow body", func(t *testing.T) []string { return []string{"-upstream", upstreamMisbehavingOn(t, shortBody, "hang")} },
			http.StatusGatewayTimeout, "did not send", false},
		{"no such name", func(t *testing.T) []string {
			port := portOf(t, upstreamMisbehavingOn(t, "", "close"))
			return []string{"-upstream", "http://upstream.invalid:" + port, "-resolver", dnsServer(t, false)}
		}, http.StatusBadGateway, "does not exist", true},
		{"silent DNS", func(t *testing.T) []string {
			port := portOf(t, upstreamMisbehavingOn(t, "", "close"))
			return []string{"-upstream", "http://upstream.test:" + port, "-resolver", dnsServer(t, true)}
		}, http.StatusGatewayTimeout, "name lookup did not answer", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A deadline is only as exact as the loop's clock, which
			// ticks once a second here: two seconds keep the quick
			// answers to the next request clear of it.
			args := append(tt.args(t), "-upstream-timeout", "2s", "-dns-timeout", "300ms")
			addr, _ := startGatewayBinary(t, args...)
			conn, err := net.DialTimeout("tcp", addr, ioTimeout)
			require.NoError(t, err)
			defer conn.Close()
			r := bufio.NewReader(conn)
			get := func(path string, split bool) (*http.Response, string) {
				t.Helper()
				require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
				raw := "GET " + path + " HTTP/1.1\r\nHost: client.example\r\n\r\n"
				for len(raw) > 0 {
					n := len(raw)
					if split {
						n = 1
					}
					_, err := io.WriteString(conn, raw[:n])
					require.NoError(t, err)
					raw = raw[n:]
				}
				resp, err := http.ReadResponse(r, &http.Request{Method: http.MethodGet})
				require.NoError(t, err)
				body, err := io.ReadAll(resp.Body)
				require.NoError(t, err)
				return resp, string(body)
			}
			for _, split := range []bool{false, true} {
				resp, body := get("/fail", split)
				require.Equal(t, tt.status, resp.StatusCode, "split %v: %s", split, body)
				assert.Contains(t, body, tt.detail)
				assert.Contains(t, body, "temporary")
				assert.Empty(t, resp.Header.Get("Retry-After"), "a lone upstream is never marked unhealthy")
				assert.False(t, resp.Close)

				resp, body = get("/ok", split)
				if tt.broken {
					require.Equal(t, tt.status, resp.StatusCode, "split %v: the next request: %s", split, body)
					assert.Contains(t, body, tt.detail)
					continue
				}
				require.Equal(t, http.StatusOK, resp.StatusCode, "split %v: the next request: %s", split, body)
				assert.Equal(t, "/ok", body)
				assert.Equal(t, "1.1 rawhttpd", resp.Header.Get("Via"))
			}
		})
	}
}

// The binary in gateway mode with two upstreams that refuse: once both
// were tried and marked unhealthy, 503 with Retry-After, and the client's
// connection stays open for the next request.
func TestBinaryGatewayEveryUpstreamUnhealthy(t *testing.T) {
	var upstreams []string
	for i := 0; i < 2; i++ {
		upstreams = append(upstreams, "http://"+testupstream.RefusingAddr(t))
	}
	addr, _ := startGatewayBinary(t, "-upstream", strings.Join(upstreams, ","))
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	require.NoError(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	statuses := []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusServiceUnavailable}
	for i, want := range statuses {
		require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
		_, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: client.example\r\n\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(r, &http.Request{Method: http.MethodGet})
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, want, resp.StatusCode, "request %d: %s", i, body)
		assert.Contains(t, string(body), "temporary")
		if want == http.StatusServiceUnavailable {
			secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			require.NoError(t, err, "request %d: Retry-After %q", i, resp.Header.Get("Retry-After"))
			assert.Positive(t, secs)
			assert.Contains(t, string(body), "upstream server is unavailable")
		}
	}
}

// The binary in gateway mode before a pipelining client, its requests
// written at once and then one byte at a time, GETs and POSTs with either
// body framing: the answers come in order, and the connection serves on.
func TestBinaryGatewayPipelinedInOrder(t *testing.T) {
	addr, _ := startGatewayBinary(t, "-upstream", upstreamMisbehavingOn(t, "", "close"))
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	require.NoError(t, err)
	defer conn.Close()
	r := bufio.NewReader(conn)
	pipeline := "GET /1 HTTP/1.1\r\nHost: c\r\n\r\n" +
		"POST /2 HTTP/1.1\r\nHost: c\r\nContent-Length: 3\r\n\r\nabc" +
		"POST /3 HTTP/1.1\r\nHost: c\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ndef\r\n0\r\n\r\n" +
		"HEAD /4 HTTP/1.1\r\nHost: c\r\n\r\n" +
		"GET /5?q=1 HTTP/1.1\r\nHost: c\r\n\r\n"
	want := []struct{ method, body string }{{"GET", "/1"}, {"POST", "/2"}, {"POST", "/3"}, {"HEAD", ""}, {"GET", "/5?q=1"}}
	for _, split := range []bool{false, true} {
		require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
		if split {
			for i := 0; i < len(pipeline); i++ {
				_, err = conn.Write([]byte{pipeline[i]})
				require.NoError(t, err)
			}
		} else {
			_, err = io.WriteString(conn, pipeline)
			require.NoError(t, err)
		}
		for i, w := range want {
			resp, err := http.ReadResponse(r, &http.Request{Method: w.method})
			require.NoError(t, err, "split %v, response %d", split, i)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode, "split %v, response %d: %s", split, i, body)
			assert.Equal(t, w.body, string(body), "split %v, response %d", split, i)
		}
	}
}
