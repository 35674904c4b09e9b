package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the RED metrics (rate, errors, duration) by method, route and
// status, plus the Go runtime and process collectors. The platform's
// dashboard and SLO alerts read these names, labels and buckets: every
// golden path exports the same ones. Each server gets its own registry, so
// tests stay isolated.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	errors   *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// latencyBuckets are the SLO latency thresholds app.yaml may choose from.
var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

var redLabels = []string{"method", "route", "status"}

func newMetrics() *metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	f := promauto.With(reg)
	return &metrics{
		registry: reg,
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests handled, by method, route and status code",
		}, redLabels),
		errors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "http_request_errors_total",
			Help: "HTTP requests answered with a 5xx status",
		}, redLabels),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request duration in seconds",
			Buckets: latencyBuckets,
		}, redLabels),
	}
}

// metricsHandler serves /metrics alone, on METRICS_PORT, which only
// Prometheus reaches inside the cluster. Scrapes are not observed: they are
// not the app's traffic.
func metricsHandler(m *metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry}))
	mux.HandleFunc("/", notFound)
	return mux
}
