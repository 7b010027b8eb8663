package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countLines reads files and counts each line's occurrences.
func countLines(t *testing.T, files ...string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.True(t, len(b) == 0 || strings.HasSuffix(string(b), "\n"), "%s ends with a whole line", f)
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if line != "" {
				seen[line]++
			}
		}
	}
	return seen
}

func TestLogFileReopenLosesAndRepeatsNothing(t *testing.T) {
	for _, buffered := range []bool{true, false} {
		t.Run(fmt.Sprintf("buffered=%v", buffered), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "access.log")
			l, err := openLogFile(path, nil, buffered)
			require.NoError(t, err)
			const writers, lines, rotations = 4, 2000, 3
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range lines {
						_, _ = fmt.Fprintf(l, "writer %d line %d\n", w, i)
					}
				}()
			}
			// Rotate as logrotate does, while the writers write: move the
			// file away, then ask for a reopen.
			var moved []string
			for r := range rotations {
				old := filepath.Join(dir, fmt.Sprintf("access.log.%d", r))
				require.NoError(t, os.Rename(path, old))
				require.NoError(t, l.Reopen())
				moved = append(moved, old)
			}
			wg.Wait()
			require.NoError(t, l.Close())

			seen := countLines(t, append(moved, path)...)
			assert.Len(t, seen, writers*lines, "no line lost")
			for line, n := range seen {
				if n != 1 {
					t.Fatalf("%q written %d times", line, n)
				}
			}
			info, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
		})
	}
}

func TestLogFileReopenFailureKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "error.log")
	require.NoError(t, os.Mkdir(filepath.Dir(path), 0o755))
	l, err := openLogFile(path, nil, false)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	_, _ = l.Write([]byte("before\n"))
	require.NoError(t, os.Rename(filepath.Dir(path), filepath.Join(dir, "gone")))
	assert.Error(t, l.Reopen(), "the directory is gone")
	_, _ = l.Write([]byte("after\n"))
	assert.Equal(t, map[string]int{"before": 1, "after": 1}, countLines(t, filepath.Join(dir, "gone", "error.log")))
}

// writeRecorder records each Write it is given.
type writeRecorder struct{ writes []string }

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func TestLogFileWritesEachLineWhole(t *testing.T) {
	var out writeRecorder
	l, err := openLogFile("", &out, true)
	require.NoError(t, err)
	line := strings.Repeat("x", 40<<10) + "\n"
	_, _ = l.Write([]byte(line))
	_, _ = l.Write([]byte(line)) // does not fit in what is left of 64 KiB
	require.NoError(t, l.Close())
	require.Len(t, out.writes, 2)
	for _, w := range out.writes {
		assert.Equal(t, line, w, "one line a write, never split")
	}
}
