package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRoutePattern(t *testing.T) {
	tests := []struct {
		in           string
		method, host string
		segments     []routeSegment
	}{
		{"/", "", "", []routeSegment{{wild: true, multi: true}}},
		{"/{$}", "", "", []routeSegment{{s: "/"}}},
		{"GET /a/{x}", "GET", "", []routeSegment{{s: "a"}, {s: "x", wild: true}}},
		{"POST\t example.com/a/{rest...}", "POST", "example.com", []routeSegment{{s: "a"}, {s: "rest", wild: true, multi: true}}},
		{"/a%20b/", "", "", []routeSegment{{s: "a b"}, {wild: true, multi: true}}},
		{"/a/{x}/{$}", "", "", []routeSegment{{s: "a"}, {s: "x", wild: true}, {s: "/"}}},
	}
	for _, tt := range tests {
		p, err := parseRoutePattern(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.method, p.method, tt.in)
		assert.Equal(t, tt.host, p.host, tt.in)
		assert.Equal(t, tt.segments, p.segments, tt.in)
	}
}

func TestRoutePatternRelations(t *testing.T) {
	tests := []struct {
		a, b string
		want routeRelation
	}{
		{"/a", "/a", relEquivalent},
		{"/a/{x}", "/a/b", relMoreGeneral},
		{"/a/b", "/a/{x}", relMoreSpecific},
		{"/a/{x}", "/{y}/b", relOverlaps},
		{"/a", "/b", relDisjoint},
		{"/a/", "/a/b/c", relMoreGeneral},
		{"/a/{x}", "/a/{$}", relDisjoint},
		{"GET /a", "/a", relMoreSpecific},
		{"GET /a", "HEAD /a", relMoreGeneral},
		{"GET /a", "POST /a", relDisjoint},
		{"GET /a/{x}", "/a/b", relOverlaps},
	}
	for _, tt := range tests {
		a, err := parseRoutePattern(tt.a)
		require.NoError(t, err)
		b, err := parseRoutePattern(tt.b)
		require.NoError(t, err)
		assert.Equal(t, tt.want, combine(a.compareMethods(b), a.comparePaths(b)), "%s vs %s", tt.a, tt.b)
	}
}
