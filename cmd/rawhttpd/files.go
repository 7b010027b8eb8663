package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/rawhttpd/rawhttpd/engine"
)

// newFiles returns the files mode's handler: the standard library's file
// serving (index pages, Content-Type, Last-Modified, conditional requests,
// Range) on the net/http adapter, with the ETag, method and Range rules
// of staticFiles, over an os.Root so that no path — "..", its encodings,
// or a symbolic link that resolves outside — can reach a file outside dir. It returns an error when dir is not a
// directory, so a mistyped -root is refused at startup.
func newFiles(dir string) (engine.Handler, *os.Root, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("-root %q: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("-root %q: not a directory", dir)
	}
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("-root %q: %w", dir, err)
	}
	root, err := os.OpenRoot(resolved)
	if err != nil {
		return nil, nil, fmt.Errorf("-root %q: %w", dir, err)
	}
	fsys := rootFS{FS: root.FS(), dir: resolved}
	return engine.FromHTTP(staticFiles{fsys: fsys, files: http.FileServerFS(fsys)}), root, nil
}

// staticFiles adds to http.FileServer what it leaves out:
//   - a method other than GET or HEAD is 405 with Allow (RFC 9110
//     §15.5.6), not the file;
//   - a Range in a unit other than bytes is ignored, as RFC 9110 §14.2
//     requires, instead of answered 416;
//   - a regular file gets a strong ETag made of its modification time and
//     size, so If-None-Match and If-Range can match by entity tag too.
type staticFiles struct {
	fsys  fs.FS
	files http.Handler
}

// ServeHTTP applies the rules above, then serves the file.
func (s staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 Method Not Allowed: files are served to GET and HEAD only. This is a permanent condition.", http.StatusMethodNotAllowed)
		return
	}
	if rng := r.Header.Get("Range"); rng != "" && !strings.HasPrefix(rng, "bytes=") {
		r.Header.Del("Range")
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "."
	}
	if info, err := fs.Stat(s.fsys, name); err == nil && info.Mode().IsRegular() {
		w.Header().Set("ETag", fmt.Sprintf(`"%x-%x"`, info.ModTime().UnixNano(), info.Size()))
	}
	s.files.ServeHTTP(w, r)
}

// rootFS is an os.Root's file system that reports a path escaping the
// root as forbidden (403) rather than as the internal error (500) that
// os.Root's own error would become. os.Root still does the refusing; this
// only chooses the status.
type rootFS struct {
	fs.FS
	dir string // the root, symbolic links resolved
}

// Open opens name, mapping an escape to fs.ErrPermission and a name no
// file can have (a NUL byte, which a target may carry as %00) to
// fs.ErrNotExist.
func (r rootFS) Open(name string) (fs.File, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := r.FS.Open(name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) && r.escapes(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f, err
}

// escapes reports whether name, symbolic links followed, lies outside the
// root.
func (r rootFS) escapes(name string) bool {
	resolved, err := filepath.EvalSymlinks(filepath.Join(r.dir, filepath.FromSlash(name)))
	if err != nil {
		return false
	}
	return resolved != r.dir && !strings.HasPrefix(resolved, r.dir+string(filepath.Separator))
}
