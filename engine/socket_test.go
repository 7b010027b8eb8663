package engine

import (
	"bytes"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// socketPair returns a socket on the server side of a loopback connection
// (the server's own descriptor closed, as gnet's is once it lets go) and
// the client's end.
func socketPair(t *testing.T) (*socket, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	client, err := net.DialTimeout("tcp", ln.Addr().String(), ioTimeout)
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	server, err := ln.Accept()
	require.NoError(t, err)
	defer server.Close()
	rc, err := server.(*net.TCPConn).SyscallConn()
	require.NoError(t, err)
	var s *socket
	require.NoError(t, rc.Control(func(fd uintptr) {
		s, err = openSocket(func() (int, error) { return syscall.Dup(int(fd)) })
	}))
	require.NoError(t, err)
	return s, client
}

// fill writes to s until the socket takes no more.
func fill(t *testing.T, s *socket) {
	t.Helper()
	p := make([]byte, 64<<10)
	for {
		_, err := syscall.Write(s.fd, p)
		if err == syscall.EAGAIN {
			return
		}
		require.NoError(t, err)
	}
}

func TestSocketWriteWaitsForAReadingClient(t *testing.T) {
	s, client := socketPair(t)
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<19) // 8 MiB: more than the socket holds
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(client)
		got <- b
	}()
	require.NoError(t, s.write(want, ioTimeout, false))
	s.release() // the last reference: the client sees EOF
	select {
	case b := <-got:
		assert.True(t, bytes.Equal(want, b), "the client read every byte, in order")
	case <-time.After(ioTimeout):
		t.Fatal("the client never saw the end of the stream")
	}
}

// TestSocketWriteTimeoutCountsFromTheLastProgress writes more than the
// client can read within the timeout, to a client that keeps reading: the
// timeout is for a client that does not read, so a slow download that
// moves completes. The send buffer is large and the client's window
// small, as with a slow client on a fast server: Linux reports the socket
// writable again only once a third of the send buffer has drained, which
// takes the reader several timeouts, so the writer alone sees no progress.
func TestSocketWriteTimeoutCountsFromTheLastProgress(t *testing.T) {
	s, client := socketPair(t)
	t.Cleanup(s.release)
	require.NoError(t, syscall.SetsockoptInt(s.fd, syscall.SOL_SOCKET, syscall.SO_SNDBUF, 512<<10))
	require.NoError(t, client.(*net.TCPConn).SetReadBuffer(64<<10))
	const timeout = 100 * time.Millisecond
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<17) // 2 MiB
	read := make(chan int, 1)
	go func() {
		// Paced, not synchronised: 8 KiB every 4 ms, about 2 MiB/s.
		n := 0
		buf := make([]byte, 8<<10)
		_ = client.SetReadDeadline(time.Now().Add(ioTimeout))
		for n < len(want) {
			m, err := io.ReadFull(client, buf[:min(len(buf), len(want)-n)])
			n += m
			if err != nil {
				break
			}
			time.Sleep(4 * time.Millisecond)
		}
		read <- n
	}()
	require.NoError(t, s.write(want, timeout, false), "the client read all along")
	assert.Equal(t, len(want), <-read)
}

func TestSocketWriteGivesUpOnAClientThatDoesNotRead(t *testing.T) {
	s, _ := socketPair(t)
	t.Cleanup(s.release)
	err := s.write(make([]byte, 64<<20), 50*time.Millisecond, false)
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
}

func TestSocketAwaitWritable(t *testing.T) {
	tests := []struct {
		name string
		free func(s *socket, client net.Conn) // makes the wait end
		ok   bool
	}{
		{"the client reads", func(_ *socket, client net.Conn) {
			_ = client.SetReadDeadline(time.Now().Add(ioTimeout))
			_, _ = io.CopyN(io.Discard, client, 8<<20)
		}, true},
		{"abort", func(s *socket, _ net.Conn) { s.abort() }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, client := socketPair(t)
			t.Cleanup(s.release)
			fill(t, s)
			done := make(chan error, 1)
			go func() { done <- s.awaitWritable(time.Now().Add(ioTimeout)) }()
			go tt.free(s, client)
			select {
			case err := <-done:
				if tt.ok {
					assert.NoError(t, err)
				} else {
					assert.Error(t, err)
				}
			case <-time.After(ioTimeout):
				t.Fatal("the wait did not end")
			}
		})
	}
}

func TestSocketAbortEndsLaterWritesToo(t *testing.T) {
	s, _ := socketPair(t)
	t.Cleanup(s.release)
	s.abort()
	fill(t, s)
	assert.ErrorIs(t, s.write(make([]byte, 1<<20), ioTimeout, false), os.ErrDeadlineExceeded)
}

func TestSocketStaysOpenWhileReferenced(t *testing.T) {
	s, client := socketPair(t)
	s.acquire()
	s.release()
	require.NoError(t, s.write([]byte("still open"), ioTimeout, false))
	s.release()
	require.NoError(t, client.SetReadDeadline(time.Now().Add(ioTimeout)))
	b, err := io.ReadAll(client)
	require.NoError(t, err)
	assert.Equal(t, "still open", string(b))
}
