//go:build !linux

package engine

import "time"

// sendFile reports that this platform's sendfile is not used: the region
// is copied instead (job.copyRegion).
func (s *socket) sendFile(src int, off, n int64, timeout time.Duration) (int64, error) {
	return 0, errNoSendfile
}
