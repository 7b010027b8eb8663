package engine

import "bytes"

// The routing tree: a Router keeps one methodTree per host (and one for
// patterns without a host); a methodTree keeps one tree of path segments
// per method (and one for patterns without a method). A lookup tries the
// most specific first at every level — the host's patterns, the method's,
// a literal segment — and falls back to the more general on failure: the
// patterns without a host, without a method, a {name} wildcard, then a
// {name...} one. Handle refuses conflicting patterns, so the first route
// found this way is the most specific pattern that matches, as ServeMux
// finds it.

// maxLinearChildren is how many literal children a node searches one by
// one before it indexes them by their first byte: comparing a few short
// segments costs less than hashing one, and the index then leaves only
// the children that share the first byte to compare.
const maxLinearChildren = 8

// methodTree holds the path trees of one host.
type methodTree struct {
	methods []methodRoot // by method, in registration order
	any     *routeNode   // patterns without a method
}

// methodRoot is the path tree of one method.
type methodRoot struct {
	method string
	node   *routeNode
}

// root returns the path tree for method ("" for any), creating it.
func (t *methodTree) root(method string) *routeNode {
	if method == "" {
		if t.any == nil {
			t.any = &routeNode{}
		}
		return t.any
	}
	for _, m := range t.methods {
		if m.method == method {
			return m.node
		}
	}
	n := &routeNode{}
	t.methods = append(t.methods, methodRoot{method, n})
	return n
}

// find returns the path tree of method, or nil.
func (t *methodTree) find(method []byte) *routeNode {
	for i := range t.methods {
		if t.methods[i].method == string(method) {
			return t.methods[i].node
		}
	}
	return nil
}

// match finds the route for method and path: the method's patterns, GET's
// for HEAD, then those without a method.
func (t *methodTree) match(m *routeMatcher, method, path []byte) *route {
	if n := t.find(method); n != nil {
		if rt := n.match(m, path); rt != nil {
			return rt
		}
	}
	if string(method) == "HEAD" {
		if n := t.find(getMethod); n != nil {
			if rt := n.match(m, path); rt != nil {
				return rt
			}
		}
	}
	if t.any == nil {
		return nil
	}
	return t.any.match(m, path)
}

// getMethod is "GET" for find.
var getMethod = []byte("GET")

// allowedMethods returns the set of methods whose patterns match path.
// Patterns without a method do not count: had one matched, the request
// would have been routed.
func (t *methodTree) allowedMethods(m *routeMatcher, r *Router, path []byte) uint64 {
	var set uint64
	for _, root := range t.methods {
		values := len(m.c.route.values)
		if root.node.match(m, path) != nil {
			set |= r.bitOf(root.method)
		}
		m.c.route.values = m.c.route.values[:values]
	}
	return set
}

// routeNode is one position in a path tree.
type routeNode struct {
	seg      string             // the literal segment leading here from the parent
	route    *route             // the route whose pattern ends here; nil inside
	literals []*routeNode       // children by literal segment
	index    *[256][]*routeNode // literals by first byte, past maxLinearChildren
	wild     *routeNode         // the child for a {name} wildcard
	multi    *routeNode         // the child for {name...} or a trailing slash; always ends a route
}

// insert adds rt under n, at the position its remaining segments lead to.
func (n *routeNode) insert(segs []routeSegment, rt *route) {
	if len(segs) == 0 {
		n.route = rt
		return
	}
	s := segs[0]
	var child *routeNode
	switch {
	case s.multi:
		if n.multi == nil {
			n.multi = &routeNode{}
		}
		child = n.multi
	case s.wild:
		if n.wild == nil {
			n.wild = &routeNode{}
		}
		child = n.wild
	default:
		if child = n.literal([]byte(s.s)); child == nil {
			child = &routeNode{seg: s.s}
			n.literals = append(n.literals, child)
			if len(n.literals) > maxLinearChildren {
				n.index = new([256][]*routeNode)
				for _, l := range n.literals {
					if l.seg != "" { // no segment of a clean path is empty
						n.index[l.seg[0]] = append(n.index[l.seg[0]], l)
					}
				}
			}
		}
	}
	child.insert(segs[1:], rt)
}

// literal returns the child for the literal segment seg, or nil. It
// takes bytes so that no segment is converted, however long.
func (n *routeNode) literal(seg []byte) *routeNode {
	literals := n.literals
	if n.index != nil {
		if len(seg) == 0 {
			return nil
		}
		literals = n.index[seg[0]]
	}
	for _, l := range literals {
		if l.seg == string(seg) {
			return l
		}
	}
	return nil
}

// routeMatcher carries one lookup's state: the Context that receives the
// wildcards' values, and whether a segment met on the way makes the path
// unclean (then the lookup gives up).
type routeMatcher struct {
	c       *Context
	unclean bool
}

