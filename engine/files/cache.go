package files

import (
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rawhttpd/rawhttpd/engine"
)

// revalidateEvery is how long a cached file is served without a look at
// the disk: a change or a removal is noticed within this time, and a
// request pays a stat at most this often per file.
const revalidateEvery = int64(time.Second)

// entryOverhead is what the cache counts for an entry beyond its body:
// the entry, its meta and rendered fields, and the map slot.
const entryOverhead = 512

// entry is one cached file: its bytes and the response fields rendered
// for them, or, for a file larger than the cache holds, the fields alone,
// which still answer a HEAD or a conditional request from memory. Its key,
// name, body, meta and id never change once the entry is published; a
// changed file gets a new entry.
type entry struct {
	key  string // the request path it answers, as appendKey made it
	name string // the file it holds, as os.Root names it
	// body is the file's content; nil when the file is too large to hold.
	body []byte
	// file is the open file a body-less entry sends from, so that a
	// request for it opens nothing; nil when the cache holds its limit of
	// open files, or the entry holds the body.
	file *openFile
	meta *meta
	id   fileID

	// checked is when the file was last found unchanged (Handler.now).
	checked atomic.Int64
	// referenced is set by each hit and cleared by the eviction hand
	// passing over it: the CLOCK algorithm's second chance.
	referenced atomic.Bool
	// slot is the entry's index in cache.ring; guarded by cache.mu.
	slot int
}

// cost is what e counts against the cache's budget.
func (e *entry) cost() int64 { return int64(len(e.body)+len(e.key)+len(e.name)) + entryOverhead }

// fresh reports whether e may be served without a look at the disk at
// time now. Once revalidateEvery has passed, the first request to ask
// claims the revalidation and is told no; the requests after it are
// served from e meanwhile.
func (e *entry) fresh(now int64) bool {
	checked := e.checked.Load()
	if now-checked < revalidateEvery {
		return true
	}
	return !e.checked.CompareAndSwap(checked, now)
}

// serve answers a GET (or HEAD, head set) from e's memory, and reports
// false, having written nothing, when the answer needs bytes e does not
// hold: those of a file too large to cache. A hit, its 304 and its HEAD
// allocate nothing: every field was rendered when e was made; only a 206
// renders its Content-Range.
func (e *entry) serve(c *engine.Context, head bool) (bool, error) {
	a, err := e.answer(c, head)
	if err != nil {
		return true, err
	}
	return e.serveAnswer(c, a, head), nil
}

// answer marks e used and evaluates the request's conditions and range
// against it: the answer, or the error response (412, 416) that refuses
// the request.
func (e *entry) answer(c *engine.Context, head bool) (answer, error) {
	if !e.referenced.Load() {
		e.referenced.Store(true)
	}
	k := readConditions(c.Request())
	return evaluate(&k, e.meta, !head)
}

// serveAnswer answers with a, e's answer to the request, from e's memory,
// and reports false, having written nothing, when it needs bytes e does
// not hold.
func (e *entry) serveAnswer(c *engine.Context, a answer, head bool) bool {
	if e.body == nil && !head && a.status != statusNotModified {
		return false
	}
	e.meta.addFields(c, a)
	switch {
	case a.status == statusNotModified:
	case head:
		c.SetContentLength(a.to - a.from)
	default:
		_, _ = c.WriteShared(e.body[a.from:a.to]) // e.body never changes
	}
	return true
}

// maxOpenFiles bounds the files the cache keeps open for the entries of
// large files; beyond it an entry holds the fields alone and its requests
// open the file each time.
const maxOpenFiles = 1024

// openFile is a large file kept open by the cache and shared by the
// requests that send it: sendfile and pread take the offset as an
// argument, so they do not share a file position. It is closed once the
// cache has let go of it and the last request sending from it is done.
type openFile struct {
	f    *os.File
	refs atomic.Int32 // the cache's, and one per request sending from it
}

