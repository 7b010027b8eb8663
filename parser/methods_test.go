package parser

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMethodsKnown(t *testing.T) {
	tests := []struct {
		method string
		known  bool
	}{
		{"GET", true}, {"HEAD", true}, {"POST", true}, {"PUT", true}, {"DELETE", true},
		{"CONNECT", true}, {"OPTIONS", true}, {"TRACE", true}, {"PATCH", true},
		{"get", false}, {"Get", false}, {"PROPFIND", false}, {"", false}, {"GETS", false},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			assert.Equal(t, tt.known, DefaultMethods.Known([]byte(tt.method)))
		})
	}
}

func TestMethodsRegisterMakesMethodParse(t *testing.T) {
	raw := "PROPFIND /dav HTTP/1.1\r\nHost: a\r\n\r\n"
	_, _, err := mustParse(t, Config{}, raw)
	requireStatus(t, ErrMethodNotImplemented, err)

	m := NewMethods("PROPFIND")
	n, req, err := mustParse(t, Config{Methods: m}, raw)
	require.NoError(t, err)
	assert.Equal(t, len(raw), n)
	assert.Equal(t, "PROPFIND", string(req.Method))

	m2 := NewMethods()
	m2.Register("MKCOL")
	m2.Register("MKCOL")
	assert.True(t, m2.Known([]byte("MKCOL")))
	assert.True(t, m2.Known([]byte("GET")))
	assert.False(t, DefaultMethods.Known([]byte("MKCOL")))
}

func TestMethodsRegisterPanics(t *testing.T) {
	assert.Panics(t, func() { NewMethods("BAD METHOD") })
	assert.Panics(t, func() { NewMethods("") })
	assert.Panics(t, func() { DefaultMethods.Register("PROPFIND") })
}
