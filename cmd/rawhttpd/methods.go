package main

import (
	"fmt"
	"strings"

	"github.com/rawhttpd/rawhttpd/parser"
)

// methodRegistry returns the request methods the mode serves, with the
// names of list (-methods, comma-separated) added. The respond and files
// modes are origin servers: RFC 9110's methods and PATCH (nil, the
// engine's default, when list is empty). The gateway mode
// is not the origin and passes on every method of the IANA HTTP Method
// Registry (parser.GatewayMethods), leaving the 501 to its upstream. A
// method in neither is answered 501; CONNECT is 501 in every mode.
func methodRegistry(list string, gateway bool) (*parser.Methods, error) {
	var extra []string
	for name := range strings.SplitSeq(list, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if !parser.ValidMethod(name) {
			return nil, fmt.Errorf("-methods: %q is not a method name (a token)", name)
		}
		extra = append(extra, name)
	}
	switch {
	case gateway:
		return parser.GatewayMethods(extra...), nil
	case len(extra) > 0:
		return parser.NewMethods(extra...), nil
	}
	return nil, nil
}
