package engine

import (
	"bufio"
	stderrors "errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/parser"
)

// routed is what one routed request got: status, Location, Allow, and
// the pattern that served it.
type routed struct {
	status   int
	pattern  string
	location string
	allow    string
}

// routeBoth registers patterns on a Router and on an http.ServeMux, each
// handler answering its pattern, and returns what each answered to
// method target (with Host host).
func routeBoth(t *testing.T, patterns []string, method, host, target string) (mine, theirs routed) {
	t.Helper()
	r, mux := NewRouter(), http.NewServeMux()
	for _, p := range patterns {
		r.HandleFunc(p, func(c *Context) error { return c.SetHeader("X-Pattern", p) })
		mux.HandleFunc(p, func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("X-Pattern", p) })
	}
	resp, _ := serveRaw(t, r, method+" "+target+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n")
	mine = routedFrom(t, resp)

	req := httptest.NewRequest(method, target, nil)
	if strings.HasPrefix(target, "/") {
		req.Host = host // net/http takes an absolute-form target's host
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	theirs = routedFrom(t, w.Result())
	return mine, theirs
}

// routedFrom reads what resp says about its routing.
func routedFrom(t *testing.T, resp *http.Response) routed {
	t.Helper()
	return routed{status: resp.StatusCode, pattern: resp.Header.Get("X-Pattern"),
		location: resp.Header.Get("Location"), allow: resp.Header.Get("Allow")}
}

// TestRouterPrecedenceMatchesServeMux checks each pair of patterns that
// match one request against the winner ServeMux's rules name, and against
// http.ServeMux itself, so that the table cannot drift from net/http.
func TestRouterPrecedenceMatchesServeMux(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		method   string
		host     string
		target   string
		winner   string
	}{
		{"literal over wildcard", []string{"/a/{x}", "/a/b"}, "GET", "h", "/a/b", "/a/b"},
		{"wildcard over subtree", []string{"/a/", "/a/{x}"}, "GET", "h", "/a/b", "/a/{x}"},
		{"one segment over the rest", []string{"/a/{x...}", "/a/{x}"}, "GET", "h", "/a/b", "/a/{x}"},
		{"rest when one segment cannot", []string{"/a/{x...}", "/a/{x}"}, "GET", "h", "/a/b/c", "/a/{x...}"},
		{"new user over an id", []string{"/users/{id}", "/users/new"}, "GET", "h", "/users/new", "/users/new"},
		{"method over any", []string{"/a", "GET /a"}, "GET", "h", "/a", "GET /a"},
		{"any when the method differs", []string{"/a", "GET /a"}, "POST", "h", "/a", "/a"},
		{"GET serves HEAD", []string{"GET /a", "/b"}, "HEAD", "h", "/a", "GET /a"},
		{"HEAD over GET", []string{"GET /a", "HEAD /a"}, "HEAD", "h", "/a", "HEAD /a"},
		{"host over none", []string{"/a", "example.com/a"}, "GET", "example.com", "/a", "example.com/a"},
		{"host with a port", []string{"/a", "example.com/a"}, "GET", "example.com:8080", "/a", "example.com/a"},
		{"none for another host", []string{"/a", "example.com/a"}, "GET", "other.com", "/a", "/a"},
		{"host over method", []string{"GET /", "example.com/"}, "GET", "example.com", "/x", "example.com/"},
		{"end over subtree", []string{"/a/", "/a/{$}"}, "GET", "h", "/a/", "/a/{$}"},
		{"subtree below the end", []string{"/a/", "/a/{$}"}, "GET", "h", "/a/b", "/a/"},
		{"root only", []string{"/", "/{$}"}, "GET", "h", "/", "/{$}"},
		{"root subtree", []string{"/", "/{$}"}, "GET", "h", "/x/y", "/"},
		{"deeper literal", []string{"/a/{x}/c", "/a/{x}/{y}"}, "GET", "h", "/a/b/c", "/a/{x}/c"},
		{"escaped literal", []string{"/a%20b", "/{x}"}, "GET", "h", "/a%20b", "/a%20b"},
		{"escaped slash is one segment", []string{"/a/b", "/{x}"}, "GET", "h", "/a%2Fb", "/{x}"},
		{"absolute-form target", []string{"/a", "example.com/a"}, "GET", "other.com", "http://example.com/a", "example.com/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mine, theirs := routeBoth(t, tt.patterns, tt.method, tt.host, tt.target)
			assert.Equal(t, tt.winner, theirs.pattern, "ServeMux")
			assert.Equal(t, routed{status: 200, pattern: tt.winner}, mine, "Router")
		})
	}
}

