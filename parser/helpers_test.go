package parser

import "github.com/rawhttpd/rawhttpd/version"

func versionOf(major, minor uint8) version.Version {
	return version.Version{Major: major, Minor: minor}
}
