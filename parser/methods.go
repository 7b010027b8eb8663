package parser

// defaultMethodNames are the methods of RFC 9110 §9 and PATCH (RFC 5789),
// the ones used most first so that Known finds them in one or two compares.
var defaultMethodNames = []string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
}

// gatewayMethodNames are the method names of the IANA HTTP Method
// Registry (RFC 9110 §16.1; the initial WebDAV, versioning, binding,
// redirect-reference, calendar and search entries are RFC 7237's), the
// ones used most first. The registry's "*" is left out: RFC 9110 §18.2
// reserves it so that no method takes that name. PRI (RFC 9113 §3.4) is
// in: its one real use, the h2 preface "PRI * HTTP/2.0", is answered 505
// from its version before the method is read.
var gatewayMethodNames = []string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH",
	"ACL", "BASELINE-CONTROL", "BIND", "CHECKIN", "CHECKOUT", "CONNECT", "COPY",
	"LABEL", "LINK", "LOCK", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL",
	"MKREDIRECTREF", "MKWORKSPACE", "MOVE", "ORDERPATCH", "PRI", "PROPFIND",
	"PROPPATCH", "QUERY", "REBIND", "REPORT", "SEARCH", "TRACE", "UNBIND",
	"UNCHECKOUT", "UNLINK", "UNLOCK", "UPDATE", "UPDATEREDIRECTREF",
	"VERSION-CONTROL",
}

// defaultMethods is the registry a Config without Methods uses, the one
// for an origin server: GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS,
// TRACE and PATCH. An origin server answers 501 to a method it does not
// implement (RFC 9110 §9.1); one that implements more builds its own with
// NewMethods. It is shared by every such Config, so Register panics on it.
var defaultMethods = &Methods{names: defaultMethodNames, shared: true}

// Methods is a method registry: the request methods the server implements.
// A request whose method is a token missing from it is answered with 501
// (ErrMethodNotImplemented); methods are case-sensitive (RFC 9110 §9.1), so
// "get" is not GET.
//
// Build it before serving: Known may be called from any goroutine as long as
// nothing calls Register at the same time.
type Methods struct {
	names  []string
	shared bool // defaultMethods: Register refuses to change it
}

// NewMethods returns a registry holding the default methods and extra.
// It panics if an extra name is not a token: that is a programmer error.
func NewMethods(extra ...string) *Methods {
	m := &Methods{names: append([]string(nil), defaultMethodNames...)}
	for _, name := range extra {
		m.Register(name)
	}
	return m
}

// GatewayMethods returns a new registry for a gateway or proxy: every
// method name of the IANA HTTP Method Registry (the RFC 9110 methods,
// PATCH, WebDAV's PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK,
// REPORT and the rest, LINK, UNLINK, SEARCH, QUERY, ...) and extra. A
// gateway is not the origin: it cannot know which of these its upstream
// implements, so it passes them on and leaves the 501 to the upstream;
// a token in no registry is still answered 501 here. CONNECT is in the
// registry, but the engine answers it 501 whatever the registry, since it
// opens no tunnels. It panics if an extra name is not a token.
func GatewayMethods(extra ...string) *Methods {
	m := &Methods{names: append([]string(nil), gatewayMethodNames...)}
	for _, name := range extra {
		m.Register(name)
	}
	return m
}

// ValidMethod reports whether name may be registered: a token (RFC 9110
// §9.1: method = token). Register panics on any other name; a caller
// that takes names from its user checks them here first.
func ValidMethod(name string) bool { return isToken([]byte(name)) }

// Register adds a method name, such as "PROPFIND". It panics if name is not
// a token or m is the shared default of a Config without Methods. It is not safe to call once the registry
// is in use by a serving parser: register everything first.
func (m *Methods) Register(name string) {
	if m.shared {
		panic("parser: Register on the default registry; build a registry with NewMethods")
	}
	if !isToken([]byte(name)) {
		panic("parser: method name " + name + " is not a token")
	}
	for _, n := range m.names {
		if n == name {
			return
		}
	}
	m.names = append(m.names, name)
}

// Known reports whether method is registered. The comparison is
// case-sensitive and does not allocate.
func (m *Methods) Known(method []byte) bool {
	for _, n := range m.names {
		if len(n) == len(method) && n == string(method) {
			return true
		}
	}
	return false
}
