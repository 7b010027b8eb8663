package files

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendKey(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		dotfiles bool
		key      string
		err      error
	}{
		{"root", "/", false, "/", nil},
		{"file", "/hello.txt", false, "/hello.txt", nil},
		{"nested", "/a/b/c.html", false, "/a/b/c.html", nil},
		{"directory keeps its slash", "/sub/", false, "/sub/", nil},
		{"empty segments merged", "//a///b//", false, "/a/b/", nil},
		{"percent-decoded", "/hello%20world.txt", false, "/hello world.txt", nil},
		{"upper and lower hex", "/%4a%4B", false, "/JK", nil},
		{"backslash is a name byte", "/..%5csecret.txt", true, `/..\secret.txt`, nil},
		{"dotfile served when asked", "/.env", true, "/.env", nil},
		{"dot inside a name", "/a.b/c.d", false, "/a.b/c.d", nil},
		{"dotdot", "/../secret.txt", false, "", errNotFound},
		{"dotdot with dotfiles", "/sub/../../secret.txt", true, "", errNotFound},
		{"trailing dotdot", "/sub/..", true, "", errNotFound},
		{"dot segment", "/./hello.txt", true, "", errNotFound},
		{"encoded dotdot", "/%2e%2e/secret.txt", true, "", errNotFound},
		{"encoded upper dotdot and slash", "/%2E%2E%2Fsecret.txt", true, "", errNotFound},
		{"encoded slash", "/sub%2f..%2f..%2fsecret.txt", true, "", errNotFound},
		{"encoded slash alone", "/a%2Fb", true, "", errNotFound},
		{"NUL", "/hello.txt%00", false, "", errNotFound},
		{"dotfile refused", "/.env", false, "", errNotFound},
		{"dot directory refused", "/.git/config", false, "", errNotFound},
		{"encoded dotfile refused", "/%2eenv", false, "", errNotFound},
		{"not a path", "*", false, "", errNotFound},
		{"empty", "", false, "", errNotFound},
		{"short escape", "/a%2", false, "", errBadPath},
		{"escape cut by a slash", "/a%2/b", false, "", errBadPath},
		{"not hex", "/a%zz", false, "", errBadPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := appendKey(nil, []byte(tt.raw), tt.dotfiles)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.key, string(key))
		})
	}
}

func TestRootName(t *testing.T) {
	for key, name := range map[string]string{"/": ".", "/a": "a", "/a/b/": "a/b", "/sub/": "sub"} {
		assert.Equal(t, name, rootName(key), key)
	}
}
