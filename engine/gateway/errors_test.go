package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/testupstream"
)

func TestClassifyMapsErrorsToReplies(t *testing.T) {
	opErr := func(op string, err error) error {
		return &net.OpError{Op: op, Net: "tcp", Err: &os.SyscallError{Syscall: op, Err: err}}
	}
	tests := []struct {
		name       string
		err        error
		gotBytes   bool
		want       *httperrors.Error
		dialFailed bool
	}{
		{"connect refused", &dialError{op: opConnect, err: opErr("connect", syscall.ECONNREFUSED)}, false, ErrRefused, true},
		{"connect timeout", &dialError{op: opConnect, err: &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}}, false, ErrConnectTimeout, true},
		{"connect unreachable", &dialError{op: opConnect, err: opErr("connect", syscall.EHOSTUNREACH)}, false, ErrUnreachable, true},
		{"lookup timeout", &dialError{op: opLookup, err: &net.DNSError{Err: "i/o timeout", IsTimeout: true}}, false, ErrLookupTimeout, true},
		{"lookup deadline", &dialError{op: opLookup, err: context.DeadlineExceeded}, false, ErrLookupTimeout, true},
		{"lookup nxdomain", &dialError{op: opLookup, err: &net.DNSError{Err: "no such host", IsNotFound: true}}, false, ErrUnknownHost, true},
		{"lookup servfail", &dialError{op: opLookup, err: &net.DNSError{Err: "server misbehaving", IsTemporary: true}}, false, ErrLookupFailed, true},
		{"response head timeout", timeoutError{}, false, ErrResponseTimeout, false},
		{"reset while reading", fmt.Errorf("net/http: HTTP/1.x transport connection broken: %w", opErr("read", syscall.ECONNRESET)), false, ErrReset, false},
		{"broken pipe while writing", opErr("write", syscall.EPIPE), false, ErrReset, false},
		{"closed before the head", fmt.Errorf("broken: %w", io.EOF), false, ErrClosed, false},
		{"closed inside the head", io.ErrUnexpectedEOF, false, ErrClosed, false},
		{"malformed header", textproto.ProtocolError("malformed MIME header line: x"), true, ErrInvalidResponse, false},
		{"anything else after a response byte", errors.New("malformed HTTP response"), true, ErrInvalidResponse, false},
		{"anything else before any byte", errors.New("http: server closed idle connection"), false, ErrClosed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dialFailed := classify(tt.err, tt.gotBytes)
			assert.Same(t, tt.want, got)
			assert.Equal(t, tt.dialFailed, dialFailed)
		})
	}
}

// timeoutError is a net.Error that timed out, as the Transport's
// "timeout awaiting response headers" is.
type timeoutError struct{}

