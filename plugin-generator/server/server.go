// Package server is the generator's HTTP face: Argo CD's plugin protocol,
// GitLab webhooks, health and metrics.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vibe-coder-biz/idp/plugin-generator/catalog"
	"github.com/vibe-coder-biz/idp/plugin-generator/peers"
)

// Refresher asks Argo CD to re-read an app now rather than at its next poll.
type Refresher interface {
	Refresh(ctx context.Context, app string) error
}

// Config wires a Server.
type Config struct {
	Store         *catalog.Store
	Token         *Secret // Argo CD's bearer token
	WebhookSecret *Secret // GitLab's X-Gitlab-Token; nil disables webhooks
	Refresher     Refresher
	// Peers, when set, are the other replicas: each rescans what a webhook
	// changed before this one refreshes the ApplicationSets.
	Peers    Peers
	Metrics  *Metrics
	Gatherer prometheus.Gatherer
	Log      *slog.Logger
	// MaxStaleness bounds how old the last complete scan may be before
	// getparams answers 503 instead of serving it.
	MaxStaleness time.Duration
	// FirstScanWait is how long the first getparams waits for the first
	// complete scan: well inside Argo CD's 30 s client timeout.
	FirstScanWait time.Duration
	// FollowUp is when a new app's ApplicationSets are refreshed a second
	// time: Argo CD creates the app's Application only once the platform's
	// Application has synced its AppProject, and would otherwise wait for
	// the next poll (minutes). Zero disables it.
	FollowUp time.Duration
}

// Peers rescan projects on the other replicas (peers.Notifier).
type Peers interface {
	Rescan(ctx context.Context, projects []int64) error
}

// Server serves the generator's endpoints.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	webhook *webhookQueue
}

// New returns a Server; Start must run to process webhooks.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.FirstScanWait == 0 {
		cfg.FirstScanWait = 20 * time.Second
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.webhook = newWebhookQueue(cfg)
	s.handle("POST /api/v1/getparams.execute", "getparams", s.getParams)
	s.handle("POST /api/v1/webhooks/gitlab", "webhook", s.gitlabWebhook)
	s.handle("POST "+peers.RescanPath, "peer-rescan", s.peerRescan)
	s.handle("GET /healthz", "healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	s.handle("GET /readyz", "readyz", s.readyz)
	s.handle("GET /api/v1/problems", "problems", s.problems)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Start processes queued webhooks until ctx ends.
func (s *Server) Start(ctx context.Context) { s.webhook.run(ctx) }

func (s *Server) handle(pattern, name string, h http.HandlerFunc) {
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h(rec, r)
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.Requests.WithLabelValues(name, strconv.Itoa(rec.code)).Inc()
		}
	}))
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	select {
	case <-s.cfg.Store.Ready():
		_, _ = w.Write([]byte("ok\n"))
	default:
		http.Error(w, "no complete scan yet", http.StatusServiceUnavailable)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}
