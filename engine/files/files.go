package files

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
)

// keyScratch is the size of the stack buffer a request path is decoded
// into on the event loop; a longer path costs one allocation.
const keyScratch = 512

// Handler serves the files under one directory; New makes it. It is safe
// for every loop and worker of a server at once. Close it when the server
// is done.
type Handler struct {
	root *os.Root
	opts Options
	// cache is the open-file cache; nil when Options turn it off.
	cache *cache
	// onWorker runs fromDisk on the worker pool.
	onWorker engine.Handler
	// onWorkerOpen runs fromOpen on the worker pool.
	onWorkerOpen engine.Handler
	// now returns monotonic nanoseconds; tests replace it.
	now func() int64
}

// New returns a Handler for the files under dir. It fails when dir is not
// a directory, so that a mistyped root is refused at startup.
func New(dir string, o Options) (*Handler, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("files: %s: not a directory", dir)
	}
	resolved, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	root, err := os.OpenRoot(resolved)
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	o = o.withDefaults()
	h := &Handler{root: root, opts: o}
	if o.CacheBytes > 0 {
		h.cache = newCache(o.CacheBytes)
	}
	start := time.Now()
	h.now = func() int64 { return int64(time.Since(start)) }
	h.onWorker = engine.Blocking(engine.HandlerFunc(h.fromDisk))
	h.onWorkerOpen = engine.Blocking(engine.HandlerFunc(h.fromOpen))
	return h, nil
}

// Serve answers a request on the event loop when it can: a refusal, a
// file the cache holds and has checked within the last second, or a HEAD
// or conditional request that the cached fields of a larger file answer,
// or a GET of a larger file the cache holds open (sendInline). Anything
// else goes to the worker pool.
func (h *Handler) Serve(c *engine.Context) error {
	head, err := isHead(c)
	if err != nil {
		return err
	}
	var scratch [keyScratch]byte
	key, err := appendKey(scratch[:0], c.Path(), h.opts.Dotfiles)
	if err != nil {
		return err
	}
	if h.cache != nil {
		if e := h.cache.get(key); e != nil && e.fresh(h.now()) {
			a, err := e.answer(c, head)
			if err != nil {
				return err
			}
			if e.serveAnswer(c, a, head) {
				return nil
			}
			if e.file != nil {
				if sendInline(c, e, a) {
					return nil
				}
				return h.onWorkerOpen.Serve(c) // checked within the second: no stat
			}
		}
	}
	return h.onWorker.Serve(c)
}

// Close releases the directory and the files the cache holds open.
// Requests after it fail.
func (h *Handler) Close() error {
	if h.cache != nil {
		h.cache.clear()
	}
	return h.root.Close()
}

// isHead reports whether the request is HEAD, and refuses the methods
// other than GET and HEAD with 405.
func isHead(c *engine.Context) (bool, error) {
	switch string(c.Method()) {
	case "GET":
		return false, nil
	case "HEAD":
		return true, nil
	}
	return false, errMethod
}

// sendInline answers a GET of the large file e holds open from the loop
// (Context.SendFileInline) with a, e's answer to it, holding a reference
// the engine releases once the file has been sent; it reports false,
// having written nothing, when the engine cannot send it from the loop.
func sendInline(c *engine.Context, e *entry, a answer) bool {
	if !e.file.acquire() {
		return false
	}
	if !c.SendFileInline(e.file.f, a.from, a.to-a.from, e.file.release) {
		e.file.release()
		return false
	}
	e.meta.addFields(c, a) // the head is rendered once Serve returns
	return true
}
