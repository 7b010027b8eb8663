package engine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sendFileSize is the size of the file the SendFile tests send: over four
// spans, so that regions cross span boundaries, and not a multiple of any.
const sendFileSize = 4*sendFileSpan + 4099

// writeSendFile writes a file of size bytes whose pattern shows any
// misplaced byte, and returns its path and content.
func writeSendFile(t *testing.T, size int) (string, []byte) {
	t.Helper()
	content := make([]byte, size)
	for i := range content {
		content[i] = byte(i*7 + i>>11)
	}
	name := filepath.Join(t.TempDir(), "f.bin")
	require.NoError(t, os.WriteFile(name, content, 0o644))
	return name, content
}

// sendFileHandler is a Blocking handler that opens name and runs send with
// it, reporting send's error on errs.
func sendFileHandler(t *testing.T, name string, errs chan<- error, send func(*Context, *os.File) error) Handler {
	return Blocking(HandlerFunc(func(c *Context) error {
		f, err := os.Open(name)
		if err != nil {
			errs <- err
			return err
		}
		defer f.Close()
		err = send(c, f)
		errs <- err
		return err
	}))
}

// exchanged is what a client saw of one response, and what the access
// log said of it.
type exchanged struct {
	resp   *http.Response
	body   []byte
	wire   int  // bytes on the wire, head included
	closed bool // the server closed the connection after it
	access Access
}

// sendFileTransports reach a server over loopback, where SendFile uses
// sendfile(2), and through ServeBytes, where it copies (the fallback).
var sendFileTransports = []struct {
	name     string
	exchange func(t *testing.T, h Handler, raw, method string, closing bool) exchanged
}{
	{"loopback", exchangeLoopback},
	{"in memory", exchangeInMemory},
}

// exchangeLoopback sends raw to a server of h over loopback and reads the
// one response; closing: then wait for the server to close the connection.
func exchangeLoopback(t *testing.T, h Handler, raw, method string, closing bool) exchanged {
	t.Helper()
	var rec accessRecorder
	s := startServer(t, h, Config{OnAccess: rec.record, Logger: discardSlog()})
	c := dialRaw(t, s)
	var wire countingWriter
	c.r = bufio.NewReader(io.TeeReader(c.conn, &wire))
	c.send(raw)
	require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	resp, err := http.ReadResponse(c.r, &http.Request{Method: method})
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body) // a short body is an outcome here
	x := exchanged{resp: resp, body: body, closed: closing && c.closedByServer()}
	require.Eventually(t, func() bool { return len(rec.all()) == 1 }, ioTimeout, time.Millisecond)
	x.wire, x.access = wire.n, rec.all()[0]
	return x
}

// exchangeInMemory serves raw with ServeBytes on a server of h.
func exchangeInMemory(t *testing.T, h Handler, raw, method string, _ bool) exchanged {
	t.Helper()
	var rec accessRecorder
	s := New(h, Config{OnAccess: rec.record, Logger: discardSlog()})
	out, closed, err := s.ServeBytes(context.Background(), []byte(raw))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), &http.Request{Method: method})
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	require.Len(t, rec.all(), 1)
	return exchanged{resp: resp, body: body, wire: len(out), closed: closed, access: rec.all()[0]}
}

