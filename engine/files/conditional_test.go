package files

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConditionalSameWithAndWithoutCache runs one table of conditional
// and Range requests against a server without the cache and, in turn, the
// other cache modes, and requires the same status, fields (but Date) and
// body from each.
func TestConditionalSameWithAndWithoutCache(t *testing.T) {
	root := newTree(t)
	_, uncached := startFiles(t, root, Options{CacheBytes: -1})
	for _, mode := range cacheModes[:2] {
		_, cached := startFiles(t, root, mode.opts)
		t.Run(mode.name, func(t *testing.T) { testConditional(t, cached, uncached) })
	}
}

func testConditional(t *testing.T, cached, uncached string) {
	resp, _ := dial(t, uncached).get("/hello.txt", "")
	etag, lastModified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	require.NotEmpty(t, etag)
	mod, err := http.ParseTime(lastModified)
	require.NoError(t, err)
	before := mod.Add(-time.Hour).UTC().Format(http.TimeFormat)
	after := mod.Add(time.Hour).UTC().Format(http.TimeFormat)
	rfc850 := mod.UTC().Format(time.RFC850)

	tests := []struct {
		name, method, fields string
		status               int
		body, contentRange   string
	}{
		{"plain", "GET", "", 200, "0123456789", ""},
		{"HEAD", "HEAD", "", 200, "", ""},
		{"If-None-Match same", "GET", "If-None-Match: " + etag, 304, "", ""},
		{"If-None-Match weak same", "GET", "If-None-Match: W/" + etag, 304, "", ""},
		{"If-None-Match in a list", "GET", `If-None-Match: "x", ` + etag, 304, "", ""},
		{"If-None-Match star", "GET", "If-None-Match: *", 304, "", ""},
		{"If-None-Match other", "GET", `If-None-Match: "other"`, 200, "0123456789", ""},
		{"If-None-Match on HEAD", "HEAD", "If-None-Match: " + etag, 304, "", ""},
		{"If-Modified-Since same", "GET", "If-Modified-Since: " + lastModified, 304, "", ""},
		{"If-Modified-Since later", "GET", "If-Modified-Since: " + after, 304, "", ""},
		{"If-Modified-Since earlier", "GET", "If-Modified-Since: " + before, 200, "0123456789", ""},
		{"If-Modified-Since RFC 850", "GET", "If-Modified-Since: " + rfc850, 304, "", ""},
		{"If-Modified-Since invalid", "GET", "If-Modified-Since: yesterday", 200, "0123456789", ""},
		{"If-None-Match wins over If-Modified-Since", "GET", "If-None-Match: \"other\"\r\nIf-Modified-Since: " + after, 200, "0123456789", ""},
		{"If-Match same", "GET", "If-Match: " + etag, 200, "0123456789", ""},
		{"If-Match star", "GET", "If-Match: *", 200, "0123456789", ""},
		{"If-Match other", "GET", `If-Match: "other"`, 412, "", ""},
		{"If-Match weak", "GET", "If-Match: W/" + etag, 412, "", ""},
		{"If-Unmodified-Since earlier", "GET", "If-Unmodified-Since: " + before, 412, "", ""},
		{"If-Unmodified-Since same", "GET", "If-Unmodified-Since: " + lastModified, 200, "0123456789", ""},
		{"Range", "GET", "Range: bytes=2-5", 206, "2345", "bytes 2-5/10"},
		{"Range open", "GET", "Range: bytes=7-", 206, "789", "bytes 7-9/10"},
		{"Range suffix", "GET", "Range: bytes=-3", 206, "789", "bytes 7-9/10"},
		{"Range suffix longer than the file", "GET", "Range: bytes=-30", 206, "0123456789", "bytes 0-9/10"},
		{"Range last past the end", "GET", "Range: bytes=8-100", 206, "89", "bytes 8-9/10"},
		{"Range unit case", "GET", "Range: Bytes=0-0", 206, "0", "bytes 0-0/10"},
		{"Range unsatisfiable", "GET", "Range: bytes=10-", 416, "", "bytes */10"},
		{"Range empty suffix", "GET", "Range: bytes=-0", 416, "", "bytes */10"},
		{"Range huge first", "GET", "Range: bytes=99999999999999999999-", 416, "", "bytes */10"},
		{"Range unknown unit", "GET", "Range: items=0-4", 200, "0123456789", ""},
		{"Range malformed", "GET", "Range: bytes=5-2", 200, "0123456789", ""},
		{"Range several", "GET", "Range: bytes=0-1,4-5", 200, "0123456789", ""},
		{"Range on HEAD", "HEAD", "Range: bytes=2-5", 200, "", ""},
		{"If-Range same tag", "GET", "Range: bytes=0-1\r\nIf-Range: " + etag, 206, "01", "bytes 0-1/10"},
		{"If-Range other tag", "GET", "Range: bytes=0-1\r\nIf-Range: \"other\"", 200, "0123456789", ""},
		{"If-Range weak tag", "GET", "Range: bytes=0-1\r\nIf-Range: W/" + etag, 200, "0123456789", ""},
		{"If-Range same date", "GET", "Range: bytes=0-1\r\nIf-Range: " + lastModified, 206, "01", "bytes 0-1/10"},
		{"If-Range other date", "GET", "Range: bytes=0-1\r\nIf-Range: " + before, 200, "0123456789", ""},
		{"304 before Range", "GET", "Range: bytes=0-1\r\nIf-None-Match: " + etag, 304, "", ""},
		{"412 before Range", "GET", "Range: bytes=0-1\r\nIf-Match: \"other\"", 412, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.method + " /hello.txt HTTP/1.1\r\nHost: a\r\n"
			if tt.fields != "" {
				raw += tt.fields + "\r\n"
			}
			raw += "\r\n"
			warm := dial(t, cached)
			warm.get("/hello.txt", "") // the cached server answers from memory
			want, wantBody := dial(t, uncached).do(tt.method, raw)
			got, gotBody := warm.do(tt.method, raw)

			assert.Equal(t, tt.status, want.StatusCode)
			if tt.status < 300 {
				assert.Equal(t, tt.body, wantBody)
			}
			assert.Equal(t, tt.contentRange, want.Header.Get("Content-Range"))
			if tt.status == 304 {
				assert.Equal(t, etag, want.Header.Get("ETag"))
				assert.Empty(t, want.Header.Get("Content-Length"))
			}
			if tt.method == "HEAD" && tt.status == 200 {
				assert.Equal(t, "10", want.Header.Get("Content-Length"))
			}

			assert.Equal(t, want.StatusCode, got.StatusCode)
			assert.Equal(t, wantBody, gotBody)
			want.Header.Del("Date")
			got.Header.Del("Date")
			assert.Equal(t, want.Header, got.Header)
		})
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		spec     string
		size     int64
		from, to int64
		result   rangeResult
	}{
		{"bytes=0-0", 10, 0, 1, rangeSatisfiable},
		{"bytes=0-", 10, 0, 10, rangeSatisfiable},
		{"bytes=9-9", 10, 9, 10, rangeSatisfiable},
		{"bytes=-1", 10, 9, 10, rangeSatisfiable},
		{"bytes=-10", 10, 0, 10, rangeSatisfiable},
		{"bytes= 1-2 ", 10, 1, 3, rangeSatisfiable},
		{"bytes=1-99999999999999999999999", 10, 1, 10, rangeSatisfiable},
		{"bytes=-99999999999999999999999", 10, 0, 10, rangeSatisfiable},
		{"bytes=10-", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=0-", 0, 0, 0, rangeUnsatisfiable},
		{"bytes=-5", 0, 0, 0, rangeUnsatisfiable},
		{"bytes=-0", 10, 0, 0, rangeUnsatisfiable},
		{"bytes=2-1", 10, 0, 0, rangeIgnored},
		{"bytes=", 10, 0, 0, rangeIgnored},
		{"bytes=-", 10, 0, 0, rangeIgnored},
		{"bytes=a-b", 10, 0, 0, rangeIgnored},
		{"bytes=1-2-3", 10, 0, 0, rangeIgnored},
		{"bytes=+1-2", 10, 0, 0, rangeIgnored},
		{"bytes=0-1,3-4", 10, 0, 0, rangeIgnored},
		{"bytes 0-1", 10, 0, 0, rangeIgnored},
		{"bites=0-1", 10, 0, 0, rangeIgnored},
		{"", 10, 0, 0, rangeIgnored},
	}
	for _, tt := range tests {
		from, to, r := parseRange([]byte(tt.spec), tt.size)
		assert.Equal(t, tt.result, r, tt.spec)
		if r == rangeSatisfiable {
			assert.Equal(t, [2]int64{tt.from, tt.to}, [2]int64{from, to}, tt.spec)
		}
	}
}