func TestRouterAnswersWithoutARoute(t *testing.T) {
	patterns := []string{"GET /items/{id}", "DELETE /items/{id}", "POST /items/", "/tree/", "example.com/only", "GET /files/{$}"}
	tests := []struct {
		name   string
		method string
		target string
		want   routed
	}{
		{"no route", "GET", "/nothing", routed{status: 404}},
		{"host pattern for another host", "GET", "/only", routed{status: 404}},
		{"other methods", "PUT", "/items/1", routed{status: 405, allow: "DELETE, GET, HEAD, POST"}},
		{"HEAD via GET is allowed", "HEAD", "/items/1", routed{status: 200, pattern: "GET /items/{id}"}},
		{"subtree method", "GET", "/items/", routed{status: 405, allow: "POST"}},
		{"not clean", "GET", "/items/../tree/x", routed{status: 307, location: "/tree/x"}},
		{"double slash", "GET", "/tree//x?q=1", routed{status: 307, location: "/tree/x?q=1"}},
		{"not clean, no route", "GET", "/a/./b", routed{status: 307, location: "/a/b"}},
		{"subtree without its slash", "GET", "/tree?q=1", routed{status: 307, location: "/tree/?q=1"}},
		{"end without its slash", "GET", "/files", routed{status: 307, location: "/files/"}},
		{"other method, path without its slash", "POST", "/files", routed{status: 405, allow: "GET, HEAD"}},
		{"OPTIONS on an item", "OPTIONS", "/items/2", routed{status: 405, allow: "DELETE, GET, HEAD, POST"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mine, theirs := routeBoth(t, patterns, tt.method, "h", tt.target)
			assert.Equal(t, tt.want, theirs, "ServeMux")
			assert.Equal(t, tt.want, mine, "Router")
		})
	}
}

func TestRouterErrorsAreRenderedErrors(t *testing.T) {
	r := NewRouter()
	r.HandleFunc("GET /a", func(c *Context) error { return nil })
	tests := []struct {
		raw    string
		status string
		err    *httperrors.Error
	}{
		{"GET /b HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 404 Not Found", ErrNotFound},
		{"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 Method Not Allowed", ErrMethodNotAllowed},
		{"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 404 Not Found", ErrNotFound},
	}
	for _, tt := range tests {
		resp, out := serveRaw(t, r, tt.raw)
		assert.True(t, strings.HasPrefix(out, tt.status+"\r\n"), out)
		assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
		body, _ := io.ReadAll(resp.Body)
		assert.Contains(t, string(body), tt.err.Detail()[1:])
	}
}

func TestRouterRegistrationPanicsLikeServeMux(t *testing.T) {
	conflicts := []struct {
		name  string
		first string
		then  string
	}{
		{"same pattern", "/a", "/a"},
		{"same method and pattern", "GET /a/{x}", "GET /a/{y}"},
		{"each more specific in one segment", "/a/{x}", "/{y}/b"},
		{"method more specific, path more general", "GET /a/{x}", "/a/b"},
		{"subtree against a longer wildcard", "/a/b/", "/a/{x}/c"},
		{"rest against rest", "/a/{x...}", "/a/"},
	}
	for _, tt := range conflicts {
		t.Run("conflict/"+tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc(tt.first, func(http.ResponseWriter, *http.Request) {})
			assert.Panics(t, func() { mux.HandleFunc(tt.then, func(http.ResponseWriter, *http.Request) {}) }, "ServeMux")
			r := NewRouter()
			r.HandleFunc(tt.first, func(*Context) error { return nil })
			assert.PanicsWithValue(t, `engine: Router.Handle: pattern "`+tt.then+`" conflicts with pattern "`+tt.first+
				`": both match some requests and neither is more specific`,
				func() { r.HandleFunc(tt.then, func(*Context) error { return nil }) })
		})
	}
	compatible := [][2]string{
		{"GET /a", "POST /a"},
		{"/a", "example.com/a"},
		{"/a/{$}", "/a/{x}"},
		{"/a/{x}", "/a/{x}/"},
		{"GET /a", "HEAD /a"},
	}
	for _, pair := range compatible {
		t.Run("compatible/"+pair[0]+" "+pair[1], func(t *testing.T) {
			mux, r := http.NewServeMux(), NewRouter()
			for _, p := range pair {
				assert.NotPanics(t, func() { mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {}) }, "ServeMux")
				assert.NotPanics(t, func() { r.HandleFunc(p, func(*Context) error { return nil }) })
			}
		})
	}
	malformed := []string{"", "a", "/a{x}", "/{x}y", "/{x...}/b", "/{$}/a", "/{}", "/{1x}", "/{x}/{x}", "G(T /a", "example.{com}/"}
	for _, p := range malformed {
		t.Run("malformed/"+p, func(t *testing.T) {
			assert.Panics(t, func() { http.NewServeMux().HandleFunc(p, func(http.ResponseWriter, *http.Request) {}) }, "ServeMux")
			assert.Panics(t, func() { NewRouter().HandleFunc(p, func(*Context) error { return nil }) })
		})
	}
	t.Run("nil handler", func(t *testing.T) {
		assert.Panics(t, func() { NewRouter().Handle("/a", nil) })
	})
}

