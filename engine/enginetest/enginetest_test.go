package enginetest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/engine/enginetest"
)

// echo answers with the method, the path and the body it got.
func echo(c *engine.Context) error {
	_ = c.SetContentType("text/plain")
	_, _ = c.WriteString(string(c.Method()) + " " + string(c.Path()) + " " + string(c.Body()))
	return nil
}

func TestDoRunsEveryKindOfHandler(t *testing.T) {
	tests := []struct {
		name string
		h    engine.Handler
	}{
		{"inline", engine.HandlerFunc(echo)},
		{"blocking", engine.Blocking(engine.HandlerFunc(echo))},
		{"nethttp", engine.FromHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			body, _ := io.ReadAll(r.Body)
			_, _ = io.WriteString(w, r.Method+" "+r.URL.Path+" "+string(body))
		}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := enginetest.Do(tt.h, enginetest.NewRequest("POST", "/things", strings.NewReader("hi")))
			require.NoError(t, err)
			assert.Equal(t, 200, resp.StatusCode)
			assert.Equal(t, "HTTP/1.1", resp.Proto)
			assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
			assert.Equal(t, "POST /things hi", string(resp.Body))
			assert.False(t, resp.Closed)
			assert.True(t, strings.HasPrefix(resp.Raw, "HTTP/1.1 200 OK\r\n"))
			assert.True(t, strings.HasSuffix(resp.Raw, "\r\n\r\nPOST /things hi"))
		})
	}
}

func TestDoAnswersWhatTheWireWould(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		status int
		closed bool
		body   string
	}{
		{"HEAD has no body", "HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n", 200, false, ""},
		{"Connection: close", "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200, true, "GET /x "},
		{"HTTP/1.0", "GET /x HTTP/1.0\r\n\r\n", 200, true, "GET /x "},
		{"HTTP/2.0 is 505", "GET / HTTP/2.0\r\n\r\n", 505, true, ""},
		{"unknown method is 501", "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501, true, ""},
		{"no Host is 400", "GET / HTTP/1.1\r\n\r\n", 400, true, ""},
		{"chunked body", "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", 200, false, "POST /c hi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := enginetest.Do(engine.HandlerFunc(echo), tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, tt.closed, resp.Closed)
			if tt.status == 200 {
				assert.Equal(t, tt.body, string(resp.Body))
			}
		})
	}
}

func TestServeReadsPipelinedResponsesInOrder(t *testing.T) {
	s := engine.New(engine.Blocking(engine.HandlerFunc(echo)), engine.Config{})
	raw := enginetest.NewRequest("GET", "/1", nil) + enginetest.NewRequest("HEAD", "/2", nil) +
		enginetest.NewRequest("GET", "/3", nil)
	for range 2 { // a server serves many calls
		responses, err := enginetest.Serve(s, raw)
		require.NoError(t, err)
		require.Len(t, responses, 3)
		assert.Equal(t, "GET /1 ", string(responses[0].Body))
		assert.Empty(t, responses[1].Body)
		assert.Equal(t, "8", responses[1].Header.Get("Content-Length"), "the length a GET would get")
		assert.Equal(t, "GET /3 ", string(responses[2].Body))
	}
}

func TestServeStreamsFlushedResponses(t *testing.T) {
	h := engine.Blocking(engine.HandlerFunc(func(c *engine.Context) error {
		_, _ = c.WriteString("part 1, ")
		if err := c.Flush(); err != nil {
			return err
		}
		_, _ = c.WriteString("part 2")
		return nil
	}))
	resp, err := enginetest.Do(h, enginetest.NewRequest("GET", "/", nil))
	require.NoError(t, err)
	assert.Contains(t, resp.Raw, "\r\nTransfer-Encoding: chunked\r\n")
	assert.Equal(t, "part 1, part 2", string(resp.Body))
}

func TestServeLeavesAnIncompleteRequestUnanswered(t *testing.T) {
	responses, err := enginetest.Serve(engine.New(engine.HandlerFunc(echo), engine.Config{}),
		"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHo")
	require.NoError(t, err)
	require.Len(t, responses, 1)
	assert.Equal(t, "GET /a ", string(responses[0].Body))
}

func TestDoRefusesSeveralResponses(t *testing.T) {
	_, err := enginetest.Do(engine.HandlerFunc(echo), enginetest.NewRequest("GET", "/1", nil)+enginetest.NewRequest("GET", "/2", nil))
	assert.ErrorContains(t, err, "2 responses")
}

func TestRawCarriesFields(t *testing.T) {
	r, err := http.NewRequest("GET", "http://example.com/q", nil)
	require.NoError(t, err)
	r.Header.Set("Accept", "application/problem+json")
	resp, err := enginetest.Do(engine.HandlerFunc(func(*engine.Context) error { return engine.ErrNotFound }), enginetest.Raw(r))
	require.NoError(t, err)
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
}