func TestMatchTags(t *testing.T) {
	const etag = `"abc-1"`
	tests := []struct {
		list         string
		strong, weak bool // the outcome of each comparison
	}{
		{`"abc-1"`, true, true},
		{`W/"abc-1"`, false, true},
		{`"x", "abc-1"`, true, true},
		{`"x",W/"abc-1"`, false, true},
		{` * `, true, true},
		{`"abc-2"`, false, false},
		{`abc-1`, false, false},
		{`"abc-1`, false, false},
		{``, false, false},
		{`"x" junk "abc-1"`, false, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.strong, matchTags([]byte(tt.list), etag, true), "strong %s", tt.list)
		assert.Equal(t, tt.weak, matchTags([]byte(tt.list), etag, false), "weak %s", tt.list)
	}
}

func TestParseHTTPDateAgreesWithNetHTTP(t *testing.T) {
	for _, s := range []string{
		"Sun, 06 Nov 1994 08:49:37 GMT",
		"Thu, 01 Jan 1970 00:00:00 GMT",
		"Wed, 31 Dec 1969 23:59:59 GMT",
		"Tue, 29 Feb 2000 12:00:00 GMT",
		"Fri, 31 Dec 9999 23:59:59 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994",
	} {
		want, err := http.ParseTime(s)
		require.NoError(t, err, s)
		got, ok := parseHTTPDate([]byte(s))
		require.True(t, ok, s)
		assert.Equal(t, want.Unix(), got, s)
	}
	for _, s := range []string{"", "yesterday", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Xyz 1994 08:49:37 GMT",
		"Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT", strings.Repeat("x", 29)} {
		_, ok := parseHTTPDate([]byte(s))
		assert.False(t, ok, s)
	}
}
