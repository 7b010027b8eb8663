// Package testupstream runs the raw TCP servers that the gateway's, the
// binary's and the engine's tests put behind the code under test, each
// connection handed to a function of the test, and gives the addresses
// that refuse connections. Only tests import it.
package testupstream

import (
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Serve runs a server on 127.0.0.1, port 0, that hands every connection
// it accepts to serve, each in its own goroutine, and returns its
// address. When the test ends the listener and every connection close
// (which ends a serve that waits on its connection) and Serve's cleanup
// waits for the serve calls to return.
func Serve(t testing.TB, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		wg sync.WaitGroup
		// mu guards conns.
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}
