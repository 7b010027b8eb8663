package engine

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// Errors a Router answers with when no route serves a request. A
// middleware around the Router can tell them apart with errors.Is.
var (
	// ErrNotFound: no pattern matches the request's path.
	ErrNotFound = httperrors.New(httperrors.StatusNotFound,
		"no resource was found at this path")
	// ErrMethodNotAllowed: patterns match the path, but only for other
	// methods; the response's Allow field lists them (RFC 9110 §15.5.6).
	ErrMethodNotAllowed = httperrors.New(httperrors.StatusMethodNotAllowed,
		"the resource at this path does not support the request method")
)

// Router is a Handler that sends each request to the handler registered
// for the pattern that matches it best, with net/http's ServeMux patterns
// and precedence (Go 1.22 and later), so that a table of routes means the
// same on both:
//
//   - "[METHOD ][HOST]/[PATH]": "GET /users/{id}", "example.com/",
//     "POST /files/{path...}", "/static/", "/{$}". A pattern with GET
//     also matches HEAD; one without a method matches every method.
//   - {name} matches one path segment, {name...} the rest of the path; a
//     trailing slash matches the subtree; {$} matches the end of a path
//     that ends in a slash. PathValue returns what a wildcard matched.
//   - The most specific pattern wins: a pattern with a host over one
//     without, then the one matching a subset of the other's requests
//     (literal over wildcard, one method over any). Two patterns that
//     match some request in common with neither more specific conflict:
//     Handle panics on the second, as ServeMux does.
//
// Matching is on the path as ServeMux sees it: its %-escapes decoded
// segment by segment, so "%2F" stays inside its segment (a wildcard's
// value holds "/", a literal never matches it); the host is the Host
// field's (or an absolute-form target's) without its port, compared byte
// for byte. A request the Router would not route as it was sent is
// redirected, with 307 and Location, as ServeMux (Go 1.26) does: a path
// that is not clean ("//", "." or ".." segments, such as "/a/../b") to its
// cleaned form, and a path that only its subtree matches ("/tree" when
// "/tree/" is registered) to the path with the slash. The query is kept.
// 307 keeps the method and body; ServeMux before Go 1.26 sent 301.
//
// No match is answered with ErrNotFound (404); a path that patterns match
// only under other methods with ErrMethodNotAllowed (405) and an Allow
// field naming those methods. Both are decided on the event loop and
// rendered like every error response, with the fields a middleware set
// before. "OPTIONS *", whose target is no path, is a 404 (ServeMux answers
// it 400). An absolute-form target with an empty path is routed as "/"
// (RFC 9112 §3.2.2), where ServeMux redirects it there.
//
// A Router mixes inline handlers, Blocking and FromHTTP ones freely; a
// FromHTTP handler sees the wildcards through the request's PathValue and
// the pattern in its Pattern field. Routing one request allocates nothing.
//
// Register every route before the server starts: Handle must not be
// called while the Router serves (a lock per request would cost every
// request what registration needs once). The zero Router is not ready:
// use NewRouter.
type Router struct {
	patterns []*routePattern
	anyHost  *methodTree            // patterns without a host
	hosts    map[string]*methodTree // patterns with one, by host

	// methods names the methods of the registered patterns; a method's
	// index is its bit in a set of allowed methods.
	methods []string
	// slashEnds has bit n set when a pattern of n segments can match a
	// path ending in a slash exactly (it ends in {$} or a multi); bit 63
	// stands for 63 or more. A path whose slashed form no such pattern
	// can match needs no trailing-slash redirect lookup.
	slashEnds uint64

	// notAllowed holds the 405 for each set of allowed methods met so
	// far, with its Allow field, built once per set. Loops read it
	// concurrently; mu serialises the writers, which replace the map.
	notAllowed atomic.Pointer[map[uint64]*httperrors.Error]
	mu         sync.Mutex
}

// NewRouter returns a Router without routes; it answers 404 until some
// are registered.
func NewRouter() *Router {
	return &Router{anyHost: &methodTree{}}
}

// Handle registers h for pattern. It panics when pattern is malformed,
// h is nil, or the pattern conflicts with one registered before (see
// Router): like ServeMux's, these are programming errors found at start.
func (r *Router) Handle(pattern string, h Handler) {
	p, err := parseRoutePattern(pattern)
	if err != nil {
		panic("engine: Router.Handle: parsing " + quote(pattern) + ": " + err.Error())
	}
	if h == nil {
		panic("engine: Router.Handle: nil handler for " + quote(pattern))
	}
	for _, q := range r.patterns {
		if p.conflictsWith(q) {
			panic("engine: Router.Handle: pattern " + quote(pattern) + " conflicts with pattern " +
				quote(q.str) + ": both match some requests and neither is more specific")
		}
	}
	r.patterns = append(r.patterns, p)
	t := r.anyHost
	if p.host != "" {
		if r.hosts == nil {
			r.hosts = make(map[string]*methodTree)
		}
		if t = r.hosts[p.host]; t == nil {
			t = &methodTree{}
			r.hosts[p.host] = t
		}
	}
	if p.method != "" {
		r.methodBit(p.method)
		if p.method == "GET" {
			r.methodBit("HEAD") // GET's routes answer HEAD too
		}
	}
	last := p.last()
	if last.multi || last.s == "/" && !last.wild {
		r.slashEnds |= 1 << min(len(p.segments), 63)
	}
	rt := &route{pattern: p, h: h, names: p.names(), multi: last.multi, restNamed: last.multi && last.s != ""}
	t.root(p.method).insert(p.segments, rt)
}

