package plaintext

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandlerAnswersPlaintext(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	res := rec.Result()
	got, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "Hello, World!", string(got))
	assert.Equal(t, "text/plain", res.Header.Get("Content-Type"))
	assert.Equal(t, "13", res.Header.Get("Content-Length"))
	_, err = http.ParseTime(res.Header.Get("Date"))
	assert.NoError(t, err, "Date is an HTTP date")
}
