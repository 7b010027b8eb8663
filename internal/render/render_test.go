package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	stderrors "errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	httperrors "github.com/rawhttpd/rawhttpd/errors"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testDate = []byte("Wed, 25 Nov 2026 12:00:00 GMT")

// readResponse parses b with net/http, as a client would.
func readResponse(t *testing.T, b []byte, head bool) (*http.Response, []byte) {
	t.Helper()
	req := &http.Request{Method: "GET"}
	if head {
		req.Method = "HEAD"
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func TestAppendExplainsEachServerError(t *testing.T) {
	tests := []struct {
		name      string
		err       *httperrors.Error
		temporary bool
	}{
		{"500", httperrors.New(httperrors.StatusInternalServerError, "a handler failed"), true},
		{"501", httperrors.New(httperrors.StatusNotImplemented, "the request method is not supported"), false},
		{"502", httperrors.New(httperrors.StatusBadGateway, "the upstream answered with an invalid response"), true},
		{"503", httperrors.New(httperrors.StatusServiceUnavailable, "the server is overloaded").WithRetryAfter(5), true},
		{"504", httperrors.New(httperrors.StatusGatewayTimeout, "the upstream did not answer in time"), true},
		{"505", httperrors.New(httperrors.StatusHTTPVersionNotSupported, "only HTTP/1.x is supported"), false},
		{"400 permanent", httperrors.New(httperrors.StatusBadRequest, "the request line is malformed"), false},
		{"class override", httperrors.New(httperrors.StatusServiceUnavailable, "gone for good").WithClass(httperrors.ClassPermanent), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := AppendError(nil, tt.err, Options{Close: true, Date: testDate, Server: "rawhttpd"})
			resp, body := readResponse(t, b, false)
			assert.Equal(t, int(tt.err.Status()), resp.StatusCode)
			assert.Equal(t, "HTTP/1.1", resp.Proto)
			assert.Equal(t, string(testDate), resp.Header.Get("Date"))
			assert.Equal(t, "rawhttpd", resp.Header.Get("Server"))
			assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
			assert.Equal(t, strconv.Itoa(len(body)), resp.Header.Get("Content-Length"))
			assert.True(t, resp.Close)
			assert.Contains(t, string(body), tt.err.Status().Reason())
			if tt.temporary {
				assert.Contains(t, string(body), "temporary")
			} else {
				assert.Contains(t, string(body), "permanent")
			}
			if tt.err.RetryAfter() > 0 {
				assert.Equal(t, strconv.Itoa(tt.err.RetryAfter()), resp.Header.Get("Retry-After"))
			} else {
				assert.Empty(t, resp.Header.Get("Retry-After"))
			}
		})
	}
}

func TestAppendHeadHasHeadersWithoutEntity(t *testing.T) {
	e := httperrors.New(httperrors.StatusServiceUnavailable, "maintenance").WithRetryAfter(30)
	full := AppendError(nil, e, Options{Date: testDate})
	head := AppendError(nil, e, Options{Date: testDate, Head: true})
	require.True(t, bytes.HasPrefix(full, head))
	assert.True(t, bytes.HasSuffix(head, []byte("\r\n\r\n")))
	resp, body := readResponse(t, head, true)
	assert.Empty(t, body)
	fullResp, fullBody := readResponse(t, full, false)
	assert.Equal(t, strconv.Itoa(len(fullBody)), resp.Header.Get("Content-Length"))
	assert.Equal(t, fullResp.Header, resp.Header)
}

func TestAppendKeepAliveOmitsConnectionClose(t *testing.T) {
	b := AppendError(nil, httperrors.New(httperrors.StatusNotFound, "no such resource"), Options{Date: testDate})
	assert.NotContains(t, string(b), "Connection:")
}

// TestAppendConnectionField: the Connection field each persistence asks
// for; an HTTP/1.0 client keeps the connection only when told keep-alive.
func TestAppendConnectionField(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"HTTP/1.1 default", Options{}, ""},
		{"close", Options{Close: true}, "Connection: close\r\n"},
		{"HTTP/1.0 keep-alive", Options{KeepAlive: true}, "Connection: keep-alive\r\n"},
		{"close wins", Options{Close: true, KeepAlive: true}, "Connection: close\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Date = testDate
			b := string(AppendError(nil, httperrors.New(httperrors.StatusNotImplemented, "no tunnels"), tt.o))
			assert.Equal(t, strings.Count(b, "Connection:"), min(len(tt.want), 1))
			if tt.want != "" {
				assert.Contains(t, b, tt.want)
			}
		})
	}
}

