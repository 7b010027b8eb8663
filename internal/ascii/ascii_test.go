package ascii

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEqualFold(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"Content-Length", "content-length", true},
		{"HOST", "host", true},
		{"", "", true},
		{"host", "hos", false},
		{"host", "hosu", false},
		// Only letters fold: these differ by the case bit but are not
		// letters.
		{"@", "`", false},
		{"[", "{", false},
		{"^", "~", false},
		// No Unicode folding: K (Kelvin sign) is not k.
		{"\u212a", "k", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, EqualFold(tt.a, tt.b), "%q %q", tt.a, tt.b)
		assert.Equal(t, tt.want, EqualFold([]byte(tt.a), tt.b), "%q %q as bytes", tt.a, tt.b)
		assert.Equal(t, tt.want, EqualFold(tt.b, []byte(tt.a)), "%q %q swapped", tt.b, tt.a)
	}
}

func TestEqualFoldAllocatesNothing(t *testing.T) {
	a, b := []byte("Transfer-Encoding"), "transfer-encoding"
	assert.Zero(t, testing.AllocsPerRun(100, func() { EqualFold(a, b) }))
}
