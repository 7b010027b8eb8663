package parser

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
	"github.com/rawhttpd/rawhttpd/internal/testreq"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shared fixtures, so that the parser's figures compare with the
// engine's and bench's.
const (
	minimalGET = testreq.Minimal
	browserGET = testreq.Browser
)

// mustParse parses raw whole with a fresh parser and returns the result.
func mustParse(t *testing.T, cfg Config, raw string) (int, *Request, error) {
	t.Helper()
	p := New(cfg)
	req := &Request{}
	n, err := p.Parse([]byte(raw), req)
	return n, req, err
}

// requireStatus checks that err is want and carries its status and Close.
func requireStatus(t *testing.T, want error, err error) {
	t.Helper()
	if want == nil {
		require.NoError(t, err)
		return
	}
	require.ErrorIs(t, err, want)
	var he *httperrors.Error
	require.True(t, errors.As(err, &he))
	assert.Equal(t, want.(*httperrors.Error).Status(), he.Status())
	assert.True(t, he.Closes())
}

// statusRow is one line of a status table: raw wire bytes and the sentinel
// (and so the status) they must produce, nil for accepted.
type statusRow struct {
	name   string
	raw    string
	want   error
	status httperrors.Status
}

func runStatusTable(t *testing.T, cfg Config, rows []statusRow) {
	t.Helper()
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			n, _, err := mustParse(t, cfg, tt.raw)
			requireStatus(t, tt.want, err)
			if tt.want == nil {
				assert.Equal(t, len(tt.raw), n)
				return
			}
			assert.Zero(t, n)
			assert.Equal(t, tt.status, httperrors.From(err).Status())
		})
	}
}

func TestRequestFields(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want Request
	}{
		{
			name: "minimal",
			raw:  minimalGET,
			want: Request{Method: b("GET"), Target: b("/"), Version: v11, Host: b("a"),
				Fields: []Field{{b("Host"), b("a")}}, ContentLength: -1, KeepAlive: true},
		},
		{
			name: "OWS trimmed, empty value kept",
			raw:  "POST /x HTTP/1.1\r\nHost:\t a \t\r\nX-Empty:\r\nContent-Length: 3\r\n\r\nabc",
			want: Request{Method: b("POST"), Target: b("/x"), Version: v11, Host: b("a"),
				Fields:        []Field{{b("Host"), b("a")}, {b("X-Empty"), b("")}, {b("Content-Length"), b("3")}},
				ContentLength: 3, KeepAlive: true, Body: b("abc")},
		},
		{
			name: "HTTP/1.0 keep-alive, empty Host",
			raw:  "GET / HTTP/1.0\r\nHost:\r\nConnection: Keep-Alive\r\n\r\n",
			want: Request{Method: b("GET"), Target: b("/"), Version: v10, Host: b(""),
				Fields:        []Field{{b("Host"), b("")}, {b("Connection"), b("Keep-Alive")}},
				ContentLength: -1, KeepAlive: true},
		},
		{
			name: "obs-text in a value",
			raw:  "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n",
			want: Request{Method: b("GET"), Target: b("/"), Version: v11, Host: b("a"),
				Fields:        []Field{{b("Host"), b("a")}, {b("X"), b("caf\xc3\xa9")}},
				ContentLength: -1, KeepAlive: true},
		},
		{
			name: "chunked body decoded",
			raw:  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: v\r\n\r\n",
			want: Request{Method: b("POST"), Target: b("/"), Version: v11, Host: b("a"),
				Fields:        []Field{{b("Host"), b("a")}, {b("Transfer-Encoding"), b("chunked")}},
				ContentLength: -1, Chunked: true, KeepAlive: true, Body: b("abcde")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, req, err := mustParse(t, Config{}, tt.raw)
			require.NoError(t, err)
			assert.Equal(t, len(tt.raw), n)
			tt.want.HeadLen = strings.Index(tt.raw, "\r\n\r\n") + 4
			assert.Equal(t, tt.want, *req)
		})
	}
}

