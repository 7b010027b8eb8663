package parser

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResponseHeaderIgnoresCase(t *testing.T) {
	p := NewResponseParser(Config{})
	p.Sent(false)
	var resp Response
	n, err := p.Parse([]byte("HTTP/1.1 204 No Content\r\nX-Id: 1\r\nx-id: 2\r\nETag: \"e\"\r\n\r\n"), &resp)
	require.NoError(t, err)
	require.Positive(t, n)
	tests := []struct {
		name, field, want string
		missing           bool
	}{
		{name: "first of two", field: "X-ID", want: "1"},
		{name: "lower case", field: "etag", want: `"e"`},
		{name: "absent", field: "Content-Length", missing: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resp.Header(tt.field)
			assert.Equal(t, tt.missing, got == nil)
			assert.Equal(t, tt.want, string(got))
		})
	}
	assert.False(t, resp.Interim())
	assert.Equal(t, NoBody, resp.Framing)
}

func TestBodyFramingNames(t *testing.T) {
	for f, want := range map[BodyFraming]string{
		NoBody: "none", ChunkedBody: "chunked", LengthBody: "content-length",
		UntilCloseBody: "until-close", BodyFraming(99): "unknown",
	} {
		assert.Equal(t, want, f.String())
	}
}
