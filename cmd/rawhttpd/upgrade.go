package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// A hot upgrade, as nginx's SIGUSR2 does it: the running process starts
// the binary as it is on disk now, with the same flags, and hands it the
// listening socket; the kernel's accept queue is shared, so no
// connection is refused while both run. Once the new process serves, it
// says so and the old one drains (its open connections finish, answered
// with Connection: close) and exits.
//
// The hand-over is two inherited descriptors named by the environment:
// listenFDEnv, the listening socket, and readyFDEnv, a pipe on which the
// new process writes readyLine once its listener is up. The pipe closing
// without it (the new binary failed) leaves the old process serving.

// Environment variables naming the inherited descriptors.
const (
	listenFDEnv = "RAWHTTPD_LISTEN_FD"
	readyFDEnv  = "RAWHTTPD_READY_FD"
)

// readyLine is what the new process writes on the ready pipe.
const readyLine = "ready\n"

// upgradeWait bounds the wait for the new process to serve.
const upgradeWait = 30 * time.Second

// inheritedListener returns the listener a predecessor handed over, or
// nil when this process was started afresh. It unsets the environment
// variables, so that they do not pass to a later successor.
func inheritedListener() (net.Listener, error) {
	v, ok := os.LookupEnv(listenFDEnv)
	if !ok {
		return nil, nil
	}
	_ = os.Unsetenv(listenFDEnv)
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil, fmt.Errorf("%s=%q: not an inherited descriptor", listenFDEnv, v)
	}
	f := os.NewFile(uintptr(fd), "inherited listener")
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("inherited listener: %w", err)
	}
	if ul, ok := ln.(*net.UnixListener); ok {
		// The socket's file is this process's now: removed when it stops,
		// unless it hands the socket on in turn (listenerFile).
		ul.SetUnlinkOnClose(true)
	}
	return ln, nil
}

// tellPredecessor writes readyLine on the ready pipe inherited from a
// predecessor, if any, and closes it.
func tellPredecessor() error {
	v, ok := os.LookupEnv(readyFDEnv)
	if !ok {
		return nil
	}
	_ = os.Unsetenv(readyFDEnv)
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return fmt.Errorf("%s=%q: not an inherited descriptor", readyFDEnv, v)
	}
	f := os.NewFile(uintptr(fd), "ready pipe")
	defer f.Close()
	_, err = f.WriteString(readyLine)
	return err
}

// startSuccessor starts the executable on disk with this process's flags,
// hands it ln, and waits until it serves. It returns the new process's
// ID, or an error when it could not start or did not say it serves
// within upgradeWait (it is then killed).
func startSuccessor(ln net.Listener) (int, error) {
	lf, err := listenerFile(ln)
	if err != nil {
		return 0, err
	}
	defer lf.Close()
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// ExtraFiles[i] is descriptor 3+i in the new process.
	cmd.ExtraFiles = []*os.File{lf, w}
	cmd.Env = append(os.Environ(), listenFDEnv+"=3", readyFDEnv+"=4")
	err = cmd.Start()
	_ = w.Close() // the new process holds the write end now
	if err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		if err == nil && line != readyLine {
			err = fmt.Errorf("unexpected %q on the ready pipe", line)
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		if err == nil {
			return cmd.Process.Pid, nil
		}
		// The pipe closed without the line: the new process is exiting.
		return 0, fmt.Errorf("the new process did not start serving: %w", errors.Join(err, <-exited))
	case <-time.After(upgradeWait):
		_ = cmd.Process.Kill()
		return 0, fmt.Errorf("the new process did not serve within %v; killed", upgradeWait)
	}
}

// listenerFile returns a duplicate of ln's descriptor, for a successor.
// A Unix socket's file is kept when ln later closes: the successor
// serves on it.
func listenerFile(ln net.Listener) (*os.File, error) {
	switch l := ln.(type) {
	case *net.TCPListener:
		return l.File()
	case *net.UnixListener:
		l.SetUnlinkOnClose(false)
		return l.File()
	}
	return nil, fmt.Errorf("cannot hand over a %T", ln)
}

// addrText is the address the listening line names: http://host:port
// for TCP, unix:/path for a Unix socket.
func addrText(a net.Addr) string {
	if a.Network() == "unix" {
		return "unix:" + strings.TrimPrefix(a.String(), "@")
	}
	return "http://" + a.String()
}
