package server

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
)

// Metrics are the generator's Prometheus metrics.
type Metrics struct {
	Requests       *prometheus.CounterVec
	GitLabRequests *prometheus.CounterVec
	ScanDuration   *prometheus.HistogramVec
	Apps           prometheus.Gauge
	Rejected       *prometheus.GaugeVec
	Refreshes      *prometheus.CounterVec
	ALBGroupApps   *prometheus.GaugeVec
}

// NewMetrics registers the metrics; cacheAge reports the age of the last
// complete scan.
func NewMetrics(reg prometheus.Registerer, cacheAge func() float64) *Metrics {
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idp_generator_http_requests_total", Help: "HTTP requests served, by handler and status code.",
		}, []string{"handler", "code"}),
		GitLabRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idp_generator_gitlab_requests_total", Help: "Requests sent to GitLab (retries included), by endpoint and status code.",
		}, []string{"endpoint", "code"}),
		ScanDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "idp_generator_scan_duration_seconds", Help: "Duration of full scans, by result.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 12),
		}, []string{"result"}),
		Apps: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "idp_generator_apps", Help: "Apps in the last complete scan.",
		}),
		Rejected: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "idp_generator_rejected_projects", Help: "Projects refused in the last complete scan, by reason.",
		}, []string{"reason"}),
		ALBGroupApps: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "idp_generator_alb_group_apps",
			Help: "Apps per ALB group in the last complete scan; past 50 a group nears AWS's 100 rules: raise IDP_ALB_SHARDS.",
		}, []string{"group"}),
		Refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idp_generator_appset_refreshes_total", Help: "ApplicationSet refresh requests after webhooks, by result.",
		}, []string{"result"}),
	}
	reg.MustRegister(m.Requests, m.GitLabRequests, m.ScanDuration, m.Apps, m.Rejected, m.Refreshes, m.ALBGroupApps,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "idp_generator_cache_age_seconds", Help: "Age of the last complete scan.",
		}, cacheAge))
	return m
}

// ObserveScan is a catalog.Store OnScan hook.
func (m *Metrics) ObserveScan(d time.Duration, s *catalog.Snapshot, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.ScanDuration.WithLabelValues(result).Observe(d.Seconds())
	if s == nil {
		return
	}
	m.Apps.Set(float64(len(s.Apps)))
	for _, r := range []string{catalog.ReasonInvalid, catalog.ReasonClaim, catalog.ReasonDuplicate, catalog.ReasonUnreadable} {
		m.Rejected.WithLabelValues(r).Set(0)
	}
	for _, p := range s.Problems {
		m.Rejected.WithLabelValues(p.Reason).Inc()
	}
	m.ALBGroupApps.Reset()
	for _, a := range s.Apps {
		if g, _ := a.Params[catalog.ParamALBGroup].(string); g != "" {
			m.ALBGroupApps.WithLabelValues(g).Inc()
		}
	}
}

// idSegment matches the variable parts of GitLab API paths, so the endpoint
// label stays low-cardinality.
var idSegment = regexp.MustCompile(`/(groups|projects|files|branches)/[^/]+`)

// InstrumentGitLab counts every request the GitLab client sends, retries
// included, by endpoint template and status.
func (m *Metrics) InstrumentGitLab(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		path := strings.TrimPrefix(r.URL.EscapedPath(), "/api/v4")
		endpoint := r.Method + " " + idSegment.ReplaceAllString(path, "/$1/:id")
		resp, err := next.RoundTrip(r)
		code := "error"
		if err == nil {
			code = strconv.Itoa(resp.StatusCode)
		}
		m.GitLabRequests.WithLabelValues(endpoint, code).Inc()
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
