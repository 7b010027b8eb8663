package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/rawhttpd/rawhttpd/engine"
)

// metricsContentType is the Prometheus text exposition format, version
// 0.0.4, which every Prometheus-compatible scraper reads.
const metricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// metricsHandler serves the server's Stats in the Prometheus text format.
// It runs on the worker pool: Stats waits for the event loops to publish
// their counters, which a handler on a loop must not do.
func metricsHandler(srv func() *engine.Server) engine.Handler {
	ct := engine.MustField("Content-Type", metricsContentType)
	return engine.Blocking(engine.HandlerFunc(func(c *engine.Context) error {
		c.AddField(ct)
		writeMetrics(c, srv().Stats())
		return nil
	}))
}

// metric is one family of the exposition: a name, its help text, its type
// and its samples.
type metric struct {
	name, help, typ string
	samples         []sample
}

// sample is one line of a family: optional labels and a value.
type sample struct {
	labels string // rendered, e.g. `class="2xx"`; empty for none
	value  float64
}

// writeMetrics writes st as Prometheus text:
//
//	# HELP name help
//	# TYPE name counter|gauge
//	name{label="value"} 123
func writeMetrics(w io.Writer, st engine.Stats) {
	byClass := make([]sample, 0, 5)
	for class := 1; class <= 5; class++ {
		byClass = append(byClass, sample{labels: `class="` + strconv.Itoa(class) + `xx"`, value: float64(st.Responses[class])})
	}
	families := []metric{
		{"rawhttpd_connections_open", "Connections open now.", "gauge", []sample{{value: float64(st.ConnsOpen)}}},
		{"rawhttpd_connections_accepted_total", "Connections accepted.", "counter", []sample{{value: float64(st.ConnsAccepted)}}},
		{"rawhttpd_connections_refused_total", "Connections refused past the connection limit or while draining.", "counter", []sample{{value: float64(st.ConnsRefused)}}},
		{"rawhttpd_responses_total", "Responses sent, by status class.", "counter", byClass},
		{"rawhttpd_shed_total", "Blocking requests answered 503 because the queue was full or shedding refused them.", "counter", []sample{{value: float64(st.Shed)}}},
		{"rawhttpd_blocking_in_flight", "Blocking requests queued or running.", "gauge", []sample{{value: float64(st.InFlight)}}},
		{"rawhttpd_blocking_queued", "Blocking requests waiting for a worker.", "gauge", []sample{{value: float64(st.Queued)}}},
		{"rawhttpd_queue_wait_seconds", "Smoothed time a blocking request waits for a worker.", "gauge", []sample{{value: st.QueueWait.Seconds()}}},
		{"rawhttpd_received_bytes_total", "Request bytes consumed.", "counter", []sample{{value: float64(st.BytesIn)}}},
		{"rawhttpd_sent_bytes_total", "Response bytes written.", "counter", []sample{{value: float64(st.BytesOut)}}},
		{"rawhttpd_shedding", "1 while adaptive shedding refuses requests.", "gauge", []sample{{value: boolValue(st.Shedding)}}},
		{"rawhttpd_maintenance", "1 while in maintenance mode.", "gauge", []sample{{value: boolValue(st.InMaint)}}},
		{"rawhttpd_draining", "1 once a graceful shutdown has begun.", "gauge", []sample{{value: boolValue(st.Draining)}}},
	}
	for _, m := range families {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", m.name, m.help, m.name, m.typ)
		for _, s := range m.samples {
			if s.labels != "" {
				fmt.Fprintf(w, "%s{%s} %s\n", m.name, s.labels, strconv.FormatFloat(s.value, 'g', -1, 64))
			} else {
				fmt.Fprintf(w, "%s %s\n", m.name, strconv.FormatFloat(s.value, 'g', -1, 64))
			}
		}
	}
}

// boolValue is 1 for true, 0 for false.
func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
