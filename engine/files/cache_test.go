package files

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheNoticesChangeAndRemoval(t *testing.T) {
	root := newTree(t)
	h, addr, clock := startClocked(t, root, Options{})
	c := dial(t, addr)
	file := filepath.Join(root, "hello.txt")

	_, body := c.get("/hello.txt", "")
	require.Equal(t, "0123456789", body)
	entries, _ := h.cache.size()
	require.Equal(t, 1, entries, "the first request fills the cache")

	writeFile(t, file, "abcdefghij") // same size
	later := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(file, later, later))
	clock.advance(revalidateEvery - 1)
	_, body = c.get("/hello.txt", "")
	assert.Equal(t, "0123456789", body, "within the interval the cached copy is served, without a stat")

	clock.advance(1)
	resp, body := c.get("/hello.txt", "")
	assert.Equal(t, "abcdefghij", body, "once the interval has passed, the change is noticed")
	etag := resp.Header.Get("ETag")
	_, body = c.get("/hello.txt", "")
	assert.Equal(t, "abcdefghij", body)
	resp, _ = c.get("/hello.txt", "If-None-Match: "+etag+"\r\n")
	assert.Equal(t, 304, resp.StatusCode, "the new entry carries the new validator")

	require.NoError(t, os.Remove(file))
	clock.advance(revalidateEvery)
	resp, _ = c.get("/hello.txt", "")
	assert.Equal(t, 404, resp.StatusCode, "a removal is noticed")
	entries, used := h.cache.size()
	assert.Zero(t, entries)
	assert.Zero(t, used)
}

func TestCacheRevalidatesOncePerInterval(t *testing.T) {
	root := newTree(t)
	h, addr, clock := startClocked(t, root, Options{})
	c := dial(t, addr)
	c.get("/hello.txt", "")
	e := h.cache.get([]byte("/hello.txt"))
	require.NotNil(t, e)

	clock.advance(revalidateEvery)
	assert.False(t, e.fresh(clock.now()), "the first request past the interval revalidates")
	assert.True(t, e.fresh(clock.now()), "the others are served from memory meanwhile")
	assert.True(t, e.fresh(clock.now()+revalidateEvery-1))
	assert.False(t, e.fresh(clock.now()+revalidateEvery))
}

func TestCacheBounds(t *testing.T) {
	root := t.TempDir()
	const size = 1000
	for i := range 10 {
		writeFile(t, filepath.Join(root, "f"+strconv.Itoa(i)), strings.Repeat(strconv.Itoa(i), size))
	}
	writeFile(t, filepath.Join(root, "big"), strings.Repeat("b", 3000))
	const perEntry = int64(size + len("/f0") + len("f0") + entryOverhead)
	h, addr := startFiles(t, root, Options{CacheBytes: 4 * perEntry, CacheMaxFile: 2000})
	c := dial(t, addr)

	for i := range 10 {
		resp, body := c.get("/f"+strconv.Itoa(i), "")
		require.Equal(t, 200, resp.StatusCode)
		require.Equal(t, strings.Repeat(strconv.Itoa(i), size), body)
		entries, used := h.cache.size()
		assert.LessOrEqual(t, used, 4*perEntry, "the byte budget holds")
		assert.Equal(t, min(i+1, 4), entries)
	}
	assert.NotNil(t, h.cache.get([]byte("/f9")), "the newest file is kept")

	resp, body := c.get("/big", "")
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, strings.Repeat("b", 3000), body, "a file over the entry limit is still served")
	big := h.cache.get([]byte("/big"))
	require.NotNil(t, big, "its fields are kept")
	assert.Nil(t, big.body, "but not its content")
}

func TestCacheEvictsUnreferencedFirst(t *testing.T) {
	newEntry := func(key string) *entry { return &entry{key: key, body: make([]byte, 100)} }
	cost := newEntry("/a").cost()
	c := newCache(3 * cost)
	a, b, d := newEntry("/a"), newEntry("/b"), newEntry("/d")
	c.put(a)
	c.put(b)
	c.put(d)
	a.referenced.Store(true)
	d.referenced.Store(true)
	c.put(newEntry("/e"))
	assert.Nil(t, c.get([]byte("/b")), "the one entry not used since the hand passed goes")
	for _, key := range []string{"/a", "/d", "/e"} {
		assert.NotNil(t, c.get([]byte(key)), key)
	}
	_, used := c.size()
	assert.Equal(t, 3*cost, used)

	c.put(&entry{key: "/huge", body: make([]byte, 4*cost)})
	assert.Nil(t, c.get([]byte("/huge")), "an entry larger than the budget is not kept")
	assert.NotNil(t, c.get([]byte("/a")), "and evicts nothing")
}

