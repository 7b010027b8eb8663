package render

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAppendStatusLine(t *testing.T) {
	assert.Equal(t, "HTTP/1.1 505 HTTP Version Not Supported\r\n", string(AppendStatusLine(nil, 505)))
	assert.Equal(t, "HTTP/1.1 451 Unavailable For Legal Reasons\r\n", string(AppendStatusLine(nil, 451)))
	assert.Equal(t, "HTTP/1.1 299 \r\n", string(AppendStatusLine(nil, 299)))
	assert.Equal(t, "HTTP/1.1 500 Internal Server Error\r\n", string(AppendStatusLine(nil, 42)))
}