func TestRouterPathValues(t *testing.T) {
	tests := []struct {
		pattern string
		target  string
		want    map[string]string
	}{
		{"/users/{id}", "/users/42", map[string]string{"id": "42", "other": ""}},
		{"/repos/{owner}/{repo}/issues/{n}", "/repos/golang/go/issues/7", map[string]string{"owner": "golang", "repo": "go", "n": "7"}},
		{"/files/{path...}", "/files/a/b%20c/d", map[string]string{"path": "a/b c/d"}},
		{"/files/{path...}", "/files/", map[string]string{"path": ""}},
		{"/users/{id}", "/users/a%2Fb", map[string]string{"id": "a/b"}},
		{"/caf%C3%A9/{x}", "/caf%C3%A9/%C3%A9t%C3%A9", map[string]string{"x": "été"}},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			got := map[string]string{}
			var pattern string
			r := NewRouter()
			r.HandleFunc(tt.pattern, func(c *Context) error {
				for name := range tt.want {
					got[name] = string(c.PathValue(name))
				}
				pattern = c.Pattern()
				return nil
			})
			resp, _ := serveRaw(t, r, "GET "+tt.target+" HTTP/1.1\r\nHost: h\r\n\r\n")
			require.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.pattern, pattern)

			// ServeMux gives the same values.
			mux := http.NewServeMux()
			theirs := map[string]string{}
			mux.HandleFunc(tt.pattern, func(_ http.ResponseWriter, req *http.Request) {
				for name := range tt.want {
					theirs[name] = req.PathValue(name)
				}
			})
			mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", tt.target, nil))
			assert.Equal(t, tt.want, theirs, "ServeMux")
		})
	}
}

// requestID is the middleware of the examples: it sets X-Request-Id on
// every response, routed or not.
func requestID(next Handler) Handler {
	return HandlerFunc(func(c *Context) error {
		_ = c.SetHeader("X-Request-Id", "req-1")
		return next.Serve(c)
	})
}

func TestMiddlewareFieldSurvivesRouting(t *testing.T) {
	r := NewRouter()
	r.HandleFunc("GET /a", func(c *Context) error {
		_ = c.SetContentType("text/plain")
		_, _ = c.WriteString("a")
		return nil
	})
	h := requestID(r)
	tests := []struct {
		name, raw string
		status    int
	}{
		{"inline", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", 200},
		{"404", "GET /b HTTP/1.1\r\nHost: h\r\n\r\n", 404},
		{"405", "DELETE /a HTTP/1.1\r\nHost: h\r\n\r\n", 405},
		{"redirect", "GET /x/../a HTTP/1.1\r\nHost: h\r\n\r\n", 307},
		{"problem+json 404", "GET /b HTTP/1.1\r\nHost: h\r\nAccept: application/problem+json\r\n\r\n", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := serveRaw(t, h, tt.raw)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, []string{"req-1"}, resp.Header["X-Request-Id"])
			assert.Len(t, resp.Header["Content-Type"], 1)
		})
	}
}

