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
			assert.Equal(t, tt.known, defaultMethods.Known([]byte(tt.method)))
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
	assert.False(t, defaultMethods.Known([]byte("MKCOL")))
}

func TestMethodsRegisterPanics(t *testing.T) {
	assert.Panics(t, func() { NewMethods("BAD METHOD") })
	assert.Panics(t, func() { NewMethods("") })
	assert.Panics(t, func() { defaultMethods.Register("PROPFIND") })
}

func TestGatewayMethods(t *testing.T) {
	m := GatewayMethods()
	for _, name := range []string{
		"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
		"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT",
		"ACL", "BASELINE-CONTROL", "BIND", "CHECKIN", "CHECKOUT", "LABEL", "MERGE",
		"MKACTIVITY", "MKCALENDAR", "MKREDIRECTREF", "MKWORKSPACE", "ORDERPATCH",
		"REBIND", "UNBIND", "UNCHECKOUT", "UPDATE", "UPDATEREDIRECTREF", "VERSION-CONTROL",
		"LINK", "UNLINK", "SEARCH", "QUERY", "PRI",
	} {
		assert.True(t, m.Known([]byte(name)), name)
	}
	for _, name := range []string{"BREW", "propfind", "*", "WHEN", ""} {
		assert.False(t, m.Known([]byte(name)), name)
	}

	withBrew := GatewayMethods("BREW")
	assert.True(t, withBrew.Known([]byte("BREW")))
	assert.False(t, m.Known([]byte("BREW")), "each call returns its own registry")
	assert.False(t, defaultMethods.Known([]byte("PROPFIND")), "the origin default is unchanged")
	assert.Panics(t, func() { GatewayMethods("NOT A TOKEN") })
}

func TestGatewayMethodsParse(t *testing.T) {
	cfg := Config{Methods: GatewayMethods()}
	runStatusTable(t, cfg, []statusRow{
		{name: "PROPFIND", raw: "PROPFIND /dav HTTP/1.1\r\nHost: a\r\nDepth: 1\r\n\r\n"},
		{name: "REPORT", raw: "REPORT /dav HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n<>"},
		{name: "QUERY", raw: "QUERY /q HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx"},
		{name: "unregistered token", raw: "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrMethodNotImplemented, status: 501},
		{name: "case-sensitive", raw: "propfind /dav HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrMethodNotImplemented, status: 501},
		{name: "h2 preface is 505 still", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", want: ErrVersionUnsupported, status: 505},
	})
}

func TestValidMethod(t *testing.T) {
	for _, tt := range []struct {
		name string
		ok   bool
	}{{"BREW", true}, {"VERSION-CONTROL", true}, {"M!#$", true}, {"", false}, {"A B", false}, {"A/B", false}, {"É", false}} {
		assert.Equal(t, tt.ok, ValidMethod(tt.name), "%q", tt.name)
	}
}
