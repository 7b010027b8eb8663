//go:build !unix

package main

import "os"

// Without SIGUSR1 and SIGUSR2 the log files reopen on SIGHUP only and
// there is no hot upgrade: these never match a signal received.
var reopenSignal, upgradeSignal os.Signal

// unixSignals is empty: SIGINT, SIGTERM and SIGHUP are all there is.
var unixSignals []os.Signal
