package files

import (
	stderrors "errors"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"syscall"

	"github.com/rawhttpd/rawhttpd/engine"
)

// fromDisk answers a request on the worker pool, where it may wait on the
// disk: a cache miss or revalidation, a directory, a file the cache does
// not hold. It stats the file through the root, so that nothing outside
// it is reached.
func (h *Handler) fromDisk(c *engine.Context) error {
	head, err := isHead(c)
	if err != nil {
		return err
	}
	var scratch [keyScratch]byte
	k, err := appendKey(scratch[:0], c.Path(), h.opts.Dotfiles)
	if err != nil {
		return err
	}
	key := string(k)
	name := rootName(key)
	info, err := h.root.Stat(name)
	if err != nil {
		h.forget(key)
		return statusOf(err)
	}
	switch {
	case info.IsDir() && !isDirKey(key):
		return redirectToDirectory(c, key)
	case info.IsDir():
		index := path.Join(name, "index.html")
		info, err = h.root.Stat(index)
		switch {
		case err == nil && info.Mode().IsRegular():
			name = index
		case (err == nil || stderrors.Is(err, fs.ErrNotExist)) && h.opts.Browse:
			h.forget(key)
			return h.list(c, key, name, head)
		case err == nil || stderrors.Is(err, fs.ErrNotExist):
			h.forget(key)
			return errNotFound
		default:
			h.forget(key)
			return statusOf(err)
		}
	case isDirKey(key) || !info.Mode().IsRegular():
		// A file asked for as a directory, or a device, a pipe, a socket.
		h.forget(key)
		return errNotFound
	}
	if h.cache != nil && info.Size() <= h.opts.CacheMaxFile {
		return h.serveCached(c, key, name, info, head)
	}
	return h.stream(c, key, name, head)
}

// forget drops the cache's entry for key, if any.
func (h *Handler) forget(key string) {
	if h.cache != nil {
		h.cache.drop(key)
	}
}

// serveCached answers from the cache's entry for key when it still holds
// the file info describes, and otherwise reads the file into a new entry
// first.
func (h *Handler) serveCached(c *engine.Context, key, name string, info fs.FileInfo, head bool) error {
	e := h.cache.get([]byte(key))
	if e != nil && e.body != nil && e.name == name && e.id == idOf(info) {
		e.checked.Store(h.now())
	} else {
		var err error
		if e, err = h.load(key, name); err != nil {
			h.forget(key)
			return err
		}
		h.cache.put(e)
	}
	_, err := e.serve(c, head) // always served: e holds the body
	return err
}

