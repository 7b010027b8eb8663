//go:build !linux

package engine

import (
	"os"
	"time"
)

// sendFile reports that this platform's sendfile is not used: the region
// is copied instead (job.copyRegion).
func (s *socket) sendFile(src int, off, n int64, timeout time.Duration) (int64, error) {
	return 0, errNoSendfile
}

// loopSendfile says that SendFileInline declines here: the region goes
// through SendFile on a worker.
const loopSendfile = false

// sendHeadMore is never reached where loopSendfile is false.
func sendHeadMore(fd int, p []byte) (int, error) { return 0, errNoSendfile }

// sendRegion is never reached where loopSendfile is false.
func sendRegion(int, *os.File, int64, int64) (int64, error) { return 0, errNoSendfile }
