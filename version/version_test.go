package version

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Version
		err  bool
	}{
		{name: "1.1", in: "HTTP/1.1", want: HTTP11},
		{name: "1.0", in: "HTTP/1.0", want: HTTP10},
		{name: "2.0 parses (505 is decided later)", in: "HTTP/2.0", want: Version{2, 0}},
		{name: "0.9 parses", in: "HTTP/0.9", want: Version{0, 9}},
		{name: "1.9", in: "HTTP/1.9", want: Version{1, 9}},
		{name: "lower case name", in: "http/1.1", err: true},
		{name: "mixed case name", in: "Http/1.1", err: true},
		{name: "two digit major", in: "HTTP/10.1", err: true},
		{name: "missing minor", in: "HTTP/1", err: true},
		{name: "major only with dot", in: "HTTP/1.", err: true},
		{name: "letter minor", in: "HTTP/1.x", err: true},
		{name: "comma", in: "HTTP/1,1", err: true},
		{name: "trailing space", in: "HTTP/1.1 ", err: true},
		{name: "empty", in: "", err: true},
		{name: "h2", in: "HTTP/2", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if tt.err {
				require.ErrorIs(t, err, ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseEveryByteAtEveryPosition(t *testing.T) {
	base := []byte("HTTP/1.1")
	for pos := range base {
		for c := 0; c < 256; c++ {
			in := append([]byte(nil), base...)
			in[pos] = byte(c)
			_, err := Parse(in)
			valid := in[pos] == base[pos] || ((pos == 5 || pos == 7) && c >= '0' && c <= '9')
			assert.Equal(t, valid, err == nil, "byte %#x at %d", c, pos)
		}
	}
}

func TestSupported(t *testing.T) {
	assert.True(t, HTTP10.Supported())
	assert.True(t, HTTP11.Supported())
	assert.True(t, Version{1, 9}.Supported())
	assert.False(t, Version{2, 0}.Supported())
	assert.False(t, Version{0, 9}.Supported())
	assert.False(t, Version{3, 0}.Supported())
}

func TestAtLeast(t *testing.T) {
	assert.True(t, HTTP11.AtLeast(1, 1))
	assert.True(t, HTTP11.AtLeast(1, 0))
	assert.False(t, HTTP10.AtLeast(1, 1))
	assert.True(t, Version{2, 0}.AtLeast(1, 1))
}
