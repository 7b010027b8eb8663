package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// methodUpstream is a test upstream that answers 207 naming the method it
// saw, and counts the requests of each method.
type methodUpstream struct {
	*httptest.Server
	mu   sync.Mutex // guards seen
	seen map[string]int
}

func startMethodUpstream(t *testing.T) *methodUpstream {
	t.Helper()
	u := &methodUpstream{seen: map[string]int{}}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.seen[r.Method]++
		u.mu.Unlock()
		w.WriteHeader(http.StatusMultiStatus)
		_, _ = io.WriteString(w, "upstream saw "+r.Method+" "+r.RequestURI+" "+string(body))
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *methodUpstream) count(method string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.seen[method]
}

// The gateway mode passes on every method of the IANA registry and leaves
// the 501 to the upstream; a token in no registry is 501 at the gateway,
// unless -methods adds it.
func TestBinaryGatewayMethods(t *testing.T) {
	upstream := startMethodUpstream(t)
	gatewayAddr, mode := startGatewayBinary(t, "-upstream", upstream.URL)
	require.Equal(t, "gateway", mode)
	brewAddr, _ := startGatewayBinary(t, "-upstream", upstream.URL, "-methods", "BREW, WHEN")

	tests := []struct {
		name    string
		addr    string
		raw     string
		status  int
		reaches bool // the upstream sees it, and its answer comes back
	}{
		{"PROPFIND", gatewayAddr, "PROPFIND /dav/ HTTP/1.1\r\nHost: a\r\nDepth: 1\r\nContent-Length: 0\r\n\r\n", 207, true},
		{"REPORT with a body", gatewayAddr, "REPORT /dav/cal HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n\r\n<query>", 207, true},
		{"MKCOL", gatewayAddr, "MKCOL /dav/new/ HTTP/1.1\r\nHost: a\r\n\r\n", 207, true},
		{"QUERY", gatewayAddr, "QUERY /q HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", 207, true},
		{"BREW not registered", gatewayAddr, "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501, false},
		{"CONNECT never tunnels", gatewayAddr, "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n", 501, false},
		{"BREW added by -methods", brewAddr, "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 207, true},
		{"PROPFIND kept with -methods", brewAddr, "PROPFIND /dav/ HTTP/1.1\r\nHost: a\r\n\r\n", 207, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, _, _ := strings.Cut(tt.raw, "\r\n")
			method, rest, _ := strings.Cut(line, " ")
			target, _, _ := strings.Cut(rest, " ")
			_, reqBody, _ := strings.Cut(tt.raw, "\r\n\r\n")
			before := upstream.count(method)
			resp, body := roundTrip(t, tt.addr, tt.raw)
			require.Equal(t, tt.status, resp.StatusCode, body)
			if tt.reaches {
				assert.Equal(t, before+1, upstream.count(method))
				assert.Equal(t, "upstream saw "+method+" "+target+" "+reqBody, body)
			} else {
				assert.Equal(t, before, upstream.count(method), "the upstream saw it")
				assert.Contains(t, body, "permanent")
			}
		})
	}
}

// -methods serves the respond mode too, on top of the origin default.
func TestBinaryRespondModeMethods(t *testing.T) {
	plain := startBinary(t)
	brew := startBinary(t, "-methods", "BREW")
	tests := []struct {
		name   string
		addr   string
		raw    string
		status int
	}{
		{"PROPFIND is not an origin default", plain.addr, "PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", 501},
		{"BREW unknown", plain.addr, "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501},
		{"BREW added by -methods", brew.addr, "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 200},
		{"GET kept", brew.addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := roundTrip(t, tt.addr, tt.raw)
			assert.Equal(t, tt.status, resp.StatusCode)
		})
	}
}

func TestMethodsFlagRejectsNonTokens(t *testing.T) {
	for _, list := range []string{"BAD METHOD", "GET,A/B", "É"} {
		t.Run(list, func(t *testing.T) {
			var stderr strings.Builder
			assert.Equal(t, 2, run([]string{"-methods", list}, io.Discard, &stderr))
			assert.Contains(t, stderr.String(), "-methods")
		})
	}
}
