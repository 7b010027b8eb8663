//go:build unix

package testupstream

import (
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A connection to RefusingAddr is refused while the test runs.
func TestRefusingAddrRefuses(t *testing.T) {
	addr := RefusingAddr(t)
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err == nil {
		_ = conn.Close()
	}
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
}
