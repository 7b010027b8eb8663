package errors

import (
	stderrors "errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFromStatus(t *testing.T) {
	errBad := New(StatusBadRequest, "bad")
	tests := []struct {
		name string
		err  error
		want Status
	}{
		{"plain error", io.EOF, StatusInternalServerError},
		{"Error", errBad, StatusBadRequest},
		{"wrapped Error", fmt.Errorf("context: %w", errBad), StatusBadRequest},
		{"copy with cause", New(StatusBadGateway, "x").WithCause(io.EOF), StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, From(tt.err).Status())
		})
	}
}

func TestDefaultClass(t *testing.T) {
	temporary := map[Status]bool{408: true, 429: true, 500: true, 502: true, 503: true, 504: true}
	for s := Status(400); s <= 599; s++ {
		assert.Equal(t, temporary[s], s.Temporary(), "status %d", s)
	}
}

func TestReasonCoversEmittedStatuses(t *testing.T) {
	for _, s := range []Status{100, 200, 204, 304, 400, 404, 405, 408, 413, 414, 417, 431, 500, 501, 502, 503, 504, 505} {
		assert.NotEmpty(t, s.Reason(), "status %d", s)
	}
}

func TestReason(t *testing.T) {
	tests := []struct {
		status Status
		want   string
	}{
		{413, "Content Too Large"}, // RFC 9110's name, not net/http's older one
		{422, "Unprocessable Content"},
		{418, "I'm a teapot"},
		{451, "Unavailable For Legal Reasons"},
		{299, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.status.Reason(), "status %d", tt.status)
	}
}

func TestErrorCopiesStillMatchTheirSentinel(t *testing.T) {
	sentinel := New(StatusServiceUnavailable, "overloaded")
	c := sentinel.WithRetryAfter(3).WithCause(io.EOF)
	assert.ErrorIs(t, c, sentinel)
	assert.ErrorIs(t, c, io.EOF)
	assert.Zero(t, sentinel.RetryAfter())
	assert.False(t, stderrors.Is(New(StatusBadRequest, "other"), sentinel))
}

func TestFromWrapsPlainErrors(t *testing.T) {
	e := From(io.EOF)
	assert.Equal(t, StatusInternalServerError, e.Status())
	assert.ErrorIs(t, e, io.EOF)
	assert.Nil(t, From(nil))
}

func TestWithFieldRefusesWhatWouldCorruptTheResponse(t *testing.T) {
	e := New(StatusUnauthorized, "credentials are required")
	for _, tc := range []struct{ name, value string }{
		{"Bad Name", "x"},
		{"", "x"},
		{"X-Split", "a\r\nSet-Cookie: b"},
		{"X-Nul", "a\x00b"},
		{"Content-Length", "5"},
		{"connection", "keep-alive"},
	} {
		assert.Panics(t, func() { e.WithField(tc.name, tc.value) }, "%q: %q", tc.name, tc.value)
	}
	assert.NotPanics(t, func() { e.WithField("WWW-Authenticate", "Basic realm=\"x\"\t") })
}
