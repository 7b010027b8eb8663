//go:build !race

package render

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCannedAppendDoesNotAllocate(t *testing.T) {
	c := NewCanned("rawhttpd", errTestVersion, errTestBusy)
	dst := make([]byte, 0, 4096)
	require.Zero(t, testing.AllocsPerRun(100, func() {
		dst, _ = c.Append(dst[:0], errTestVersion, testDate, false)
		dst, _ = c.Append(dst, errTestBusy, testDate, true)
	}))
}

func TestFormatForDoesNotAllocate(t *testing.T) {
	accept := []byte("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	require.Zero(t, testing.AllocsPerRun(100, func() { FormatFor(accept) }))
}
