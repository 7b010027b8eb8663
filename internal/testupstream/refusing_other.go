//go:build !unix

package testupstream

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

// RefusingAddr returns a 127.0.0.1 address nothing listens on: a
// connect to it is refused.
func RefusingAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
