package parser

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLimitsStatus(t *testing.T) {
	cfg := Config{MaxTargetBytes: 16, MaxHeaderBytes: 64, MaxFields: 3, MaxBodyBytes: 10}
	filler := func(n int) string { return "X: " + strings.Repeat("v", n-5) + "\r\n" } // a field line of n bytes
	runStatusTable(t, cfg, []statusRow{
		{name: "target at the limit", raw: "GET /" + strings.Repeat("a", 15) + " HTTP/1.1\r\nHost: a\r\n\r\n"},
		{name: "target over the limit", raw: "GET /" + strings.Repeat("a", 16) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: ErrTargetTooLong, status: 414},
		{name: "header section at the limit", raw: "GET / HTTP/1.1\r\nHost: a\r\n" + filler(55) + "\r\n"},
		{name: "header section over the limit", raw: "GET / HTTP/1.1\r\nHost: a\r\n" + filler(56) + "\r\n", want: ErrHeaderTooLarge, status: 431},
		{name: "header section over the limit, line unfinished", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("v", 60), want: ErrHeaderTooLarge, status: 431},
		{name: "fields at the limit", raw: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n"},
		{name: "fields over the limit", raw: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", want: ErrTooManyFields, status: 431},
		{name: "body at the limit", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789"},
		{name: "declared body over the limit, refused before it arrives", raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", want: ErrBodyTooLarge, status: 413},
		{name: "chunked body over the limit", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n", want: ErrBodyTooLarge, status: 413},
		{name: "trailer section over the limit", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + filler(65), want: ErrTrailerTooLarge, status: 431},
		{name: "too many trailer fields", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", want: ErrTooManyTrailerFields, status: 431},
	})
}

func TestConfigDefaults(t *testing.T) {
	got := Config{MaxFields: -1}.withDefaults()
	assert.Equal(t, Config{
		MaxTargetBytes: DefaultMaxTargetBytes,
		MaxHeaderBytes: DefaultMaxHeaderBytes,
		MaxFields:      DefaultMaxFields,
		MaxBodyBytes:   DefaultMaxBodyBytes,
		Methods:        defaultMethods,
	}, got)
}

// TestLimitsIncremental requires the early 414, 431 and chunk-line
// verdicts, given before a line ends, to match the verdict on the whole
// line, even when the line then turns out malformed.
func TestLimitsIncremental(t *testing.T) {
	cfg := Config{MaxHeaderBytes: 64, MaxFields: 3}
	tests := []struct {
		name string
		raw  string
		want error
	}{
		{name: "long field line ending in bare LF", raw: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("v", 70) + "\n", want: ErrHeaderTooLarge},
		{name: "long trailer line ending in bare LF", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + strings.Repeat("v", 70) + "\n", want: ErrTrailerTooLarge},
		{name: "long chunk line ending in bare LF", raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" + strings.Repeat("e", maxChunkLineBytes) + "\n", want: ErrChunkLineTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := mustParse(t, cfg, tt.raw)
			assert.ErrorIs(t, err, tt.want, "whole")
			p := New(cfg)
			var req Request
			for i := 0; i <= len(tt.raw); i++ {
				if _, err = p.Parse([]byte(tt.raw[:i]), &req); err != nil {
					break
				}
			}
			assert.ErrorIs(t, err, tt.want, "byte by byte")
		})
	}
}
