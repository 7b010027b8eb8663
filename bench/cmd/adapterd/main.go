// Command adapterd serves the TechEmpower plaintext response from the
// net/http handler of bench/internal/plaintext, run on rawhttpd through
// engine.FromHTTP, so that bench/compare.sh can compare the adapter with net/http serving the same
// handler (bench/cmd/nethttpd):
//
//	go build -o adapterd ./bench/cmd/adapterd
//	bench/compare.sh --target './adapterd -addr {addr}' --name adapter
//
// -cpuprofile and -trace write a CPU profile (go tool pprof) or an
// execution trace (go tool trace) of the whole run, until SIGINT or
// SIGTERM, for bench/README.md's profiles of the worker path.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"syscall"

	"github.com/rawhttpd/rawhttpd/bench/internal/plaintext"
	"github.com/rawhttpd/rawhttpd/engine"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "TCP `address` to listen on")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the run to `file`")
	traceFile := flag.String("trace", "", "write an execution trace of the run to `file`")
	flag.Parse()
	stop, err := startProfiles(*cpuProfile, *traceFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "adapterd:", err)
		os.Exit(1)
	}
	defer stop()
	handler := plaintext.Handler()
	srv := engine.New(engine.FromHTTP(handler), engine.Config{NumLoops: 1})
	if err := srv.Start(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "adapterd:", err)
		stop()
		os.Exit(1)
	}
	fmt.Println("adapterd: listening on", srv.Addr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	_ = srv.Close()
}

// startProfiles starts the CPU profile and the execution trace that were
// asked for; stop ends them and closes their files.
func startProfiles(cpuProfile, traceFile string) (stop func(), err error) {
	var closers []func()
	stop = func() {
		for _, c := range closers {
			c()
		}
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return stop, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return stop, err
		}
		closers = append(closers, func() { pprof.StopCPUProfile(); _ = f.Close() })
	}
	if traceFile != "" {
		f, err := os.Create(traceFile)
		if err != nil {
			stop()
			return func() {}, err
		}
		if err := trace.Start(f); err != nil {
			_ = f.Close()
			stop()
			return func() {}, err
		}
		closers = append(closers, func() { trace.Stop(); _ = f.Close() })
	}
	return stop, nil
}