// countingWriter counts what is written to it.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func TestSendFileSendsTheRegion(t *testing.T) {
	name, content := writeSendFile(t, sendFileSize)
	get := "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	tests := []struct {
		name   string
		raw    string
		send   func(*Context, *os.File) error
		length int64 // Content-Length; -1 for chunked
		body   []byte
	}{
		{"whole file", get, func(c *Context, f *os.File) error {
			return c.SendFile(f, 0, sendFileSize)
		}, sendFileSize, content},
		{"a region across spans", get, func(c *Context, f *os.File) error {
			return c.SendFile(f, 1000, 2*sendFileSpan+1)
		}, 2*sendFileSpan + 1, content[1000 : 1000+2*sendFileSpan+1]},
		{"after a written prefix", get, func(c *Context, f *os.File) error {
			_, _ = c.WriteString("prefix")
			return c.SendFile(f, 0, 100)
		}, 106, append([]byte("prefix"), content[:100]...)},
		{"two regions of a declared length", get, func(c *Context, f *os.File) error {
			c.SetContentLength(200)
			if err := c.SendFile(f, 0, 100); err != nil {
				return err
			}
			return c.SendFile(f, 500, 100)
		}, 200, append(append([]byte(nil), content[:100]...), content[500:600]...)},
		{"a chunk after a flushed stream", get, func(c *Context, f *os.File) error {
			_, _ = c.WriteString("a")
			if err := c.Flush(); err != nil {
				return err
			}
			return c.SendFile(f, 10, sendFileSpan+5)
		}, -1, append([]byte("a"), content[10:10+sendFileSpan+5]...)},
		{"HEAD sends the head alone", "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", func(c *Context, f *os.File) error {
			return c.SendFile(f, 0, sendFileSize)
		}, sendFileSize, []byte{}},
		{"an empty region", get, func(c *Context, f *os.File) error {
			return c.SendFile(f, 7, 0)
		}, 0, []byte{}},
		{"HTTP/1.0", "GET / HTTP/1.0\r\n\r\n", func(c *Context, f *os.File) error {
			return c.SendFile(f, 3, 5000)
		}, 5000, content[3:5003]},
	}
	for _, tr := range sendFileTransports {
		for _, tt := range tests {
			t.Run(tr.name+"/"+tt.name, func(t *testing.T) {
				errs := make(chan error, 1)
				method := tt.raw[:bytes.IndexByte([]byte(tt.raw), ' ')]
				x := tr.exchange(t, sendFileHandler(t, name, errs, tt.send), tt.raw, method, false)
				require.NoError(t, <-errs)
				assert.Equal(t, 200, x.resp.StatusCode)
				if tt.length < 0 {
					assert.Equal(t, []string{"chunked"}, x.resp.TransferEncoding)
				} else {
					assert.Equal(t, strconv.FormatInt(tt.length, 10), x.resp.Header.Get("Content-Length"))
				}
				assert.True(t, bytes.Equal(tt.body, x.body), "body of %d bytes, want %d", len(x.body), len(tt.body))
				assert.Equal(t, x.wire, x.access.Bytes, "the access log counts every byte sent")
			})
		}
	}
}

