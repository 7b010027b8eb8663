package gateway_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/engine/enginetest"
	"github.com/rawhttpd/rawhttpd/engine/gateway"
)

// The gateway forwards to its upstream and answers with its response; a
// request it cannot forward gets the status RFC 9110 gives a gateway.
func ExampleNew() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "upstream saw %s %s from %s", r.Method, r.URL.Path, r.Header.Get("X-Forwarded-For"))
	}))
	defer upstream.Close()

	gw, err := gateway.New([]string{upstream.URL}, gateway.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer gw.Close()
	r := engine.NewRouter()
	r.Handle("/api/", gw)

	resp, err := enginetest.Do(r, enginetest.NewRequest("GET", "/api/status", nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode, string(resp.Body))
	fmt.Println("Via:", resp.Header.Get("Via"))

	upstream.Close() // now nothing answers: 502
	resp, err = enginetest.Do(r, enginetest.NewRequest("GET", "/api/status", nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp)
	// Output:
	// 200 upstream saw GET /api/status from 192.0.2.1
	// Via: 1.1 rawhttpd
	// 502 Bad Gateway
}
