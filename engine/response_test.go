package engine

import (
	"net/http"
	"strings"
	"testing"
	"time"

	httperrors "github.com/rawhttpd/rawhttpd/errors"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendResponseHead(t *testing.T) {
	withServer := newClock(time.Second, "Server: rawhttpd\r\n")
	noServer := newClock(time.Second, "")
	tests := []struct {
		name      string
		clock     *clock
		status    int
		ownServer string // a Server field the handler sets
		bodyLen   int
		want      []string // lines of the head, in order, Date excluded
	}{
		{"200 small", withServer, 200, "", 13, []string{"HTTP/1.1 200 OK", "Server: rawhttpd", "Content-Length: 13"}},
		{"200 empty", withServer, 200, "", 0, []string{"HTTP/1.1 200 OK", "Server: rawhttpd", "Content-Length: 0"}},
		{"200 last tabled length", withServer, 200, "", 1023, []string{"HTTP/1.1 200 OK", "Server: rawhttpd", "Content-Length: 1023"}},
		{"200 first formatted length", withServer, 200, "", 1024, []string{"HTTP/1.1 200 OK", "Server: rawhttpd", "Content-Length: 1024"}},
		{"200 large", withServer, 200, "", 70000, []string{"HTTP/1.1 200 OK", "Server: rawhttpd", "Content-Length: 70000"}},
		{"404", withServer, 404, "", 9, []string{"HTTP/1.1 404 Not Found", "Server: rawhttpd", "Content-Length: 9"}},
		{"200 without Server", noServer, 200, "", 5, []string{"HTTP/1.1 200 OK", "Content-Length: 5"}},
		{"200 with the handler's Server", withServer, 200, "mine", 5, []string{"HTTP/1.1 200 OK", "Server: mine", "Content-Length: 5"}},
		{"204 has no length", withServer, 204, "", 0, []string{"HTTP/1.1 204 No Content", "Server: rawhttpd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var x Context
			x.reset(nil, nil)
			require.NoError(t, x.SetStatus(tt.status))
			if tt.ownServer != "" {
				require.NoError(t, x.SetHeader("Server", tt.ownServer))
			}
			_, _ = x.WriteString(strings.Repeat("x", tt.bodyLen))
			st := tt.clock.stamp()
			out := string(appendResponse(nil, &x, st, false, persistDefault))
			head, body, ok := strings.Cut(out, "\r\n\r\n")
			require.True(t, ok)
			var lines []string
			for _, line := range strings.Split(head, "\r\n") {
				if date, ok := strings.CutPrefix(line, "Date: "); ok {
					assert.Equal(t, string(st.date[:]), date)
					_, err := http.ParseTime(date)
					assert.NoError(t, err)
					continue
				}
				lines = append(lines, line)
			}
			assert.Equal(t, tt.want, lines)
			if tt.status != 204 {
				assert.Len(t, body, tt.bodyLen)
			}
		})
	}
}

// TestReasonPhraseOnTheWire: a status outside RFC 9110's catalogue still
// gets the reason phrase net/http knows, whether a handler sets it or
// returns an Error that carries it.
func TestReasonPhraseOnTheWire(t *testing.T) {
	tests := []struct {
		name    string
		handler HandlerFunc
		want    string
	}{
		{"418 set by the handler", func(c *Context) error { return c.SetStatus(418) }, "418 I'm a teapot"},
		{"451 returned as an Error", func(*Context) error {
			return httperrors.New(451, "the resource is withheld")
		}, "451 Unavailable For Legal Reasons"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, tt.handler, Config{})
			c := dialRaw(t, s)
			c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
			resp, _ := c.read("GET")
			assert.Equal(t, tt.want, resp.Status)
		})
	}
}
