package parser

import (
	"errors"
	"testing"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A wrapped response failure is a 502 found by both its kind and its
// cause (internal/sentinels checks the kinds themselves).
func TestResponseFaultsKeepTheirCause(t *testing.T) {
	require.NotEmpty(t, responseFaults)
	for key, e := range responseFaults {
		assert.ErrorIs(t, e, key.kind)
		assert.ErrorIs(t, e, key.cause)
		assert.Equal(t, httperrors.StatusBadGateway, httperrors.From(e).Status())
		assert.Same(t, e, asResponseFault(key.kind, key.cause), "built once, returned as is")
	}
}

func TestResponseFaultWithoutKnownCauseIsItsKind(t *testing.T) {
	tests := []struct {
		name  string
		cause error
	}{
		{name: "a request-only fault", cause: ErrMissingHost},
		{name: "not a sentinel", cause: errors.New("x")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Same(t, ErrBadResponseField, asResponseFault(ErrBadResponseField, tt.cause))
		})
	}
}