func TestPipelined(t *testing.T) {
	raw := []byte(minimalGET + "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi" +
		"\r\n" + browserGET)
	p := New(Config{})
	var req Request
	var targets []string
	for off := 0; off < len(raw); {
		n, err := p.Parse(raw[off:], &req)
		require.NoError(t, err)
		require.Positive(t, n)
		targets = append(targets, string(req.Target))
		off += n
	}
	assert.Equal(t, []string{"/", "/p", "/search?q=rawhttpd&lang=en"}, targets)
}

// TestIncremental feeds every prefix of each input, each time as a fresh
// copy, then the whole, and requires the outcome of parsing it at once.
func TestIncremental(t *testing.T) {
	inputs := []string{
		minimalGET,
		browserGET,
		"\r\n" + minimalGET,
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;e=\"q\"\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\nU: w\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		minimalGET + minimalGET,
		"FOO / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nX: y\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Name: v\r\n\r\n",
		// Found by fuzzing: a request line too long to wait for that ends
		// in a bare LF was 414 in pieces but 400 whole.
		"GET /" + strings.Repeat("a", DefaultMaxTargetBytes+requestLineSlack) + "\n",
		strings.Repeat("A", DefaultMaxTargetBytes+requestLineSlack+8) + " / HTTP/1.1\r\n",
		"GET / " + strings.Repeat("H", DefaultMaxTargetBytes+requestLineSlack) + "\r\n",
	}
	for _, in := range inputs {
		t.Run(strings.ReplaceAll(in[:min(len(in), 24)], "\r\n", " "), func(t *testing.T) {
			wantN, wantReq, wantErr := mustParse(t, Config{}, in)
			p := New(Config{})
			var req Request
			var n int
			var err error
			for i := 0; i <= len(in); i++ {
				n, err = p.Parse([]byte(in[:i]), &req)
				if err != nil || n > 0 {
					break
				}
			}
			assert.Equal(t, wantErr, err)
			assert.Equal(t, wantN, n)
			if wantErr == nil {
				assert.Equal(t, *wantReq, req)
			}
		})
	}
}