func (timeoutError) Error() string   { return "timeout awaiting response headers" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestUpstreamErrorKeepsReplyAndCause(t *testing.T) {
	cause := &net.OpError{Op: "dial", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	var err error = &UpstreamError{Upstream: "127.0.0.1:1", Reply: ErrRefused, Err: cause}
	assert.ErrorIs(t, err, ErrRefused)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Equal(t, httperrors.StatusBadGateway, httperrors.From(err).Status())
	assert.Same(t, ErrRefused, httperrors.From(err))
	assert.Contains(t, err.Error(), "127.0.0.1:1")
}

// A misbehaving upstream, each written for the test, and what the client
// of the gateway must see: the status, the explanation, and, on a second
// request over the same connection, that the gateway still answers.
func TestUpstreamFailuresOnTheWire(t *testing.T) {
	tests := []struct {
		name     string
		upstream func(t *testing.T) string // returns the upstream URL
		opts     Options
		want     *httperrors.Error
	}{
		{
			name:     "refuses the connection",
			upstream: func(t *testing.T) string { return "http://" + testupstream.RefusingAddr(t) },
			want:     ErrRefused,
		},
		{
			name:     "accepts and closes",
			upstream: func(t *testing.T) string { return "http://" + testupstream.Serve(t, answerThenClose("")) },
			want:     ErrClosed,
		},
		{
			name:     "resets after the request",
			upstream: func(t *testing.T) string { return "http://" + testupstream.Serve(t, resetAfterHead) },
			want:     ErrReset,
		},
		{
			name: "sends garbage",
			upstream: func(t *testing.T) string {
				return "http://" + testupstream.Serve(t, answerThenClose("SSH-2.0-OpenSSH_9.6\r\n\r\n"))
			},
			want: ErrInvalidResponse,
		},
		{
			name: "sends a malformed status code",
			upstream: func(t *testing.T) string {
				return "http://" + testupstream.Serve(t, answerThenClose("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"))
			},
			want: ErrInvalidResponse,
		},
		{
			name: "sends a malformed header field",
			upstream: func(t *testing.T) string {
				return "http://" + testupstream.Serve(t, answerThenClose("HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 0\r\n\r\n"))
			},
			want: ErrInvalidResponse,
		},
		{
			name: "sends invalid framing",
			upstream: func(t *testing.T) string {
				return "http://" + testupstream.Serve(t, answerThenClose("HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nhello"))
			},
			want: ErrInvalidResponse,
		},
		{
			name: "sends a malformed chunk",
			upstream: func(t *testing.T) string {
				return "http://" + testupstream.Serve(t, answerThenClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"))
			},
			want: ErrInvalidResponse,
		},
		{
			name: "sends half a response head and closes",
			upstream: func(t *testing.T) string {
				return "http://" + testupstream.Serve(t, answerThenClose("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"))
			},
			want: ErrClosed,
		},
		{
			name: "sends half a response head and hangs",
			upstream: func(t *testing.T) string {
				return "http://" + testupstream.Serve(t, answerThenHang("HTTP/1.1 200 OK\r\nContent-Ty"))
			},
			opts: Options{UpstreamTimeout: 300 * time.Millisecond},
			want: ErrResponseTimeout,
		},
		{
			name:     "never answers",
			upstream: func(t *testing.T) string { return "http://" + testupstream.Serve(t, answerThenHang("")) },
			opts:     Options{UpstreamTimeout: 300 * time.Millisecond},
			want:     ErrResponseTimeout,
		},
		{
			name: "stops in the middle of the body",
			upstream: func(t *testing.T) string {
				return "http://" + testupstream.Serve(t, answerThenHang("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf"))
			},
			opts: Options{UpstreamTimeout: 300 * time.Millisecond},
			want: ErrResponseTimeout,
		},
		{
			name:     "does not accept the connection",
			upstream: func(t *testing.T) string { return "http://" + unacceptingAddr(t) },
			opts:     Options{ConnectTimeout: 300 * time.Millisecond},
			want:     ErrConnectTimeout,
		},
		{
			name: "its DNS server never answers",
			upstream: func(t *testing.T) string {
				return "http://upstream.test:" + portOf(t, testupstream.Serve(t, answer(ok200)))
			},
			opts: Options{DNSTimeout: 300 * time.Millisecond},
			want: ErrLookupTimeout,
		},
		{
			name: "its name does not exist",
			upstream: func(t *testing.T) string {
				return "http://upstream.invalid:" + portOf(t, testupstream.Serve(t, answer(ok200)))
			},
			want: ErrUnknownHost,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			switch tt.want {
			case ErrLookupTimeout:
				opts.Resolver = NewResolver(serveDNS(t, silentDNS))
			case ErrUnknownHost:
				opts.Resolver = NewResolver(serveDNS(t, nxdomainDNS))
			}
			s := startGateway(t, []string{tt.upstream(t)}, opts, engine.Config{})
			c := dialRaw(t, s)
			assertReply(t, tt.want, c)
			// A lone upstream is tried again, whatever its last failure:
			// the second request gets the same answer.
			assertReply(t, tt.want, c)
		})
	}
}

// assertReply sends a GET over c and checks that the answer is want: its
// status, its explanation, temporary, and Retry-After for a 503.
func assertReply(t *testing.T, want *httperrors.Error, c *client) {
	t.Helper()
	resp, body := c.get("/")
	require.Equal(t, int(want.Status()), resp.StatusCode, body)
	assert.Contains(t, strings.ToLower(body), strings.ToLower(want.Detail())) // the renderer capitalizes
	assert.Contains(t, body, "temporary")
	if want.Status() == httperrors.StatusServiceUnavailable {
		secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		assert.True(t, secs >= 1 && secs <= int(DefaultUnhealthyFor/time.Second), "Retry-After %d", secs)
	} else {
		assert.Empty(t, resp.Header.Get("Retry-After"))
	}
}

// portOf returns the port of addr.
func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return port
}
