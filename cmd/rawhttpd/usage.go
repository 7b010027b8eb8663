package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// usageIntro opens -h: what the binary is and its three modes.
const usageIntro = `rawhttpd is an HTTP/1.x server with exact 5xx semantics. It runs in one of three modes:
  respond  (default)            answer every request with -respond and -status
  files    -root DIR            serve the static files under DIR
  gateway  -upstream URL[,...]  forward every request to upstream servers (reverse proxy)

Usage: rawhttpd [flags]
`

// flagGroup is a heading of -h and the flags listed under it.
type flagGroup struct {
	title string
	names []string
}

// flagGroups orders -h. A flag in no group is listed under "Other", so a
// flag added without a group still shows.
var flagGroups = []flagGroup{
	{"Listening and process", []string{"addr", "loops", "reuseport", "pid-file", "shutdown-timeout", "shutdown-delay", "version"}},
	{"Respond mode", []string{"respond", "status", "delay"}},
	{"Files mode", []string{"root", "browse", "dotfiles", "file-cache-bytes", "file-cache-max-file"}},
	{"Gateway mode", []string{"upstream", "upstream-timeout", "upstream-max-conns", "upstream-max-body-bytes", "dns-timeout", "resolver", "trusted-proxies"}},
	{"Requests", []string{"methods", "max-target-bytes", "max-header-bytes", "max-fields", "max-body-bytes",
		"read-header-timeout", "body-read-timeout", "idle-timeout", "write-timeout", "server", "no-server-header"}},
	{"Overload and maintenance", []string{"max-conns", "overload", "workers", "queue", "shed", "retry-after", "maintenance-file"}},
	{"Probes and metrics", []string{"healthz", "readyz", "metrics"}},
	{"Logging", []string{"access-log", "error-log", "log-format", "log-level"}},
}

// printUsage writes -h: the modes, then the flags grouped by what they
// are for, each as flag.PrintDefaults shows it.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, usageIntro)
	grouped := map[string]bool{}
	for _, g := range flagGroups {
		var flags []*flag.Flag
		for _, name := range g.names {
			if f := fs.Lookup(name); f != nil {
				flags = append(flags, f)
				grouped[name] = true
			}
		}
		printGroup(w, g.title, flags)
	}
	var other []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if !grouped[f.Name] {
			other = append(other, f)
		}
	})
	printGroup(w, "Other", other)
	fmt.Fprint(w, "\nSignals: SIGTERM or SIGINT drains then exits (a second one exits at once); SIGUSR1 or SIGHUP\n"+
		"reopens the log files; SIGUSR2 starts the binary on disk on the same socket, then drains (hot upgrade).\n")
}

// printGroup writes a heading and its flags, two lines a flag:
//
//	-name type
//	  	usage (default value)
func printGroup(w io.Writer, title string, flags []*flag.Flag) {
	if len(flags) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, f := range flags {
		name, usage := flag.UnquoteUsage(f)
		line := "  -" + f.Name
		if name != "" {
			line += " " + name
		}
		line += "\n    \t" + strings.ReplaceAll(usage, "\n", "\n    \t")
		if !isZeroDefault(f.DefValue) {
			if quotedDefault(f) {
				line += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				line += fmt.Sprintf(" (default %v)", f.DefValue)
			}
		}
		fmt.Fprintln(w, line)
	}
}

// isZeroDefault reports whether a default is not worth showing.
func isZeroDefault(v string) bool {
	switch v {
	case "", "0", "false", "0s":
		return true
	}
	return false
}

// quotedDefault reports whether f holds a string, whose default is shown
// quoted as flag.PrintDefaults does.
func quotedDefault(f *flag.Flag) bool {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	_, isString := g.Get().(string)
	return isString
}
