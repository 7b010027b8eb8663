package main

import (
	"net"
	"os"
)

// notifySystemd sends state, newline-separated assignments such as
// "READY=1", to the service manager, as sd_notify(3) does: one datagram
// to the Unix socket named by NOTIFY_SOCKET (a name starting with '@' is
// in the abstract namespace, which the net package understands). Without
// NOTIFY_SOCKET, when not run by systemd as Type=notify, it does nothing.
func notifySystemd(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(state))
	return err
}
