package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestMaintenanceMode(t *testing.T) {
	var s *Server
	mux := HandlerFunc(func(c *Context) error {
		switch string(c.Path()) {
		case "/readyz":
			return s.ReadinessHandler().Serve(c)
		case "/healthz":
			return HealthHandler().Serve(c)
		}
		_, _ = c.WriteString("app")
		return nil
	})
	s = startServer(t, mux, Config{MaintenanceExempt: []string{"/healthz", "/readyz"}})
	c := dialRaw(t, s)
	get := func(path string) (int, string, string) {
		c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, body := c.read("GET")
		return resp.StatusCode, resp.Header.Get("Retry-After"), body
	}
	status, _, _ := get("/")
	assert.Equal(t, 200, status)
	status, _, _ = get("/readyz")
	assert.Equal(t, 200, status)

	s.SetMaintenance(30 * time.Second)
	status, retry, body := get("/")
	assert.Equal(t, 503, status)
	assert.Equal(t, "30", retry)
	assert.Contains(t, body, "maintenance")
	assert.Contains(t, body, "temporary")
	status, _, _ = get("/healthz")
	assert.Equal(t, 200, status, "health checks are exempt")
	status, retry, _ = get("/readyz")
	assert.Equal(t, 503, status)
	assert.NotEmpty(t, retry)

	c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, headBody := c.read("HEAD")
	assert.Equal(t, 503, resp.StatusCode)
	assert.Empty(t, headBody)

	c.send("GET / HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\n\r\n")
	resp, body = c.read("GET")
	assertProblem(t, resp, body, 503)
	assert.Equal(t, "30", resp.Header.Get("Retry-After"))
	assert.False(t, resp.Close)

	s.ClearMaintenance()
	status, _, body = get("/")
	assert.Equal(t, 200, status)
	assert.Equal(t, "app", body)
}
