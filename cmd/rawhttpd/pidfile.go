package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

// writePIDFile writes pid to path as init scripts and logrotate read it:
// the number and a newline. It writes a temporary file beside path and
// renames it over path, so a reader never sees a half-written number,
// also when a new process takes over after a hot upgrade.
func writePIDFile(path string, pid int) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".rawhttpd-pid-*")
	if err != nil {
		return err
	}
	_, err = tmp.WriteString(strconv.Itoa(pid) + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// removePIDFile removes path if it still names pid: after a hot upgrade
// the file names the new process, which the old one must leave alone.
func removePIDFile(path string, pid int) {
	b, err := os.ReadFile(path)
	if err == nil && string(bytes.TrimSpace(b)) == strconv.Itoa(pid) {
		_ = os.Remove(path)
	}
}
