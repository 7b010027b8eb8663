package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/rawhttpd/rawhttpd/engine"
)

// newFiles returns the files mode's handler: the standard library's file
// serving (index pages, Content-Type, ETag/Last-Modified, conditional
// requests, Range) on the net/http adapter, over an os.Root so that no
// path — "..", its encodings, or a symbolic link that resolves outside —
// can reach a file outside dir. It returns an error when dir is not a
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
	return engine.FromHTTP(http.FileServerFS(fsys)), root, nil
}

// rootFS is an os.Root's file system that reports a path escaping the
// root as forbidden (403) rather than as the internal error (500) that
// os.Root's own error would become. os.Root still does the refusing; this
// only chooses the status.
type rootFS struct {
	fs.FS
	dir string // the root, symbolic links resolved
}

// Open opens name, mapping an escape to fs.ErrPermission.
func (r rootFS) Open(name string) (fs.File, error) {
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