func TestSendFileOfAShortFileClosesTheConnection(t *testing.T) {
	name, content := writeSendFile(t, 1000)
	tests := []struct {
		name      string
		offset, n int64
		body      []byte
	}{
		{"the file ends inside the region", 0, 5000, content},
		{"the region starts past the end", 2000, 10, []byte{}},
	}
	for _, tr := range sendFileTransports {
		for _, tt := range tests {
			t.Run(tr.name+"/"+tt.name, func(t *testing.T) {
				errs := make(chan error, 1)
				h := Blocking(HandlerFunc(func(c *Context) error {
					f, err := os.Open(name)
					require.NoError(t, err)
					defer f.Close()
					errs <- c.SendFile(f, tt.offset, tt.n)
					return nil // the connection closes even when the handler ignores the error
				}))
				x := tr.exchange(t, h, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET", true)
				assert.ErrorIs(t, <-errs, ErrShortFile)
				assert.Equal(t, strconv.FormatInt(tt.n, 10), x.resp.Header.Get("Content-Length"))
				assert.True(t, bytes.Equal(tt.body, x.body), "body of %d bytes, want %d", len(x.body), len(tt.body))
				assert.True(t, x.closed, "the promised length was not kept: the connection closes")
			})
		}
	}
}

func TestSendFileRefusals(t *testing.T) {
	name, _ := writeSendFile(t, 10)
	f, err := os.Open(name)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	tests := []struct {
		name    string
		handler func(errs chan<- error) Handler
		want    error
	}{
		{"inline", func(errs chan<- error) Handler {
			return HandlerFunc(func(c *Context) error { err := c.SendFile(f, 0, 10); errs <- err; return err })
		}, ErrNotBlocking},
		{"negative offset", func(errs chan<- error) Handler {
			return Blocking(HandlerFunc(func(c *Context) error { err := c.SendFile(f, -1, 10); errs <- err; return err }))
		}, ErrInvalidRegion},
		{"negative length", func(errs chan<- error) Handler {
			return Blocking(HandlerFunc(func(c *Context) error { err := c.SendFile(f, 0, -1); errs <- err; return err }))
		}, ErrInvalidRegion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := make(chan error, 1)
			s := New(tt.handler(errs), Config{Logger: discardSlog()})
			out, _, err := s.ServeBytes(context.Background(), []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
			require.NoError(t, err)
			assert.ErrorIs(t, <-errs, tt.want)
			assert.True(t, bytes.HasPrefix(out, []byte("HTTP/1.1 500 ")), "nothing was sent: the error is answered")
		})
	}
}

func TestSendFileToASlowReaderHoldsNoMemory(t *testing.T) {
	const size = 32 << 20
	name, content := writeSendFile(t, size)
	want := content
	errs := make(chan error, 1)
	s := startServer(t, sendFileHandler(t, name, errs, func(c *Context, f *os.File) error {
		return c.SendFile(f, 0, size)
	}), Config{})
	c := dialNarrow(t, s)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseline := ms.HeapInuse
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	resp, err := http.ReadResponse(c.r, nil)
	require.NoError(t, err)
	piece := make([]byte, 64<<10)
	var got int
	var peak uint64
	for got < size {
		n, err := io.ReadFull(resp.Body, piece[:min(len(piece), size-got)])
		require.NoError(t, err)
		require.True(t, bytes.Equal(want[got:got+n], piece[:n]), "bytes at %d", got)
		got += n
		if got%(2<<20) == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	require.NoError(t, <-errs)
	growth := int64(peak) - int64(baseline)
	t.Logf("heap growth while sending %d MiB: %.1f MiB", size>>20, float64(growth)/(1<<20))
	assert.Less(t, growth, int64(4<<20))
}

func TestSendFileToAClientThatLeavesReturnsAndLeaksNothing(t *testing.T) {
	const size = 64 << 20
	name, _ := writeSendFile(t, size)
	errs := make(chan error, 1)
	s := startServer(t, sendFileHandler(t, name, errs, func(c *Context, f *os.File) error {
		return c.SendFile(f, 0, size)
	}), Config{})
	baseline := openDescriptors(t)
	c := dialRaw(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	_, err := io.ReadFull(c.r, make([]byte, 1<<20))
	require.NoError(t, err)
	require.NoError(t, c.conn.Close()) // with most of the file unread
	select {
	case err := <-errs:
		assert.ErrorIs(t, err, errClientGone)
	case <-time.After(ioTimeout):
		t.Fatal("the worker did not return")
	}
	require.Eventually(t, func() bool { return openDescriptors(t) <= baseline }, ioTimeout, time.Millisecond,
		"the file, the connection and its second descriptor are closed")
}

// openDescriptors counts the process's open file descriptors.
func openDescriptors(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(fds)
}

func TestSendFileToAClientThatStopsReadingEndsAtWriteTimeout(t *testing.T) {
	const size = 64 << 20
	name, _ := writeSendFile(t, size)
	errs := make(chan error, 1)
	s := startServer(t, sendFileHandler(t, name, errs, func(c *Context, f *os.File) error {
		return c.SendFile(f, 0, size)
	}), Config{WriteTimeout: 200 * time.Millisecond})
	c := dialNarrow(t, s)
	c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	// The client reads nothing: the socket fills, and the worker must
	// give up once WriteTimeout passes without the client taking a span.
	select {
	case err := <-errs:
		assert.ErrorIs(t, err, errClientGone)
	case <-time.After(ioTimeout):
		t.Fatal("the worker waited past WriteTimeout")
	}
	// What the socket holds is still readable; then the connection ends.
	require.NoError(t, c.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
	_, err := io.Copy(io.Discard, c.r)
	assert.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the server closed the connection")
}
