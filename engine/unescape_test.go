package engine

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAppendUnescapedMatchesNetURL(t *testing.T) {
	for _, s := range []string{"", "plain", "a%20b", "%41%42", "a+b", "%2F%2f", "%e2%82%ac", "100%", "%4", "%zz", "x%C3%A9y+z"} {
		pathWant, err := url.PathUnescape(s)
		if err == nil {
			assert.Equal(t, pathWant, string(appendUnescaped(nil, []byte(s), false)), "path %q", s)
		}
		formWant, err := url.QueryUnescape(s)
		if err == nil {
			assert.Equal(t, formWant, string(appendUnescaped(nil, []byte(s), true)), "form %q", s)
			assert.True(t, equalUnescaped([]byte(s), formWant), "equal %q", s)
			assert.False(t, equalUnescaped([]byte(s), formWant+"x"), "longer %q", s)
		} else {
			// An escape the parser would have refused is kept as sent.
			assert.Equal(t, s, string(appendUnescaped(nil, []byte(s), false)), "kept %q", s)
		}
	}
}
