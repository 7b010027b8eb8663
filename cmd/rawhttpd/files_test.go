package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileTree makes a root with a file, a subdirectory, a secret beside the
// root and a symbolic link inside it that points at the secret.
func fileTree(t *testing.T) (root string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "www")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "hello.txt"), []byte("0123456789"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "sub", "page.html"), []byte("<html>page</html>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(base, "secret.txt"), []byte("TOP SECRET"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(root, "escape.txt")))
	require.NoError(t, os.Symlink(base, filepath.Join(root, "escapedir")))
	return root
}

// cacheFlags are the two ways the files mode's tests run: with the
// open-file cache (the default) and without it.
var cacheFlags = []struct {
	name string
	args []string
}{
	{"cache=on", nil},
	{"cache=off", []string{"-file-cache-bytes", "0"}},
}

func TestBinaryFilesMode(t *testing.T) {
	root := fileTree(t)
	b := startBinary(t, "-root", root, "-browse")

	resp, body := roundTrip(t, b.addr, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "0123456789", body)
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.NotEmpty(t, resp.Header.Get("Last-Modified"))

	resp, body = roundTrip(t, b.addr, "GET /hello.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=2-5\r\n\r\n")
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, "2345", body)
	assert.Equal(t, "bytes 2-5/10", resp.Header.Get("Content-Range"))

	lastModified := resp.Header.Get("Last-Modified")
	resp, _ = roundTrip(t, b.addr, "GET /hello.txt HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: "+lastModified+"\r\n\r\n")
	assert.Equal(t, 304, resp.StatusCode)

	resp, body = roundTrip(t, b.addr, "GET /sub/ HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, body, "page.html", "directory index")

	resp, body = roundTrip(t, b.addr, "HEAD /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "10", resp.Header.Get("Content-Length"))
	assert.Empty(t, body)
}

func TestBinaryFilesRules(t *testing.T) {
	for _, mode := range cacheFlags {
		t.Run(mode.name, func(t *testing.T) {
			testBinaryFilesRules(t, append([]string{"-browse"}, mode.args...))
		})
	}
}

func testBinaryFilesRules(t *testing.T, args []string) {
	root := fileTree(t)
	b := startBinary(t, append([]string{"-root", root}, args...)...)

	resp, _ := roundTrip(t, b.addr, "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n")
	etag := resp.Header.Get("ETag")
	require.Regexp(t, `^"[0-9a-f]+-a"$`, etag, "a strong ETag: modification time and size (10)")
	resp, body := roundTrip(t, b.addr, "GET /hello.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: "+etag+"\r\n\r\n")
	assert.Equal(t, 304, resp.StatusCode)
	assert.Empty(t, body)
	resp, body = roundTrip(t, b.addr, "GET /hello.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: "+etag+"\r\n\r\n")
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, "01", body)
	resp, _ = roundTrip(t, b.addr, "GET /sub/ HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Empty(t, resp.Header.Get("ETag"), "a directory listing has no stable entity tag")

	resp, body = roundTrip(t, b.addr, "GET /hello.txt HTTP/1.1\r\nHost: a\r\nRange: items=0-4\r\n\r\n")
	assert.Equal(t, 200, resp.StatusCode, "a Range in an unknown unit is ignored (RFC 9110 §14.2)")
	assert.Equal(t, "0123456789", body)

	resp, body = roundTrip(t, b.addr, "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx")
	assert.Equal(t, 405, resp.StatusCode)
	assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
	assert.Contains(t, body, "permanent")
	assert.NotContains(t, body, "0123456789")

	resp, _ = roundTrip(t, b.addr, "GET /hello.txt%00 HTTP/1.1\r\nHost: a\r\n\r\n")
	assert.Equal(t, 404, resp.StatusCode, "no file has a NUL in its name")
}

func TestBinaryFilesRefuseTraversal(t *testing.T) {
	tests := []struct {
		target string
		status int
	}{
		{"/../secret.txt", 404},
		{"/sub/../../secret.txt", 404},
		{"/%2e%2e/secret.txt", 404},
		{"/%2E%2E%2Fsecret.txt", 404},
		{"/sub%2f..%2f..%2fsecret.txt", 404},
		{"/..%5csecret.txt", 404},
		{"/escape.txt", 403},
		{"/escapedir/secret.txt", 403},
		{"/hello.txt%00", 404},
	}
	for _, mode := range cacheFlags {
		root := fileTree(t)
		b := startBinary(t, append([]string{"-root", root}, mode.args...)...)
		for _, tt := range tests {
			t.Run(mode.name+tt.target, func(t *testing.T) {
				for range 2 { // the second finds the cache filled, if it can be
					resp, body := roundTrip(t, b.addr, "GET "+tt.target+" HTTP/1.1\r\nHost: a\r\n\r\n")
					assert.Equal(t, tt.status, resp.StatusCode)
					assert.NotContains(t, body, "TOP SECRET")
				}
			})
		}
	}
}

func TestBinaryFilesSafeDefaults(t *testing.T) {
	root := fileTree(t)
	require.NoError(t, os.WriteFile(filepath.Join(root, ".env"), []byte("SECRET=1"), 0o644))
	tests := []struct {
		name   string
		args   []string
		target string
		status int
		body   string // a part of the body
	}{
		{"dotfile refused", nil, "/.env", 404, "404 Not Found"},
		{"dotfile served with -dotfiles", []string{"-dotfiles"}, "/.env", 200, "SECRET=1"},
		{"directory without index refused", nil, "/sub/", 404, "404 Not Found"},
		{"directory listed with -browse", []string{"-browse"}, "/sub/", 200, "page.html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := startBinary(t, append([]string{"-root", root}, tt.args...)...)
			resp, body := roundTrip(t, b.addr, "GET "+tt.target+" HTTP/1.1\r\nHost: a\r\n\r\n")
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Contains(t, body, tt.body)
		})
	}
}

func TestBinaryRootMustExist(t *testing.T) {
	for _, root := range []string{filepath.Join(t.TempDir(), "missing"), writeFile(t)} {
		out, code := runToExit(t, "-root", root)
		assert.Equal(t, 2, code)
		assert.Contains(t, out, "-root")
	}
}

// runToExit runs the binary to its end and returns its output and exit
// code.
func runToExit(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := newCommand(t, args...)
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

// writeFile makes a regular file, which is not a valid -root.
func writeFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(p, nil, 0o644))
	return p
}