// benchRoutes is a REST API of 50 routes, after a well-known public one.
var benchRoutes = []string{
	"GET /{$}", "GET /health", "GET /users", "POST /users", "GET /users/{id}", "PUT /users/{id}",
	"DELETE /users/{id}", "GET /users/{id}/repos", "GET /users/{id}/followers", "GET /users/{id}/following",
	"GET /repos/{owner}/{repo}", "PATCH /repos/{owner}/{repo}", "DELETE /repos/{owner}/{repo}",
	"GET /repos/{owner}/{repo}/issues", "POST /repos/{owner}/{repo}/issues",
	"GET /repos/{owner}/{repo}/issues/{number}", "PATCH /repos/{owner}/{repo}/issues/{number}",
	"GET /repos/{owner}/{repo}/issues/{number}/comments", "POST /repos/{owner}/{repo}/issues/{number}/comments",
	"GET /repos/{owner}/{repo}/pulls", "POST /repos/{owner}/{repo}/pulls", "GET /repos/{owner}/{repo}/pulls/{number}",
	"GET /repos/{owner}/{repo}/pulls/{number}/files", "PUT /repos/{owner}/{repo}/pulls/{number}/merge",
	"GET /repos/{owner}/{repo}/contents/{path...}", "PUT /repos/{owner}/{repo}/contents/{path...}",
	"GET /repos/{owner}/{repo}/branches", "GET /repos/{owner}/{repo}/branches/{branch}",
	"GET /repos/{owner}/{repo}/commits", "GET /repos/{owner}/{repo}/commits/{sha}",
	"GET /repos/{owner}/{repo}/releases", "GET /repos/{owner}/{repo}/releases/latest",
	"GET /repos/{owner}/{repo}/releases/{id}", "GET /orgs/{org}", "GET /orgs/{org}/members",
	"GET /orgs/{org}/repos", "GET /orgs/{org}/teams", "GET /teams/{id}", "GET /search/repositories",
	"GET /search/code", "GET /search/issues", "GET /search/users", "GET /gists", "POST /gists",
	"GET /gists/{id}", "GET /notifications", "GET /static/", "GET /emojis", "GET /rate_limit", "GET /meta",
}

// benchTargets are the requests BenchmarkRouter routes, by name.
var benchTargets = []struct{ name, target string }{
	{"static", "/rate_limit"},
	{"param", "/users/42"},
	{"deep", "/repos/golang/go/issues/123/comments"},
	{"rest", "/repos/golang/go/contents/src/net/http/server.go"},
}

// BenchmarkRouter routes one request among benchRoutes' 50 routes, with
// Router and with http.ServeMux, to handlers that do nothing: the cost of
// finding the route and its wildcards' values.
func BenchmarkRouter(b *testing.B) {
	require.Len(b, benchRoutes, 50)
	noop := HandlerFunc(func(*Context) error { return nil })
	r, mux := NewRouter(), http.NewServeMux()
	for _, p := range benchRoutes {
		r.Handle(p, noop)
		mux.HandleFunc(p, func(http.ResponseWriter, *http.Request) {})
	}
	for _, in := range benchTargets {
		b.Run("in="+in.name+"/impl=rawhttpd", func(b *testing.B) {
			raw := []byte("GET " + in.target + " HTTP/1.1\r\nHost: h\r\n\r\n")
			var req parser.Request
			n, err := parser.New(parser.Config{}).Parse(raw, &req)
			require.NoError(b, err)
			require.Equal(b, len(raw), n)
			var x Context
			x.reset(&req, nil)
			require.NoError(b, r.Serve(&x))
			require.NotEmpty(b, x.Pattern())
			b.ReportAllocs()
			for b.Loop() {
				x.reset(&req, nil)
				_ = r.Serve(&x)
			}
		})
		b.Run("in="+in.name+"/impl=servemux", func(b *testing.B) {
			req := httptest.NewRequest("GET", in.target, nil)
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			require.NotEmpty(b, req.Pattern)
			b.ReportAllocs()
			for b.Loop() {
				mux.ServeHTTP(w, req)
			}
		})
	}
}

