package main

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBinaryMetricsAreValidPrometheusText(t *testing.T) {
	b := startBinary(t, "-metrics", "/metrics")
	for i := 0; i < 3; i++ {
		roundTrip(t, b.addr, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	}
	roundTrip(t, b.addr, "BREW / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, body := roundTrip(t, b.addr, "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
	require.Equal(t, 200, resp.StatusCode)
	assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8"))
	samples, types := checkExposition(t, body)
	assert.Equal(t, 3.0, samples[`rawhttpd_responses_total{class="2xx"}`])
	assert.Equal(t, 1.0, samples[`rawhttpd_responses_total{class="5xx"}`])
	assert.Positive(t, samples["rawhttpd_connections_accepted_total"])
	assert.Positive(t, samples["rawhttpd_sent_bytes_total"])
	assert.Contains(t, samples, "rawhttpd_requests_in_flight")

	assert.Equal(t, "histogram", types["rawhttpd_request_duration_seconds"])
	assert.Equal(t, 3.0, samples[`rawhttpd_request_duration_seconds_count{class="2xx"}`])
	assert.Equal(t, 1.0, samples[`rawhttpd_request_duration_seconds_count{class="5xx"}`])
	assert.Equal(t, 3.0, samples[`rawhttpd_request_duration_seconds_bucket{class="2xx",le="+Inf"}`])
	for _, name := range []string{"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
		"process_start_time_seconds", "go_goroutines", "go_memstats_heap_alloc_bytes"} {
		assert.Contains(t, samples, name)
	}
}

// expositionLine is one sample of the Prometheus text format:
//
//	metric_name [ "{" label_name "=" `"` label_value `"` { "," ... } "}" ] value
var expositionLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? ([-+]?(?:[0-9.eE+-]+|Inf|NaN))$`)

// leLabel finds a histogram bucket's bound among its labels; leStrip
// removes it, leaving the labels of the bucket's series.
var (
	leLabel = regexp.MustCompile(`(?:\{|,)le="([^"]*)"`)
	leStrip = regexp.MustCompile(`,?le="[^"]*"`)
)

// checkExposition checks body against the text format's rules — every
// family has one HELP and one TYPE before its samples, every sample line
// parses, every sample belongs to the family declared (a histogram's
// with the _bucket, _sum and _count suffixes, a summary's with _sum and
// _count), a histogram's buckets are cumulative and its +Inf bucket is
// its count — and returns the samples and the families' types.
func checkExposition(t *testing.T, body string) (samples map[string]float64, types map[string]string) {
	t.Helper()
	require.True(t, strings.HasSuffix(body, "\n"), "the exposition ends with a newline")
	samples, types = map[string]float64{}, map[string]string{}
	current := ""
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# HELP "):
			fields := strings.SplitN(line, " ", 4)
			require.Len(t, fields, 4, line)
			current = fields[2]
		case strings.HasPrefix(line, "# TYPE "):
			fields := strings.Fields(line)
			require.Len(t, fields, 4, line)
			require.Equal(t, current, fields[2], "TYPE follows its HELP")
			require.Contains(t, []string{"counter", "gauge", "histogram", "summary", "untyped"}, fields[3])
			require.NotContains(t, types, fields[2], "one TYPE per family")
			types[fields[2]] = fields[3]
		default:
			m := expositionLine.FindStringSubmatch(line)
			require.NotNil(t, m, "sample line %q", line)
			require.Equal(t, current, familyOf(m[1], types[current]), "sample %q belongs to its family", line)
			v, err := strconv.ParseFloat(m[3], 64)
			require.NoError(t, err)
			samples[m[1]+m[2]] = v
		}
	}
	for family, typ := range types {
		if typ == "histogram" {
			checkHistogram(t, family, samples)
		}
	}
	return samples, types
}

// familyOf returns the family a sample named name belongs to, given the
// type of the family declared last.
func familyOf(name, typ string) string {
	var suffixes []string
	switch typ {
	case "histogram":
		suffixes = []string{"_bucket", "_sum", "_count"}
	case "summary":
		suffixes = []string{"_sum", "_count"}
	}
	for _, s := range suffixes {
		if strings.HasSuffix(name, s) {
			return strings.TrimSuffix(name, s)
		}
	}
	return name
}

// checkHistogram checks that each series of the histogram family has
// cumulative buckets ending with +Inf, equal to its _count.
func checkHistogram(t *testing.T, family string, samples map[string]float64) {
	t.Helper()
	type bucket struct{ le, count float64 }
	series := map[string][]bucket{}
	for key, v := range samples {
		if !strings.HasPrefix(key, family+"_bucket{") {
			continue
		}
		m := leLabel.FindStringSubmatch(key)
		require.NotNil(t, m, key)
		le, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err, key)
		labels := strings.Replace(leStrip.ReplaceAllString(strings.TrimPrefix(key, family+"_bucket"), ""), "{,", "{", 1)
		if labels == "{}" {
			labels = ""
		}
		series[labels] = append(series[labels], bucket{le, v})
	}
	require.NotEmpty(t, series, "histogram %s has buckets", family)
	for labels, buckets := range series {
		sort.Slice(buckets, func(i, j int) bool { return buckets[i].le < buckets[j].le })
		for i := 1; i < len(buckets); i++ {
			assert.GreaterOrEqual(t, buckets[i].count, buckets[i-1].count, "%s%s buckets are cumulative", family, labels)
		}
		last := buckets[len(buckets)-1]
		assert.True(t, last.le > 1e300, "%s%s ends with +Inf", family, labels)
		assert.Equal(t, last.count, samples[family+"_count"+labels], "%s%s: +Inf bucket is the count", family, labels)
		assert.Contains(t, samples, family+"_sum"+labels)
	}
}
