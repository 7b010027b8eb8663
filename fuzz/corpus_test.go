package fuzz

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// writeCorpusEnv, set to 1, makes TestSeedCorpus (re)write the seed corpus
// files from the tables instead of checking them.
const writeCorpusEnv = "RAWHTTPD_WRITE_CORPUS"

// corpusEntry is one file of the committed corpus: the target it seeds,
// its file name, and the values of the target's arguments after t.
type corpusEntry struct {
	target string
	name   string
	args   []any
}

// corpus lists every committed seed file, built from the seed tables.
func corpus() []corpusEntry {
	var es []corpusEntry
	for i, s := range requestSeeds {
		for _, target := range []string{"FuzzParse", "FuzzNetHTTP", "FuzzEngine"} {
			es = append(es, corpusEntry{target, s.name, []any{[]byte(s.raw)}})
		}
		// Split points: one byte at a time for some seeds, uneven
		// steps for others.
		cuts := []byte{1}
		if i%2 == 1 {
			cuts = []byte{byte(i%11 + 2), 1, 7, 3}
		}
		es = append(es, corpusEntry{"FuzzParseSplit", s.name, []any{[]byte(s.raw), cuts}})
	}
	for _, s := range chunkedSeeds {
		es = append(es, corpusEntry{"FuzzChunked", s.name, []any{[]byte(s.raw)}})
	}
	for i, s := range responseSeeds {
		es = append(es, corpusEntry{"FuzzResponse", s.name, []any{[]byte(s.raw), s.head}})
		cuts := []byte{0}
		if i%2 == 1 {
			cuts = []byte{byte(i%13 + 1), 0, 6, 2}
		}
		es = append(es, corpusEntry{"FuzzResponseSplit", s.name, []any{[]byte(s.raw), s.head, cuts}})
	}
	return es
}

// marshalCorpus renders args in Go's corpus file format ("go test fuzz
// v1"), for the argument types the targets use.
func marshalCorpus(args []any) []byte {
	var b bytes.Buffer
	b.WriteString("go test fuzz v1\n")
	for _, a := range args {
		switch v := a.(type) {
		case []byte:
			fmt.Fprintf(&b, "[]byte(%s)\n", strconv.Quote(string(v)))
		case bool:
			fmt.Fprintf(&b, "bool(%v)\n", v)
		default:
			panic(fmt.Sprintf("fuzz: no corpus encoding for %T", a))
		}
	}
	return b.Bytes()
}

// TestSeedCorpus checks that testdata/fuzz holds every seed of the
// tables, byte for byte, so the tables and the committed corpus cannot
// drift apart. With RAWHTTPD_WRITE_CORPUS=1 it writes them instead.
func TestSeedCorpus(t *testing.T) {
	write := os.Getenv(writeCorpusEnv) == "1"
	seen := map[string]bool{}
	for _, e := range corpus() {
		path := filepath.Join("testdata", "fuzz", e.target, e.name)
		require.False(t, seen[path], "duplicate seed %s", path)
		seen[path] = true
		want := marshalCorpus(e.args)
		if write {
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, want, 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "run with %s=1 to write the corpus", writeCorpusEnv)
		require.Equal(t, string(want), string(got), path)
	}
	require.GreaterOrEqual(t, len(seen), 200)
}