// replaceFile puts a new file with body at p by renaming it over the old
// one, as deployments do: the old file lives on for whoever holds it open.
func replaceFile(t *testing.T, p, body string) {
	t.Helper()
	tmp := p + ".new"
	writeFile(t, tmp, body)
	require.NoError(t, os.Rename(tmp, p))
}

func TestCacheHoldsLargeFilesOpen(t *testing.T) {
	root := newTree(t)
	h, addr, clock := startClocked(t, root, Options{CacheMaxFile: 4}) // hello.txt's 10 bytes are large
	c := dial(t, addr)
	file := filepath.Join(root, "hello.txt")

	_, body := c.get("/hello.txt", "")
	require.Equal(t, "0123456789", body)
	first := h.cache.get([]byte("/hello.txt"))
	require.NotNil(t, first)
	require.Nil(t, first.body, "the content stays on disk")
	require.NotNil(t, first.file, "the file stays open")

	replaceFile(t, file, "abcdefghij")
	clock.advance(revalidateEvery - 1)
	_, body = c.get("/hello.txt", "")
	assert.Equal(t, "0123456789", body, "within the interval the open file is sent: nothing is opened or looked up")
	resp, body := c.get("/hello.txt", "Range: bytes=2-4\r\n")
	assert.Equal(t, 206, resp.StatusCode)
	assert.Equal(t, "234", body, "a range of it too")

	clock.advance(1)
	_, body = c.get("/hello.txt", "")
	assert.Equal(t, "abcdefghij", body, "once the interval has passed, the new file is noticed")
	closedEventually(t, first.file, "and the old one is closed")
	second := h.cache.get([]byte("/hello.txt"))
	require.NotNil(t, second)
	require.NotNil(t, second.file)

	require.NoError(t, os.Remove(file))
	clock.advance(revalidateEvery)
	resp, _ = c.get("/hello.txt", "")
	assert.Equal(t, 404, resp.StatusCode, "a removal is noticed")
	assert.Nil(t, h.cache.get([]byte("/hello.txt")))
	closedEventually(t, second.file, "its file is closed")

	_, body = c.get("/index.html", "")
	require.NotEmpty(t, body)
	third := h.cache.get([]byte("/index.html"))
	require.NotNil(t, third)
	require.NotNil(t, third.file)
	require.NoError(t, h.Close())
	closedEventually(t, third.file, "Close closes the files the cache holds")
}

// closedEventually asserts that f is closed once the request that sent
// from it, whose response the client has already read, lets go of it: the
// worker releases the file after the socket took the last byte.
func closedEventually(t *testing.T, f *openFile, msg string) {
	t.Helper()
	assert.Eventually(t, func() bool { return f.refs.Load() == 0 }, ioTimeout, time.Millisecond, msg)
}

func TestCacheBoundsOpenFiles(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	writeFile(t, name, "x")
	c := newCache(1 << 20)
	c.maxFiles = 2
	var held []*openFile
	for i := range 3 {
		f, err := os.Open(name)
		require.NoError(t, err)
		o := newOpenFile(f)
		held = append(held, o)
		c.put(&entry{key: "/" + strconv.Itoa(i), file: o})
	}
	assert.Equal(t, 2, c.files)
	require.NotNil(t, c.get([]byte("/2")), "the entry is kept")
	assert.Nil(t, c.get([]byte("/2")).file, "without its file, beyond the bound")
	assert.Equal(t, int32(1), held[2].refs.Load(), "which only its request holds now")
	for _, o := range held {
		o.release()
	}
	assert.Equal(t, int32(1), held[0].refs.Load(), "the cache's reference keeps a kept file open")

	c.put(&entry{key: "/0"}) // replaces the entry of /0
	assert.Zero(t, held[0].refs.Load(), "a replaced entry closes its file")
	assert.Equal(t, 1, c.files)
	c.clear()
	assert.Zero(t, held[1].refs.Load(), "clear closes every file")
	assert.Zero(t, c.files)
}