// load reads the file name into a new entry for key.
func (h *Handler) load(key, name string) (*entry, error) {
	f, err := h.root.Open(name)
	if err != nil {
		return nil, statusOf(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	body := make([]byte, info.Size())
	if _, err := io.ReadFull(f, body); err != nil {
		return nil, err
	}
	e := &entry{key: key, name: name, body: body, id: idOf(info)}
	e.meta = newMeta(info, contentType(name, body[:min(len(body), sniffLen)]))
	e.checked.Store(h.now())
	return e, nil
}

// stream answers with the file name sent from disk by the engine
// (Context.SendFile: sendfile(2) to the socket, no copy through memory),
// the whole file or the requested range; the worker waits while the client
// does not read, so memory stays bounded however slowly it reads. With the
// cache on, the file's fields are kept under key (an entry without a
// body), so that HEAD and conditional requests for it are answered on the
// loop, and the file is kept open in it, so that the requests of the next
// second send it without opening it (fromOpen).
func (h *Handler) stream(c *engine.Context, key, name string, head bool) error {
	f, err := h.root.Open(name)
	if err != nil {
		h.forget(key)
		return statusOf(err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	if !info.Mode().IsRegular() {
		_ = f.Close()
		h.forget(key)
		return errNotFound
	}
	m, held, err := h.fieldsOf(key, name, f, info)
	if held != nil {
		defer held.release()
	} else {
		defer f.Close()
	}
	if err != nil {
		return err
	}
	return sendFrom(c, f, m, head)
}

// fromOpen answers, on the worker pool, a GET of a large file whose entry
// the loop found checked within the last second and holding the file open:
// it is sent from that descriptor, with no stat and no open. When the
// entry has gone meanwhile, it is answered from disk.
func (h *Handler) fromOpen(c *engine.Context) error {
	head, err := isHead(c)
	if err != nil {
		return err
	}
	var scratch [keyScratch]byte
	key, err := appendKey(scratch[:0], c.Path(), h.opts.Dotfiles)
	if err != nil {
		return err
	}
	e := h.cache.get(key)
	if e == nil || e.file == nil || !e.file.acquire() {
		return h.fromDisk(c)
	}
	defer e.file.release()
	return sendFrom(c, e.file.f, e.meta, head)
}

// sendFrom answers with the open file f, whose fields are m: 304, the
// head alone for HEAD, else the whole file or the requested range.
func sendFrom(c *engine.Context, f *os.File, m *meta, head bool) error {
	k := readConditions(c.Request())
	a, err := evaluate(&k, m, !head)
	if err != nil {
		return err
	}
	m.addFields(c, a)
	switch {
	case a.status == statusNotModified:
		return nil
	case head:
		c.SetContentLength(a.to - a.from)
		return nil
	}
	return c.SendFile(f, a.from, a.to-a.from)
}

// fieldsOf returns the meta of the open file f, described by info: the
// cache's, when it holds this version of the file under key, or else a new
// one, which the cache then keeps, with f. When the cache takes f, held is
// the caller's reference to it, to release instead of closing f. When the
// name does not tell the type, the first bytes are read to sniff it.
func (h *Handler) fieldsOf(key, name string, f *os.File, info fs.FileInfo) (m *meta, held *openFile, err error) {
	id := idOf(info)
	if h.cache != nil {
		if e := h.cache.get([]byte(key)); e != nil && e.body == nil && e.name == name && e.id == id {
			e.checked.Store(h.now())
			return e.meta, nil, nil
		}
	}
	var first []byte
	if !knownType(name) {
		var buf [sniffLen]byte
		n, err := f.ReadAt(buf[:], 0)
		if err != nil && err != io.EOF {
			return nil, nil, err
		}
		first = buf[:n]
	}
	m = newMeta(info, contentType(name, first))
	if h.cache != nil {
		held = newOpenFile(f)
		e := &entry{key: key, name: name, meta: m, id: id, file: held}
		e.checked.Store(h.now())
		h.cache.put(e)
	}
	return m, held, nil
}

// redirectToDirectory answers a directory asked for without its trailing
// slash with 301 to the path with it, so that the relative links of its
// index resolve inside it (RFC 9110 §15.4.2). The location is made from
// the cleaned key, never from the raw target, which could name another
// host ("//host").
func redirectToDirectory(c *engine.Context, key string) error {
	loc := (&url.URL{Path: key + "/"}).EscapedPath()
	if q := c.Query(); q != nil {
		loc += "?" + string(q)
	}
	c.SetStatus(301)
	return c.SetHeader("Location", loc)
}

// statusOf maps an error of opening a file through the root to the
// answer: 404 for a file that is not there or cannot be named, 403 for
// one that may not be read, or that a symbolic link or ".." would reach
// outside the root (os.Root's own refusal, the one error it returns that
// is not the system's). Any other error is the server's (500, logged).
func statusOf(err error) error {
	var errno syscall.Errno
	switch {
	case stderrors.Is(err, fs.ErrNotExist), stderrors.Is(err, syscall.ENOTDIR),
		stderrors.Is(err, syscall.ENAMETOOLONG), stderrors.Is(err, syscall.ELOOP),
		stderrors.Is(err, fs.ErrInvalid):
		return errNotFound
	case stderrors.Is(err, fs.ErrPermission):
		return errForbidden
	case stderrors.Is(err, fs.ErrClosed):
		return err // the Handler was closed: the server's condition
	case !stderrors.As(err, &errno):
		return errForbidden
	}
	return err
}