// HandleFunc registers f for pattern, as Handle does.
func (r *Router) HandleFunc(pattern string, f func(*Context) error) {
	r.Handle(pattern, HandlerFunc(f))
}

// Serve routes the request in c to its handler, or answers it as Router
// says.
func (r *Router) Serve(c *Context) error {
	raw := c.req.Path()
	if len(raw) == 0 || raw[0] != '/' {
		return ErrNotFound // "*": no pattern names it
	}
	var host []byte
	if r.hosts != nil {
		host = requestHost(c.req.Target, c.req.Host)
	}
	// Match the path as sent, checking each segment on the way: a route
	// without a multi wildcard saw them all, so only a path that matched
	// none or one with a multi needs a scan of its own before it is known
	// clean. A path that is not is matched again, cleaned, to choose the
	// redirect.
	m := routeMatcher{c: c}
	path := raw
	rt := r.match(&m, host, c.req.Method, path)
	clean := !m.unclean && (rt != nil && !rt.multi || isCleanPath(raw))
	if !clean {
		c.route.values = c.route.values[:0]
		m.unclean = false
		path = appendCleanPath(c.scratchCopy(nil, len(raw))[:0], raw)
		rt = r.match(&m, host, c.req.Method, path)
	}
	if !rt.matchesExactly(path) && r.mayMatchWithSlash(path) {
		// "/tree" when only the subtree "/tree/" has a route of its own:
		// send the client there, as ServeMux does.
		values := len(c.route.values)
		slashed := append(c.scratchCopy(path, 1), '/')
		if r.match(&m, host, c.req.Method, slashed).matchesExactly(slashed) {
			return redirect(c, slashed)
		}
		c.route.values = c.route.values[:values]
	}
	if !clean {
		return redirect(c, path)
	}
	if rt == nil {
		if allowed := r.allowedMethods(&m, host, path); allowed != 0 {
			return r.methodNotAllowed(allowed)
		}
		return ErrNotFound
	}
	c.route.pattern, c.route.names = rt.pattern.str, rt.names
	return rt.h.Serve(c)
}

// mayMatchWithSlash reports whether some pattern could match path with a
// slash appended exactly: path does not end in one, and a pattern ending
// in {$} or a multi has as many segments as the slashed path.
func (r *Router) mayMatchWithSlash(path []byte) bool {
	if path[len(path)-1] == '/' {
		return false
	}
	return r.slashEnds&(1<<min(bytes.Count(path, slashByte)+1, 63)) != 0
}

// match finds the route for method and path: the host's patterns first,
// then those without a host. The values of its wildcards are left in the
// matcher's Context.
func (r *Router) match(m *routeMatcher, host, method, path []byte) *route {
	if len(host) > 0 {
		if t := r.hosts[string(host)]; t != nil {
			if rt := t.match(m, method, path); rt != nil {
				return rt
			}
		}
	}
	return r.anyHost.match(m, method, path)
}

// allowedMethods returns the set of methods (bits by r.methods' index)
// under which some pattern matches path, or path with a trailing slash
// added (which a redirect would lead to); GET brings HEAD.
func (r *Router) allowedMethods(m *routeMatcher, host, path []byte) uint64 {
	set := r.allowedMethodsFor(m, host, path)
	if path[len(path)-1] != '/' {
		set |= r.allowedMethodsFor(m, host, append(m.c.scratchCopy(path, 1), '/'))
	}
	if get := r.bitOf("GET"); set&get != 0 {
		set |= r.bitOf("HEAD")
	}
	return set
}

// allowedMethodsFor returns the methods whose patterns match path.
func (r *Router) allowedMethodsFor(m *routeMatcher, host, path []byte) uint64 {
	var set uint64
	if len(host) > 0 {
		if t := r.hosts[string(host)]; t != nil {
			set |= t.allowedMethods(m, r, path)
		}
	}
	return set | r.anyHost.allowedMethods(m, r, path)
}