// match returns the route under n that matches path (cleaned, starting
// with '/', or empty once every segment is consumed), appending its
// wildcards' values to the Context's. On failure it leaves the values as
// it found them.
func (n *routeNode) match(m *routeMatcher, path []byte) *route {
	if len(path) == 0 {
		return n.route
	}
	c := m.c
	mark := len(c.scratch)
	seg, rest := m.firstSegment(path)
	if m.unclean {
		return nil
	}
	if n.literals != nil {
		if child := n.literal(seg); child != nil {
			if rt := child.match(m, rest); rt != nil {
				return rt
			}
		}
	}
	// A {name} wildcard never matches the end a trailing slash stands
	// for (nor, as ServeMux has it, a segment that decodes to "/").
	if n.wild != nil && string(seg) != "/" {
		values := len(c.route.values)
		c.route.values = append(c.route.values, seg)
		if rt := n.wild.match(m, rest); rt != nil {
			return rt
		}
		c.route.values = c.route.values[:values]
	}
	if n.multi != nil {
		rt := n.multi.route
		if rt.restNamed { // {name...}, not a bare trailing slash
			rest := path[1:]
			if bytes.IndexByte(rest, '%') >= 0 {
				rest = c.appendScratch(rest, false)
			}
			c.route.values = append(c.route.values, rest)
		}
		return rt
	}
	c.scratch = c.scratch[:mark]
	return nil
}

// firstSegment splits path ("/seg/rest") into its first segment, decoded,
// and the rest ("/rest"); "/" alone is the segment "/" (the end a trailing
// slash or {$} stands for). An empty, "." or ".." segment sets m.unclean.
// A segment without escapes is returned as it is; one with escapes is
// decoded into the Context's scratch buffer.
func (m *routeMatcher) firstSegment(path []byte) (seg, rest []byte) {
	if len(path) == 1 {
		return path, nil
	}
	// Segments are short: a loop beats a call to IndexByte here.
	i, escaped := 1, false
	for i < len(path) && path[i] != '/' {
		escaped = escaped || path[i] == '%'
		i++
	}
	seg, rest = path[1:i], path[i:]
	switch {
	case escaped:
		seg = m.c.appendScratch(seg, false)
	case len(seg) == 0 && len(rest) > 0, string(seg) == ".", string(seg) == "..":
		m.unclean = true
	}
	return seg, rest
}

// requestHost returns the host a request names, without its port: the
// authority of an absolute-form target, else the Host field. Like
// ServeMux, it drops the brackets of an IPv6 literal with a port.
func requestHost(target, hostField []byte) []byte {
	h := hostField
	if len(target) > 0 && target[0] != '/' {
		if i := bytes.Index(target, schemeSeparator); i >= 0 {
			h = target[i+len(schemeSeparator):]
			if j := bytes.IndexAny(h, "/?"); j >= 0 {
				h = h[:j]
			}
		}
	}
	colon := bytes.LastIndexByte(h, ':')
	switch {
	case colon < 0:
		return h
	case h[0] == '[':
		if colon > 0 && h[colon-1] == ']' {
			return h[1 : colon-1]
		}
		return h
	case bytes.IndexByte(h[:colon], ':') >= 0:
		return h // an unbracketed IPv6 address has no port
	}
	return h[:colon]
}

// slashDot and slashSlash start the segments a clean path has none of.
var slashDot, slashSlash = []byte("/."), []byte("//")

// schemeSeparator ends the scheme of an absolute-form target.
var schemeSeparator = []byte("://")

// isCleanPath reports whether p (starting with '/') is already in the
// form appendCleanPath gives it: no empty, "." or ".." segment but a
// trailing slash.
func isCleanPath(p []byte) bool {
	if !bytes.Contains(p, slashDot) && !bytes.Contains(p, slashSlash) {
		return true // the usual path: two vector searches, no byte loop
	}
	start := 1 // of the current segment
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		switch seg := p[start:i]; {
		case len(seg) == 0 && i < len(p), string(seg) == ".", string(seg) == "..":
			return false // "//", "/./", "/../", or a path ending "/." or "/.."
		}
		start = i + 1
	}
	return true
}

// appendCleanPath appends p cleaned as path.Clean does — empty and "."
// segments dropped, ".." taking the one before it away, never above the
// root — keeping a trailing slash, as ServeMux's cleanPath does.
func appendCleanPath(dst, p []byte) []byte {
	start := len(dst)
	dst = append(dst, '/')
	for i := 0; i < len(p); {
		for i < len(p) && p[i] == '/' {
			i++
		}
		end := i
		for end < len(p) && p[end] != '/' {
			end++
		}
		switch seg := p[i:end]; {
		case len(seg) == 0, string(seg) == ".":
		case string(seg) == "..":
			if last := bytes.LastIndexByte(dst[start:len(dst)-1], '/'); last >= 0 {
				dst = dst[:start+last+1]
			}
		default:
			dst = append(append(dst, seg...), '/')
		}
		i = end
	}
	if len(dst)-start > 1 && p[len(p)-1] != '/' {
		dst = dst[:len(dst)-1] // the path did not end in a slash
	}
	return dst
}
