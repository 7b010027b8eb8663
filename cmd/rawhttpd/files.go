package main

import (
	"fmt"

	"github.com/rawhttpd/rawhttpd/engine/files"
)

// filesOptions are the files mode's flags beside -root.
type filesOptions struct {
	browse, dotfiles         bool
	cacheBytes, cacheMaxFile int64
}

// newFiles returns the files mode's handler for dir (package
// engine/files); a -file-cache-bytes of 0 turns its cache off. It returns
// an error when dir is not a directory, so that a mistyped -root is
// refused at startup.
func newFiles(dir string, o filesOptions) (*files.Handler, error) {
	opts := files.Options{
		Browse:       o.browse,
		Dotfiles:     o.dotfiles,
		CacheBytes:   o.cacheBytes,
		CacheMaxFile: o.cacheMaxFile,
	}
	if o.cacheBytes <= 0 {
		opts.CacheBytes = -1
	}
	h, err := files.New(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("-root %q: %w", dir, err)
	}
	return h, nil
}
