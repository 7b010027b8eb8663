package engine

import (
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoryReturnFollowsLargeReleases(t *testing.T) {
	type step struct {
		after    time.Duration // since the start
		buffered int           // a connection closed holding this many bytes; -1 none
		returned int           // returns so far
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{name: "small releases return nothing", steps: []step{
			{0, 1 << 10, 0}, {time.Second, 4 << 10, 0}, {2 * time.Second, -1, 0},
		}},
		{name: "a large release returns twice, a second apart", steps: []step{
			{0, 1 << 20, 1}, {100 * time.Millisecond, -1, 1}, {time.Second, -1, 2}, {5 * time.Second, -1, 2},
		}},
		{name: "releases in a row return once a second", steps: []step{
			{0, 1 << 20, 1}, {200 * time.Millisecond, 1 << 20, 1}, {400 * time.Millisecond, 1 << 20, 1},
			{time.Second, 1 << 20, 2}, {2 * time.Second, -1, 3}, {3 * time.Second, -1, 3},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			returned := 0
			m := memoryReturn{free: func() { returned++ }}
			start := time.Unix(1000, 0)
			for i, s := range tt.steps {
				if s.buffered >= 0 {
					m.noteRelease(s.buffered)
				}
				m.tick(start.Add(s.after))
				assert.Equal(t, s.returned, returned, "step %d", i)
			}
		})
	}
}

// TestIdleConnectionStateStaysSmall guards the memory an idle connection
// costs: every connection holds a conn from accept to close, so a field
// added to it is paid ten thousand times by ten thousand idle clients.
// 176 bytes is the allocator's size class it fits today; what only some
// connections need belongs behind a pointer (firstUse, detached, reply).
func TestIdleConnectionStateStaysSmall(t *testing.T) {
	require.LessOrEqual(t, unsafe.Sizeof(conn{}), uintptr(176),
		"conn grew into a larger size class: move what idle connections never use behind a pointer")
}