func TestAppendProblemJSON(t *testing.T) {
	e := httperrors.New(httperrors.StatusServiceUnavailable, "the \"work\" queue is full").WithRetryAfter(7)
	b := AppendError(nil, e, Options{Date: testDate, Format: FormatProblem})
	resp, body := readResponse(t, b, false)
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
	var p map[string]any
	require.NoError(t, json.Unmarshal(body, &p))
	assert.Equal(t, "about:blank", p["type"])
	assert.Equal(t, "Service Unavailable", p["title"])
	assert.Equal(t, float64(503), p["status"])
	assert.Equal(t, `The "work" queue is full.`, p["detail"])
	assert.Equal(t, true, p["temporary"])
	assert.Equal(t, float64(7), p["retry_after"])
}

func TestAppendHidesErrorsWithoutStatus(t *testing.T) {
	b := AppendError(nil, stderrors.New("secret database password wrong"), Options{Date: testDate})
	resp, body := readResponse(t, b, false)
	assert.Equal(t, 500, resp.StatusCode)
	assert.NotContains(t, string(body), "secret")
}

func TestAppendWithoutDateFormatsNow(t *testing.T) {
	b := AppendError(nil, httperrors.New(httperrors.StatusBadRequest, "bad"), Options{})
	resp, _ := readResponse(t, b, false)
	_, err := http.ParseTime(resp.Header.Get("Date"))
	assert.NoError(t, err)
}

func TestFormatFor(t *testing.T) {
	tests := []struct {
		accept string
		want   Format
	}{
		{"", FormatText},
		{"*/*", FormatText},
		{"text/html", FormatText},
		{"application/json", FormatText},
		{"application/problem+json", FormatProblem},
		{"Application/Problem+JSON", FormatProblem},
		{"application/problem+json, text/plain", FormatProblem},
		{"text/plain, application/problem+json;q=0.5", FormatText},
		{"text/plain;q=0.5, application/problem+json", FormatProblem},
		{"application/*", FormatProblem},
		{"application/*;q=0.9, text/*;q=0.8", FormatProblem},
		{"text/*, application/*", FormatText},
		{"application/problem+json;q=0", FormatText},
		{"application/problem+json;q=0.001, */*;q=0", FormatProblem},
		{"garbage", FormatText},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			assert.Equal(t, tt.want, FormatFor([]byte(tt.accept)))
		})
	}
}

func TestAppendCarriesFields(t *testing.T) {
	e := httperrors.New(httperrors.StatusMethodNotAllowed, "this resource is served to GET and HEAD only").
		WithField("Allow", "GET, HEAD")
	for _, tc := range []struct {
		name  string
		extra []byte
		want  []string
	}{
		{"error's own", nil, []string{"Allow: GET, HEAD\r\n"}},
		{"and the handler's", []byte("X-Request-Id: 7\r\n"), []string{"Allow: GET, HEAD\r\n", "X-Request-Id: 7\r\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := string(AppendError(nil, e, Options{Fields: tc.extra, Date: []byte(datePlaceholder)}))
			head, _, ok := strings.Cut(out, "\r\n\r\n")
			require.True(t, ok)
			for _, f := range tc.want {
				assert.Contains(t, head+"\r\n", f)
			}
		})
	}
	assert.True(t, stderrors.Is(e, httperrors.New(httperrors.StatusMethodNotAllowed, "this resource is served to GET and HEAD only")),
		"a copy with fields still matches its sentinel")
}

func TestAppendClassSentenceCountsSeconds(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter int
		want       string
	}{
		{"one second is singular", 1, "may be repeated later, after 1 second.\n"},
		{"more are plural", 2, "may be repeated later, after 2 seconds.\n"},
		{"none says no time", 0, "may be repeated later.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := httperrors.New(httperrors.StatusServiceUnavailable, "maintenance").WithRetryAfter(tt.retryAfter)
			_, body := readResponse(t, AppendError(nil, e, Options{Date: testDate}), false)
			assert.True(t, strings.HasSuffix(string(body), tt.want), string(body))
		})
	}
}
