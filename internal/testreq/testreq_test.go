package testreq

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestBrowserIsWhatItsDocSays keeps the figures quoted for "in=browser"
// honest: the size and field count are part of what they describe.
func TestBrowserIsWhatItsDocSays(t *testing.T) {
	assert.Len(t, Browser, 765)
	head := strings.TrimSuffix(Browser, "\r\n\r\n")
	assert.Len(t, strings.Split(head, "\r\n")[1:], 16)
	assert.NotContains(t, strings.ReplaceAll(Browser, "\r\n", ""), "\n", "every line ends in CRLF")
}
