package engine

import (
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// referenceCleanPath is net/http's rule: path.Clean, keeping a trailing
// slash.
func referenceCleanPath(p string) string {
	np := path.Clean(p)
	if strings.HasSuffix(p, "/") && np != "/" {
		np += "/"
	}
	return np
}

func TestCleanPathMatchesPathClean(t *testing.T) {
	// Every path of up to four segments drawn from these, so that each
	// combination of dot segments, empty segments and trailing slashes is
	// met.
	parts := []string{"", ".", "..", "a", "b.", ".c", "..."}
	var paths []string
	var gen func(prefix string, depth int)
	gen = func(prefix string, depth int) {
		paths = append(paths, prefix)
		if depth == 4 {
			return
		}
		for _, p := range parts {
			gen(prefix+"/"+p, depth+1)
		}
	}
	gen("", 0)
	for _, p := range paths {
		if p == "" {
			p = "/"
		}
		want := referenceCleanPath(p)
		got := string(appendCleanPath(nil, []byte(p)))
		assert.Equal(t, want, got, p)
		assert.Equal(t, want == p, isCleanPath([]byte(p)), p)
		m := routeMatcher{c: &Context{}}
		walked := []byte(p)
		for len(walked) > 0 && !m.unclean {
			_, walked = m.firstSegment(walked)
		}
		assert.Equal(t, want != p, m.unclean, "segments walked one by one: %s", p)
	}
}

func TestRequestHost(t *testing.T) {
	tests := []struct {
		target, field, want string
	}{
		{"/a", "example.com", "example.com"},
		{"/a", "example.com:8080", "example.com"},
		{"/a", "[::1]:8080", "::1"},
		{"/a", "[::1]", "[::1]"},
		{"/a", "", ""},
		{"http://example.org/a", "example.com", "example.org"},
		{"http://example.org:81?q", "example.com", "example.org"},
		{"*", "example.com", "example.com"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(requestHost([]byte(tt.target), []byte(tt.field))), tt.target+" "+tt.field)
	}
}
