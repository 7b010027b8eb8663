package engine

import (
	"errors"
	"net/url"
	"strings"
	"unicode"

	"github.com/rawhttpd/rawhttpd/parser"
)

// A route pattern has net/http's ServeMux syntax (Go 1.22 and later):
//
//	[METHOD SP] [HOST] /[PATH]
//
// A path segment is a literal, a wildcard "{name}" matching one segment,
// "{name...}" matching the rest of the path (last segment only), or "{$}"
// matching only the end of a path that ends in a slash (last only). A
// pattern ending in "/" matches the whole subtree under it. Literals are
// %-unescaped, as ServeMux's are, and compared with the request's
// segments unescaped one at a time.

// routePattern is a parsed pattern.
type routePattern struct {
	str      string // as registered
	method   string // "" for any method
	host     string // "" for any host
	segments []routeSegment
}

// routeSegment is one segment of a pattern's path.
type routeSegment struct {
	// s is a literal segment, unescaped ("/" for {$}), or a wildcard's
	// name ("" for the anonymous multi of a trailing slash).
	s     string
	wild  bool // a wildcard: {name} or {name...}
	multi bool // matches the rest of the path: {name...} or a trailing slash
}

// parseRoutePattern parses s, refusing what ServeMux refuses.
func parseRoutePattern(s string) (*routePattern, error) {
	if s == "" {
		return nil, errors.New("empty pattern")
	}
	p := &routePattern{str: s}
	rest := s
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		p.method, rest = s[:i], strings.TrimLeft(s[i+1:], " \t")
		if !parser.ValidFieldName(p.method) { // a method is a token
			return nil, errors.New("invalid method " + p.method)
		}
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return nil, errors.New("host/path missing /")
	}
	p.host, rest = rest[:slash], rest[slash:]
	if strings.IndexByte(p.host, '{') >= 0 {
		return nil, errors.New("host contains '{' (missing initial '/'?)")
	}
	seen := make(map[string]bool)
	for len(rest) > 0 {
		rest = rest[1:] // the leading slash
		if rest == "" {
			p.segments = append(p.segments, routeSegment{wild: true, multi: true})
			break
		}
		seg := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		brace := strings.IndexByte(seg, '{')
		if brace < 0 {
			if u, err := url.PathUnescape(seg); err == nil {
				seg = u
			}
			p.segments = append(p.segments, routeSegment{s: seg})
			continue
		}
		if brace != 0 || seg[len(seg)-1] != '}' {
			return nil, errors.New("bad wildcard segment " + seg + " (must be a whole segment in braces)")
		}
		name := seg[1 : len(seg)-1]
		if name == "$" {
			if rest != "" {
				return nil, errors.New("{$} not at end")
			}
			p.segments = append(p.segments, routeSegment{s: "/"})
			break
		}
		name, multi := strings.CutSuffix(name, "...")
		switch {
		case multi && rest != "":
			return nil, errors.New("{...} wildcard not at end")
		case name == "":
			return nil, errors.New("empty wildcard name")
		case !isWildcardName(name):
			return nil, errors.New("bad wildcard name " + name)
		case seen[name]:
			return nil, errors.New("duplicate wildcard name " + name)
		}
		seen[name] = true
		p.segments = append(p.segments, routeSegment{s: name, wild: true, multi: multi})
	}
	return p, nil
}

// isWildcardName reports whether s is a Go identifier, as ServeMux asks of
// a wildcard's name.
func isWildcardName(s string) bool {
	for i, r := range s {
		if !unicode.IsLetter(r) && r != '_' && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// last returns the pattern's last path segment.
func (p *routePattern) last() routeSegment { return p.segments[len(p.segments)-1] }

// names returns the names of the pattern's named wildcards, in order.
func (p *routePattern) names() []string {
	var names []string
	for _, s := range p.segments {
		if s.wild && s.s != "" {
			names = append(names, s.s)
		}
	}
	return names
}

// routeRelation is how the sets of requests two patterns match compare.
type routeRelation uint8

const (
	relEquivalent   routeRelation = iota // the same requests
	relMoreGeneral                       // a superset
	relMoreSpecific                      // a subset
	relOverlaps                          // some in common, each has its own
	relDisjoint                          // none in common
)

// combine returns the relation of two patterns whose parts relate as r1
// and r2: both parts must match for the pattern to.
func combine(r1, r2 routeRelation) routeRelation {
	switch {
	case r1 == relDisjoint || r2 == relDisjoint:
		return relDisjoint
	case r1 == relEquivalent:
		return r2
	case r2 == relEquivalent:
		return r1
	case r1 == relOverlaps || r2 == relOverlaps || r1 != r2:
		return relOverlaps
	}
	return r1 // both more general, or both more specific
}

// conflictsWith reports whether p and q match some request in common with
// neither more specific than the other, so that no precedence rule can
// choose between them: ServeMux panics on such a registration, and so
// does Router. Patterns with different hosts never conflict: one with a
// host wins over one without, and two hosts match different requests.
func (p *routePattern) conflictsWith(q *routePattern) bool {
	if p.host != q.host {
		return false
	}
	rel := combine(p.compareMethods(q), p.comparePaths(q))
	return rel == relEquivalent || rel == relOverlaps
}

// compareMethods relates the methods p and q match: no method matches
// every one, and GET matches HEAD too.
func (p *routePattern) compareMethods(q *routePattern) routeRelation {
	switch {
	case p.method == q.method:
		return relEquivalent
	case p.method == "":
		return relMoreGeneral
	case q.method == "":
		return relMoreSpecific
	case p.method == "GET" && q.method == "HEAD":
		return relMoreGeneral
	case p.method == "HEAD" && q.method == "GET":
		return relMoreSpecific
	}
	return relDisjoint
}

// comparePaths relates the paths p and q match, segment by segment.
func (p *routePattern) comparePaths(q *routePattern) routeRelation {
	ps, qs := p.segments, q.segments
	if len(ps) != len(qs) && !p.last().multi && !q.last().multi {
		return relDisjoint
	}
	rel := relEquivalent
	n := min(len(ps), len(qs))
	for i := 0; i < n && rel != relDisjoint; i++ {
		rel = combine(rel, compareSegments(ps[i], qs[i]))
	}
	switch {
	case rel == relDisjoint || len(ps) == len(qs):
		return rel
	case len(ps) < len(qs) && p.last().multi:
		// p ends in a multi where q goes on: p is more general there.
		return combine(rel, relMoreGeneral)
	case len(qs) < len(ps) && q.last().multi:
		return combine(rel, relMoreSpecific)
	}
	return relDisjoint
}

// compareSegments relates two segments at the same position.
func compareSegments(a, b routeSegment) routeRelation {
	switch {
	case a.multi && b.multi:
		return relEquivalent
	case a.multi:
		return relMoreGeneral
	case b.multi:
		return relMoreSpecific
	case a.wild && b.wild:
		return relEquivalent
	case a.wild:
		if b.s == "/" {
			return relDisjoint // a wildcard never matches the end {$} stands for
		}
		return relMoreGeneral
	case b.wild:
		if a.s == "/" {
			return relDisjoint
		}
		return relMoreSpecific
	case a.s == b.s:
		return relEquivalent
	}
	return relDisjoint
}
