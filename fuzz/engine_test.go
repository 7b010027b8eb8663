package fuzz

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/parser"
)

// engineIOTimeout bounds every read and write of the engine target: the
// server answers what it has at once and closes on the client's EOF, so
// only a hang waits this long.
const engineIOTimeout = 3 * time.Second

// fuzzServer is the one server a fuzz process attacks; starting one per
// input would cost more than the input.
var fuzzServer struct {
	once sync.Once
	srv  *engine.Server
	err  error
}

// okHandler answers every request 200 with a short body.
var okHandler = engine.HandlerFunc(func(c *engine.Context) error {
	_, _ = c.WriteString("ok")
	return nil
})

// sharedServer starts the process's server on first use. It is never
// closed: the process ends with it.
func sharedServer(t *testing.T) *engine.Server {
	t.Helper()
	fuzzServer.once.Do(func() {
		s := engine.New(okHandler, engine.Config{
			MaxTargetBytes:    smallTarget,
			MaxHeaderBytes:    smallHeader,
			MaxFields:         smallFields,
			MaxBodyBytes:      smallBody,
			ReadHeaderTimeout: time.Second,
			BodyReadTimeout:   time.Second,
			IdleTimeout:       time.Second,
			Logger:            discardLogger(),
		})
		fuzzServer.err = s.Start("127.0.0.1:0")
		fuzzServer.srv = s
	})
	require.NoError(t, fuzzServer.err)
	return fuzzServer.srv
}

// countRequests returns how many requests the engine may answer for data
// sent on one connection: each complete request, and one refusal after
// them. It parses with the engine's limits.
func countRequests(data []byte) (methods []string, refusal bool) {
	p := parser.New(smallConfig)
	var req parser.Request
	buf := append([]byte(nil), data...)
	for len(methods) < 10_000 {
		n, err := p.Parse(buf, &req)
		if err != nil {
			return methods, true
		}
		if n == 0 {
			return methods, false
		}
		methods = append(methods, string(req.Method))
		buf = buf[n:]
	}
	return methods, false
}

// exchange writes data on a new connection, half-closes it, and counts
// the final responses until the server closes.
func exchange(t *testing.T, addr string, data []byte, methods []string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, engineIOTimeout)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(engineIOTimeout)))
	// A write may fail once the server has refused the request and
	// closed; what it answered is still there to read.
	if _, err := c.Write(data); err == nil {
		_ = c.(*net.TCPConn).CloseWrite()
	}
	r := bufio.NewReader(c)
	responses := 0
	for {
		method := "GET"
		if responses < len(methods) {
			method = methods[responses]
		}
		resp, err := http.ReadResponse(r, &http.Request{Method: method})
		if err != nil {
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "no answer or no close within %v", engineIOTimeout)
			return responses
		}
		_, copyErr := io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusContinue {
			responses++
		}
		if copyErr != nil {
			return responses
		}
	}
}

// FuzzEngine writes the input to a live server over loopback and checks
// that the server answers no more responses than the input holds requests
// (complete ones, plus one refusal) and still serves a fresh connection.
func FuzzEngine(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		s := sharedServer(t)
		addr := s.Addr().String()
		methods, refusal := countRequests(data)
		limit := len(methods)
		if refusal {
			limit++
		}
		got := exchange(t, addr, data, methods)
		require.LessOrEqual(t, got, limit, "more responses than requests")
		probe := []byte("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		require.Equal(t, 1, exchange(t, addr, probe, []string{"GET"}), "the server no longer serves")
	})
}

// discardLogger drops the engine's logs.
func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
