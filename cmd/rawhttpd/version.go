package main

import "runtime/debug"

// buildVersion returns what -version prints after the name: the module
// version ("devel" for a build from a work tree), then the VCS revision
// the binary was built from and "dirty" when the work tree had changes,
// as the go command records them (go build -buildvcs, its default in a
// git checkout), then the Go version.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel (no build information)"
	}
	return describeBuild(info)
}

// describeBuild formats info for buildVersion.
func describeBuild(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if revision != "" {
		v += " revision " + revision
		if modified == "true" {
			v += " dirty"
		}
	} else {
		v += " (no VCS revision: built outside a checkout or with -buildvcs=false)"
	}
	return v + " " + info.GoVersion
}
