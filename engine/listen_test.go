package engine

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// socketPath returns a path for a Unix socket in a fresh directory; the
// directory's name stays short, since a socket path is limited to about
// a hundred bytes.
func socketPath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rh")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return filepath.Join(dir, "s.sock")
}

// getUnix sends a GET over the Unix socket at path and reads the response.
func getUnix(t *testing.T, path, target string) (*http.Response, string) {
	t.Helper()
	conn, err := net.DialTimeout("unix", path, ioTimeout)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(ioTimeout)))
	_, err = io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

// sockopt reads an integer socket option of ln's socket.
func sockopt(t *testing.T, ln net.Listener, opt int) int {
	t.Helper()
	rc, err := ln.(syscall.Conn).SyscallConn()
	require.NoError(t, err)
	var v int
	var gerr error
	require.NoError(t, rc.Control(func(fd uintptr) {
		v, gerr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, opt)
	}))
	require.NoError(t, gerr)
	return v
}

func TestListenTCPSocketOptions(t *testing.T) {
	tests := []struct {
		name      string
		reusePort bool
	}{
		{name: "reuseaddr alone"},
		{name: "reuseport too", reusePort: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := Listen("127.0.0.1:0", tt.reusePort)
			require.NoError(t, err)
			defer ln.Close()
			assert.Equal(t, 1, sockopt(t, ln, unix.SO_REUSEADDR), "a restart binds over TIME_WAIT")
			want := 0
			if tt.reusePort {
				want = 1
			}
			assert.Equal(t, want, sockopt(t, ln, unix.SO_REUSEPORT))
		})
	}
}

func TestListenReusePortSharesTheAddress(t *testing.T) {
	first, err := Listen("127.0.0.1:0", true)
	require.NoError(t, err)
	defer first.Close()
	second, err := Listen(first.Addr().String(), true)
	require.NoError(t, err, "a successor binds while its predecessor still listens")
	_ = second.Close()
	_, err = Listen(first.Addr().String(), false)
	assert.ErrorIs(t, err, syscall.EADDRINUSE, "without SO_REUSEPORT the port stays taken")
}

func TestStartServesOnUnixSocket(t *testing.T) {
	path := socketPath(t)
	s := New(HandlerFunc(func(c *Context) error {
		_, _ = c.WriteString(c.RemoteAddr().Network() + " " + c.RemoteAddr().String())
		return nil
	}), Config{})
	require.NoError(t, s.Start(unixPrefix+path))
	t.Cleanup(func() { _ = s.Close() })
	assert.Equal(t, &net.UnixAddr{Name: path, Net: "unix"}, s.Addr())
	resp, body := getUnix(t, path, "/")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "unix @", body, "an unnamed peer reads as @, as net/http reports it")
}

func TestListenUnixSocketFile(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		wantErr error
	}{
		{name: "no file"},
		{name: "stale socket replaced", prepare: func(t *testing.T, path string) {
			ln, err := net.Listen("unix", path)
			require.NoError(t, err)
			// A process that died leaves its socket file behind.
			ln.(*net.UnixListener).SetUnlinkOnClose(false)
			require.NoError(t, ln.Close())
		}},
		{name: "live socket refused", wantErr: errSocketInUse, prepare: func(t *testing.T, path string) {
			ln, err := net.Listen("unix", path)
			require.NoError(t, err)
			t.Cleanup(func() { _ = ln.Close() })
		}},
		{name: "other file kept", wantErr: errNotSocket, prepare: func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("data"), 0o600))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := socketPath(t)
			if tt.prepare != nil {
				tt.prepare(t, path)
			}
			ln, err := Listen(unixPrefix+path, false)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), path)
				return
			}
			require.NoError(t, err)
			s := New(hello, Config{})
			require.NoError(t, s.StartListener(ln))
			t.Cleanup(func() { _ = s.Close() })
			resp, body := getUnix(t, path, "/")
			assert.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, "Hello, World!", body)
		})
	}
}

func TestUnixPeerThroughEveryAddressView(t *testing.T) {
	path := socketPath(t)
	type seen struct{ remote, local string }
	got := make(chan seen, 1)
	adapter := FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		got <- seen{remote: r.RemoteAddr, local: local.String()}
	}))
	s := New(adapter, Config{AccessLog: discardSlog()})
	require.NoError(t, s.Start(unixPrefix+path))
	t.Cleanup(func() { _ = s.Close() })
	resp, _ := getUnix(t, path, "/")
	assert.Equal(t, 200, resp.StatusCode)
	v := <-got
	assert.Equal(t, "@", v.remote)
	assert.Equal(t, path, v.local, "the socket's own name, not the one gnet makes up")
}

func TestServeReturnsErrServerClosed(t *testing.T) {
	ln, err := Listen("127.0.0.1:0", false)
	require.NoError(t, err)
	s := New(hello, Config{})
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	require.Eventually(t, func() bool { return s.Addr() != nil }, ioTimeout, time.Millisecond)
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, _ := c.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
	require.NoError(t, s.Close())
	select {
	case err := <-served:
		assert.ErrorIs(t, err, ErrServerClosed)
	case <-time.After(ioTimeout):
		t.Fatal("Serve did not return")
	}
	assert.True(t, refused(ln.Addr()), "the listener is closed")
}

func TestStartListenerServesAnInheritedSocket(t *testing.T) {
	parent, err := Listen("127.0.0.1:0", false)
	require.NoError(t, err)
	f, err := parent.(*net.TCPListener).File()
	require.NoError(t, err)
	require.NoError(t, parent.Close())
	// What a child process finds among its inherited descriptors.
	ln, err := net.FileListener(f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	s := New(hello, Config{})
	require.NoError(t, s.StartListener(ln))
	t.Cleanup(func() { _ = s.Close() })
	assert.Equal(t, ln.Addr(), s.Addr())
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, body := c.read("GET")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "Hello, World!", body)
}

func TestStartTwiceFails(t *testing.T) {
	s := startServer(t, hello, Config{})
	ln, err := Listen("127.0.0.1:0", false)
	require.NoError(t, err)
	assert.Error(t, s.StartListener(ln))
	assert.True(t, refused(ln.Addr()), "the refused listener is closed")
}

// BenchmarkConnect measures a short-lived connection end to end: connect,
// one request, its response, close. Each connection passes through the
// acceptor and gnet's Register, so it shows what owning the listener
// costs per connection.
func BenchmarkConnect(b *testing.B) {
	s := New(plaintext, Config{})
	require.NoError(b, s.Start("127.0.0.1:0"))
	b.Cleanup(func() { _ = s.Close() })
	addr := s.Addr().String()
	req := []byte("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	buf := make([]byte, 4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Write(req); err != nil {
			b.Fatal(err)
		}
		// The server closes after the response: read to EOF.
		for {
			if _, err := conn.Read(buf); err != nil {
				break
			}
		}
		_ = conn.Close()
	}
}