// TestEverySplit delivers each input in two pieces, at every split point,
// and requires the same outcome.
func TestEverySplit(t *testing.T) {
	inputs := []string{
		browserGET,
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nTrailer: x\r\n\r\n",
		"PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	}
	for _, in := range inputs {
		wantN, wantReq, wantErr := mustParse(t, Config{}, in)
		for split := 0; split <= len(in); split++ {
			p := New(Config{})
			var req Request
			n, err := p.Parse([]byte(in[:split]), &req)
			if err == nil && n == 0 {
				if split%2 == 1 {
					req = Request{} // a caller may pass another Request when it resumes
				}
				n, err = p.Parse([]byte(in), &req)
			}
			require.Equal(t, wantErr, err, "split at %d", split)
			require.Equal(t, wantN, n, "split at %d", split)
			if wantErr == nil {
				require.Equal(t, *wantReq, req, "split at %d", split)
			}
		}
	}
}

// TestRefusalKeepsEarlierFields delivers a request refused in its header
// section in two pieces, the first in a buffer that is then overwritten
// (as a connection's read buffer is by the next read), and requires the
// field lines read before the fault to be in the second buffer: the
// engine renders the refusal from them (Accept asking for
// application/problem+json).
func TestRefusalKeepsEarlierFields(t *testing.T) {
	inputs := []string{
		"POST / HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\nContent-Length: +1\r\nX-B: 2\r\n\r\n",
		"GET / HTTP/1.1\r\nAccept: application/problem+json\r\nX : y\r\n\r\n",
		"GET / HTTP/1.1\r\nAccept: application/problem+json\r\nHost: a\r\nHost: b\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nAccept: application/problem+json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	}
	for _, in := range inputs {
		_, whole, wantErr := mustParse(t, Config{}, in)
		require.Error(t, wantErr, in)
		require.Equal(t, []byte("application/problem+json"), whole.Header("Accept"), in)
		for split := len("GET / HTTP/1.1\r\n") + 1; split < len(in); split++ {
			p := New(Config{})
			var req Request
			first := []byte(in[:split])
			n, err := p.Parse(first, &req)
			if err != nil {
				continue // refused within the first piece: nothing to carry
			}
			require.Zero(t, n)
			for i := range first {
				first[i] = 'z'
			}
			_, err = p.Parse([]byte(in), &req)
			require.Equal(t, wantErr, err, "split at %d", split)
			require.Equal(t, whole.Fields, req.Fields, "split at %d", split)
		}
	}
}

func TestHeadDone(t *testing.T) {
	raw := "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc"
	p := New(Config{})
	var req Request
	n, err := p.Parse([]byte(raw[:20]), &req)
	require.NoError(t, err)
	require.Zero(t, n)
	assert.False(t, p.HeadDone())

	n, err = p.Parse([]byte(raw[:len(raw)-3]), &req)
	require.NoError(t, err)
	require.Zero(t, n)
	assert.True(t, p.HeadDone())
	assert.True(t, req.Expect100)
	assert.Nil(t, req.Body)

	n, err = p.Parse([]byte(raw), &req)
	require.NoError(t, err)
	assert.Equal(t, len(raw), n)
	assert.Equal(t, "abc", string(req.Body))
	assert.False(t, p.HeadDone())
}

func TestZeroParserUsesDefaults(t *testing.T) {
	var p Parser
	var req Request
	n, err := p.Parse([]byte(minimalGET), &req)
	require.NoError(t, err)
	assert.Equal(t, len(minimalGET), n)

	p.Reset()
	_, err = p.Parse([]byte("GET /"+strings.Repeat("a", DefaultMaxTargetBytes)+" HTTP/1.1\r\n"), &req)
	requireStatus(t, ErrTargetTooLong, err)
}

func TestErrorIsSticky(t *testing.T) {
	p := New(Config{})
	var req Request
	_, err := p.Parse([]byte("FOO / HTTP/1.1\r\n"), &req)
	requireStatus(t, ErrMethodNotImplemented, err)
	_, err = p.Parse([]byte("FOO / HTTP/1.1\r\nHost: a\r\n"), &req)
	requireStatus(t, ErrMethodNotImplemented, err)
	p.Reset()
	n, err := p.Parse([]byte(minimalGET), &req)
	require.NoError(t, err)
	assert.Equal(t, len(minimalGET), n)
}

// BenchmarkParse parses one request at a time: in=browser is the shared
// browser request (the same as bench's BenchmarkParse/in=browser); the
// in=head32k pair compares parsing a 32 KiB header section at once
// (feed=whole) with feeding it one byte more per call (feed=bytewise):
// resuming without rescanning keeps the second linear, a small constant
// factor slower per byte.
func BenchmarkParse(b *testing.B) {
	b.Run("in=browser", func(b *testing.B) {
		raw := []byte(browserGET)
		p := New(Config{})
		var req Request
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if n, err := p.Parse(raw, &req); n != len(raw) || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	big := Config{MaxHeaderBytes: 64 << 10, MaxFields: 1000}
	b.Run("in=head32k/feed=whole", func(b *testing.B) {
		raw := bigHead()
		p := New(big)
		var req Request
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if n, err := p.Parse(raw, &req); n != len(raw) || err != nil {
				b.Fatal(n, err)
			}
		}
	})
	b.Run("in=head32k/feed=bytewise", func(b *testing.B) {
		raw := bigHead()
		p := New(big)
		var req Request
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			for i := 1; i <= len(raw); i++ {
				if n, err := p.Parse(raw[:i], &req); err != nil || (n != 0) != (i == len(raw)) {
					b.Fatal(i, n, err)
				}
			}
		}
	})
}

// bigHead is a request whose header section is about 32 KiB.
func bigHead() []byte {
	var buf bytes.Buffer
	buf.WriteString("GET / HTTP/1.1\r\nHost: a\r\n")
	for buf.Len() < 32<<10 {
		buf.WriteString("X-Filler: " + strings.Repeat("v", 100) + "\r\n")
	}
	buf.WriteString("\r\n")
	return buf.Bytes()
}

func b(s string) []byte { return []byte(s) }

var (
	v10 = versionOf(1, 0)
	v11 = versionOf(1, 1)
)
