package main

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rawhttpd/rawhttpd/engine"
)

// durationBuckets are the upper bounds, in seconds, of the request
// duration histogram: from 50 µs, an inline answer, to 10 s, a slow
// upstream.
var durationBuckets = []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// metrics are the series served at -metrics, in the Prometheus text
// format: the server's counters (engine.Stats), the request duration
// histogram by status class, and the standard process_* and go_* series.
// github.com/prometheus/client_golang renders them and collects the
// process and runtime series: its histogram observes without locks or
// allocations, and its names are those every dashboard expects.
type metrics struct {
	registry *prometheus.Registry
	// duration holds the histogram's series by status class: [2] is 2xx.
	// Resolved once, so an observation looks no label up.
	duration [6]prometheus.Observer
}

// newMetrics registers every series; srv returns the running server when
// a scrape comes.
func newMetrics(srv func() *engine.Server) *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	hist := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rawhttpd_request_duration_seconds",
		Help:    "Time from a complete request to its response handed to the connection, by status class.",
		Buckets: durationBuckets,
	}, []string{"class"})
	for class := 1; class <= 5; class++ {
		m.duration[class] = hist.WithLabelValues(strconv.Itoa(class) + "xx")
	}
	m.registry.MustRegister(
		hist,
		&statsCollector{srv: srv},
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector(),
	)
	return m
}

// observe records one response's duration; it is the OnAccess hook, or
// part of it, and costs a few atomic additions.
func (m *metrics) observe(a engine.Access) {
	if class := a.Status / 100; class >= 1 && class <= 5 {
		m.duration[class].Observe(a.Duration.Seconds())
	}
}

// handler serves the exposition on the worker pool: collecting the
// server's counters waits for the event loops to publish them, which a
// handler on a loop must not do.
func (m *metrics) handler(logger *slog.Logger) engine.Handler {
	return engine.FromHTTP(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		ErrorLog:      slogPrinter{logger},
		ErrorHandling: promhttp.ContinueOnError,
	}))
}

// slogPrinter passes promhttp's error messages to the error log.
type slogPrinter struct{ logger *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.logger.Warn("metrics: " + fmt.Sprint(v...)) }

// statFamily is one series of engine.Stats.
type statFamily struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value func(*engine.Stats) float64
}

// statsCollector turns a snapshot of engine.Stats into series at each
// scrape.
type statsCollector struct {
	srv func() *engine.Server
}

// statFamilies are the series of engine.Stats but the responses by class.
var statFamilies = []statFamily{
	{seriesDesc("rawhttpd_connections_open", "Connections open now."), prometheus.GaugeValue,
		func(s *engine.Stats) float64 { return float64(s.ConnsOpen) }},
	{seriesDesc("rawhttpd_connections_accepted_total", "Connections accepted."), prometheus.CounterValue,
		func(s *engine.Stats) float64 { return float64(s.ConnsAccepted) }},
	{seriesDesc("rawhttpd_connections_refused_total", "Connections refused past the connection limit or while draining."), prometheus.CounterValue,
		func(s *engine.Stats) float64 { return float64(s.ConnsRefused) }},
	{seriesDesc("rawhttpd_requests_in_flight", "Requests being worked on: those on the worker pool, queued or running (an inline request is answered within its event loop's turn)."), prometheus.GaugeValue,
		func(s *engine.Stats) float64 { return float64(s.InFlight) }},
	{seriesDesc("rawhttpd_shed_total", "Blocking requests answered 503 because the queue was full or shedding refused them."), prometheus.CounterValue,
		func(s *engine.Stats) float64 { return float64(s.Shed) }},
	{seriesDesc("rawhttpd_blocking_in_flight", "Blocking requests queued or running."), prometheus.GaugeValue,
		func(s *engine.Stats) float64 { return float64(s.InFlight) }},
	{seriesDesc("rawhttpd_blocking_queued", "Blocking requests waiting for a worker."), prometheus.GaugeValue,
		func(s *engine.Stats) float64 { return float64(s.Queued) }},
	{seriesDesc("rawhttpd_queue_wait_seconds", "Smoothed time a blocking request waits for a worker."), prometheus.GaugeValue,
		func(s *engine.Stats) float64 { return s.QueueWait.Seconds() }},
	{seriesDesc("rawhttpd_received_bytes_total", "Request bytes consumed."), prometheus.CounterValue,
		func(s *engine.Stats) float64 { return float64(s.BytesIn) }},
	{seriesDesc("rawhttpd_sent_bytes_total", "Response bytes written."), prometheus.CounterValue,
		func(s *engine.Stats) float64 { return float64(s.BytesOut) }},
	{seriesDesc("rawhttpd_shedding", "1 while adaptive shedding refuses requests."), prometheus.GaugeValue,
		func(s *engine.Stats) float64 { return boolValue(s.Shedding) }},
	{seriesDesc("rawhttpd_draining", "1 once a graceful shutdown has begun."), prometheus.GaugeValue,
		func(s *engine.Stats) float64 { return boolValue(s.Draining) }},
}

// maintenanceDesc is the maintenance gauge, read from the server itself:
// Stats snapshots the counters.
var maintenanceDesc = seriesDesc("rawhttpd_maintenance", "1 while in maintenance mode.")

// responsesDesc is the responses counter, labelled by status class.
var responsesDesc = prometheus.NewDesc("rawhttpd_responses_total", "Responses sent, by status class.", []string{"class"}, nil)

// gaugeDesc describes an unlabelled series; its type is given where the
// value is sent.
func seriesDesc(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }

// Describe sends every series' description.
func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, f := range statFamilies {
		ch <- f.desc
	}
	ch <- responsesDesc
	ch <- maintenanceDesc
}

// Collect sends the series of one Stats snapshot.
func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	srv := c.srv()
	if srv == nil {
		return
	}
	st := srv.Stats()
	for _, f := range statFamilies {
		ch <- prometheus.MustNewConstMetric(f.desc, f.typ, f.value(&st))
	}
	for class := 1; class <= 5; class++ {
		ch <- prometheus.MustNewConstMetric(responsesDesc, prometheus.CounterValue,
			float64(st.Responses[class-1]), strconv.Itoa(class)+"xx")
	}
	ch <- prometheus.MustNewConstMetric(maintenanceDesc, prometheus.GaugeValue, boolValue(srv.InMaintenance()))
}

// boolValue is 1 for true, 0 for false.
func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