// methodNotAllowed returns the 405 for the methods in allowed, built the
// first time that set is met: the Allow field names them sorted, as
// ServeMux does.
func (r *Router) methodNotAllowed(allowed uint64) *httperrors.Error {
	if m := r.notAllowed.Load(); m != nil {
		if e := (*m)[allowed]; e != nil {
			return e
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.notAllowed.Load()
	if old != nil && (*old)[allowed] != nil {
		return (*old)[allowed]
	}
	var names []string
	for i, name := range r.methods {
		if allowed&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	e := ErrMethodNotAllowed.WithField("Allow", strings.Join(names, ", "))
	next := make(map[uint64]*httperrors.Error, 1)
	if old != nil {
		for k, v := range *old {
			next[k] = v
		}
	}
	next[allowed] = e
	r.notAllowed.Store(&next)
	return e
}

// methodBit gives method a bit in the sets of allowed methods.
func (r *Router) methodBit(method string) {
	if slices.Contains(r.methods, method) {
		return
	}
	if len(r.methods) == 64 {
		panic("engine: Router.Handle: more than 64 methods")
	}
	r.methods = append(r.methods, method)
}

// bitOf returns method's bit, 0 for a method no pattern names.
func (r *Router) bitOf(method string) uint64 {
	for i, m := range r.methods {
		if m == method {
			return 1 << i
		}
	}
	return 0
}

// redirect answers 307 with Location: to (a path), and the request's
// query when it has one.
func redirect(c *Context, to []byte) error {
	c.route.reset()
	if q := c.req.Query(); len(q) > 0 {
		to = append(append(c.scratchCopy(to, 1+len(q)), '?'), q...)
	}
	// The path and query passed the parser: visible ASCII, no CR or LF.
	c.fields = appendFieldLine(c.fields, "Location", to)
	_ = c.SetStatus(307) // Temporary Redirect
	_ = c.SetContentType("text/plain; charset=utf-8")
	c.shared = nil
	c.body = append(c.body[:0], "307 Temporary Redirect\nThe resource is at the URL the Location field gives.\n"...)
	return nil
}

// quote returns s in double quotes, for a registration panic.
func quote(s string) string { return `"` + s + `"` }

// route is one registered pattern and its handler.
type route struct {
	pattern *routePattern
	h       Handler
	names   []string // the named wildcards, in order
	// multi: the pattern ends in {name...} or a trailing slash;
	// restNamed: in {name...}, whose value the Context gets.
	multi, restNamed bool
}

// matchesExactly reports whether rt matches path without a multi wildcard
// taking any of it (ServeMux's "exact match"): then no redirect to the
// path with a trailing slash applies. A nil route matches nothing.
func (rt *route) matchesExactly(path []byte) bool {
	switch {
	case rt == nil:
		return false
	case !rt.multi:
		return true
	case path[len(path)-1] != '/':
		return false
	}
	// A multi matching nothing leaves one slash per segment.
	return len(rt.pattern.segments) == bytes.Count(path, slashByte)
}

// slashByte is "/" for bytes.Count.
var slashByte = []byte("/")

// routeMatch is what a Router matched, kept in the Context for the handler.
type routeMatch struct {
	pattern string   // the pattern as registered
	names   []string // its named wildcards (the route's own slice)
	values  [][]byte // their values, in names' order
}

// reset forgets the match, keeping values' array.
func (m *routeMatch) reset() {
	m.pattern, m.names = "", nil
	m.values = m.values[:0]
}

// PathValue returns the value the named wildcard of the matched pattern
// took, decoded, or nil when the pattern has no such wildcard or no Router
// routed the request. The bytes are valid until the handler returns; copy
// them (string(v)) to keep them. A {name} value is one segment, so it may
// hold a "/" sent as %2F; a {name...} value is the rest of the path with
// every escape decoded, as ServeMux's PathValue is. It does not allocate:
// values point into the request, or into the Context's reused buffer when
// they held escapes.
func (c *Context) PathValue(name string) []byte {
	for i, n := range c.route.names {
		if n == name {
			return c.route.values[i]
		}
	}
	return nil
}

// Pattern returns the pattern that routed the request, as registered
// (for logs and metrics), or "" when no Router did.
func (c *Context) Pattern() string { return c.route.pattern }

// inheritRoute copies the route matched for from, values included, into
// c, whose own buffer then holds the values: blocking work gets the match
// its loop made, beyond the life of the loop's bytes.
func (c *Context) inheritRoute(from *Context) {
	c.route.pattern, c.route.names = from.route.pattern, from.route.names
	c.route.values = c.route.values[:0]
	for _, v := range from.route.values {
		c.route.values = append(c.route.values, c.scratchCopy(v, 0))
	}
}

// scratchCopy copies p into the Context's scratch buffer, with room for
// extra bytes the caller may append to the copy; the capacity is capped
// there, so an append beyond it cannot overwrite what follows.
func (c *Context) scratchCopy(p []byte, extra int) []byte {
	start := len(c.scratch)
	c.scratch = append(c.scratch, p...)
	c.scratch = append(c.scratch, make([]byte, extra)...)
	return c.scratch[start : start+len(p) : len(c.scratch)]
}
