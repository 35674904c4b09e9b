package main

import (
	"cmp"
	"fmt"
	"strconv"
	"time"
)

const (
	// defaultPort is the port chosen when the service was created; the
	// Deployment sets PORT from app.yaml's spec.port.
	defaultPort = "${{ values.port }}"
	// defaultMetricsPort is the OpenTelemetry Prometheus exporter's port and
	// the platform's default spec.metrics.port; the Deployment sets
	// METRICS_PORT to the real one.
	defaultMetricsPort = 9464
	// shutdownTimeout fits the platform's termination timeline (50 s grace
	// period: a 15 s preStop while the load balancer deregisters the pod,
	// then SIGTERM; 30 s for in-flight requests; 5 s to exit before SIGKILL).
	shutdownTimeout = 30 * time.Second
)

// config is what the environment sets (12-factor).
type config struct {
	host        string
	port        int
	metricsPort int
}

// readConfig reads PORT, METRICS_PORT and HOST. Like the platform, metrics
// move to 9465 when the app itself listens on 9464. Port 0 (tests) picks a
// free port.
func readConfig(getenv func(string) string) (config, error) {
	port, err := parsePort("PORT", cmp.Or(getenv("PORT"), defaultPort))
	if err != nil {
		return config{}, err
	}
	metricsDefault := defaultMetricsPort
	if port == defaultMetricsPort {
		metricsDefault++
	}
	metricsPort, err := parsePort("METRICS_PORT", cmp.Or(getenv("METRICS_PORT"), strconv.Itoa(metricsDefault)))
	if err != nil {
		return config{}, err
	}
	if port == metricsPort && port != 0 {
		return config{}, fmt.Errorf("METRICS_PORT (%d) must differ from PORT: the app port is public, metrics must not be", metricsPort)
	}
	return config{host: getenv("HOST"), port: port, metricsPort: metricsPort}, nil
}

func parsePort(name, value string) (int, error) {
	port, err := strconv.Atoi(value)
	if err != nil || port < 0 || port > 65535 {
		return 0, fmt.Errorf("%s=%q is not a port number (0 to 65535)", name, value)
	}
	return port, nil
}
