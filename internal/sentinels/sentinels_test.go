package sentinels

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// declaredErrors counts the package-level Err variables declared in the
// parser's file name.
func declaredErrors(t *testing.T, name string) int {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../../parser/"+name, nil, 0)
	require.NoError(t, err)
	n := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			for _, id := range spec.(*ast.ValueSpec).Names {
				if strings.HasPrefix(id.Name, "Err") {
					n++
				}
			}
		}
	}
	return n
}

// TestListsAreComplete: each list holds as many distinct sentinels as its
// file declares, so a sentinel added to the parser cannot be missed by the
// engine's pre-rendering or by the tests below.
func TestListsAreComplete(t *testing.T) {
	tests := []struct {
		file string
		list []*httperrors.Error
	}{
		{"errors.go", Request()},
		{"responseerrors.go", Response()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			require.Len(t, tt.list, declaredErrors(t, tt.file))
			for i, a := range tt.list {
				for j, b := range tt.list {
					assert.Equal(t, i == j, errors.Is(a, b), "%v vs %v", a, b)
				}
			}
		})
	}
}

// TestRequestSentinelsClose: a refused request leaves framing that cannot
// be trusted, so every request sentinel closes the connection.
func TestRequestSentinelsClose(t *testing.T) {
	for _, e := range Request() {
		assert.True(t, e.Closes(), e.Error())
	}
}

// TestResponseSentinelsAre502: an upstream's bad response is the gateway's
// 502, and leaves the client's own connection open.
func TestResponseSentinelsAre502(t *testing.T) {
	for _, e := range Response() {
		assert.Equal(t, httperrors.StatusBadGateway, e.Status(), e.Detail())
		assert.False(t, e.Closes(), e.Detail())
	}
}
