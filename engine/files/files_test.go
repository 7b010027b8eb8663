package files

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeFiles(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		raw         string
		status      int
		contentType string
		body        string // "" with status < 300 means an empty body
		contains    string // for listings and error entities
		location    string
	}{
		{name: "file", raw: "GET /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n", status: 200,
			contentType: "text/plain; charset=utf-8", body: "0123456789"},
		{name: "index of the root", raw: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", status: 200,
			contentType: "text/html; charset=utf-8", body: "<html>home</html>"},
		{name: "index of a directory", raw: "GET /sub/ HTTP/1.1\r\nHost: a\r\n\r\n", status: 200,
			contentType: "text/html; charset=utf-8", body: "<html>sub</html>"},
		{name: "directory without its slash", raw: "GET /sub?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", status: 301,
			location: "/sub/?x=1"},
		{name: "no open redirect", raw: "GET //escapedir HTTP/1.1\r\nHost: a\r\n\r\n", status: 403},
		{name: "percent-encoded name", raw: "GET /hello%2etxt HTTP/1.1\r\nHost: a\r\n\r\n", status: 200,
			body: "0123456789", contentType: "text/plain; charset=utf-8"},
		{name: "symbolic link inside the root", raw: "GET /link.txt HTTP/1.1\r\nHost: a\r\n\r\n", status: 200,
			body: "0123456789", contentType: "text/plain; charset=utf-8"},
		{name: "type sniffed without an extension", raw: "GET /noext HTTP/1.1\r\nHost: a\r\n\r\n", status: 200,
			contentType: "image/png", body: "\x89PNG\r\n\x1a\n0000"},
		{name: "absolute-form target", raw: "GET http://a/hello.txt HTTP/1.1\r\nHost: a\r\n\r\n", status: 200,
			body: "0123456789", contentType: "text/plain; charset=utf-8"},
		{name: "missing", raw: "GET /missing.txt HTTP/1.1\r\nHost: a\r\n\r\n", status: 404, contains: "permanent"},
		{name: "file asked for as a directory", raw: "GET /hello.txt/ HTTP/1.1\r\nHost: a\r\n\r\n", status: 404},
		{name: "directory without index", raw: "GET /bare/ HTTP/1.1\r\nHost: a\r\n\r\n", status: 404},
		{name: "listing when browsing", opts: Options{Browse: true}, raw: "GET /bare/ HTTP/1.1\r\nHost: a\r\n\r\n",
			status: 200, contentType: "text/html; charset=utf-8", contains: `<a href="./page.html">page.html</a>`},
		{name: "listing hides dotfiles", opts: Options{Browse: true}, raw: "GET /bare/ HTTP/1.1\r\nHost: a\r\n\r\n",
			status: 200, contentType: "text/html; charset=utf-8", contains: "<h1>Index of /bare/</h1>"},
		{name: "dotfile", raw: "GET /.env HTTP/1.1\r\nHost: a\r\n\r\n", status: 404},
		{name: "dot directory", raw: "GET /.git/config HTTP/1.1\r\nHost: a\r\n\r\n", status: 404},
		{name: "dotfile when served", opts: Options{Dotfiles: true}, raw: "GET /.env HTTP/1.1\r\nHost: a\r\n\r\n",
			status: 200, body: "SECRET=1"},
		{name: "POST", raw: "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", status: 405,
			contains: "permanent"},
		{name: "problem+json", raw: "GET /missing.txt HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\n\r\n",
			status: 404, contentType: "application/problem+json", contains: `"status":404`},
	}
	root := newTree(t)
	servers := map[Options]string{} // one server per set of options
	for _, mode := range cacheModes {
		for _, tt := range tests {
			opts := tt.opts
			opts.CacheBytes, opts.CacheMaxFile = mode.opts.CacheBytes, mode.opts.CacheMaxFile
			if servers[opts] == "" {
				_, servers[opts] = startFiles(t, root, opts)
			}
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				for range 2 { // the second is a cache hit when the first filled it
					c := dial(t, servers[opts])
					method, _, _ := strings.Cut(tt.raw, " ")
					resp, body := c.do(method, tt.raw)
					assert.Equal(t, tt.status, resp.StatusCode)
					if tt.contentType != "" {
						assert.Equal(t, tt.contentType, resp.Header.Get("Content-Type"))
					}
					if tt.status < 300 && tt.contains == "" {
						assert.Equal(t, tt.body, body)
					}
					assert.Contains(t, body, tt.contains)
					assert.NotContains(t, body, "TOP SECRET")
					assert.NotContains(t, body, ".hidden")
					assert.Equal(t, tt.location, resp.Header.Get("Location"))
					if tt.status == 405 {
						assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
					}
				}
			})
		}
	}
}

func TestRefuseTraversal(t *testing.T) {
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
		{"/hello.txt%00", 404},
		{"/escape.txt", 403},
		{"/escapedir/doc.txt", 403},
		{"/escapedir/", 403},
	}
	for _, mode := range cacheModes {
		for _, dotfiles := range []bool{false, true} {
			opts := mode.opts
			opts.Dotfiles, opts.Browse = dotfiles, true
			_, addr := startFiles(t, newTree(t), opts)
			c := dial(t, addr)
			for _, tt := range tests {
				name := mode.name + "/dotfiles=" + map[bool]string{false: "off", true: "on"}[dotfiles] + "/" + tt.target
				t.Run(name, func(t *testing.T) {
					for range 2 {
						resp, body := c.get(tt.target, "")
						assert.Equal(t, tt.status, resp.StatusCode)
						assert.NotContains(t, body, "TOP SECRET")
					}
				})
			}
		}
	}
}

func TestSymlinkRetargetedOutsideIsRefused(t *testing.T) {
	root := newTree(t)
	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			link := filepath.Join(root, "moving.txt")
			_ = os.Remove(link)
			require.NoError(t, os.Symlink("hello.txt", link))
			_, addr, clock := startClocked(t, root, mode.opts)
			c := dial(t, addr)
			resp, body := c.get("/moving.txt", "")
			require.Equal(t, 200, resp.StatusCode)
			require.Equal(t, "0123456789", body)

			require.NoError(t, os.Remove(link))
			require.NoError(t, os.Symlink(filepath.Join(root, "..", "secret.txt"), link))
			clock.advance(revalidateEvery)
			resp, body = c.get("/moving.txt", "")
			assert.Equal(t, 403, resp.StatusCode)
			assert.NotContains(t, body, "TOP SECRET")
		})
	}
}
