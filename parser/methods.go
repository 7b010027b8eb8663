package parser

// defaultMethodNames are the methods of RFC 9110 §9 and PATCH (RFC 5789),
// the ones used most first so that Known finds them in one or two compares.
var defaultMethodNames = []string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
}

// DefaultMethods is the registry a Config without Methods uses: GET, HEAD,
// POST, PUT, DELETE, CONNECT, OPTIONS, TRACE and PATCH. It is shared and
// must not be changed; Register panics on it. Build your own with
// NewMethods.
var DefaultMethods = &Methods{names: defaultMethodNames, shared: true}

// Methods is a method registry: the request methods the server implements.
// A request whose method is a token missing from it is answered with 501
// (ErrMethodNotImplemented); methods are case-sensitive (RFC 9110 §9.1), so
// "get" is not GET.
//
// Build it before serving: Known may be called from any goroutine as long as
// nothing calls Register at the same time.
type Methods struct {
	names  []string
	shared bool // DefaultMethods: Register refuses to change it
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

// Register adds a method name, such as "PROPFIND". It panics if name is not
// a token or m is DefaultMethods. It is not safe to call once the registry
// is in use by a serving parser: register everything first.
func (m *Methods) Register(name string) {
	if m.shared {
		panic("parser: Register on DefaultMethods; build a registry with NewMethods")
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
