package files

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
)

// TestCacheSharedByLoops has clients on two event loops read files while
// one of them is rewritten and the clock moves, so that entries are
// looked up, revalidated, replaced and evicted at once (run it with -race).
// Every response must be one whole version of its file.
func TestCacheSharedByLoops(t *testing.T) {
	root := t.TempDir()
	versions := func(i int) string { return strings.Repeat(strconv.Itoa(i%10), 100+i%7) }
	writeFile(t, filepath.Join(root, "changing"), versions(0))
	for i := range 8 {
		writeFile(t, filepath.Join(root, "f"+strconv.Itoa(i)), strings.Repeat("x", 1000*(i+1)))
	}
	h, err := New(root, Options{CacheBytes: 4 << 10}) // a few entries: eviction is busy
	require.NoError(t, err)
	t.Cleanup(func() { _ = h.Close() })
	clock := &fakeClock{}
	h.now = clock.now
	s := engine.New(h, engine.Config{NumLoops: 2, Multicore: true})
	require.NoError(t, s.Start("127.0.0.1:0"))
	t.Cleanup(func() { _ = s.Close() })
	addr := s.Addr().String()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= 50; i++ {
			// A rename replaces the file whole, as deployments do.
			tmp := filepath.Join(root, "tmp")
			if !assert.NoError(t, os.WriteFile(tmp, []byte(versions(i)), 0o644)) ||
				!assert.NoError(t, os.Rename(tmp, filepath.Join(root, "changing"))) {
				return
			}
			clock.advance(revalidateEvery)
		}
	}()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, addr)
			for i := range 100 {
				target := "/f" + strconv.Itoa(i%8)
				if i%2 == 0 {
					target = "/changing"
				}
				resp, body := c.get(target, "")
				if !assert.Equal(t, 200, resp.StatusCode) {
					return
				}
				assert.Equal(t, strconv.Itoa(len(body)), resp.Header.Get("Content-Length"))
				if target == "/changing" {
					assert.Equal(t, strings.Repeat(body[:1], len(body)), body, "one whole version")
				} else {
					assert.Equal(t, strings.Repeat("x", 1000*(i%8+1)), body)
				}
			}
		}()
	}
	wg.Wait()
	_, used := h.cache.size()
	assert.LessOrEqual(t, used, int64(4<<10))
}