// FuzzRouterMatchesServeMux routes arbitrary targets among benchRoutes
// and a few odd patterns with Router and with http.ServeMux, and requires
// the same status, pattern, Allow and Location. A target either side
// refuses to parse, or whose path net/url rewrites, is skipped. Location is compared decoded, and only for
// paths without escapes: ServeMux escapes a cleaned path again, turning
// its '%' into "%25" (Router sends the path as the client did).
func FuzzRouterMatchesServeMux(f *testing.F) {
	patterns := append([]string{"example.com/", "GET /x/{a}/{$}", "/x/{a}/y/", "POST /z/{a...}", "/caf%C3%A9"}, benchRoutes...)
	r, mux := NewRouter(), http.NewServeMux()
	for _, p := range patterns {
		r.HandleFunc(p, func(c *Context) error { return c.SetHeader("X-Pattern", p) })
		mux.HandleFunc(p, func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("X-Pattern", p) })
	}
	for _, in := range benchTargets {
		f.Add("GET", in.target)
	}
	for _, target := range []string{"/", "/users/", "/users", "/static", "/static/a/../../b", "//users/1", "/x/1/", "/x/1",
		"/x/1/y", "/x/%2F/", "/caf%c3%a9", "/repos/a/b/contents/", "/./", "/a/..", "/users/1?q=1", "http://example.com/z"} {
		f.Add("GET", target)
		f.Add("POST", target)
	}
	f.Add("HEAD", "/users/1")
	f.Add("DELETE", "/gists")
	m := &memTransport{}
	c := memConn(r, m)
	f.Fuzz(func(t *testing.T, method, target string) {
		switch method {
		case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS":
		default:
			return
		}
		raw := method + " " + target + " HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil || !strings.HasPrefix(target, "/") && !strings.HasPrefix(target, "http://") {
			return
		}
		if path, _, _ := strings.Cut(strings.TrimPrefix(target, "http://"+req.URL.Host), "?"); path == "" || req.URL.EscapedPath() != path {
			// net/url re-escaped the path from its decoded form (a byte
			// it would escape, such as '"', made it drop the raw path),
			// so ServeMux does not see the path the client sent; or an
			// absolute-form target has an empty path, which RFC 9112
			// §3.2.2 reads as "/" and ServeMux redirects to "/".
			return
		}
		m.in, m.out = []byte(raw), m.out[:0]
		c.state = stateIdle
		if c.ex != nil {
			c.ex.parser.Reset()
			c.ex.req.Reset()
		}
		c.serve()
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(m.out))), &http.Request{Method: method})
		require.NoError(t, err)
		if resp.StatusCode == 400 || resp.StatusCode == 414 {
			return // the parser refused what net/http took
		}
		mine := routedFrom(t, resp)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		theirs := routedFrom(t, w.Result())
		if strings.Contains(req.URL.EscapedPath(), "%") {
			mine.location, theirs.location = "", ""
		}
		// ServeMux escapes what it need not ("!" as %21); the path is the
		// same once decoded.
		mine.location, _ = url.PathUnescape(mine.location)
		theirs.location, _ = url.PathUnescape(theirs.location)
		require.Equal(t, theirs, mine, "%s %s", method, target)
	})
}

func TestRouterOnTheWireWholeAndSplit(t *testing.T) {
	r := NewRouter()
	r.HandleFunc("GET /items/{id}", func(c *Context) error {
		_, _ = c.Write(c.PathValue("id"))
		return nil
	})
	s := startServer(t, requestID(r), Config{})
	cl := dialRaw(t, s)
	tests := []struct {
		raw, head string
		body      string
	}{
		{"GET /items/42 HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK", "42"},
		{"PUT /items/42 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi", "HTTP/1.1 405 Method Not Allowed", ""},
		{"GET /nothing HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 404 Not Found", ""},
		{"GET /x/../items/7 HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 307 Temporary Redirect", ""},
	}
	for _, tt := range tests {
		for split := 0; split < len(tt.raw); split++ {
			if split > 0 {
				cl.send(tt.raw[:split])
			}
			cl.send(tt.raw[split:])
			require.NoError(t, cl.conn.SetReadDeadline(time.Now().Add(ioTimeout)))
			line, err := cl.r.ReadString('\n')
			require.NoError(t, err)
			require.Equal(t, tt.head+"\r\n", line, "%q split at %d", tt.raw, split)
			resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader("HTTP/1.1 200 OK\r\n"), cl.r)), nil)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, "req-1", resp.Header.Get("X-Request-Id"))
			switch {
			case tt.body != "":
				assert.Equal(t, tt.body, string(body))
			case strings.HasPrefix(tt.head, "HTTP/1.1 405"):
				assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
			case strings.HasPrefix(tt.head, "HTTP/1.1 307"):
				assert.Equal(t, "/items/7", resp.Header.Get("Location"))
			}
		}
	}
}

func TestMiddlewareSeesTheRoutersErrors(t *testing.T) {
	r := NewRouter()
	r.HandleFunc("GET /a", func(c *Context) error { return nil })
	var seen []string
	h := HandlerFunc(func(c *Context) error {
		err := r.Serve(c)
		switch {
		case stderrors.Is(err, ErrNotFound):
			seen = append(seen, "not found")
		case stderrors.Is(err, ErrMethodNotAllowed):
			seen = append(seen, "not allowed")
		case err == nil:
			seen = append(seen, "served")
		}
		return err
	})
	for _, raw := range []string{"GET /a HTTP/1.1\r\nHost: h\r\n\r\n", "GET /b HTTP/1.1\r\nHost: h\r\n\r\n", "PUT /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"} {
		serveRaw(t, h, raw)
	}
	assert.Equal(t, []string{"served", "not found", "not allowed"}, seen)
}