// newOpenFile returns f held twice: by the cache and by the caller.
func newOpenFile(f *os.File) *openFile {
	o := &openFile{f: f}
	o.refs.Store(2)
	return o
}

// acquire takes a reference for a request, or reports false when the
// file has already been closed.
func (o *openFile) acquire() bool {
	for {
		n := o.refs.Load()
		if n <= 0 {
			return false
		}
		if o.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference and closes the file with the last one.
func (o *openFile) release() {
	if o.refs.Add(-1) == 0 {
		_ = o.f.Close()
	}
}

// cache is the open-file cache: entries by key, bounded in bytes. The
// loops look entries up under a read lock; the workers add and remove
// them. When an entry does not fit, a CLOCK hand sweeps the ring of
// entries and evicts the first one not referenced since its last pass,
// an approximation of least recently used that costs a hit no more than
// a flag.
type cache struct {
	budget   int64 // the most bytes the entries may count
	maxFiles int   // the most entries that hold an open file

	// mu guards entries, ring, hand, used and files.
	mu      sync.RWMutex
	entries map[string]*entry
	ring    []*entry
	hand    int
	used    int64
	files   int // entries holding an open file
}

// newCache returns a cache of budget bytes.
func newCache(budget int64) *cache {
	return &cache{budget: budget, maxFiles: maxOpenFiles, entries: make(map[string]*entry)}
}

// get returns the entry for key, or nil. It allocates nothing.
func (c *cache) get(key []byte) *entry {
	c.mu.RLock()
	e := c.entries[string(key)]
	c.mu.RUnlock()
	return e
}

// put publishes e, replacing the entry of the same key and evicting
// others until e fits. An entry larger than the whole budget is not kept.
// The cache takes over e's file: it is released when the entry leaves,
// at once when e is not kept or the cache holds its most open files.
func (c *cache) put(e *entry) {
	cost := e.cost()
	if cost > c.budget {
		if e.file != nil {
			e.file.release()
		}
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[e.key]; old != nil {
		c.removeLocked(old)
	}
	for c.used+cost > c.budget {
		c.evictLocked()
	}
	if e.file != nil && c.files >= c.maxFiles {
		e.file.release()
		e.file = nil // e is not published yet
	}
	if e.file != nil {
		c.files++
	}
	e.slot = len(c.ring)
	c.ring = append(c.ring, e)
	c.entries[e.key] = e
	c.used += cost
}

// drop removes the entry for key, if there is one.
func (c *cache) drop(key string) {
	c.mu.RLock()
	e := c.entries[key]
	c.mu.RUnlock()
	if e == nil {
		return // the usual case for a missing file: no write lock
	}
	c.mu.Lock()
	if e := c.entries[key]; e != nil {
		c.removeLocked(e)
	}
	c.mu.Unlock()
}

// size returns the number of entries and the bytes they count.
func (c *cache) size() (entries int, used int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries), c.used
}

// evictLocked moves the hand until it finds an entry not referenced
// since its last pass, clearing the marks it passes, and evicts it. Two
// turns of the ring find one at most.
func (c *cache) evictLocked() {
	for {
		if c.hand >= len(c.ring) {
			c.hand = 0
		}
		e := c.ring[c.hand]
		if e.referenced.Load() {
			e.referenced.Store(false)
			c.hand++
			continue
		}
		c.removeLocked(e)
		return
	}
}

// removeLocked takes e out of the map and the ring; the last entry of the
// ring moves into its slot, which the hand then looks at next.
func (c *cache) removeLocked(e *entry) {
	delete(c.entries, e.key)
	last := len(c.ring) - 1
	moved := c.ring[last]
	c.ring[e.slot] = moved
	moved.slot = e.slot
	c.ring[last] = nil
	c.ring = c.ring[:last]
	c.used -= e.cost()
	if e.file != nil {
		c.files--
		e.file.release()
	}
}

// clear removes every entry, releasing their files.
func (c *cache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.ring) > 0 {
		c.removeLocked(c.ring[len(c.ring)-1])
	}
}
