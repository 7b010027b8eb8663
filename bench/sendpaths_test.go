package bench

import (
	"bufio"
	"bytes"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSendpathsSendsTheFileWhole checks that every way bench/sendpaths
// puts the file on the socket delivers it byte for byte, two pipelined
// responses on one connection, with calls and buffers small enough that
// sends stop part-way and resume: a way that sent wrong or short bodies
// would make its CPU per response in bench/README.md meaningless.
func TestSendpathsSendsTheFileWhole(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sendpaths uses Linux system calls")
	}
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler to build bench/sendpaths")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sendpaths")
	out, err := exec.Command(cc, "-O2", "-o", bin, "sendpaths/sendpaths.c").CombinedOutput()
	require.NoError(t, err, "%s", out)
	body := make([]byte, 1<<20+4097) // not a whole number of pages
	rand.New(rand.NewSource(1)).Read(body)
	file := filepath.Join(dir, "body.bin")
	require.NoError(t, os.WriteFile(file, body, 0o644))

	ways := []struct {
		name string
		args []string
	}{
		{"sendfile", []string{"sendfile"}},
		{"sendfile in 64 KiB calls, small send buffer", []string{"sendfile", "chunk=65536", "sndbuf=65536"}},
		{"write", []string{"write"}},
		{"write in 64 KiB calls, small send buffer", []string{"write", "chunk=65536", "sndbuf=65536"}},
		{"mmap", []string{"mmap"}},
		{"splice through 64 KiB", []string{"splice", "pipe=65536"}},
		{"splice through 1 MiB", []string{"splice", "pipe=1048576"}},
		{"vmsplice through 64 KiB", []string{"vmsplice", "pipe=65536"}},
		{"zerocopy", []string{"zerocopy"}},
	}
	for _, w := range ways {
		t.Run(w.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"0", file}, w.args...)...)
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			port, err := bufio.NewReader(stdout).ReadString('\n')
			require.NoError(t, err)

			c, err := net.Dial("tcp", "127.0.0.1:"+strings.TrimSpace(port))
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, c.SetDeadline(time.Now().Add(cmdTimeout)))
			req := "GET /body.bin HTTP/1.1\r\nHost: x\r\n\r\n"
			_, err = io.WriteString(c, req+req)
			require.NoError(t, err)
			r := bufio.NewReader(c)
			for i := range 2 {
				resp, err := http.ReadResponse(r, nil)
				require.NoError(t, err, "response %d", i)
				got, err := io.ReadAll(resp.Body)
				require.NoError(t, err, "response %d", i)
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				assert.True(t, bytes.Equal(body, got), "response %d: %d bytes, not the file's %d", i, len(got), len(body))
			}
		})
	}
}
