// Package plaintext is the net/http handler that bench/cmd/adapterd and
// bench/cmd/nethttpd both serve, so that the adapter and net/http are
// compared on the same handler code.
//
// It answers the TechEmpower "plaintext" response the way benchmark
// entries for net/http write it: the header values are built once and
// shared, read-only, by every response, so that neither server spends
// its time in the handler's own allocations. The Date value is rendered
// once a second.
package plaintext

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

var (
	body        = []byte("Hello, World!")
	typeValue   = []string{"text/plain"}
	lengthValue = []string{"13"}
	dateValue   atomic.Pointer[[]string]
	startClock  sync.Once
)

// Handler returns the plaintext handler. The first call starts the
// goroutine that renders the Date value once a second.
func Handler() http.Handler {
	startClock.Do(func() {
		refreshDate()
		go func() {
			for range time.Tick(time.Second) {
				refreshDate()
			}
		}()
	})
	return http.HandlerFunc(serve)
}

func refreshDate() {
	v := []string{time.Now().UTC().Format(http.TimeFormat)}
	dateValue.Store(&v)
}

func serve(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h["Date"] = *dateValue.Load()
	h["Content-Type"] = typeValue
	h["Content-Length"] = lengthValue
	_, _ = w.Write(body)
}
