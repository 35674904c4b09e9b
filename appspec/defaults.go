package appspec

import "k8s.io/apimachinery/pkg/api/resource"

// Defaults for fields an app.yaml may leave out.
const (
	DefaultReplicas       int32 = 2
	DefaultHealthPath           = "/health"
	DefaultStartupSeconds int32 = 60
	DefaultMetricsPath          = "/metrics"
	DefaultIngressPath          = "/"
	DefaultCPUUtilization int32 = 70
	// DefaultAvailability, DefaultLatencyObjective and DefaultLatencyThreshold
	// are every app's SLO unless its app.yaml says otherwise: 99.5 % of
	// requests succeed and 95 % are faster than 250 ms, over 28 days.
	DefaultAvailability     = 99.5
	DefaultLatencyObjective = 95.0
	DefaultLatencyThreshold = "250ms"
	DefaultRefreshInterval  = "1h"
	DefaultCPURequest       = "100m"
	DefaultMemoryRequest    = "128Mi"
	DefaultMemoryLimit      = "256Mi"
	// DefaultMetricsPort is the OpenTelemetry Prometheus exporter's default
	// port: an instrumented app already listens there, and it sits outside
	// the ranges apps pick for their own port (3000, 8080, ...).
	DefaultMetricsPort int32 = 9464
	// DefaultGracePeriod covers the render's shutdown timeline (see
	// cmp/render/shutdown.go): a 15 s preStop while the ALB deregisters the
	// pod, 30 s of ALB drain for in-flight requests, 5 s for the app to exit.
	DefaultGracePeriod int64 = 50
)

// SetDefaults fills every optional field so that renderers read one complete
// spec. It is idempotent.
func SetDefaults(app *App, p Platform) {
	s := &app.Spec
	if s.Replicas == nil {
		s.Replicas = ptr(DefaultReplicas)
	}
	setResourceDefaults(s)
	if s.Health == nil {
		s.Health = &Health{}
	}
	def(&s.Health.Path, DefaultHealthPath)
	if s.Health.StartupSeconds == 0 {
		s.Health.StartupSeconds = DefaultStartupSeconds
	}
	if s.Autoscaling != nil && s.Autoscaling.CPUUtilization == 0 {
		s.Autoscaling.CPUUtilization = DefaultCPUUtilization
	}
	if s.Metrics == nil {
		s.Metrics = &Metrics{}
	}
	if s.Metrics.Enabled == nil {
		s.Metrics.Enabled = ptr(true)
	}
	def(&s.Metrics.Path, DefaultMetricsPath)
	setSLODefaults(s)
	if s.Metrics.Port == 0 {
		s.Metrics.Port = defaultMetricsPort(s.Port)
	}
	if s.Ingress == nil {
		s.Ingress = &Ingress{}
	}
	if s.Ingress.Enabled == nil {
		s.Ingress.Enabled = ptr(true)
	}
	def(&s.Ingress.Host, p.Host(app.Metadata.Name))
	def(&s.Ingress.Path, DefaultIngressPath)
	// No secrets unless asked for: nothing creates a store entry for an app
	// that did not ask, and an ExternalSecret without one is Degraded.
	if s.Secrets != nil {
		def(&s.Secrets.Key, p.SecretKey(app.Metadata.Name))
		def(&s.Secrets.RefreshInterval, DefaultRefreshInterval)
	}
	if s.Lifecycle == nil {
		s.Lifecycle = &Lifecycle{}
	}
	if s.Lifecycle.TerminationGracePeriodSeconds == nil {
		s.Lifecycle.TerminationGracePeriodSeconds = ptr(DefaultGracePeriod)
	}
	if s.Egress == nil {
		s.Egress = &EgressRule{}
	}
	if s.Egress.HTTPS == nil {
		s.Egress.HTTPS = ptr(true)
	}
}

func setSLODefaults(s *Spec) {
	if s.SLO == nil {
		s.SLO = &SLO{}
	}
	if s.SLO.Availability == 0 {
		s.SLO.Availability = DefaultAvailability
	}
	if s.SLO.Latency == nil {
		s.SLO.Latency = &Latency{}
	}
	if s.SLO.Latency.Objective == 0 {
		s.SLO.Latency.Objective = DefaultLatencyObjective
	}
	def(&s.SLO.Latency.Threshold, DefaultLatencyThreshold)
}

// defaultMetricsPort keeps metrics off the app port, even for an app that
// listens on DefaultMetricsPort itself.
func defaultMetricsPort(appPort int32) int32 {
	if appPort == DefaultMetricsPort {
		return DefaultMetricsPort + 1
	}
	return DefaultMetricsPort
}

// setResourceDefaults leaves CPU unlimited on purpose: CPU limits throttle
// Node.js event loops long before a node is short of CPU. Memory is limited,
// and never below the request.
func setResourceDefaults(s *Spec) {
	if s.Resources == nil {
		s.Resources = &Resources{}
	}
	r := s.Resources
	if r.Requests == nil {
		r.Requests = &ResourceList{}
	}
	if r.Limits == nil {
		r.Limits = &ResourceList{}
	}
	def(&r.Requests.CPU, DefaultCPURequest)
	def(&r.Requests.Memory, DefaultMemoryRequest)
	if r.Limits.Memory == "" {
		r.Limits.Memory = DefaultMemoryLimit
		req, err1 := resource.ParseQuantity(r.Requests.Memory)
		lim, err2 := resource.ParseQuantity(DefaultMemoryLimit)
		if err1 == nil && err2 == nil && req.Cmp(lim) > 0 {
			r.Limits.Memory = r.Requests.Memory
		}
	}
}

func def(s *string, v string) {
	if *s == "" {
		*s = v
	}
}

func ptr[T any](v T) *T { return &v }
