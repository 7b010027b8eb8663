package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/engine/enginetest"
	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// A minimal server: one inline handler, listening on a port the system
// picks, asked once by a net/http client.
func Example() {
	srv := engine.New(engine.HandlerFunc(func(c *engine.Context) error {
		_ = c.SetContentType("text/plain; charset=utf-8")
		_, _ = c.WriteString("Hello, World!")
		return nil
	}), engine.Config{})
	if err := srv.Start("127.0.0.1:0"); err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()

	resp, err := http.Get("http://" + srv.Addr().String() + "/")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, string(body))
	// Output: 200 OK Hello, World!
}

// show serves one raw request with h in memory and prints what the
// client gets.
func show(h engine.Handler, method, target string, body io.Reader) {
	resp, err := enginetest.Do(h, enginetest.NewRequest(method, target, body))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s -> %s", method, target, resp)
	if allow := resp.Header.Get("Allow"); allow != "" {
		fmt.Printf(" (Allow: %s)", allow)
	}
	if resp.StatusCode < 300 {
		fmt.Printf(": %s", bytes.TrimSpace(resp.Body))
	}
	fmt.Println()
}

// Routes use net/http ServeMux patterns: a method, wildcards, the most
// specific pattern winning. PathValue returns what a wildcard matched.
func ExampleRouter() {
	r := engine.NewRouter()
	r.HandleFunc("GET /users/{id}", func(c *engine.Context) error {
		_, err := fmt.Fprintf(c, "user %s", c.PathValue("id"))
		return err
	})
	r.HandleFunc("GET /users/me", func(c *engine.Context) error {
		_, err := c.WriteString("the caller")
		return err
	})
	r.HandleFunc("GET /files/{path...}", func(c *engine.Context) error {
		_, err := fmt.Fprintf(c, "file %s", c.PathValue("path"))
		return err
	})

	show(r, "GET", "/users/42", nil)
	show(r, "GET", "/users/me", nil)
	show(r, "GET", "/files/docs/a%20b.txt", nil)
	show(r, "DELETE", "/users/42", nil)
	show(r, "GET", "/nowhere", nil)
	// Output:
	// GET /users/42 -> 200 OK: user 42
	// GET /users/me -> 200 OK: the caller
	// GET /files/docs/a%20b.txt -> 200 OK: file docs/a b.txt
	// DELETE /users/42 -> 405 Method Not Allowed (Allow: GET, HEAD)
	// GET /nowhere -> 404 Not Found
}

// A middleware is a func(engine.Handler) engine.Handler. Fields it sets
// before calling the next handler stay on the response, an error
// response included: here the Router's 404.
func Example_middleware() {
	requestID := func(next engine.Handler) engine.Handler {
		var n atomic.Int64 // event loops run in parallel
		return engine.HandlerFunc(func(c *engine.Context) error {
			_ = c.SetHeader("X-Request-Id", "req-"+strconv.FormatInt(n.Add(1), 10))
			return next.Serve(c)
		})
	}
	r := engine.NewRouter()
	r.HandleFunc("GET /hello", func(c *engine.Context) error {
		_, err := c.WriteString("hello")
		return err
	})
	h := requestID(r)

	for _, target := range []string{"/hello", "/missing"} {
		resp, err := enginetest.Do(h, enginetest.NewRequest("GET", target, nil))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(target, resp.StatusCode, resp.Header.Get("X-Request-Id"))
	}
	// Output:
	// /hello 200 req-1
	// /missing 404 req-2
}

// A handler that waits on something (a database, a file, JSON from a slow
// client) runs on the worker pool with Blocking, out of the event loop's
// way.
func ExampleBlocking() {
	type order struct {
		Item  string `json:"item"`
		Count int    `json:"count"`
	}
	r := engine.NewRouter()
	r.Handle("POST /orders", engine.Blocking(engine.HandlerFunc(func(c *engine.Context) error {
		var o order
		if err := json.Unmarshal(c.Body(), &o); err != nil || o.Count < 1 {
			return httperrors.New(httperrors.StatusBadRequest, "the order is not valid JSON with a positive count")
		}
		// ... store it, waiting as long as it takes ...
		_ = c.SetStatus(201)
		_ = c.SetContentType("application/json")
		return json.NewEncoder(c).Encode(map[string]any{"item": o.Item, "count": o.Count, "status": "accepted"})
	})))

	show(r, "POST", "/orders", strings.NewReader(`{"item":"tea","count":2}`))
	show(r, "POST", "/orders", strings.NewReader(`{"item":"tea"}`))
	// Output:
	// POST /orders -> 201 Created: {"count":2,"item":"tea","status":"accepted"}
	// POST /orders -> 400 Bad Request
}

// An existing net/http handler, here a whole http.ServeMux, runs unchanged
// with FromHTTP: mounted under the Router's "/legacy/" subtree, it sees
// the request as net/http would.
func ExampleFromHTTP() {
	legacy := http.NewServeMux()
	legacy.HandleFunc("GET /legacy/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "legacy item %s", r.PathValue("id"))
	})

	r := engine.NewRouter()
	r.Handle("/legacy/", engine.FromHTTP(legacy))
	r.Handle("GET /items/{id}", engine.FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The Router's wildcards reach net/http handlers as well.
		fmt.Fprintf(w, "item %s via %q", r.PathValue("id"), r.Pattern)
	})))

	show(r, "GET", "/legacy/items/7", nil)
	show(r, "GET", "/items/8", nil)
	// Output:
	// GET /legacy/items/7 -> 200 OK: legacy item 7
	// GET /items/8 -> 200 OK: item 8 via "GET /items/{id}"
}

// A handler answers a failure by returning an *errors.Error: the engine
// renders its status and explanation, in text or, when the client's
// Accept prefers it, in application/problem+json (RFC 9457), with the
// Error's own fields.
func Example_errors() {
	errLocked := httperrors.New(httperrors.StatusForbidden, "the account is locked until an administrator unlocks it").
		WithClass(httperrors.ClassTemporary)
	h := engine.HandlerFunc(func(c *engine.Context) error {
		return errLocked
	})

	resp, err := enginetest.Do(h, "GET /account HTTP/1.1\r\nHost: example.com\r\n\r\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp)
	fmt.Print(string(resp.Body))

	resp, err = enginetest.Do(h, "GET /account HTTP/1.1\r\nHost: example.com\r\nAccept: application/problem+json\r\n\r\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(resp.Body))
	// Output:
	// 403 Forbidden
	// 403 Forbidden
	// The account is locked until an administrator unlocks it.
	// This is a temporary condition: the request may be repeated later.
	// {"type":"about:blank","title":"Forbidden","status":403,"detail":"The account is locked until an administrator unlocks it.","temporary":true}
}
