package main

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer the flushing goroutine and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestBufferedWriterFlushesOnTimeAndOnClose(t *testing.T) {
	var out lockedBuffer
	w := newBufferedWriter(&out)
	_, err := w.Write([]byte("line 1\n"))
	require.NoError(t, err)
	assert.Empty(t, out.String(), "a line waits in the buffer")
	require.Eventually(t, func() bool { return out.String() == "line 1\n" }, 5*time.Second, 10*time.Millisecond)
	_, _ = w.Write([]byte("line 2\n"))
	require.NoError(t, w.Close())
	assert.Equal(t, "line 1\nline 2\n", out.String(), "Close flushes")
}
