package enginetest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/engine/enginetest"
)

// A handler's test: serve a request in memory and look at the response,
// as a client would read it.
func ExampleDo() {
	h := engine.HandlerFunc(func(c *engine.Context) error {
		_ = c.SetContentType("text/plain")
		_, err := fmt.Fprintf(c, "hello, %s", c.QueryArgDecoded("name"))
		return err
	})

	resp, err := enginetest.Do(h, enginetest.NewRequest("GET", "/?name=J%C3%BCrgen", nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), string(resp.Body))
	// Output: 200 text/plain hello, Jürgen
}

// Requests with fields of their own are built with net/http and written
// out with Raw; Serve takes a Server of any Config and a connection's
// worth of pipelined requests.
func ExampleServe() {
	s := engine.New(engine.HandlerFunc(func(c *engine.Context) error {
		_, err := c.Write(c.Header("Authorization"))
		return err
	}), engine.Config{NoServerHeader: true})

	r := httptest.NewRequest(http.MethodGet, "/private", nil)
	r.Header.Set("Authorization", "Bearer t0ken")
	responses, err := enginetest.Serve(s, enginetest.Raw(r)+"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, resp := range responses {
		fmt.Printf("%d %q closed=%v\n", resp.StatusCode, resp.Body, resp.Closed)
	}
	// Output:
	// 200 "Bearer t0ken" closed=false
	// 200 "" closed=true
}
