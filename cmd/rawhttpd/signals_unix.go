//go:build unix

package main

import (
	"os"
	"syscall"
)

// reopenSignal (SIGUSR1, like SIGHUP) reopens the log files;
// upgradeSignal (SIGUSR2) starts a hot upgrade.
var reopenSignal, upgradeSignal os.Signal = syscall.SIGUSR1, syscall.SIGUSR2

// unixSignals are the signals caught besides SIGINT, SIGTERM and SIGHUP.
var unixSignals = []os.Signal{reopenSignal, upgradeSignal}
